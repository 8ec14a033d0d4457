#include "promotion/promotionview.h"

#include "widgets/stalelabel.h"

#include "promotion/gatetablemodel.h"
#include "promotion/policydiffdialog.h"
#include "timeline/timelinecanvas.h"
#include "widgets/confirmation.h"

#include "release/clientpromotionservices.h"
#include "records/auditexport.h"
#include "records/auditlog.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

using namespace Raize::Release;

namespace {

// The exact plan of "Promote to production", for the confirmation.
ConfirmationRequest promotionRequest(const GatePolicy &policy, const ReleaseFacts &f, const GateVerdict &verdict, const PromotionDecision &decision)
{
    const QString id = f.deployment->id;
    QStringList overridden;
    for (const OverrideRequest &o : decision.overrides)
        overridden << o.gateId;
    QStringList plan;
    plan << u"Deployment:   %1 (commit %2, %3)"_s.arg(id, f.deployment->sha.left(7), f.deployment->state)
         << u"Target:       %1, which serves %2 (commit %3) now"_s.arg(policy.promotionEnvironment,
                                                                       f.productionDeploymentId.isEmpty() ? u"an unknown deployment"_s
                                                                                                          : f.productionDeploymentId,
                                                                       f.productionSha.isEmpty() ? u"unknown"_s : f.productionSha.left(7))
         << u"Level:        %1"_s.arg(verdict.scope.level ? levelName(*verdict.scope.level) : u"unknown"_s)
         << u"Approved by:  %1 (%2 needed)"_s.arg(decision.approvers.join(u", "_s)).arg(decision.neededApprovals)
         << u"Overrides:    %1"_s.arg(overridden.isEmpty() ? u"none"_s : overridden.join(u", "_s))
         << u"Review:       digest %1 · policy %2"_s.arg(ReviewBinding::of(f, verdict).digest().left(16), policy.bundleId)
         << QString() << u"Then, in order:"_s
         << u"  1. read the gates, approvals and overrides again; stop if the review changed since it was approved"_s;
    if (policy.viaVercel)
        plan << u"  2. Vercel: POST /v10/projects/{project}/promote/%1 (production's domains move to %1)"_s.arg(id);
    else
        plan << u"  2. GitHub: the environment review is approved; the deploy workflow promotes %1"_s.arg(id);
    plan << u"  3. audit log: promotion.promote %1"_s.arg(id);
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::Promote;
    request.environment = policy.promotionEnvironment;
    request.title = u"Promote %1 to %2?"_s.arg(id, policy.promotionEnvironment);
    request.plan = plan.join(u'\n');
    request.acceptLabel = u"Promote to production"_s;
    return request;
}

// The exact plan of "Promote to staging", for the confirmation.
ConfirmationRequest stagingRequest(const GatePolicy &policy, const QString &id)
{
    QStringList plan;
    plan << u"Deployment:   %1"_s.arg(id) << u"Domain:       %1 (%2)"_s.arg(policy.stagingDomain, policy.stagingTarget)
         << u"Gates:        %1 (the policy's promotion.staging.gates)"_s.arg(policy.stagingGates.join(u", "_s)) << QString()
         << u"Then, in order:"_s << u"  1. GitHub: who this profile's token belongs to (the actor)"_s
         << u"  2. read the deployment and its staging gates; stop unless every one passes"_s
         << u"  3. audit log: promotion.staging.requested"_s
         << u"  4. Vercel: POST /v2/deployments/%1/aliases {\"alias\": \"%2\"} (the domain moves from the deployment it serves)"_s.arg(
                id, policy.stagingDomain)
         << u"  5. Vercel: GET /v2/deployments/%1/aliases (the domain must read back on it)"_s.arg(id)
         << u"  6. audit log: promotion.staging (before: the deployment the domain served; Vercel's request id)"_s;
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::StagingPromote;
    request.environment = policy.stagingTarget;
    request.title = u"Promote %1 to %2 (%3)?"_s.arg(id, policy.stagingTarget, policy.stagingDomain);
    request.plan = plan.join(u'\n');
    request.acceptLabel = u"Promote to staging"_s;
    return request;
}

} // namespace

PromotionView::PromotionView(GatePolicy policy, QWidget *parent)
    : QWidget(parent)
    , m_session(new Promotion(std::move(policy), this))
{
    build();
}

PromotionView::PromotionView(Promotion *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    Q_ASSERT(session);
    build();
}

PromotionView::~PromotionView()
{
    // The session may outlive the view (the workspace's): it must not keep pointers to what the view owned.
    if (m_services || m_auditLog)
        m_session->setDependencies({});
}

void PromotionView::build()
{
    setObjectName(u"promotionView"_s);

    m_candidate = new QLineEdit(this);
    m_candidate->setObjectName(u"promotionCandidate"_s);
    m_candidate->setAccessibleName(tr("Candidate deployment"));
    m_candidate->setPlaceholderText(tr("newest staging deployment"));
    m_refresh = new QPushButton(tr("Review"), this);
    m_refresh->setObjectName(u"promotionRefresh"_s);
    connect(m_refresh, &QPushButton::clicked, this, &PromotionView::refresh);
    connect(m_candidate, &QLineEdit::returnPressed, this, &PromotionView::refresh);
    auto *policyDiff = new QPushButton(tr("Compare policy bundles…"), this);
    policyDiff->setObjectName(u"promotionPolicyDiff"_s);
    connect(policyDiff, &QPushButton::clicked, this, [this] {
        auto *dialog = new PolicyDiffDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Candidate:"), this));
    top->addWidget(m_candidate, 1);
    top->addWidget(m_refresh);
    top->addWidget(policyDiff);
    m_stale = new StaleLabel(u"promotionStale"_s, this);
    top->addWidget(m_stale);

    m_summary = new QLabel(tr("Not reviewed yet."), this);
    m_summary->setObjectName(u"promotionSummary"_s);
    m_pin = new QLabel(this);
    m_pin->setObjectName(u"promotionPin"_s);
    m_pin->setWordWrap(true);
    m_pin->hide();
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_gateModel = new GateTableModel(this);
    m_gates = new QTreeView(this);
    m_gates->setObjectName(u"promotionGates"_s);
    m_gates->setAccessibleName(tr("Gates"));
    m_gates->setModel(m_gateModel);
    m_gates->setRootIsDecorated(false);
    m_gates->setUniformRowHeights(true);
    m_gates->setAlternatingRowColors(true);
    m_gates->setWordWrap(false);
    m_gates->header()->setStretchLastSection(false);
    m_gates->header()->setSectionResizeMode(GateTableModel::Reason, QHeaderView::Stretch);
    m_gates->setColumnWidth(GateTableModel::Gate, 380);
    m_gates->setColumnWidth(GateTableModel::Status, 160);
    m_gates->setColumnWidth(GateTableModel::Evidence, 220);
    connect(m_gates, &QTreeView::doubleClicked, this, [](const QModelIndex &index) {
        const QString url = index.data(GateTableModel::UrlRole).toString();
        if (!url.isEmpty())
            TimelineCanvas::openUrl(QUrl(url));
    });

    m_verdictLabel = new QLabel(this);
    m_verdictLabel->setObjectName(u"promotionVerdict"_s);
    m_verdictLabel->setWordWrap(true);
    m_stuck = new QLabel(this);
    m_stuck->setObjectName(u"promotionStuck"_s);
    m_stuck->setWordWrap(true);
    m_lapse = new QLabel(this);
    m_lapse->setObjectName(u"promotionLapse"_s);
    m_lapse->setWordWrap(true);
    m_approvalsLabel = new QLabel(this);
    m_approvalsLabel->setObjectName(u"promotionApprovals"_s);
    m_approvalsLabel->setWordWrap(true);

    m_reviewer = new QLineEdit(this);
    m_reviewer->setObjectName(u"promotionReviewer"_s);
    m_reviewer->setAccessibleName(tr("Reviewer"));
    // Display only: the reviewer is who the profile's GitHub token belongs to (GET /user), never a typed name.
    m_reviewer->setReadOnly(true);
    m_reviewer->setPlaceholderText(tr("the GitHub token's user (review to read it)"));
    m_approve = new QPushButton(tr("Approve what is shown"), this);
    m_approve->setObjectName(u"promotionApprove"_s);
    connect(m_approve, &QPushButton::clicked, this, &PromotionView::approve);
    m_overrideGate = new QComboBox(this);
    m_overrideGate->setObjectName(u"promotionOverrideGate"_s);
    m_overrideGate->setAccessibleName(tr("Gate to override"));
    m_overrideReason = new QLineEdit(this);
    m_overrideReason->setObjectName(u"promotionOverrideReason"_s);
    m_overrideReason->setAccessibleName(tr("Override reason"));
    m_overrideReason->setPlaceholderText(
        tr("why this gate may be passed over (at least %n characters)", nullptr, m_session->policy().minOverrideReasonChars));
    m_override = new QPushButton(tr("Override"), this);
    m_override->setObjectName(u"promotionOverride"_s);
    connect(m_override, &QPushButton::clicked, this, &PromotionView::applyOverride);
    m_promote = new QPushButton(tr("Promote to production"), this);
    m_promote->setObjectName(u"promotionPromote"_s);
    m_promote->setEnabled(false);
    m_draftNotes = new QPushButton(tr("Draft release notes"), this);
    m_draftNotes->setObjectName(u"promotionDraftNotes"_s);
    m_draftNotes->setToolTip(tr("Release notes of the last promote, from its evidence: gates, canary plan, rollback, migrations, incidents"));
    m_draftNotes->setEnabled(false);
    connect(m_draftNotes, &QPushButton::clicked, this, [this] { Q_EMIT draftNotesRequested(m_draftable); });
    connect(m_promote, &QPushButton::clicked, this, &PromotionView::promote);
    m_staging = new StagingPromotion(m_session->policy(), this);
    m_stagingPromote = new QPushButton(tr("Promote to staging…"), this);
    m_stagingPromote->setObjectName(u"promotionStagingPromote"_s);
    m_stagingPromote->setToolTip(tr("Assign the staging domain to the deployment named above (a preview), behind the policy's "
                                    "lighter staging gates"));
    connect(m_stagingPromote, &QPushButton::clicked, this, &PromotionView::promoteToStaging);
    connect(m_staging, &StagingPromotion::changed, this, [this] {
        m_stagingPromote->setEnabled(!m_staging->busy() && !m_readOnly);
        if (m_staging->message().isEmpty())
            return;
        m_message->setText(m_staging->message());
        m_message->setStyleSheet(m_staging->failureKind() != Error::Kind::None ? u"color: #c62828;"_s : QString());
    });
    m_message = new QLabel(this);
    m_message->setObjectName(u"promotionMessage"_s);
    m_message->setWordWrap(true);
    m_effective = new QLabel(this);
    m_effective->setObjectName(u"promotionEffective"_s);
    m_effective->setWordWrap(true);
    m_effective->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_effective->hide();

    auto *approveRow = new QHBoxLayout;
    approveRow->addWidget(m_reviewer, 1);
    approveRow->addWidget(m_approve);
    auto *overrideRow = new QHBoxLayout;
    overrideRow->addWidget(m_overrideGate);
    overrideRow->addWidget(m_overrideReason, 1);
    overrideRow->addWidget(m_override);
    auto *form = new QFormLayout;
    form->addRow(tr("Reviewer:"), approveRow);
    form->addRow(tr("Override:"), overrideRow);

    m_policyNote = new QLabel(this);
    m_policyNote->setObjectName(u"promotionPolicyNote"_s);
    m_policyNote->setWordWrap(true);
    m_policyNote->setStyleSheet(u"color: #c62828;"_s);
    m_policyNote->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_policyNote);
    layout->addLayout(top);
    layout->addWidget(m_summary);
    layout->addWidget(m_pin);
    layout->addWidget(m_gates, 1);
    layout->addWidget(m_verdictLabel);
    layout->addWidget(m_stuck);
    layout->addWidget(m_lapse);
    layout->addWidget(m_approvalsLabel);
    layout->addLayout(form);
    layout->addWidget(m_effective);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_message, 1);
    bottom->addWidget(m_draftNotes);
    bottom->addWidget(m_stagingPromote);
    bottom->addWidget(m_promote);
    layout->addLayout(bottom);
    connect(m_session, &Promotion::changed, this, &PromotionView::updateView);
    connect(m_session, &Promotion::reviewed, this, &PromotionView::reviewed);
    connect(m_session, &Promotion::promoted, this, [this](bool ok, const QString &message) {
        // First: listeners record the release's evidence from the session as it was at the promote.
        Q_EMIT promoted(ok, message);
        if (ok) {
            // Show what production serves now; the message of the promotion stays until that review ends.
            const QString note = m_session->message();
            const bool error = m_session->messageIsError();
            m_session->review(m_candidate->text());
            m_message->setText(note);
            m_message->setStyleSheet(error ? u"color: #c62828;"_s : QString());
        }
    });
    updateView();
}

void PromotionView::setDraftableRelease(const QString &deploymentId)
{
    m_draftable = deploymentId;
    m_draftNotes->setEnabled(!deploymentId.isEmpty());
}

void PromotionView::setSources(const Sources &sources)
{
    m_sources = sources;
    rebuildServices();
    if (!m_sources.vercel) {
        m_message->setText(tr("Vercel is not connected: set it up in Settings to review a candidate."));
        m_message->setStyleSheet(u"color: #c62828;"_s);
    }
}

void PromotionView::rebuildServices()
{
    Promotion::Dependencies deps;
    FactsCollector::Sources s;
    s.vercel = m_sources.vercel;
    s.github = m_sources.github;
    s.flags = m_sources.flags;
    s.githubHtml = m_sources.githubHtml;
    s.changelogPath = m_changelog;
    s.sloBudgets = FactsCollector::sloBudgetsFrom(m_sources.sloHistory);
    auto services = m_sources.vercel ? std::make_unique<ClientPromotionServices>(m_session->policy(), s) : nullptr;
    if (services)
        services->setEffective(m_sources.servingProbe, m_sources.effective);
    deps.services = services.get();
    std::unique_ptr<Records::AuditLog> log;
    if (!m_sources.auditLogPath.isEmpty()) {
        log = std::make_unique<Records::AuditLog>(m_sources.auditLogPath);
        deps.audit = log.get();
        deps.records = [path = m_sources.auditLogPath] { return Records::AuditExport::readAll(path); };
    }
    deps.guard = m_sources.guard;
    m_session->setDependencies(deps);
    m_services = std::move(services);
    m_auditLog = std::move(log);
}

void PromotionView::setChangelogPath(const QString &path)
{
    m_changelog = path;
    if (m_services)
        rebuildServices();
}

void PromotionView::setPolicyNote(const QString &note)
{
    // A refused bundle makes the profile read-only (ADR 0017): the review shows the playbook's
    // rules, and nothing is promoted until the bundle is fixed.
    m_readOnly = !note.isEmpty();
    m_policyNote->setText(note.isEmpty() ? QString()
                                         : tr("Read-only: the profile's policy bundle is refused (%1). The review shows the playbook's "
                                              "rules (%2); promoting is off until the bundle is fixed.")
                                               .arg(note, m_session->policy().bundleId));
    m_policyNote->setVisible(m_readOnly);
    updateView();
}

void PromotionView::setCandidate(const QString &deploymentId)
{
    m_candidate->setText(deploymentId);
}

QString PromotionView::actor() const
{
    // The session acts as the token's user; a name in the (read-only) field is never passed on as one.
    return {};
}

void PromotionView::refresh()
{
    if (m_session->busy())
        return;
    m_session->review(m_candidate->text().trimmed());
}

void PromotionView::approve()
{
    // Bound to what the screen shows: a review that changed meanwhile is not approved blind.
    m_session->approve(actor(), {}, m_session->digest());
}

void PromotionView::applyOverride()
{
    if (m_session->applyOverride(m_overrideGate->currentData().toString(), m_overrideReason->text(), actor()))
        m_overrideReason->clear();
}

bool PromotionView::confirmPromote(const QString &deploymentId, const QString &digest)
{
    if (m_confirmPromote)
        return m_confirmPromote(this, deploymentId, digest);
    // The one confirmation of dangerous actions (issue #14, item 5): the exact plan, and what the policy's table asks.
    const CollectedFacts &facts = m_session->facts();
    if (!facts.facts.deployment.known())
        return false;
    return Confirmation::ask(this, promotionRequest(m_session->policy(), facts.facts, m_session->verdict(), m_session->decision()));
}

void PromotionView::promote()
{
    if (m_session->busy() || !m_session->decision().allowed || !m_session->facts().facts.deployment.known())
        return;
    const QString digest = m_session->digest();
    if (!confirmPromote(m_session->facts().facts.deployment->id, digest)) {
        m_message->setText(tr("Not promoted: the confirmation was cancelled; nothing was sent."));
        m_message->setStyleSheet(QString());
        return;
    }
    m_session->promote(actor(), digest);
}

void PromotionView::promoteToStaging()
{
    const QString id = m_candidate->text().trimmed();
    if (m_staging->busy() || m_readOnly)
        return;
    if (id.isEmpty()) {
        m_message->setText(tr("Name the preview deployment to promote to staging in the candidate field first."));
        m_message->setStyleSheet(u"color: #c62828;"_s);
        m_candidate->setFocus();
        return;
    }
    // The promotion session's services, audit log and arming (its own, or the workspace's).
    const Promotion::Dependencies &deps = m_session->dependencies();
    m_staging->setDependencies({deps.services, deps.audit, deps.guard});
    if (!Confirmation::ask(this, stagingRequest(m_staging->policy(), id))) {
        m_message->setText(tr("Not promoted to staging: the confirmation was cancelled; nothing was sent."));
        m_message->setStyleSheet(QString());
        return;
    }
    m_staging->promote(id);
}

void PromotionView::showMessage()
{
    m_message->setText(m_session->message());
    m_message->setStyleSheet(m_session->messageIsError() ? u"color: #c62828;"_s : QString());
    // Accepted at, effective at (ADR 0027): the times, then what the last round saw while it is not yet effective.
    const std::optional<EffectiveReport> &eff = m_session->effective();
    m_effective->setVisible(eff.has_value());
    if (!eff)
        return;
    QStringList lines;
    lines << tr("Accepted at %1 · Effective at %2")
                 .arg(isoMs(eff->acceptedAtMs),
                      eff->effective() ? tr("%1 (%2 s later)").arg(isoMs(eff->effectiveAtMs), QString::number((eff->effectiveAtMs - eff->acceptedAtMs) / 1000.0, 'f', 1))
                      : m_session->busy() ? tr("not yet") : tr("never (not effective)"));
    lines << eff->last.summary;
    if (!eff->effective() && !m_session->busy())
        lines << eff->last.evidence;
    lines << eff->last.warnings;
    m_effective->setText(lines.join(u'\n'));
    m_effective->setStyleSheet(eff->effective() ? u"color: #2e7d32;"_s : m_session->busy() ? u"color: #ef6c00;"_s : u"color: #c62828;"_s);
}

void PromotionView::updateView()
{
    const bool busy = m_session->busy();
    m_refresh->setEnabled(!busy);
    m_stagingPromote->setEnabled(!m_staging->busy() && !m_readOnly);
    showMessage();
    const GatePolicy &policy = m_session->policy();
    const CollectedFacts &facts = m_session->facts();
    const ReleaseFacts &f = facts.facts;
    const GateVerdict &verdict = m_session->verdict();
    const PromotionDecision &decision = m_session->decision();
    if (!m_session->hasReview()) {
        m_verdictLabel->setText(tr("Press Review to check the newest staging deployment (or the one named) against the gates."));
        m_approve->setEnabled(false);
        m_override->setEnabled(false);
        m_promote->setEnabled(false);
        return;
    }
    QStringList summary;
    if (f.deployment.known())
        summary << tr("<b>%1</b> (commit %2, %3) → production, which serves %4 (commit %5)")
                       .arg(f.deployment->id, f.deployment->sha.left(7), f.deployment->state,
                            f.productionDeploymentId.isEmpty() ? tr("unknown") : f.productionDeploymentId, f.productionSha.left(7));
    summary << tr("Release level: <b>%1</b>%2")
                   .arg(verdict.scope.level ? levelName(*verdict.scope.level) : tr("unknown"),
                        verdict.scope.levelReasons.isEmpty() ? QString() : u" — "_s + verdict.scope.levelReasons.join(u"; "_s).toHtmlEscaped());
    if (f.pulls.known()) {
        QStringList prs;
        for (const PullFact &p : *f.pulls)
            prs << u"<a href=\"%1\">#%2</a> %3 (%4, %5)"_s.arg(p.url).arg(p.number).arg(p.title.toHtmlEscaped(), p.author,
                                                                                          verdict.scope.pullLevelWhy.value(p.number));
        summary << tr("Pull requests: %1").arg(prs.isEmpty() ? tr("none") : prs.join(u", "_s));
    } else {
        summary << tr("Pull requests: unknown (%1)").arg(f.pulls.error.toHtmlEscaped());
    }
    QStringList flags;
    for (const TouchedFlag &t : verdict.scope.flags)
        flags << t.key + (t.isNew ? tr(" (new)") : QString());
    summary << tr("Migrations: %1 · Flags: %2 · Runbooks: %3")
                   .arg(verdict.scope.migrations.isEmpty() ? tr("none") : verdict.scope.migrations.join(u", "_s),
                        flags.isEmpty() ? tr("none") : flags.join(u", "_s),
                        verdict.scope.runbooks.isEmpty() ? tr("none") : verdict.scope.runbooks.join(u", "_s));
    // The candidate's own changelog (issue #17 item 3): which file at which commit, which section.
    if (!f.changelogOrigin.file.isEmpty())
        summary << tr("Changelog: %1 %2")
                       .arg(f.changelogOrigin.where().toHtmlEscaped(),
                            f.changelog.known() ? f.changelogOrigin.section.toHtmlEscaped() : tr("(not read: %1)").arg(f.changelog.error.toHtmlEscaped()));
    summary << tr("Review digest %1 · policy %2").arg(m_session->digest().left(12), policy.bundleId);
    m_summary->setText(summary.join(u"<br>"_s));
    // Pinned production after an Instant Rollback, with the way out (issue #17 item 4); then what the last promote did.
    const QString pin = Promotion::pinText(f.pin);
    const QString pinText = !pin.isEmpty() ? pin : m_session->pinReadBack();
    m_pin->setText(pinText.toHtmlEscaped());
    m_pin->setStyleSheet(pin.isEmpty() ? QString() : u"color: #ef6c00; font-weight: bold;"_s);
    m_pin->setVisible(!pinText.isEmpty());
    m_summary->setOpenExternalLinks(true);

    QStringList overridden;
    for (const OverrideRequest &o : decision.overrides)
        overridden << o.gateId;
    m_gateModel->setResults(verdict.results, overridden);

    if (decision.allowed) {
        m_verdictLabel->setText(tr("<b style=\"color:#2e7d32\">Promotion allowed</b>: every gate passes%1; approved by %2.")
                                    .arg(overridden.isEmpty() ? QString() : tr(" or is overridden (%1)").arg(overridden.join(u", "_s)),
                                         decision.approvers.join(u", "_s)));
    } else {
        QStringList items;
        for (const QString &r : decision.reasons)
            items << u"• "_s + r.toHtmlEscaped();
        m_verdictLabel->setText(tr("<b style=\"color:#c62828\">Promotion blocked</b><br>%1").arg(items.join(u"<br>"_s)));
    }
    const QStringList stuck = m_session->stuck();
    m_stuck->setText(stuck.isEmpty() ? QString() : tr("<b>Stuck:</b> %1").arg(stuck.join(u"; "_s).toHtmlEscaped()));
    m_stuck->setVisible(!stuck.isEmpty());
    m_lapse->setText(decision.lapsed.isEmpty() ? QString() : tr("<b>Lapsed:</b> %1").arg(decision.lapsed.join(u"<br>"_s).toHtmlEscaped()));
    m_lapse->setVisible(!decision.lapsed.isEmpty());
    QString pending;
    if (facts.pending.runId > 0)
        pending = tr(" GitHub environment \"%1\" is waiting for review (run %2; reviewers %3).")
                      .arg(facts.pending.environment)
                      .arg(facts.pending.runId)
                      .arg(facts.pending.reviewers.join(u", "_s));
    else if (!facts.pending.error.isEmpty())
        pending = tr(" The GitHub environment review could not be read: %1").arg(facts.pending.error);
    m_approvalsLabel->setText(tr("Approvals: %1 of %2%3.%4")
                                  .arg(decision.approvers.size())
                                  .arg(decision.neededApprovals)
                                  .arg(decision.approvers.isEmpty() ? QString() : u" ("_s + decision.approvers.join(u", "_s) + u')')
                                  .arg(pending));

    m_reviewer->setText(m_session->identity().isEmpty()
                            ? (m_session->identityError().isEmpty() ? QString() : tr("unknown — %1").arg(m_session->identityError()))
                            : m_session->identity());
    const QString current = m_overrideGate->currentData().toString();
    m_overrideGate->clear();
    for (const OverridableGate &g : m_session->overridableGates())
        m_overrideGate->addItem(g.title, g.id);
    if (const int keep = m_overrideGate->findData(current); keep >= 0)
        m_overrideGate->setCurrentIndex(keep);
    const bool canOverride = m_overrideGate->count() > 0 && !busy;
    m_overrideGate->setEnabled(canOverride);
    m_overrideReason->setEnabled(canOverride);
    m_override->setEnabled(canOverride);
    m_approve->setEnabled(f.deployment.known() && !busy);
    m_promote->setEnabled(decision.allowed && !busy && !m_readOnly);
}

void PromotionView::setStaleSince(const QDateTime &since, const QString &reason)
{
    m_stale->setSince(since, reason);
}

QLabel *PromotionView::staleLabel() const
{
    return m_stale;
}

} // namespace Raize::Ui
