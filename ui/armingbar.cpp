#include "armingbar.h"

#include "core/settings.h"
#include "widgets/confirmation.h"
#include "workspace/arming.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

ArmingBar::ArmingBar(Workspace &workspace, QWidget *parent)
    : QFrame(parent)
    , m_workspace(workspace)
    , m_state(new QLabel(this))
    , m_armButton(new QToolButton(this))
    , m_disarmButton(new QToolButton(this))
    , m_arm(new QAction(u"&Arm production changes…"_s, this))
    , m_disarm(new QAction(u"&Disarm"_s, this))
{
    setObjectName(u"armingBar"_s);
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->setSpacing(8);
    m_state->setObjectName(u"armingState"_s);
    m_state->setTextFormat(Qt::PlainText);
    layout->addWidget(m_state);

    m_arm->setObjectName(u"actionArm"_s);
    m_arm->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_disarm->setObjectName(u"actionDisarm"_s);
    connect(m_arm, &QAction::triggered, this, &ArmingBar::requestArm);
    connect(m_disarm, &QAction::triggered, this, &ArmingBar::requestDisarm);
    m_armButton->setObjectName(u"armingArmButton"_s);
    m_armButton->setDefaultAction(m_arm);
    m_armButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_disarmButton->setObjectName(u"armingDisarmButton"_s);
    m_disarmButton->setDefaultAction(m_disarm);
    m_disarmButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    layout->addWidget(m_armButton);
    layout->addWidget(m_disarmButton);

    Arming &arming = m_workspace.arming();
    connect(&arming, &Arming::changed, this, &ArmingBar::refresh);
    connect(&arming, &Arming::tick, this, &ArmingBar::refresh);
    connect(&arming, &Arming::expired, this, [this] {
        Q_EMIT message(
            u"The arming window ended: profile “%1” is read-only again; auto-pacing, if it was armed, stopped and must be armed again."_s
                .arg(m_workspace.profile()));
    });
    refresh();
}

ArmingBar::~ArmingBar() = default;

QString ArmingBar::stateText() const
{
    return m_state->text();
}

void ArmingBar::refresh()
{
    const Arming &arming = m_workspace.arming();
    const QString profile = m_workspace.profile();
    setVisible(arming.required());
    m_arm->setEnabled(arming.required());
    m_disarm->setEnabled(arming.armed());
    m_disarmButton->setVisible(arming.armed());
    m_armButton->setVisible(!arming.armed());
    if (!arming.required()) {
        m_state->clear();
        m_arm->setToolTip(u"Profile “%1” is marked sandbox: changes need no arming."_s.arg(profile));
        return;
    }
    if (arming.armed()) {
        m_state->setText(u"ARMED — %1 left · profile “%2”"_s.arg(Arming::countdown(arming.secondsLeft()), profile));
        m_state->setToolTip(u"Armed by %1 until %2: %3"_s.arg(
            arming.armedBy(), arming.armedUntil().toLocalTime().toString(u"HH:mm:ss"_s), arming.reason()));
        setStyleSheet(
            u"#armingBar { background: #c62828; border-radius: 4px; } #armingState { color: white; font-weight: bold; }"_s);
        m_arm->setToolTip(u"Arm again: a new window from now (typed confirmation and a reason, audited)"_s);
        m_disarm->setToolTip(u"Make profile “%1” read-only now (audited)"_s.arg(profile));
    } else {
        m_state->setText(u"READ-ONLY — profile “%1”"_s.arg(profile));
        m_state->setToolTip(arming.readOnlyReason());
        setStyleSheet(
            u"#armingBar { background: #37474f; border-radius: 4px; } #armingState { color: white; font-weight: bold; }"_s);
        m_arm->setToolTip(
            u"Allow changes in profile “%1” for %2 minutes (Ctrl+Shift+A): typed confirmation and a reason, audited"_s
                .arg(profile)
                .arg(m_workspace.policy().armingWindowMinutes()));
        m_disarm->setToolTip(u"Profile “%1” is not armed"_s.arg(profile));
    }
}

bool ArmingBar::requestArm()
{
    const QString profile = m_workspace.profile();
    if (!m_workspace.arming().required()) {
        Q_EMIT message(u"Profile “%1” is marked sandbox: changes need no arming."_s.arg(profile));
        return false;
    }
    const int minutes = m_workspace.policy().armingWindowMinutes();
    ConfirmationRequest request;
    request.action = Policy::ConfirmAction::Arm;
    request.environment = m_workspace.settings().string(SettingKey::FlagsEnvironment);
    request.title = u"Arm profile “%1” for changes for %2 minutes?"_s.arg(profile).arg(minutes);
    request.plan =
        u"Profile “%1” stops being read-only until %2 (%3 minutes from now):\n"
        u"  promote, approve and override gates; toggle flags; edit cohorts; arm auto-pacing; restore.\n"
        u"Each change still asks for its own confirmation.\n"
        u"Recorded in the audit log: who (%4), the reason below, until when.\n"
        u"When the window ends the profile is read-only again: what is in flight finishes, nothing new starts,\n"
        u"auto-pacing stops and must be armed again. Disarm ends it earlier."_s.arg(profile)
            .arg(m_workspace.arming().clock().nowUtc().addSecs(qint64(minutes) * 60).toLocalTime().toString(u"HH:mm"_s))
            .arg(minutes)
            .arg(m_workspace.actor());
    request.acceptLabel = u"Arm for %1 minutes"_s.arg(minutes);
    request.reasonLabel = u"Why arm now (goes into the audit log):"_s;
    if (!Confirmation::ask(window(), request)) {
        Q_EMIT message(u"Not armed: the confirmation was cancelled; profile “%1” stays read-only."_s.arg(profile));
        return false;
    }
    const Status armed = m_workspace.arm(Confirmation::lastReason());
    if (!armed) {
        Q_EMIT message(u"Not armed: %1 %2"_s.arg(armed.error().message, armed.error().remedy));
        return false;
    }
    Q_EMIT message(
        u"Armed profile “%1” until %2 (audited)."_s.arg(profile, m_workspace.armedUntil().toLocalTime().toString(u"HH:mm:ss"_s)));
    return true;
}

void ArmingBar::requestDisarm()
{
    const Status s = m_workspace.disarm();
    Q_EMIT message(s ? u"Disarmed: profile “%1” is read-only."_s.arg(m_workspace.profile())
                     : u"Disarmed, but the audit log refused the record: %1"_s.arg(s.error().message));
}

} // namespace Raize::Ui
