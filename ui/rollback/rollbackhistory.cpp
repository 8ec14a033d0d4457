#include "rollbackhistory.h"

#include "rollback/rollbackplan.h"
#include "rollback/rollbackrestore.h"
#include "rollback/rollbacksession.h"
#include "rollback/runjournal.h"
#include "widgets/confirmation.h"
#include "workspace/workspace.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;
using namespace Raize::Rollback;

RollbackHistory::RollbackHistory(QString journalDirectory, QWidget *parent)
    : QWidget(parent)
    , m_dir(std::move(journalDirectory))
{
    setObjectName(u"rollbackHistory"_s);
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(u"<h2>Rollback</h2>The guarded rollback (playbook §7): side-effect flags off first, then Vercel Instant Rollback "
                             u"to a safe target, the post-rollback checks and an incident. Press the red button in the header to start one; "
                             u"every run is written ahead to its journal and resumes after an interruption."_s,
                             this);
    title->setWordWrap(true);
    layout->addWidget(title);
    m_open = new QPushButton(u"Open the rollback plan…"_s, this);
    m_open->setObjectName(u"openRollback"_s);
    connect(m_open, &QPushButton::clicked, this, &RollbackHistory::openRequested);
    layout->addWidget(m_open, 0, Qt::AlignLeft);
    m_status = new QLabel(this);
    m_status->setObjectName(u"rollbackHistoryStatus"_s);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_runs = new QTreeWidget(this);
    m_runs->setObjectName(u"rollbackRuns"_s);
    m_runs->setAccessibleName(u"Rollback runs"_s);
    m_runs->setHeaderLabels({u"Run / step"_s, u"Started (UTC)"_s, u"Outcome"_s, u"Trigger"_s, u"Scope"_s});
    m_runs->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_runs->setColumnWidth(0, 420);
    m_runs->setColumnWidth(1, 200);
    m_runs->setColumnWidth(2, 160);
    m_runs->setColumnWidth(3, 240);
    layout->addWidget(m_runs, 1);
    auto *restoreRow = new QHBoxLayout;
    m_pullRequest = new QLineEdit(this);
    m_pullRequest->setObjectName(u"restorePullRequest"_s);
    m_pullRequest->setAccessibleName(u"Fix-forward pull request"_s);
    m_pullRequest->setPlaceholderText(u"fix-forward pull request: https://github.com/OWNER/REPO/pull/N"_s);
    m_restore = new QPushButton(u"Restore…"_s, this);
    m_restore->setObjectName(u"restoreRun"_s);
    m_restore->setToolTip(u"Patch forward (playbook §7.4 Option A): serve again exactly what the selected run turned off"_s);
    restoreRow->addWidget(m_pullRequest, 1);
    restoreRow->addWidget(m_restore);
    layout->addLayout(restoreRow);
    connect(m_runs, &QTreeWidget::currentItemChanged, this, &RollbackHistory::updateRestore);
    connect(m_restore, &QPushButton::clicked, this, &RollbackHistory::restoreSelected);
    refresh();
}

RollbackHistory::~RollbackHistory() = default;

QString RollbackHistory::statusText() const
{
    return m_status->text();
}

void RollbackHistory::updateRestore()
{
    QTreeWidgetItem *item = m_runs->currentItem();
    while (item && item->parent())
        item = item->parent();
    const QString path = item ? item->data(0, Qt::UserRole).toString() : QString();
    QString why;
    if (path.isEmpty()) {
        why = u"Select a run to restore."_s;
    } else if (const Result<RunJournal> j = RunJournal::open(path); !j) {
        why = j.error().toString();
    } else {
        const RestorePlan plan = restorePlan(j.value());
        why = plan.executable() ? plan.describe() : plan.refusals.join(u"\n"_s);
        m_restore->setEnabled(plan.executable() && !m_session);
        m_restore->setToolTip(why);
        return;
    }
    m_restore->setEnabled(false);
    m_restore->setToolTip(why);
}

void RollbackHistory::restoreSelected()
{
    QTreeWidgetItem *item = m_runs->currentItem();
    while (item && item->parent())
        item = item->parent();
    const QString path = item ? item->data(0, Qt::UserRole).toString() : QString();
    const auto finish = [this](bool ok, const QString &text) {
        m_session.reset();
        refresh();
        m_status->setText(text);
        Q_EMIT restoreFinished(ok);
    };
    if (path.isEmpty())
        return finish(false, u"Select the run to restore first."_s);
    if (!m_workspace)
        return finish(false, u"Restore needs the profile's flag service: open the console with a configured profile."_s);
    const QString pr = m_pullRequest->text().trimmed();
    if (const Status ok = checkPullRequestUrl(pr); !ok)
        return finish(false, ok.error().message.toHtmlEscaped() + u". "_s + ok.error().remedy.toHtmlEscaped());
    Result<RunJournal> journal = RunJournal::open(path);
    if (!journal)
        return finish(false, journal.error().toString().toHtmlEscaped());
    const RestorePlan plan = restorePlan(journal.value());
    if (!plan.executable())
        return finish(false, u"Nothing restored: "_s + plan.refusals.join(u"; "_s).toHtmlEscaped());
    // Unlike the rollback, a restore widens exposure again: read-only until armed (ADR 0028).
    if (const Status armed = m_workspace->mayChange(u"restoring what run %1 turned off"_s.arg(plan.runId)); !armed)
        return finish(false, u"Nothing restored: "_s + QString(armed.error().message + u' ' + armed.error().remedy).toHtmlEscaped());
    Result<std::unique_ptr<Session>> session = Session::fromWorkspace(*m_workspace);
    if (!session)
        return finish(false, session.error().toString().toHtmlEscaped());
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::ProductionToggle; // serving flags again widens exposure in production
    request.environment = session.value()->target().flagEnvironment;
    request.title = u"Restore what run %1 turned off in %2?"_s.arg(plan.runId, request.environment);
    request.plan = plan.describe() + (pr.isEmpty() ? QString() : u"Fix forward: "_s + pr + u'\n');
    request.acceptLabel = u"Restore"_s;
    if (!Confirmation::ask(this, request))
        return finish(false, u"Not restored: the confirmation was cancelled; nothing was sent."_s);
    m_session = std::move(session).value();
    m_restore->setEnabled(false);
    m_status->setText(u"Restoring run %1…"_s.arg(plan.runId));
    auto j = std::make_shared<RunJournal>(std::move(journal).value());
    runRestore(*j, plan, m_session->clients(), pr, [this, j, plan, pr, finish](const Result<nlohmann::json> &r) {
        if (!r)
            return finish(false, u"<b style='color:#b71c1c'>Restore stopped</b>: "_s + r.error().toString().toHtmlEscaped()
                                     + u"<br>The run journal holds what was restored."_s);
        QStringList flags;
        for (const auto &f : r.value()["flags"])
            flags << QString::fromStdString(f.get<std::string>());
        finish(true, u"Restored run %1: %2 served again as before the rollback%3. The rollout monitor watches every cohort again."_s.arg(
                         plan.runId, flags.join(u", "_s).toHtmlEscaped(), pr.isEmpty() ? QString() : u" (fix forward: "_s + pr.toHtmlEscaped() + u')'));
    });
}

void RollbackHistory::showEvent(QShowEvent *event)
{
    refresh();
    QWidget::showEvent(event);
}

void RollbackHistory::refresh()
{
    m_runs->clear();
    const QStringList files = RunJournal::list(m_dir);
    int open = 0;
    for (const QString &path : files) {
        const Result<RunJournal> j = RunJournal::open(path);
        auto *item = new QTreeWidgetItem(m_runs);
        if (!j) {
            item->setText(0, path);
            item->setText(2, u"unreadable"_s);
            item->setToolTip(0, j.error().toString());
            continue;
        }
        const auto plan = Plan::fromJson(j->begin().value("plan", nlohmann::json()));
        const QString outcome = j->outcome().isEmpty() ? u"in progress"_s : j->outcome();
        open += j->finished() ? 0 : 1;
        item->setText(0, u"%1 · %2"_s.arg(j->runId(), QString::fromStdString(j->begin().value("kind", "rollback"))));
        item->setText(1, QString::fromStdString(j->begin().value("at", "")).left(19).replace(u'T', u' '));
        item->setText(2, outcome);
        item->setText(3, QString::fromStdString(j->begin().value("trigger", "")));
        item->setText(4, QString::fromStdString(j->begin().value("scope", "")));
        item->setToolTip(0, path);
        item->setData(0, Qt::UserRole, path);
        if (!j->finished())
            item->setForeground(2, QColor(u"#b71c1c"_s));
        for (int i = 0; plan && i < plan->steps.size(); ++i) {
            auto *step = new QTreeWidgetItem(item);
            step->setText(0, u"%1. %2"_s.arg(i + 1).arg(plan->steps[i].title));
            step->setText(2, stepPhaseName(j->phase(i)));
            const nlohmann::json last = j->last(i);
            step->setText(3, QString::fromStdString(last.value("summary", last.value("error", last.value("reason", std::string())))));
            step->setToolTip(3, step->text(3));
        }
    }
    updateRestore();
    m_status->setText(files.isEmpty() ? u"No rollback has run with this profile."_s
                      : open > 0       ? u"<b style='color:#b71c1c'>A rollback is in progress</b> — press the header's button to resume it."_s
                                       : u"%1 run(s); the newest first. Steps are in each run's journal and the audit log."_s.arg(files.size()));
}

} // namespace Raize::Ui
