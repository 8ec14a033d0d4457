#pragma once

#include "core/identity.h"
#include "release/autopacer.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace Raize::Release {
class RolloutMonitor;
}

namespace Raize::Ui {

// Auto-pacing in the "Next rollout stage" panel (issue #8, part 6). Shown
// only when the policy turns it on: "Start auto-pacing…" arms the rollout
// monitor's auto-pacing after a confirmation that lists every stage, flag,
// scope and the environment; "Stop auto-pacing" stops it at once. What
// auto-pacing decides and sends is the RolloutMonitor's (issue #14, item 2):
// the panel only shows its state and forwards the operator's buttons.
class AutoPacingPanel : public QWidget
{
    Q_OBJECT

public:
    explicit AutoPacingPanel(QWidget *parent = nullptr);
    ~AutoPacingPanel() override;

    // The session it displays. Not owned.
    void setMonitor(Release::RolloutMonitor *monitor);
    // Who arms and stops (the GitHub login of the profile's token). Unknown: arming is refused with the reason;
    // stopping still works (it only lowers exposure) and is recorded as "unknown".
    void setIdentity(const Identity &identity) { m_identity = identity; }

    Release::AutoPacer *pacer() const;
    QString statusText() const;

    // The operator's buttons.
    void arm();
    void stop();

private:
    void refreshView();

    Release::RolloutMonitor *m_monitor = nullptr;
    Identity m_identity;
    QString m_refusal; // why the last arming was refused or cancelled, until the next change
    QLabel *m_status;
    QPushButton *m_arm;
    QPushButton *m_stop;
};

} // namespace Raize::Ui
