#include "slo/autopacingpanel.h"

#include "release/rolloutmonitor.h"
#include "widgets/confirmation.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

AutoPacingPanel::AutoPacingPanel(QWidget *parent)
    : QWidget(parent)
    , m_status(new QLabel)
    , m_arm(new QPushButton(u"Start auto-pacing…"_s))
    , m_stop(new QPushButton(u"Stop auto-pacing"_s))
{
    setObjectName(u"autoPacingPanel"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_status->setObjectName(u"autoPacingStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    auto *buttons = new QHBoxLayout;
    m_arm->setObjectName(u"autoPacingArmButton"_s);
    m_stop->setObjectName(u"autoPacingStopButton"_s);
    // Stopping must be impossible to miss while it runs.
    m_stop->setStyleSheet(u"QPushButton { background: #b71c1c; color: white; font-weight: bold; padding: 4px 12px; }"_s);
    buttons->addWidget(m_arm);
    buttons->addWidget(m_stop);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(m_arm, &QPushButton::clicked, this, &AutoPacingPanel::arm);
    connect(m_stop, &QPushButton::clicked, this, &AutoPacingPanel::stop);
    refreshView();
}

AutoPacingPanel::~AutoPacingPanel() = default;

void AutoPacingPanel::setMonitor(Release::RolloutMonitor *monitor)
{
    if (m_monitor)
        disconnect(m_monitor, nullptr, this, nullptr);
    m_monitor = monitor;
    if (m_monitor) {
        connect(m_monitor, &Release::RolloutMonitor::autoPacingChanged, this, [this] {
            m_refusal.clear();
            refreshView();
        });
        connect(m_monitor, &Release::RolloutMonitor::evaluated, this, &AutoPacingPanel::refreshView);
    }
    refreshView();
}

Release::AutoPacer *AutoPacingPanel::pacer() const
{
    return m_monitor ? m_monitor->pacer() : nullptr;
}

void AutoPacingPanel::arm()
{
    if (!m_monitor)
        return;
    if (!m_monitor->autoPacingAllowed()) {
        m_refusal = u"Auto-pacing is off in the policy (canary.autoPacing): the console never expands a rollout by itself."_s;
        refreshView();
        return;
    }
    if (!m_monitor->pacer() || !m_monitor->flags().hasData()) {
        m_refusal = u"Auto-pacing needs the flag service (Settings → Flags) and its first read-back."_s;
        refreshView();
        return;
    }
    if (!m_identity.known()) {
        m_refusal = m_identity.refusal(u"Starting auto-pacing"_s);
        refreshView();
        return;
    }
    const Release::RolloutPlan &plan = m_monitor->plan();
    const int stage = m_monitor->stage();
    const QString environment = m_monitor->flags().environment;
    const QStringList flags = m_monitor->releaseFlags();
    const QStringList lines = m_monitor->armingPlan();
    const QString current = stage >= 0 && stage < plan.stages.size() ? plan.stages[stage].stage.name : u"none"_s;
    const QString text = u"Auto-pacing turns on the next stage's flags by itself, one stage at a time, each time the recommendation "
                         u"says \"expand allowed\" (observation window over, every SLO with enough data and no burn alert, the "
                         u"operator's confirmations ticked). Every step is audited; \"Stop auto-pacing\" stops it at once, and it "
                         u"stops by itself on a page alert, a failed flag change or a policy/cohort change.\n\n"
                         u"Environment: %1\nCurrent stage: %2\nFlags: %3\n\nWhat it will do:\n%4"_s.arg(
                             environment, current, flags.isEmpty() ? u"none — no canary flag is on for this stage"_s : flags.join(u", "_s),
                             lines.isEmpty() ? u"nothing: there is no next stage"_s : u"• "_s + lines.join(u"\n• "_s));
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::AutoPacing;
    request.environment = environment;
    request.title = u"Start auto-pacing in %1?"_s.arg(environment);
    request.plan = text;
    request.acceptLabel = u"Start auto-pacing"_s;
    const bool yes = Confirmation::ask(this, request);
    if (!yes) {
        m_refusal = u"Auto-pacing was not armed; nothing was sent."_s;
        refreshView();
        return;
    }
    if (const Status s = m_monitor->arm(m_identity.login); !s) {
        m_refusal = u"Auto-pacing was not armed: "_s + s.error().message;
        refreshView();
    }
}

void AutoPacingPanel::stop()
{
    if (m_monitor)
        m_monitor->stop(m_identity.actor());
    refreshView();
}

QString AutoPacingPanel::statusText() const
{
    return m_status->text();
}

void AutoPacingPanel::refreshView()
{
    const bool allows = m_monitor && m_monitor->autoPacingAllowed();
    const bool armed = pacer() && pacer()->armed();
    // Off in the policy: the console never expands by itself, and offers nothing to arm.
    setVisible(allows || armed);
    m_arm->setVisible(!armed);
    m_arm->setEnabled(allows && pacer());
    m_arm->setToolTip(m_arm->isEnabled() ? QString() : u"Needs the flag service (Settings → Flags) and an audit log."_s);
    m_stop->setVisible(armed);
    m_status->setStyleSheet(armed ? u"font-weight: bold; color: #0d47a1;"_s : QString());
    if (!m_refusal.isEmpty() && !armed)
        m_status->setText(m_refusal);
    else
        m_status->setText(m_monitor ? m_monitor->autoPacingStatus() : u"Auto-pacing: not armed (the flag service is not configured)."_s);
}

} // namespace Raize::Ui
