#include "promotion/promotionview.h"

#include "promotion/gatetablemodel.h"
#include "promotion/policydiffdialog.h"
#include "timeline/timelinecanvas.h"

#include "records/auditexport.h"
#include "records/auditlog.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include <QComboBox>
#include <QDateTime>
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
using json = nlohmann::json;

namespace Raize::Ui {

using namespace Raize::Release;

PromotionView::PromotionView(GatePolicy policy, QWidget *parent)
    : QWidget(parent)
    , m_policy(std::move(policy))
{
    setObjectName(u"promotionView"_s);

    m_candidate = new QLineEdit(this);
    m_candidate->setObjectName(u"promotionCandidate"_s);
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

    m_summary = new QLabel(tr("Not reviewed yet."), this);
    m_summary->setObjectName(u"promotionSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_gateModel = new GateTableModel(this);
    m_gates = new QTreeView(this);
    m_gates->setObjectName(u"promotionGates"_s);
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
    m_reviewer->setPlaceholderText(tr("your GitHub login"));
    m_approve = new QPushButton(tr("Approve what is shown"), this);
    m_approve->setObjectName(u"promotionApprove"_s);
    connect(m_approve, &QPushButton::clicked, this, &PromotionView::approve);
    m_overrideGate = new QComboBox(this);
    m_overrideGate->setObjectName(u"promotionOverrideGate"_s);
    m_overrideReason = new QLineEdit(this);
    m_overrideReason->setObjectName(u"promotionOverrideReason"_s);
    m_overrideReason->setPlaceholderText(tr("why this gate may be passed over (at least %n characters)", nullptr, m_policy.minOverrideReasonChars));
    m_override = new QPushButton(tr("Override"), this);
    m_override->setObjectName(u"promotionOverride"_s);
    connect(m_override, &QPushButton::clicked, this, &PromotionView::applyOverride);
    m_promote = new QPushButton(tr("Promote to production"), this);
    m_promote->setObjectName(u"promotionPromote"_s);
    m_promote->setEnabled(false);
    connect(m_promote, &QPushButton::clicked, this, &PromotionView::promote);
    m_message = new QLabel(this);
    m_message->setObjectName(u"promotionMessage"_s);
    m_message->setWordWrap(true);

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
    layout->addWidget(m_gates, 1);
    layout->addWidget(m_verdictLabel);
    layout->addWidget(m_stuck);
    layout->addWidget(m_lapse);
    layout->addWidget(m_approvalsLabel);
    layout->addLayout(form);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_message, 1);
    bottom->addWidget(m_promote);
    layout->addLayout(bottom);
    updateView();
}

PromotionView::~PromotionView() = default;

void PromotionView::setSources(const Sources &sources)
{
    m_sources = sources;
    m_collector.reset();
    m_busy = false;
    if (!m_sources.vercel)
        setMessage(tr("Vercel is not connected: set it up in Settings to review a candidate."), true);
}

void PromotionView::setChangelogPath(const QString &path)
{
    m_changelog = path;
}

void PromotionView::setPolicyNote(const QString &note)
{
    // A refused bundle makes the profile read-only (ADR 0012): the review shows the playbook's
    // rules, and nothing is promoted until the bundle is fixed.
    m_readOnly = !note.isEmpty();
    m_policyNote->setText(note.isEmpty() ? QString()
                                         : tr("Read-only: the profile's policy bundle is refused (%1). The review shows the playbook's "
                                              "rules (%2); promoting is off until the bundle is fixed.")
                                               .arg(note, m_policy.bundleId));
    m_policyNote->setVisible(m_readOnly);
    if (m_readOnly)
        m_promote->setEnabled(false);
}

void PromotionView::setCandidate(const QString &deploymentId)
{
    m_candidate->setText(deploymentId);
}

void PromotionView::setMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? u"color: #c62828;"_s : QString());
}

void PromotionView::refresh()
{
    if (m_busy || !m_sources.vercel)
        return;
    const QString id = m_candidate->text().trimmed();
    m_busy = true;
    m_refresh->setEnabled(false);
    m_promote->setEnabled(false);
    setMessage(tr("Reading Vercel, GitHub, the flag service and the changelog…"), false);
    if (!id.isEmpty())
        return collect(id);
    QPointer<PromotionView> self(this);
    m_sources.vercel->deployments(u"staging"_s, 1, [self](const Result<QList<Services::VercelDeployment>> &list) {
        if (!self)
            return;
        if (!list || list->isEmpty()) {
            self->m_busy = false;
            self->m_refresh->setEnabled(true);
            self->setMessage(list ? tr("There is no staging deployment to review.") : tr("Vercel: %1").arg(list.error().toString()), true);
            return;
        }
        self->collect(list->first().id);
    });
}

void PromotionView::collect(const QString &deploymentId)
{
    FactsCollector::Sources s;
    s.vercel = m_sources.vercel;
    s.github = m_sources.github;
    s.flags = m_sources.flags;
    s.githubHtml = m_sources.githubHtml;
    s.changelogPath = m_changelog;
    m_collector = std::make_unique<FactsCollector>(m_policy, s);
    QPointer<PromotionView> self(this);
    m_collector->collect(deploymentId, [self](const CollectedFacts &facts) {
        if (!self)
            return;
        self->m_facts = facts;
        self->m_verdict = evaluate(self->m_policy, facts.facts);
        self->readRecords();
        self->m_decision = decide(self->m_policy, facts.facts, self->m_verdict, self->m_approvals, self->m_overrides);
        self->m_busy = false;
        self->m_reviewedOnce = true;
        ++self->m_reviews;
        self->m_refresh->setEnabled(true);
        self->setMessage({}, false);
        self->updateView();
        Q_EMIT self->reviewed();
    });
}

void PromotionView::readRecords()
{
    // Approvals and overrides since the last promotion, read back from the audit log (they survive a restart).
    m_approvals.clear();
    m_overrides.clear();
    if (m_sources.auditLogPath.isEmpty())
        return;
    const QList<Records::AuditRecord> records = Records::AuditExport::readAll(m_sources.auditLogPath);
    qsizetype from = 0;
    for (qsizetype i = 0; i < records.size(); ++i) {
        if (records[i].action == u"promotion.promote"_s && records[i].after.is_object() && !records[i].after.contains("error"))
            from = i + 1;
    }
    const ReleaseFacts &f = m_facts.facts;
    for (qsizetype i = from; i < records.size(); ++i) {
        const Records::AuditRecord &r = records[i];
        if (!r.after.is_object() || r.after.contains("error"))
            continue;
        if (r.action == u"promotion.approve"_s) {
            const auto binding = ReviewBinding::fromJson(r.after.value("binding", json()));
            if (binding)
                m_approvals << Approval{QString::fromStdString(r.after.value("reviewer", r.actor.toStdString())), r.time.toMSecsSinceEpoch(),
                                        *binding};
        } else if (r.action == u"gate.override"_s && f.deployment.known()
                   && r.after.value("deployment", "") == f.deployment->id.toStdString() && r.after.value("sha", "") == f.deployment->sha.toStdString()) {
            // An override holds for the commit it was given for, nothing else.
            m_overrides << OverrideRequest{QString::fromStdString(r.after.value("gate", "")), r.reason, r.actor};
        }
    }
}

void PromotionView::updateView()
{
    const ReleaseFacts &f = m_facts.facts;
    if (!m_reviewedOnce) {
        m_verdictLabel->setText(tr("Press Review to check the newest staging deployment (or the one named) against the gates."));
        m_approve->setEnabled(false);
        m_override->setEnabled(false);
        return;
    }
    QStringList summary;
    if (f.deployment.known())
        summary << tr("<b>%1</b> (commit %2, %3) → production, which serves %4 (commit %5)")
                       .arg(f.deployment->id, f.deployment->sha.left(7), f.deployment->state,
                            f.productionDeploymentId.isEmpty() ? tr("unknown") : f.productionDeploymentId, f.productionSha.left(7));
    summary << tr("Release level: <b>%1</b>%2")
                   .arg(m_verdict.scope.level ? levelName(*m_verdict.scope.level) : tr("unknown"),
                        m_verdict.scope.levelReasons.isEmpty() ? QString() : u" — "_s + m_verdict.scope.levelReasons.join(u"; "_s).toHtmlEscaped());
    if (f.pulls.known()) {
        QStringList prs;
        for (const PullFact &p : *f.pulls)
            prs << u"<a href=\"%1\">#%2</a> %3 (%4, %5)"_s.arg(p.url).arg(p.number).arg(p.title.toHtmlEscaped(), p.author,
                                                                                          m_verdict.scope.pullLevelWhy.value(p.number));
        summary << tr("Pull requests: %1").arg(prs.isEmpty() ? tr("none") : prs.join(u", "_s));
    } else {
        summary << tr("Pull requests: unknown (%1)").arg(f.pulls.error.toHtmlEscaped());
    }
    QStringList flags;
    for (const TouchedFlag &t : m_verdict.scope.flags)
        flags << t.key + (t.isNew ? tr(" (new)") : QString());
    summary << tr("Migrations: %1 · Flags: %2 · Runbooks: %3")
                   .arg(m_verdict.scope.migrations.isEmpty() ? tr("none") : m_verdict.scope.migrations.join(u", "_s),
                        flags.isEmpty() ? tr("none") : flags.join(u", "_s),
                        m_verdict.scope.runbooks.isEmpty() ? tr("none") : m_verdict.scope.runbooks.join(u", "_s));
    summary << tr("Review digest %1 · policy %2").arg(ReviewBinding::of(f, m_verdict).digest().left(12), m_policy.bundleId);
    m_summary->setText(summary.join(u"<br>"_s));
    m_summary->setOpenExternalLinks(true);

    QStringList overridden;
    for (const OverrideRequest &o : m_decision.overrides)
        overridden << o.gateId;
    m_gateModel->setResults(m_verdict.results, overridden);

    if (m_decision.allowed) {
        m_verdictLabel->setText(tr("<b style=\"color:#2e7d32\">Promotion allowed</b>: every gate passes%1; approved by %2.")
                                    .arg(overridden.isEmpty() ? QString() : tr(" or is overridden (%1)").arg(overridden.join(u", "_s)),
                                         m_decision.approvers.join(u", "_s)));
    } else {
        QStringList items;
        for (const QString &r : m_decision.reasons)
            items << u"• "_s + r.toHtmlEscaped();
        m_verdictLabel->setText(tr("<b style=\"color:#c62828\">Promotion blocked</b><br>%1").arg(items.join(u"<br>"_s)));
    }
    const QStringList stuck = stuckStates(m_policy, f, m_facts.pending.sinceMs, QDateTime::currentMSecsSinceEpoch());
    m_stuck->setText(stuck.isEmpty() ? QString() : tr("<b>Stuck:</b> %1").arg(stuck.join(u"; "_s).toHtmlEscaped()));
    m_stuck->setVisible(!stuck.isEmpty());
    m_lapse->setText(m_decision.lapsed.isEmpty() ? QString() : tr("<b>Lapsed:</b> %1").arg(m_decision.lapsed.join(u"<br>"_s).toHtmlEscaped()));
    m_lapse->setVisible(!m_decision.lapsed.isEmpty());
    QString pending;
    if (m_facts.pending.runId > 0)
        pending = tr(" GitHub environment \"%1\" is waiting for review (run %2; reviewers %3).")
                      .arg(m_facts.pending.environment)
                      .arg(m_facts.pending.runId)
                      .arg(m_facts.pending.reviewers.join(u", "_s));
    else if (!m_facts.pending.error.isEmpty())
        pending = tr(" The GitHub environment review could not be read: %1").arg(m_facts.pending.error);
    m_approvalsLabel->setText(tr("Approvals: %1 of %2%3.%4")
                                  .arg(m_decision.approvers.size())
                                  .arg(m_decision.neededApprovals)
                                  .arg(m_decision.approvers.isEmpty() ? QString() : u" ("_s + m_decision.approvers.join(u", "_s) + u')')
                                  .arg(pending));

    m_overrideGate->clear();
    for (const GateResult &r : m_verdict.results) {
        const bool acceptable = r.status == GateResult::Status::Fail || (r.status == GateResult::Status::Unknown && r.unmappedCommits);
        if (acceptable && r.overridable && !overridden.contains(r.id))
            m_overrideGate->addItem(r.title, r.id);
    }
    const bool canOverride = m_overrideGate->count() > 0;
    m_overrideGate->setEnabled(canOverride);
    m_overrideReason->setEnabled(canOverride);
    m_override->setEnabled(canOverride);
    m_approve->setEnabled(f.deployment.known());
    m_promote->setEnabled(m_decision.allowed && !m_busy && !m_readOnly);
}

Status PromotionView::audit(const QString &action, const QString &target, const QString &service, const json &after, const QString &reason)
{
    if (m_sources.auditLogPath.isEmpty())
        return Error::make(Error::Kind::Config, u"audit"_s, tr("no audit log is configured"));
    Records::AuditRecord record;
    record.actor = m_reviewer->text().trimmed().isEmpty() ? qEnvironmentVariable("USER", u"console"_s) : m_reviewer->text().trimmed();
    record.action = action;
    record.target = target;
    record.service = service;
    record.after = after;
    record.reason = reason;
    Records::AuditLog log(m_sources.auditLogPath);
    return log.append(record);
}

void PromotionView::approve()
{
    const ReleaseFacts &f = m_facts.facts;
    const QString reviewer = m_reviewer->text().trimmed();
    const PendingReview &pending = m_facts.pending;
    const bool viaGitHub = m_policy.viaGitHubEnvironment && m_sources.github && pending.runId > 0;
    if (const Status may = checkReviewer(m_policy, f, reviewer, viaGitHub ? std::optional<bool>(pending.currentUserCanApprove) : std::nullopt,
                                         pending.reviewers);
        !may)
        return setMessage(may.error().message, true);
    if (!f.deployment.known() || m_busy)
        return;
    const ReviewBinding binding = ReviewBinding::of(f, m_verdict);
    const json after = {{"reviewer", reviewer.toStdString()},
                        {"binding", binding.toJson()},
                        {"digest", binding.digest().toStdString()},
                        {"environment", "Production"},
                        {"level", m_verdict.scope.level ? levelName(*m_verdict.scope.level).toStdString() : "unknown"}};
    const auto record = [this, binding, reviewer, after](const QString &service, const QString &note) {
        const Status logged = audit(u"promotion.approve"_s, binding.deploymentId, service, after,
                                    u"approved review digest %1"_s.arg(binding.digest().left(12)));
        if (!logged)
            return setMessage(tr("The approval was not recorded: %1").arg(logged.error().toString()), true);
        m_approvals << Approval{reviewer, QDateTime::currentMSecsSinceEpoch(), binding};
        m_decision = decide(m_policy, m_facts.facts, m_verdict, m_approvals, m_overrides);
        updateView();
        setMessage(note, false);
    };
    if (viaGitHub) {
        m_approve->setEnabled(false);
        QPointer<PromotionView> self(this);
        m_sources.github->reviewPendingDeployment(
            pending.runId, pending.environmentIds, true, u"Approved in Raize console (review digest %1)"_s.arg(binding.digest().left(12)),
            [self, record, binding](const Result<Services::GitHubReview> &r) {
                if (!self)
                    return;
                self->m_approve->setEnabled(true);
                if (!r) {
                    self->audit(u"promotion.approve"_s, binding.deploymentId, u"github"_s, json{{"error", r.error().toString().toStdString()}});
                    return self->setMessage(tr("GitHub refused the approval: %1").arg(r.error().toString()), true);
                }
                record(u"github"_s, tr("Approved on GitHub (environment review) and recorded."));
            });
        return;
    }
    record(u"console"_s, m_policy.viaGitHubEnvironment ? tr("No GitHub environment review is pending for this commit; the approval is recorded in the console.")
                                                     : tr("Approval recorded."));
}

void PromotionView::applyOverride()
{
    const OverrideRequest request{m_overrideGate->currentData().toString(), m_overrideReason->text().trimmed(),
                                  m_reviewer->text().trimmed().isEmpty() ? qEnvironmentVariable("USER", u"console"_s) : m_reviewer->text().trimmed()};
    const Status ok = checkOverride(m_policy, m_verdict, request);
    if (!ok)
        return setMessage(ok.error().message, true);
    const ReleaseFacts &f = m_facts.facts;
    const Status logged = audit(u"gate.override"_s, request.gateId + u'@' + f.deployment->id, u"console"_s,
                                json{{"gate", request.gateId.toStdString()},
                                     {"deployment", f.deployment->id.toStdString()},
                                     {"sha", f.deployment->sha.toStdString()},
                                     {"environment", "Production"}},
                                request.reason);
    if (!logged)
        return setMessage(tr("The override was not recorded, so it is not applied: %1").arg(logged.error().toString()), true);
    m_overrides << request;
    m_overrideReason->clear();
    m_verdict = evaluate(m_policy, f);
    m_decision = decide(m_policy, f, m_verdict, m_approvals, m_overrides);
    updateView();
    setMessage(tr("Override of %1 recorded in the audit log.").arg(request.gateId), false);
}

void PromotionView::promote()
{
    if (m_busy || !m_sources.vercel || !m_facts.facts.deployment.known())
        return;
    // Read everything again: the approval holds only for what is still there.
    const QString id = m_facts.facts.deployment->id;
    m_busy = true;
    m_promote->setEnabled(false);
    setMessage(tr("Checking the gates once more before promoting %1…").arg(id), false);
    QPointer<PromotionView> self(this);
    FactsCollector::Sources s;
    s.vercel = m_sources.vercel;
    s.github = m_sources.github;
    s.flags = m_sources.flags;
    s.githubHtml = m_sources.githubHtml;
    s.changelogPath = m_changelog;
    m_collector = std::make_unique<FactsCollector>(m_policy, s);
    m_collector->collect(id, [self, id](const CollectedFacts &facts) {
        if (!self)
            return;
        self->m_facts = facts;
        self->m_verdict = evaluate(self->m_policy, facts.facts);
        self->readRecords();
        self->m_decision = decide(self->m_policy, facts.facts, self->m_verdict, self->m_approvals, self->m_overrides);
        if (!self->m_decision.allowed) {
            self->m_busy = false;
            self->updateView();
            self->setMessage(tr("Not promoted: the review changed since it was approved."), true);
            Q_EMIT self->promoted(false, self->m_decision.reasons.join(u"; "_s));
            return;
        }
        const ReviewBinding binding = ReviewBinding::of(facts.facts, self->m_verdict);
        json after = {{"environment", "Production"},
                      {"deployment", id.toStdString()},
                      {"sha", facts.facts.deployment->sha.toStdString()},
                      {"digest", binding.digest().toStdString()},
                      {"level", self->m_verdict.scope.level ? levelName(*self->m_verdict.scope.level).toStdString() : "unknown"},
                      {"url", facts.facts.deployment.evidence.toStdString()}};
        json overrides = json::array();
        for (const OverrideRequest &o : self->m_decision.overrides)
            overrides.push_back(o.gateId.toStdString());
        after["overrides"] = overrides;
        if (!self->m_policy.viaVercel) {
            // GitHub's environment approval is the promotion: the deploy workflow continues.
            self->audit(u"promotion.promote"_s, id, u"github"_s, after, u"GitHub environment approved"_s);
            self->m_busy = false;
            self->refresh();
            Q_EMIT self->promoted(true, tr("Approved on GitHub; the deploy workflow promotes %1.").arg(id));
            return;
        }
        self->m_sources.vercel->promote(id, [self, id, after](const Status &st) {
            if (!self)
                return;
            self->m_busy = false;
            json logged = after;
            if (!st)
                logged["error"] = st.error().toString().toStdString();
            const Status written = self->audit(u"promotion.promote"_s, id, u"vercel"_s, logged, u"promoted after review"_s);
            if (!st) {
                self->updateView();
                self->setMessage(tr("Vercel did not promote %1: %2").arg(id, st.error().toString()), true);
                Q_EMIT self->promoted(false, st.error().toString());
                return;
            }
            const QString note = written ? tr("%1 promoted to production.").arg(id)
                                         : tr("%1 promoted to production, but the audit record failed: %2").arg(id, written.error().toString());
            self->refresh();
            self->setMessage(note, !written);
            Q_EMIT self->promoted(true, note);
        });
    });
}

} // namespace Raize::Ui
