#pragma once

#include "core/identity.h"
#include "release/cohortoverride.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace Raize {
class Settings;
class WriteGuard;
}
namespace Raize::Records {
class AuditSink;
}

namespace Raize::Ui {

class CohortEditor;

// The Canary view's line about the cohorts in use and where they come from
// (the profile's settings or the policy bundle), with "Edit cohorts…".
// Emits cohortsChanged after a save so the matrix and the SLO view follow.
class CohortsPanel : public QWidget
{
    Q_OBJECT

public:
    CohortsPanel(Settings &settings, const Policy::Bundle &bundle, Records::AuditSink *audit, QWidget *parent = nullptr);
    ~CohortsPanel() override;

    const Release::EffectiveCohorts &current() const { return m_current; }
    QString summary() const;
    // Opens the editor (window-modal; one at a time) and returns it.
    CohortEditor *openEditor();
    // Re-reads the settings and emits cohortsChanged.
    void reload();
    // The profile's arming (ADR 0028), handed to the editor's save; not owned, null: not gated.
    void setWriteGuard(WriteGuard *guard) { m_guard = guard; }
    // Who edits: handed to the editor (open or opened later).
    void setIdentity(const Identity &identity);

Q_SIGNALS:
    void cohortsChanged(const QList<Raize::Release::Cohort> &cohorts);

private:
    void display(const Release::EffectiveCohorts &cohorts);

    Settings &m_settings;
    const Policy::Bundle &m_bundle;
    Records::AuditSink *m_audit;
    WriteGuard *m_guard = nullptr;
    Identity m_identity;
    Release::EffectiveCohorts m_current;
    QLabel *m_summary;
    QPushButton *m_edit;
    QPointer<CohortEditor> m_editor;
};

} // namespace Raize::Ui
