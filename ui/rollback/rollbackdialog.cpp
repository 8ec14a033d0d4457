#include "rollbackdialog.h"

#include "core/settings.h"
#include "workspace/effectivepolicy.h"
#include "workspace/workspace.h"
#include "rollback/rollbackreport.h"
#include "rollback/rollbacksession.h"
#include "rollback/runjournal.h"
#include "rollback/stabilitycheck.h"
#include "records/auditlog.h"
#include "widgets/confirmation.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;
using namespace Raize::Rollback;

namespace {
const QList<std::pair<Trigger, QString>> kTriggers = {
    {Trigger::WrongAccountSideEffect, u"wrong-account"_s}, {Trigger::DuplicatePosts, u"duplicate-posts"_s},
    {Trigger::KillSwitchIgnored, u"kill-switch-ignored"_s}, {Trigger::SecuritySuspicion, u"security"_s},
    {Trigger::PublishFailureBreach, u"publish-failures"_s}, {Trigger::VerificationFailureBreach, u"verification-failures"_s},
    {Trigger::QueueStuck, u"queue-stuck"_s},               {Trigger::ElevatedErrors, u"elevated-errors"_s},
    {Trigger::UiRegression, u"ui-regression"_s}};

QString statusText(Executor::StepStatus s)
{
    switch (s) {
    case Executor::StepStatus::Pending: return u"○ pending"_s;
    case Executor::StepStatus::Running: return u"◔ running"_s;
    case Executor::StepStatus::Done: return u"✔ done"_s;
    case Executor::StepStatus::Failed: return u"✖ failed"_s;
    case Executor::StepStatus::Skipped: return u"↷ skipped"_s;
    }
    return {};
}
} // namespace

RollbackDialog::RollbackDialog(Workspace &workspace, QWidget *parent)
    : QDialog(parent)
    , m_workspace(workspace)
    , m_settings(workspace.settings())
    , m_profile(workspace.profile())
{
    setObjectName(u"rollbackDialog"_s);
    setWindowTitle(u"Rollback — %1"_s.arg(m_profile));
    resize(1060, 880);
    auto *layout = new QVBoxLayout(this);

    auto *form = new QFormLayout;
    m_trigger = new QComboBox(this);
    m_trigger->setObjectName(u"trigger"_s);
    for (const auto &[t, id] : kTriggers)
        m_trigger->addItem(u"%1 — %2"_s.arg(priorityName(priorityOf(t)), triggerName(t)), id);
    form->addRow(u"Trigger (§7.1)"_s, m_trigger);
    m_scope = new QLineEdit(u"global"_s, this);
    m_scope->setObjectName(u"scope"_s);
    m_scope->setPlaceholderText(u"global | cohort:ID | client:ID,…[+account:ID,…] | account:ID,… | lane:api|browser | service:NAME"_s);
    m_scope->setToolTip(u"Narrow or widen after reading the plan: a narrower scope stops only what it names, everyone else keeps being served"_s);
    form->addRow(u"Scope"_s, m_scope);
    m_flagsSuffice = new QComboBox(this);
    m_flagsSuffice->setObjectName(u"flagsSuffice"_s);
    m_flagsSuffice->addItem(u"Unknown — treated with caution"_s, QString());
    m_flagsSuffice->addItem(u"Yes — flags alone stop the harm"_s, u"yes"_s);
    m_flagsSuffice->addItem(u"No — the code must go back"_s, u"no"_s);
    // §7.3, all four questions: each decides something in the plan (Q1 the P0 path, Q2 Option A or B, Q3 the scope, Q4 the migration check).
    const auto question = [this, form](const QString &name, const QString &label, const QString &yes, const QString &no) {
        auto *box = new QComboBox(this);
        box->setObjectName(name);
        box->addItem(u"Unknown — treated with caution"_s, QString());
        box->addItem(yes, u"yes"_s);
        box->addItem(no, u"no"_s);
        form->addRow(label, box);
        return box;
    };
    m_sideEffectsIncorrect = question(u"sideEffectsIncorrect"_s, u"Q1 Are side effects happening incorrectly?"_s,
                                      u"Yes — wrong account, duplicates or kill switch ignored: the P0 path"_s, u"No"_s);
    form->addRow(u"Q2 Do flags alone stop the harm?"_s, m_flagsSuffice);
    m_isolated = question(u"isolated"_s, u"Q3 Is the failure isolated to one tenant/platform?"_s, u"Yes — keep the scope above"_s,
                          u"No — act globally"_s);
    m_migrationMismatch = question(u"migrationMismatch"_s, u"Q4 Does rollback introduce a migration/data mismatch?"_s,
                                   u"Yes — Option C needs the migration rollback plan"_s, u"No — checked by hand"_s);
    m_migrationPlan = new QLineEdit(this);
    m_migrationPlan->setObjectName(u"migrationPlan"_s);
    m_migrationPlan->setPlaceholderText(u"Option C: link the migration rollback plan (https://…); the console records it and never runs migrations"_s);
    form->addRow(u"Migration rollback plan"_s, m_migrationPlan);
    m_reason = new QLineEdit(this);
    m_reason->setObjectName(u"reason"_s);
    m_reason->setPlaceholderText(u"What you see, in a few words (goes to Vercel, the incident and the audit log)"_s);
    form->addRow(u"Reason"_s, m_reason);
    layout->addLayout(form);

    m_planButton = new QPushButton(u"Read live state and build the plan"_s, this);
    m_planButton->setObjectName(u"buildPlan"_s);
    connect(m_planButton, &QPushButton::clicked, this, &RollbackDialog::buildPlan);
    layout->addWidget(m_planButton, 0, Qt::AlignLeft);

    m_summary = new QLabel(this);
    m_summary->setObjectName(u"summary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    layout->addWidget(m_summary);

    m_steps = new QTreeWidget(this);
    m_steps->setObjectName(u"steps"_s);
    m_steps->setColumnCount(4);
    m_steps->setHeaderLabels({u"#"_s, u"Step"_s, u"Status"_s, u"Call / result"_s});
    m_steps->setRootIsDecorated(false);
    m_steps->setUniformRowHeights(false);
    m_steps->setWordWrap(true);
    m_steps->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_steps->header()->setSectionResizeMode(1, QHeaderView::Interactive);
    m_steps->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_steps->header()->setStretchLastSection(true);
    m_steps->setColumnWidth(1, 470);
    layout->addWidget(m_steps, 3);

    // Who stops being served each flag, as the flag service's own evaluator answers (issue #16 item 2).
    m_blastTitle = new QLabel(this);
    m_blastTitle->setObjectName(u"blastRadiusTitle"_s);
    m_blastTitle->setWordWrap(true);
    m_blastTitle->setTextFormat(Qt::RichText);
    layout->addWidget(m_blastTitle);
    m_blast = new QTableWidget(0, 4, this);
    m_blast->setObjectName(u"blastRadius"_s);
    m_blast->setHorizontalHeaderLabels({u"Flag"_s, u"Clients that stop being served"_s, u"Platform accounts"_s, u"Lanes"_s});
    m_blast->verticalHeader()->hide();
    m_blast->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_blast->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_blast->setWordWrap(true);
    m_blast->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_blast->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_blast->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_blast->horizontalHeader()->setSectionResizeMode(3, QHeaderView::ResizeToContents);
    layout->addWidget(m_blast, 2);
    m_blastTitle->hide();
    m_blast->hide();

    m_digest = new QLabel(this);
    m_digest->setObjectName(u"digest"_s);
    m_digest->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_digest);

    m_message = new QLabel(this);
    m_message->setObjectName(u"message"_s);
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::RichText);
    layout->addWidget(m_message);
    m_stable = new QLabel(this);
    m_stable->setObjectName(u"stableCheck"_s);
    m_stable->setWordWrap(true);
    m_stable->setTextFormat(Qt::RichText);
    m_stable->hide();
    layout->addWidget(m_stable);
    m_policyNote = new QLabel(this);
    m_policyNote->setObjectName(u"rollbackPolicyNote"_s);
    m_policyNote->setWordWrap(true);
    m_policyNote->setStyleSheet(u"color: #8a5300;"_s);
    m_policyNote->hide();
    layout->addWidget(m_policyNote);
    setPolicy(m_workspace.policy()); // the workspace's effective policy; the console hands it again after a cohort edit

    auto *failRow = new QHBoxLayout;
    m_retry = new QPushButton(u"Retry the step"_s, this);
    m_retry->setObjectName(u"retry"_s);
    m_skipReason = new QLineEdit(this);
    m_skipReason->setObjectName(u"skipReason"_s);
    m_skipReason->setPlaceholderText(u"Reason for skipping (required)"_s);
    m_skip = new QPushButton(u"Skip with reason"_s, this);
    m_skip->setObjectName(u"skip"_s);
    m_abort = new QPushButton(u"Abort the rollback"_s, this);
    m_abort->setObjectName(u"abort"_s);
    m_incidentAnswer = new QLineEdit(this);
    m_incidentAnswer->setObjectName(u"incidentAnswer"_s);
    m_incidentAnswer->setPlaceholderText(u"Incident: existing issue number, or new"_s);
    m_incidentAnswer->setVisible(false);
    failRow->addWidget(m_incidentAnswer);
    failRow->addWidget(m_retry);
    failRow->addWidget(m_skipReason, 1);
    failRow->addWidget(m_skip);
    failRow->addWidget(m_abort);
    layout->addLayout(failRow);
    for (QWidget *w : {static_cast<QWidget *>(m_retry), static_cast<QWidget *>(m_skipReason), static_cast<QWidget *>(m_skip),
                       static_cast<QWidget *>(m_abort)})
        w->setVisible(false);
    connect(m_retry, &QPushButton::clicked, this, [this] {
        if (m_incidentAnswer->isVisible()) {
            const QString answer = m_incidentAnswer->text().trimmed();
            if (answer != u"new"_s && answer.toInt() <= 0) {
                setMessage(u"Look for the incident in the repository's issues first; type its number, or <b>new</b> to file it."_s, u"warn"_s);
                return;
            }
            m_executor->setIncidentAnswer(answer);
        }
        setMessage(u"Retrying…"_s, u"info"_s);
        // One press, one retry: the buttons come back if it fails again.
        for (QWidget *w : {static_cast<QWidget *>(m_retry), static_cast<QWidget *>(m_skipReason), static_cast<QWidget *>(m_skip),
                           static_cast<QWidget *>(m_abort)})
            w->setVisible(false);
        m_incidentAnswer->setVisible(false);
        m_executor->retry();
    });
    connect(m_skip, &QPushButton::clicked, this, [this] {
        if (m_skipReason->text().trimmed().isEmpty()) {
            setMessage(u"Type why the step may be skipped first; the reason goes to the journal and the audit log."_s, u"warn"_s);
            return;
        }
        m_executor->skip(m_skipReason->text().trimmed());
    });
    connect(m_abort, &QPushButton::clicked, this, [this] { m_executor->abort(m_skipReason->text().trimmed().isEmpty() ? u"aborted by the operator"_s : m_skipReason->text().trimmed()); });

    auto *executeRow = new QHBoxLayout;
    m_execute = new QPushButton(u"EXECUTE ROLLBACK…"_s, this);
    m_execute->setObjectName(u"execute"_s);
    m_execute->setEnabled(false);
    m_execute->setToolTip(u"Shows the plan once more and asks for the confirmation the policy requires (the environment's name by default)."_s);
    m_execute->setStyleSheet(u"QPushButton { background: #b3261e; color: white; font-weight: bold; padding: 8px 18px; border-radius: 4px; }"
                             u"QPushButton:disabled { background: #d9a5a1; color: #f5eaea; }"_s);
    executeRow->addStretch(1);
    executeRow->addWidget(m_execute);
    layout->addLayout(executeRow);
    const auto updateExecute = [this] { m_execute->setEnabled(!m_executor && m_plan.executable() && !m_plan.steps.isEmpty()); };
    connect(this, &RollbackDialog::planReady, this, updateExecute);
    connect(m_execute, &QPushButton::clicked, this, &RollbackDialog::execute);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setObjectName(u"rollbackClose"_s);
    connect(buttons, &QDialogButtonBox::rejected, this, &RollbackDialog::reject);
    layout->addWidget(buttons);
    m_steps->setAccessibleName(u"Plan steps"_s);
    m_blast->setAccessibleName(u"Blast radius"_s);
    m_skipReason->setAccessibleName(u"Reason for skipping"_s);
    m_incidentAnswer->setAccessibleName(u"Incident"_s);
    m_scope->setAccessibleName(u"Scope"_s);
    m_trigger->setFocus(Qt::OtherFocusReason); // the plan starts with the trigger (§7.1), then the scope
}

RollbackDialog::~RollbackDialog() = default;

void RollbackDialog::prefill(Trigger trigger, const Scope &scope, const QString &reason, const Checklist &implied)
{
    const auto answer = [](QComboBox *box, const std::optional<bool> &a) {
        box->setCurrentIndex(box->findData(!a ? QString() : *a ? u"yes"_s : u"no"_s));
    };
    answer(m_sideEffectsIncorrect, implied.sideEffectsIncorrect);
    answer(m_flagsSuffice, implied.flagsAloneStopHarm);
    answer(m_isolated, implied.isolatedToTenant);
    answer(m_migrationMismatch, implied.migrationMismatch);
    for (int i = 0; i < kTriggers.size(); ++i) {
        if (kTriggers[i].first == trigger)
            m_trigger->setCurrentIndex(i);
    }
    m_scope->setText(scopeText(scope));
    if (!reason.isEmpty())
        m_reason->setText(reason);
}

void RollbackDialog::setMessage(const QString &html, const QString &tone)
{
    const QString color = tone == u"error"_s ? u"#b3261e"_s : tone == u"warn"_s ? u"#8a5300"_s : tone == u"ok"_s ? u"#1e6b2f"_s : u"#333333"_s;
    m_message->setText(u"<span style='color:%1'>%2</span>"_s.arg(color, html));
}

bool RollbackDialog::openSession()
{
    if (m_session)
        return true;
    // The console's workspace: its clients, its one HTTP client and its audit sink (waits for the keychain if it is still being read).
    Result<std::unique_ptr<Session>> session = Session::fromWorkspace(m_workspace);
    if (!session) {
        const Error &e = session.error();
        setMessage(e.kind == Error::Kind::Auth
                       ? u"The rollback needs the Vercel and flag-service tokens: set them in Settings (or <code>raize-console token set</code>)."_s
                       : QString(e.message + u". "_s + e.remedy).toHtmlEscaped(),
                   u"error"_s);
        return false;
    }
    m_session = std::move(session).value();
    m_session->setPolicy(m_rules, m_cohorts);
    return true;
}

void RollbackDialog::setPolicy(const EffectivePolicy &policy)
{
    m_rules = policy.rollback();
    m_cohorts = policy.cohorts();
    if (m_session)
        m_session->setPolicy(m_rules, m_cohorts);
    m_policyNote->setText(policy.readOnly() ? u"The profile's policy bundle is refused (%1): this plan turns off the playbook's side-effect "
                                              u"flags only (%2). Check the flags the bundle adds by hand."_s.arg(policy.readOnlyReason(), m_rules.sideEffects.describe())
                                            : QString());
    m_policyNote->setVisible(policy.readOnly());
}

void RollbackDialog::buildPlan()
{
    if (m_executor)
        return;
    const Result<Scope> scope = parseScope(m_scope->text().trimmed(), m_cohorts);
    if (!scope) {
        setMessage(scope.error().message.toHtmlEscaped() + u". "_s + scope.error().remedy.toHtmlEscaped(), u"error"_s);
        return;
    }
    if (!openSession())
        return;
    // A service scope rolls back that service's Vercel project only (vercel/serviceProjects).
    if (const Status st = m_session->scopeToService(scope->kind == Scope::Kind::Service ? scope->service : QString()); !st) {
        setMessage(st.error().message.toHtmlEscaped() + u". "_s + st.error().remedy.toHtmlEscaped(), u"error"_s);
        return;
    }
    Request req;
    req.trigger = kTriggers.value(m_trigger->currentIndex()).first;
    req.scope = scope.value();
    req.reason = m_reason->text().trimmed();
    const auto answerOf = [](const QComboBox *box) -> std::optional<bool> {
        const QString v = box->currentData().toString();
        return v.isEmpty() ? std::nullopt : std::optional<bool>(v == u"yes"_s);
    };
    req.checklist.sideEffectsIncorrect = answerOf(m_sideEffectsIncorrect);
    req.checklist.flagsAloneStopHarm = answerOf(m_flagsSuffice);
    req.checklist.isolatedToTenant = answerOf(m_isolated);
    req.checklist.migrationMismatch = answerOf(m_migrationMismatch);
    req.migrationRollbackPlan = m_migrationPlan->text().trimmed();
    if (!req.migrationRollbackPlan.isEmpty()) {
        const QUrl link(req.migrationRollbackPlan, QUrl::StrictMode);
        if (!link.isValid() || (link.scheme() != u"https"_s && link.scheme() != u"http"_s) || link.host().isEmpty()) {
            setMessage(u"The migration rollback plan must be a link (https://…) people can open: the console records it in the journal and the incident."_s,
                       u"error"_s);
            return;
        }
    }
    m_planButton->setEnabled(false);
    setMessage(u"Reading flags, deployments and checks…"_s, u"info"_s);
    QPointer<RollbackDialog> self(this);
    gatherInputs(m_session->clients(), m_session->target(), req, [self](const Result<Inputs> &in) {
        if (!self)
            return;
        self->m_planButton->setEnabled(true);
        if (!in) {
            self->setMessage(u"Cannot read the current state, so no plan: %1<br>%2"_s.arg(in.error().toString().toHtmlEscaped(),
                                                                                          in.error().remedy.toHtmlEscaped()),
                             u"error"_s);
            return;
        }
        self->m_inputs = in.value();
        const Plan plan = Rollback::buildPlan(in.value());
        self->setMessage(u"Asking the flag service who stops being served each flag…"_s, u"info"_s);
        self->m_planButton->setEnabled(false);
        // The blast radius: never blocks, an unanswered question shows "unknown" and the plan stays executable.
        askBlastRadius(self->m_session->clients(), self->m_session->target(), in.value(), plan, BlastOptions(), [self](const Plan &withRadius) {
            if (!self)
                return;
            self->m_planButton->setEnabled(true);
            self->m_plan = withRadius;
            self->showPlan();
            Q_EMIT self->planReady();
        });
    });
}

void RollbackDialog::showPrepared(Plan plan, const Scope &scope, const QString &reason)
{
    if (m_executor || !openSession())
        return;
    plan.renderCalls(renderWith(m_session->clients()));
    m_inputs = Inputs{};
    m_inputs.scope = scope;
    m_inputs.reason = reason;
    m_inputs.vercelProjectId = plan.rollbackTarget.isEmpty() ? QString() : m_settings.string(SettingKey::VercelProjectId);
    m_reason->setText(reason);
    m_scope->setText(scope.describe());
    // "Plan" would replace it with the trigger's plan: this one is what the operator asked for.
    m_planButton->setEnabled(false);
    m_plan = std::move(plan);
    showPlan();
    Q_EMIT planReady();
}

void RollbackDialog::showPlan()
{
    QString html = u"<b>%1 — %2</b>, scope %3 · option %4"_s.arg(priorityName(m_plan.priority), triggerName(m_inputs.trigger).toHtmlEscaped(),
                                                                 m_inputs.scope.describe().toHtmlEscaped(), Plan::optionName(m_plan.option));
    if (!m_plan.rollbackTarget.isEmpty())
        html += u" · Instant Rollback target <b>%1</b>"_s.arg(m_plan.rollbackTarget.toHtmlEscaped());
    if (m_plan.immediate)
        html += u"<br><span style='color:#b3261e'><b>P0: execute immediately</b> — flags first, then the deployment.</span>"_s;
    for (const QString &n : m_plan.notes)
        html += u"<br>• "_s + n.toHtmlEscaped();
    for (const QString &w : m_plan.withheld)
        html += u"<br><span style='color:#8a5300'><b>Withheld (the flags still go off):</b> %1</span>"_s.arg(w.toHtmlEscaped());
    for (const QString &r : m_plan.refusals)
        html += u"<br><span style='color:#b3261e'><b>Refused:</b> %1</span>"_s.arg(r.toHtmlEscaped());
    m_summary->setText(html);
    m_steps->clear();
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        const Step &s = m_plan.steps[i];
        auto *item = new QTreeWidgetItem(m_steps);
        item->setText(0, QString::number(i + 1));
        item->setText(1, s.title);
        item->setText(2, statusText(Executor::StepStatus::Pending));
        // The requests as the client that sends them renders them.
        QStringList calls;
        for (const Call &c : s.calls)
            calls << c.describe();
        const QString call = calls.isEmpty() ? intentType(s.intent) : calls.join(u'\n');
        item->setText(3, call);
        item->setToolTip(1, s.title);
        item->setToolTip(3, call);
        item->setData(0, Qt::UserRole, s.group);
    }
    showBlastRadius();
    m_digest->setText(u"Plan digest %1 · steps of one group run in parallel"_s.arg(m_plan.digest.left(16)));
    if (m_plan.executable())
        setMessage(m_plan.immediate ? u"Execute now: the confirmation shows the plan once more."_s
                                    : u"Review every call, then execute; the confirmation shows the plan once more."_s,
                   u"info"_s);
    else
        setMessage(u"This plan cannot execute; answer what it refuses on and build it again."_s, u"error"_s);
    if (m_plan.immediate)
        m_execute->setFocus();
}

void RollbackDialog::showBlastRadius()
{
    m_blast->setRowCount(0);
    if (!m_plan.blastRadius) {
        m_blastTitle->hide();
        m_blast->hide();
        return;
    }
    const BlastRadius &r = *m_plan.blastRadius;
    m_blastTitle->show();
    if (!r.known) {
        m_blastTitle->setText(u"<b>Blast radius: unknown</b> — %1. A P0 flags-off still runs behind the typed confirmation."_s.arg(
            r.unknownReason.toHtmlEscaped()));
        m_blast->hide();
        return;
    }
    m_blastTitle->setText(u"<b>Blast radius</b> — who stops being served each flag <span style='color:#555'>(%1)</span>"_s.arg(r.source.toHtmlEscaped()));
    m_blast->show();
    const auto cell = [](const QStringList &named, const QStringList &others) {
        QString text = named.join(u", "_s);
        if (!others.isEmpty())
            text += (text.isEmpty() ? QString() : u" "_s) + u"+%1 other%2 (matched by a wildcard)"_s.arg(others.size()).arg(others.size() == 1 ? QString() : u"s"_s);
        return text.isEmpty() ? u"—"_s : text;
    };
    for (const BlastRow &row : r.rows) {
        const int i = m_blast->rowCount();
        m_blast->insertRow(i);
        auto *flag = new QTableWidgetItem(row.flag);
        if (row.empty())
            flag->setToolTip(u"Nobody the console knows is served this flag now: turning it off changes nothing for them."_s);
        m_blast->setItem(i, 0, flag);
        auto *clients = new QTableWidgetItem(row.empty() ? u"nobody"_s : cell(row.clients, row.otherClients));
        clients->setToolTip((row.clients + row.otherClients).join(u", "_s));
        m_blast->setItem(i, 1, clients);
        auto *accounts = new QTableWidgetItem(row.empty() ? QString() : cell(row.accounts, row.otherAccounts));
        accounts->setToolTip((row.accounts + row.otherAccounts).join(u", "_s));
        m_blast->setItem(i, 2, accounts);
        m_blast->setItem(i, 3, new QTableWidgetItem(row.empty() ? QString() : row.lanes.isEmpty() ? u"—"_s : row.lanes.join(u", "_s)));
    }
    m_blast->resizeRowsToContents();
}

ConfirmationRequest RollbackDialog::confirmationRequest() const
{
    QStringList lines;
    lines << u"%1 — %2, scope %3, option %4"_s.arg(priorityName(m_plan.priority), triggerName(m_inputs.trigger), m_inputs.scope.describe(),
                                                 Plan::optionName(m_plan.option));
    if (!m_plan.rollbackTarget.isEmpty())
        lines << u"Instant Rollback target: %1"_s.arg(m_plan.rollbackTarget);
    lines << u"Plan digest %1; steps of one group run in parallel:"_s.arg(m_plan.digest.left(16));
    for (int i = 0; i < m_plan.steps.size(); ++i) {
        const Step &s = m_plan.steps[i];
        // The exact requests, as the client that sends them renders them.
        QStringList calls;
        for (const Call &c : s.calls)
            calls << c.describe();
        const QString call = calls.isEmpty() ? intentType(s.intent) : calls.join(u"\n      "_s);
        lines << u"%1. [group %2] %3\n      %4"_s.arg(i + 1).arg(s.group).arg(s.title, call);
    }
    if (m_plan.blastRadius)
        lines << m_plan.blastRadius->describeLines();
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::Rollback;
    request.environment = m_session ? m_session->target().flagEnvironment : m_settings.string(SettingKey::FlagsEnvironment);
    request.title = m_plan.immediate ? u"Execute this rollback in %1 now (P0: flags first, then the deployment)?"_s.arg(request.environment)
                                     : u"Execute this rollback in %1?"_s.arg(request.environment);
    request.plan = lines.join(u'\n');
    request.acceptLabel = u"Execute rollback"_s;
    return request;
}

void RollbackDialog::execute()
{
    if (m_executor || !m_plan.executable())
        return;
    if (const QString open = RunJournal::unfinished(m_session->journalDirectory()); !open.isEmpty()) {
        setMessage(u"A rollback is already in progress on this machine; resume it first (%1)."_s.arg(open.toHtmlEscaped()), u"error"_s);
        return;
    }
    if (!Confirmation::ask(this, confirmationRequest())) {
        setMessage(u"Not executed: the confirmation was cancelled; nothing was sent."_s, u"warn"_s);
        return;
    }
    Result<RunJournal> journal =
        RunJournal::create(m_session->journalDirectory(), beginRecord(m_plan, m_inputs, m_session->clients().actor, u"rollback"_s));
    if (!journal) {
        setMessage(journal.error().toString().toHtmlEscaped(), u"error"_s);
        return;
    }
    startExecutor(std::move(journal).value(), m_plan);
}

void RollbackDialog::resume(const QString &journalPath)
{
    Result<RunJournal> journal = RunJournal::open(journalPath);
    if (!journal) {
        setMessage(journal.error().toString().toHtmlEscaped(), u"error"_s);
        return;
    }
    const auto plan = Plan::fromJson(journal->begin().value("plan", nlohmann::json()));
    if (!plan) {
        setMessage(plan.error().toString().toHtmlEscaped(), u"error"_s);
        return;
    }
    if (plan->digest != QString::fromStdString(journal->begin().value("digest", ""))) {
        setMessage(u"The journal's plan does not match its digest; finish by hand (docs/runbooks/rollback.md)."_s, u"error"_s);
        return;
    }
    if (!openSession())
        return;
    m_plan = *plan;
    m_summary->setText(u"<b>Rollback in progress</b> (run %1, started %2): the remote state is re-read and the run resumes at the first step "
                       u"that is not confirmed."_s.arg(journal->runId(), QString::fromStdString(journal->begin().value("at", ""))));
    m_inputs.trigger = triggerFromId(QString::fromStdString(journal->begin().value("trigger", ""))).value_or(Trigger::ElevatedErrors);
    showPlan();
    m_summary->setText(u"<b>Resuming rollback %1</b> — %2"_s.arg(journal->runId(), QString::fromStdString(journal->begin().value("trigger", ""))));
    startExecutor(std::move(journal).value(), m_plan);
}

void RollbackDialog::startExecutor(RunJournal journal, const Plan &plan)
{
    m_planButton->setEnabled(false);
    m_execute->setEnabled(false);
    Clients clients = m_session->clients();
    ExecOptions options;
    options.queueDrainTimeoutMs = m_rules.queueDrainSeconds * 1000; // policy rollback.postChecks
    m_executor = std::make_unique<Executor>(std::move(journal), plan, clients, options);
    connect(m_executor.get(), &Executor::stepChanged, this, &RollbackDialog::refreshStep);
    connect(m_executor.get(), &Executor::stepFailed, this, &RollbackDialog::onFailed);
    connect(m_executor.get(), &Executor::refused, this, [this](const Error &e) {
        if (e.kind != Error::Kind::Conflict && e.kind != Error::Kind::Refused && !m_executor->journal().finished()) {
            // The marker could not be claimed (GitHub failed): nothing ran yet, the run stays open.
            setMessage(u"<b>Not started:</b> could not claim the rollback marker: %1<br>What to do: %2<br>Nothing was executed. "
                       u"Retry, or abort the run."_s.arg(e.toString().toHtmlEscaped(), e.remedy.toHtmlEscaped()),
                       u"error"_s);
            m_retry->setText(u"Retry"_s);
            m_retry->setVisible(true);
            m_abort->setVisible(true);
            return;
        }
        setMessage(u"<b>Not executed:</b> %1<br>%2"_s.arg(e.message.toHtmlEscaped(), e.remedy.toHtmlEscaped()), u"error"_s);
        Q_EMIT runFinished(false);
    });
    connect(m_executor.get(), &Executor::finished, this, [this](bool completed) {
        for (QWidget *w : {static_cast<QWidget *>(m_retry), static_cast<QWidget *>(m_skipReason), static_cast<QWidget *>(m_skip),
                           static_cast<QWidget *>(m_abort)})
            w->setVisible(false);
        m_incidentAnswer->setVisible(false);
        if (completed) {
            QString html = u"<b>Rollback %1 completed.</b> Flags off where clients read them %2 ms after confirmation "
                           u"(flag-service propagation %3 ms)."_s.arg(m_executor->runId())
                               .arg(m_executor->flagsOffMs())
                               .arg(m_executor->propagationMs());
            if (!m_executor->incidentUrl().isEmpty())
                html += u" Incident: <a href='%1'>%1</a>."_s.arg(m_executor->incidentUrl().toHtmlEscaped());
            // Accepted at, effective at (ADR 0027).
            if (const auto &eff = m_executor->effective())
                html += u"<br>Production: %1."_s.arg(eff->describe().toHtmlEscaped());
            // §0.3: a milestone comment that failed did not stop the rollback (its step says why).
            for (const QString &f : m_executor->recordFailures())
                html += u"<br>Not posted on the incident (the rollback went on): %1"_s.arg(f.toHtmlEscaped());
            if (!m_plan.rollbackTarget.isEmpty())
                html += u"<br><b>Production is pinned to %1</b>: the next deploy reaches the domains only after a promotion (Promotion view)."_s.arg(
                    m_plan.rollbackTarget.toHtmlEscaped());
            setMessage(html, u"ok"_s);
            startStabilityCheck();
        } else {
            setMessage(u"<b>Rollback aborted.</b> The journal and the audit log hold every step taken."_s, u"warn"_s);
        }
        Q_EMIT runFinished(completed);
    });
    setMessage(u"Executing — every step is written to the journal before its call."_s, u"info"_s);
    m_executor->start();
    Q_EMIT runStarted();
}

void RollbackDialog::startStabilityCheck()
{
    m_stability.reset();
    m_stable->show();
    const QString window = u"%1 s"_s.arg(m_rules.stableWindowSeconds);
    Services::PrometheusClient *prometheus = m_workspace.prometheus();
    if (!prometheus) {
        m_stable->setText(u"<b>System is stable:</b> unknown — no Prometheus in this profile, so the burn rates of %1 cannot be read. "
                          u"Set prometheus/url in Settings, or check the SLOs view by hand for %2."_s.arg(m_inputs.scope.describe().toHtmlEscaped(), window));
        return;
    }
    const QList<BurnQuery> queries = stabilityQueries(m_workspace.policy().slos(), scopeMetricMatchers(m_inputs.scope, m_cohorts));
    m_stability = std::make_unique<StabilityCheck>(*prometheus, queries, m_rules.stableWindowSeconds);
    const QString scope = m_inputs.scope.describe();
    const QString runId = m_executor ? m_executor->runId() : QString();
    connect(m_stability.get(), &StabilityCheck::progressed, this, [this, scope] {
        const StabilityVerdict &v = m_stability->verdict();
        const QString color = v.kind == StabilityVerdict::Kind::Stable     ? u"#1b5e20"_s
                              : v.kind == StabilityVerdict::Kind::Watching ? u"#555555"_s
                                                                            : u"#b71c1c"_s;
        m_stable->setText(u"<b>System is stable</b> (%1): <span style='color:%2'>%3</span>"_s.arg(scope.toHtmlEscaped(), color,
                                                                                                  v.summary.toHtmlEscaped()));
    });
    connect(m_stability.get(), &StabilityCheck::finished, this, [this, scope, runId](bool passed) {
        Records::AuditSink *audit = m_session ? m_session->clients().audit : nullptr;
        if (!audit)
            return;
        Records::AuditRecord r;
        r.actor = m_session->clients().actor;
        r.action = u"rollback.stable"_s;
        r.target = runId;
        r.service = u"prometheus"_s;
        r.after = {{"verdict", stabilityKindName(m_stability->verdict().kind).toStdString()}, {"passed", passed},
                   {"summary", m_stability->verdict().summary.toStdString()}, {"scope", scope.toStdString()},
                   {"windowSeconds", m_stability->windowSeconds()}};
        if (const Status st = audit->append(r); !st)
            m_stable->setText(m_stable->text() + u"<br><b>The audit record was not written:</b> "_s + st.error().toString().toHtmlEscaped());
    });
    m_stability->start();
}

void RollbackDialog::refreshStep(int step)
{
    QTreeWidgetItem *item = m_steps->topLevelItem(step);
    if (!item || !m_executor)
        return;
    const Executor::StepStatus s = m_executor->status(step);
    item->setText(2, statusText(s));
    if (!m_executor->detail(step).isEmpty() && s != Executor::StepStatus::Pending)
        item->setText(3, m_executor->detail(step));
    const QColor bg = s == Executor::StepStatus::Done ? QColor(u"#e3f4e6"_s)
                      : s == Executor::StepStatus::Failed ? QColor(u"#fbe3e1"_s)
                      : s == Executor::StepStatus::Running ? QColor(u"#fff4d6"_s)
                      : s == Executor::StepStatus::Skipped ? QColor(u"#eeeeee"_s)
                                                          : QColor(Qt::white);
    for (int c = 0; c < 4; ++c)
        item->setBackground(c, bg);
}

void RollbackDialog::onFailed(int step, const Error &error)
{
    setMessage(u"<b>Step %1 failed:</b> %2<br>What to do: %3<br>Safe next actions: retry the step, skip it with a reason, or abort."_s.arg(step + 1)
                   .arg(error.toString().toHtmlEscaped(), error.remedy.toHtmlEscaped()),
               u"error"_s);
    m_retry->setText(u"Retry the step"_s);
    for (QWidget *w : {static_cast<QWidget *>(m_retry), static_cast<QWidget *>(m_skipReason), static_cast<QWidget *>(m_skip),
                       static_cast<QWidget *>(m_abort)})
        w->setVisible(true);
    // The incident may exist already (its filing was interrupted): the operator answers before a retry.
    m_incidentAnswer->setVisible(m_plan.steps.value(step).kind == Step::Kind::OpenIncident && error.kind == Error::Kind::Conflict);
}

} // namespace Raize::Ui
