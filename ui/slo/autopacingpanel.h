#pragma once

#include "release/autopacer.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace Raize::Records {
class AuditSink;
}
namespace Raize::Release {
class FlagChangeRunner;
class FlagPoller;
}

namespace Raize::Ui {

// Auto-pacing in the "Next rollout stage" panel (issue #8, part 6). Shown
// only when the policy turns it on: "Start auto-pacing…" arms it for the
// current rollout after a confirmation that lists every stage, flag, scope
// and the environment; "Stop auto-pacing" stops it at once. Each evaluation
// of the SLOs view hands the recommendation here (evaluate()); the flag
// changes go through the toggle matrix's FlagChangeRunner.
class AutoPacingPanel : public QWidget
{
    Q_OBJECT

public:
    explicit AutoPacingPanel(QWidget *parent = nullptr);
    ~AutoPacingPanel() override;

    // Not owned; the runner is the toggle matrix's (CanaryMatrix::changeRunner).
    void setChangePath(Release::FlagChangeRunner *runner, Records::AuditSink *audit);
    // The flags as read back (canary flags, environment). Not owned.
    void setPoller(Release::FlagPoller *poller) { m_poller = poller; }
    // The effective policy: whether it allows auto-pacing, and a fingerprint
    // of the policy and cohorts. A changed fingerprint stops an armed pacer.
    void setPolicy(bool allows, const QString &fingerprint, const QList<Release::Cohort> &cohorts);

    // One evaluation of the SLOs view: the plan, the stage the release is
    // in, the recommendation for the next one and the page alerts.
    void evaluate(const Release::RolloutPlan &plan, int stage, const Release::Recommendation &recommendation,
                  const QList<Release::PageAlert> &alerts);

    Release::AutoPacer *pacer() const { return m_pacer; }
    QString statusText() const;

    // The operator's buttons.
    void arm();
    void stop();

Q_SIGNALS:
    void stageAdvanced(int stage, qint64 confirmedAtMs);

private:
    void refreshView();
    QStringList canaryFlags(int stage) const;

    Release::FlagChangeRunner *m_runner = nullptr;
    Release::FlagPoller *m_poller = nullptr;
    Records::AuditSink *m_audit = nullptr;
    Release::AutoPacer *m_pacer = nullptr;
    bool m_allows = false;
    QString m_fingerprint, m_armedFingerprint;
    Release::RolloutPlan m_plan;
    int m_stage = -1;
    QList<Release::Cohort> m_cohorts;
    QLabel *m_status;
    QPushButton *m_arm;
    QPushButton *m_stop;
};

} // namespace Raize::Ui
