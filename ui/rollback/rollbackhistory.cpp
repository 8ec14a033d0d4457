#include "rollbackhistory.h"

#include "restoredialog.h"

#include "rollback/rollbackplan.h"
#include "rollback/rollbackrestore.h"
#include "rollback/stagedrestore.h"
#include "rollback/runjournal.h"
#include "widgets/confirmation.h"
#include "workspace/workspace.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
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
    m_restore = new QPushButton(u"Restore through the canary stages…"_s, this);
    m_restore->setObjectName(u"restoreRun"_s);
    m_restore->setToolTip(u"Patch forward (playbook §7.4 Option A): serve again what the selected run turned off, stage by stage"_s);
    restoreRow->addWidget(m_restore);
    restoreRow->addStretch(1);
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
        const RestoreProgress progress = restoreProgress(j.value());
        const RestorePlan plan = restorePlan(j.value());
        const bool open = !progress.complete && !progress.aborted && (progress.plan || plan.executable());
        why = progress.complete  ? u"This run was restored."_s
              : progress.aborted ? u"The way back was aborted."_s
              : progress.plan    ? u"The way back is at stage %1: open it to advance."_s.arg(progress.next + 1)
                                 : (plan.executable() ? plan.describe() : plan.refusals.join(u"\n"_s));
        m_restore->setEnabled(open);
        m_restore->setToolTip(why);
        return;
    }
    m_restore->setEnabled(false);
    m_restore->setToolTip(why);
}

RestoreDialog *RollbackHistory::restoreDialog() const
{
    return m_dialog.data();
}

void RollbackHistory::restoreSelected()
{
    QTreeWidgetItem *item = m_runs->currentItem();
    while (item && item->parent())
        item = item->parent();
    const QString path = item ? item->data(0, Qt::UserRole).toString() : QString();
    const auto refuse = [this](const QString &text) {
        m_status->setText(text);
        Q_EMIT restoreFinished(false);
    };
    if (path.isEmpty())
        return refuse(u"Select the run to restore first."_s);
    if (!m_workspace)
        return refuse(u"Restore needs the profile's flag service: open the console with a configured profile."_s);
    if (m_dialog)
        m_dialog->close();
    m_dialog = new RestoreDialog(path, *m_workspace, m_monitor, this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_dialog, &RestoreDialog::stageFinished, this, [this](bool ok) {
        const QString text = m_dialog ? m_dialog->statusText() : QString();
        refresh();
        m_status->setText(text);
        Q_EMIT restoreFinished(ok);
    });
    m_dialog->open();
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
