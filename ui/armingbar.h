#pragma once

#include <QFrame>

class QAction;
class QLabel;
class QToolButton;

namespace Raize {
class Workspace;
}

namespace Raize::Ui {

// The header's arming state (issue #21 item 3, ADR 0028): "READ-ONLY" with
// an Arm… button while a production profile is disarmed, "ARMED — 14:32
// left" with the profile's name and a Disarm button while armed (ticking
// each second by the workspace's clock); hidden for a sandbox profile. Its
// two actions (Console → Arm production changes… on Ctrl+Shift+A, and
// Disarm) are the ones the menu and the command palette list.
class ArmingBar : public QFrame
{
    Q_OBJECT

public:
    explicit ArmingBar(Workspace &workspace, QWidget *parent = nullptr);
    ~ArmingBar() override;

    QAction *armAction() const { return m_arm; }
    QAction *disarmAction() const { return m_disarm; }
    QString stateText() const;

public Q_SLOTS:
    // The typed confirmation (Policy::ConfirmAction::Arm) with a reason, then Workspace::arm. False when not armed.
    bool requestArm();
    void requestDisarm();
    void refresh();

Q_SIGNALS:
    // What happened, for the status bar: armed until …, refused because …, disarmed, expired.
    void message(const QString &text);

private:
    Workspace &m_workspace;
    QLabel *m_state;
    QToolButton *m_armButton;
    QToolButton *m_disarmButton;
    QAction *m_arm;
    QAction *m_disarm;
};

} // namespace Raize::Ui
