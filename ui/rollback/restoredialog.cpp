#include "restoredialog.h"

#include "release/rolloutmonitor.h"
#include "rollback/rollbacksession.h"
#include "services/github/githubclient.h"
#include "widgets/confirmation.h"
#include "workspace/effectivepolicy.h"
#include "workspace/workspace.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;
using namespace Raize::Rollback;

RestoreDialog::RestoreDialog(QString journalPath, Workspace &workspace, const Release::RolloutMonitor *monitor, QWidget *parent)
    : QDialog(parent)
    , m_path(std::move(journalPath))
    , m_workspace(workspace)
    , m_monitor(monitor)
{
    setObjectName(u"restoreDialog"_s);
    setWindowTitle(u"Restore through the canary stages"_s);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(u"Patch forward (playbook §7.4 Option A): what the rollback turned off is served again stage by stage "
                             u"(house, low-risk, broad), each stage ending where it was before the rollback, never wider. Stage 1 needs "
                             u"the fix-forward pull request merged and deployed to production; each later stage needs the burn rates of "
                             u"the cohorts served so far inside the policy, with enough data."_s,
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_pullRequest = new QLineEdit(this);
    m_pullRequest->setObjectName(u"restorePullRequest"_s);
    m_pullRequest->setAccessibleName(u"Fix-forward pull request"_s);
    m_pullRequest->setPlaceholderText(u"431 or https://github.com/OWNER/REPO/pull/431"_s);
    form->addRow(u"Fix-forward &pull request:"_s, m_pullRequest);
    m_fixStatus = new QLabel(u"Checked against GitHub and production's deployment when stage 1 starts."_s, this);
    m_fixStatus->setObjectName(u"restoreFixStatus"_s);
    m_fixStatus->setWordWrap(true);
    form->addRow(QString(), m_fixStatus);
    m_overrideReason = new QLineEdit(this);
    m_overrideReason->setObjectName(u"restoreOverrideReason"_s);
    m_overrideReason->setAccessibleName(u"Reason to start without the fix in production"_s);
    const bool overrideAllowed = m_workspace.policy().rollback().restoreWithoutFixAllowed;
    m_overrideReason->setEnabled(overrideAllowed);
    m_overrideReason->setPlaceholderText(overrideAllowed ? u"only to start before production contains the fix: why (audited)"_s
                                                         : u"the policy (rollback.restore.withoutFix) allows no override"_s);
    form->addRow(u"O&verride reason:"_s, m_overrideReason);
    layout->addLayout(form);
    m_stages = new QTreeWidget(this);
    m_stages->setObjectName(u"restoreStages"_s);
    m_stages->setAccessibleName(u"Stages of the way back"_s);
    m_stages->setHeaderLabels({u"Stage"_s, u"Serves again"_s, u"State"_s});
    m_stages->setRootIsDecorated(false);
    m_stages->setUniformRowHeights(true);
    m_stages->setColumnWidth(0, 260);
    m_stages->setColumnWidth(1, 420);
    layout->addWidget(m_stages, 1);
    m_judgement = new QLabel(this);
    m_judgement->setObjectName(u"restoreJudgement"_s);
    m_judgement->setWordWrap(true);
    layout->addWidget(m_judgement);
    m_status = new QLabel(this);
    m_status->setObjectName(u"restoreStatus"_s);
    m_status->setWordWrap(true);
    // Wrapped labels under a stretching list: keep their full height (two lines at least).
    for (QLabel *l : {m_judgement, m_status}) {
        l->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::MinimumExpanding);
        l->setMinimumHeight(2 * l->fontMetrics().lineSpacing());
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    layout->addWidget(m_status);
    auto *buttons = new QHBoxLayout;
    m_advance = new QPushButton(u"&Advance…"_s, this);
    m_advance->setObjectName(u"restoreAdvance"_s);
    m_abort = new QPushButton(u"A&bort the way back"_s, this);
    m_abort->setObjectName(u"restoreAbort"_s);
    auto *close = new QPushButton(u"Close"_s, this);
    close->setObjectName(u"restoreClose"_s);
    buttons->addWidget(m_advance);
    buttons->addWidget(m_abort);
    buttons->addStretch(1);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    connect(m_advance, &QPushButton::clicked, this, &RestoreDialog::advance);
    connect(m_abort, &QPushButton::clicked, this, &RestoreDialog::abortRestore);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    resize(900, 560);
    load();
}

RestoreDialog::~RestoreDialog() = default;

QString RestoreDialog::statusText() const
{
    return m_status->text();
}

void RestoreDialog::load()
{
    m_ready = false;
    m_advance->setEnabled(false);
    m_abort->setEnabled(false);
    Result<RunJournal> journal = RunJournal::open(m_path);
    if (!journal) {
        m_status->setText(journal.error().toString().toHtmlEscaped());
        return;
    }
    m_journal = std::make_unique<RunJournal>(std::move(journal).value());
    m_progress = restoreProgress(*m_journal);
    if (!m_session) {
        Result<std::unique_ptr<Session>> session = Session::fromWorkspace(m_workspace);
        if (!session) {
            m_status->setText(u"Restore needs the profile's services: "_s + session.error().toString().toHtmlEscaped());
            return;
        }
        m_session = std::move(session).value();
    }
    if (m_progress.plan) {
        m_plan = *m_progress.plan; // written ahead at stage 1: the way back follows it
        showPlan();
        return;
    }
    m_status->setText(u"Reading the flags the run turned off…"_s);
    const EffectivePolicy &policy = m_workspace.policy();
    QPointer<RestoreDialog> self(this);
    prepareStagedRestore(restorePlan(*m_journal), policy.rollout().stages, policy.cohorts(), m_session->clients(),
                         [self](const StagedRestorePlan &plan) {
                             if (!self)
                                 return;
                             self->m_plan = plan;
                             self->m_status->clear();
                             self->showPlan();
                         });
}

void RestoreDialog::showPlan()
{
    m_stages->clear();
    for (int i = 0; i < m_plan.stages.size(); ++i) {
        const RestoreStage &st = m_plan.stages[i];
        auto *item = new QTreeWidgetItem(m_stages);
        item->setText(0, u"%1. %2"_s.arg(i + 1).arg(st.name));
        item->setText(1, st.empty() ? u"nothing (no member of the rollback's scope)"_s : st.members.join(u", "_s));
        const bool done = m_progress.done.contains(i);
        const bool next = m_progress.plan ? m_progress.next == i : (i == 0 && m_plan.executable());
        item->setText(2, done ? u"done"_s : next ? u"next"_s : m_progress.aborted ? u"aborted"_s : u"waiting"_s);
        QStringList steps;
        for (const RestoreStep &r : st.steps)
            steps << r.flag + (!r.edits ? u": on again (as before the rollback)"_s
                               : !r.forward ? u": its rollback rules undone whole"_s
                                            : u": %1 strategy edit(s), each re-read first"_s.arg(r.edits->edits.size()));
        item->setToolTip(1, steps.isEmpty() ? item->text(1) : steps.join(u'\n'));
    }
    if (m_progress.plan) {
        m_pullRequest->setText(QString::number(m_progress.pullRequest));
        m_pullRequest->setReadOnly(true); // the way back is linked to one pull request
        const nlohmann::json fix = m_journal->lastOf("restore-plan").value("fix", nlohmann::json::object());
        m_fixStatus->setText(u"Linked to %1%2"_s.arg(QString::fromStdString(fix.value("url", "")).toHtmlEscaped(),
                                                      fix.value("deployed", false) ? u" (in production's deployment when stage 1 started)"_s
                                                                                   : u" (started with an override)"_s));
        m_overrideReason->setEnabled(false);
    }
    const bool open = m_plan.executable() && !m_progress.complete && !m_progress.aborted && (!m_progress.plan || m_progress.next >= 0);
    const int next = m_progress.plan ? m_progress.next : 0;
    m_advance->setEnabled(open && !m_busy);
    m_advance->setText(open ? u"&Advance to stage %1…"_s.arg(next + 1) : u"&Advance…"_s);
    m_abort->setEnabled(open && m_progress.plan.has_value() && !m_busy);
    if (!m_plan.executable())
        m_status->setText(u"Nothing to restore: "_s + m_plan.refusals.join(u"; "_s).toHtmlEscaped());
    else if (m_progress.complete)
        m_status->setText(u"The way back is complete: everything the rollback turned off is served again as before."_s);
    else if (m_progress.aborted)
        m_status->setText(u"The way back was aborted: what earlier stages serve again stays served; the rest stays off."_s);
    m_ready = true;
    Q_EMIT planReady();
}

void RestoreDialog::finish(bool ok, const QString &text)
{
    m_busy = false;
    m_status->setText(text);
    if (m_journal) {
        // Read the journal again: the stage's records are in it.
        if (Result<RunJournal> j = RunJournal::open(m_path); j)
            *m_journal = std::move(j).value();
        m_progress = restoreProgress(*m_journal);
    }
    showPlan();
    m_status->setText(text);
    Q_EMIT stageFinished(ok);
}

void RestoreDialog::advance()
{
    if (!m_ready || m_busy || !m_session)
        return;
    const Clients &clients = m_session->clients();
    if (!m_progress.plan) {
        const Result<int> number = parsePullRequestRef(m_pullRequest->text(), clients.github ? clients.github->fullName() : QString());
        if (!number) {
            m_fixStatus->setText(number.error().message.toHtmlEscaped() + u". "_s + number.error().remedy.toHtmlEscaped());
            return finish(false, u"Not started: link the fix-forward pull request first."_s);
        }
        if (const Status armed = m_workspace.mayChange(u"restoring what run %1 turned off"_s.arg(m_plan.runId)); !armed)
            return finish(false, u"Not started: "_s + QString(armed.error().message + u' ' + armed.error().remedy).toHtmlEscaped());
        m_busy = true;
        m_advance->setEnabled(false);
        m_fixStatus->setText(u"Reading pull request #%1 and production's deployment…"_s.arg(*number));
        QPointer<RestoreDialog> self(this);
        readFixForward(clients, *number, [self](const FixForward &fix) {
            if (!self)
                return;
            const EffectivePolicy &policy = self->m_workspace.policy();
            const FixForwardVerdict v = judgeFixForward(fix, policy.rollback().restoreWithoutFixAllowed, self->m_overrideReason->text(),
                                                        policy.rolloutMonitor().minReasonChars);
            self->m_fixStatus->setText((v.ok ? u"✔ "_s : u"✘ "_s) + v.reason.toHtmlEscaped()
                                       + (v.remedy.isEmpty() ? QString() : u"<br>"_s + v.remedy.toHtmlEscaped()));
            if (!v.ok)
                return self->finish(false, u"Not started: the fix is not in production (see above); nothing was sent."_s);
            self->runStage(0, fix);
        });
        return;
    }
    const int stage = m_progress.next;
    if (stage < 0)
        return;
    if (const Status armed = m_workspace.mayChange(u"restoring what run %1 turned off"_s.arg(m_plan.runId)); !armed)
        return finish(false, u"Not advanced: "_s + QString(armed.error().message + u' ' + armed.error().remedy).toHtmlEscaped());
    const QStringList served = m_plan.servedCohorts(stage - 1);
    const StageJudgement judged = judgeRestoreStage(served, m_monitor ? m_monitor->verdicts() : QHash<QString, QList<Slo::AlertVerdict>>(),
                                                    m_monitor ? m_monitor->policy().slos : QList<Slo::SloSpec>());
    m_judgement->setText(judged.headline.toHtmlEscaped() + (judged.evidence.isEmpty() ? QString() : u"<br>"_s + judged.evidence.join(u"<br>"_s).toHtmlEscaped()));
    if (!judged.advance())
        return finish(false, u"Stage %1 held: %2"_s.arg(stage + 1).arg(judged.headline.toHtmlEscaped()));
    FixForward fix;
    fix.number = m_progress.pullRequest;
    fix.repo = QString::fromStdString(m_journal->lastOf("restore-plan").value("fix", nlohmann::json::object()).value("repo", ""));
    m_busy = true;
    runStage(stage, fix);
}

void RestoreDialog::runStage(int stage, const FixForward &fix)
{
    const RestoreStage &st = m_plan.stages[stage];
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::ProductionToggle; // serving flags again widens exposure in production
    request.environment = m_session->target().flagEnvironment;
    request.title = u"Serve stage %1 (%2) again in %3?"_s.arg(stage + 1).arg(st.name, request.environment);
    QString text = u"Run %1, fix forward: %2\n"_s.arg(m_plan.runId, fix.url().isEmpty() ? u"#%1"_s.arg(fix.number) : fix.url());
    text += st.empty() ? u"Nothing to serve again at this stage: it is recorded as passed.\n"_s : u"Serves again: "_s + st.members.join(u", "_s) + u'\n';
    for (const RestoreStep &r : st.steps)
        text += u"  "_s + r.flag + (!r.edits ? u" — on again in %1"_s.arg(r.on.environment) : u" — %1 strategy edit(s)"_s.arg(r.edits->edits.size())) + u'\n';
    request.plan = text;
    request.acceptLabel = u"Serve stage %1"_s.arg(stage + 1);
    if (!Confirmation::ask(this, request))
        return finish(false, u"Not restored: the confirmation was cancelled; nothing was sent."_s);
    m_status->setText(u"Serving stage %1 again…"_s.arg(stage + 1));
    QPointer<RestoreDialog> self(this);
    runRestoreStage(*m_journal, m_plan, stage, m_session->clients(), fix, m_overrideReason->text().trimmed(),
                    [self, stage](const Result<nlohmann::json> &r) {
                        if (!self)
                            return;
                        if (!r)
                            return self->finish(false, u"<b style='color:#b71c1c'>Stage %1 stopped</b>: "_s.arg(stage + 1) + r.error().toString().toHtmlEscaped()
                                                           + u"<br>The run journal holds what was restored; Advance resumes the stage."_s);
                        const bool complete = r->value("complete", false);
                        self->finish(true, complete ? u"Stage %1 done: the way back is complete (fix forward: %2)."_s.arg(stage + 1).arg(
                                                          QString::fromStdString(r->value("pr", "")).toHtmlEscaped())
                                                    : u"Stage %1 done (fix forward: %2). Advance once the burn rates of %3 are inside the policy with enough data."_s
                                                          .arg(stage + 1)
                                                          .arg(QString::fromStdString(r->value("pr", "")).toHtmlEscaped(),
                                                               self->m_plan.servedCohorts(stage).join(u", "_s)));
                    });
}

void RestoreDialog::abortRestore()
{
    if (!m_ready || m_busy || !m_journal || !m_session)
        return;
    const Status a = Rollback::abortRestore(*m_journal, m_session->clients(), m_progress.pullRequest, u"stopped from the restore dialog"_s);
    finish(bool(a), a ? u"The way back was aborted: what earlier stages serve again stays served; the rest stays off."_s
                      : a.error().message.toHtmlEscaped());
}

} // namespace Raize::Ui
