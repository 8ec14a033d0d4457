#pragma once

#include "core/identity.h"
#include "release/cohortoverride.h"

#include <QDialog>

class QLabel;
class QPushButton;
class QTableView;

namespace Raize {
class Settings;
class WriteGuard;
}
namespace Raize::Records {
class AuditSink;
}

namespace Raize::Ui {

class CohortTableModel;

// Edits the profile's canary cohorts (issue #8, part 1): a table of cohorts,
// add and remove rows, reset to the policy bundle's. Every edit is judged at
// once by Release::cohortsFromOverride (the same parser the console loads
// them with, and the rollout's stages); while the table is invalid the error
// shows under it and Save stays disabled, so nothing is ever half-applied.
// Save goes through Release::saveCohorts: audited first, then stored.
class CohortEditor : public QDialog
{
    Q_OBJECT

public:
    // audit: not owned; nullptr: Save stays disabled (no change without its record).
    CohortEditor(Settings &settings, const Policy::Bundle &bundle, Records::AuditSink *audit, QWidget *parent = nullptr);
    ~CohortEditor() override;

    CohortTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    bool isValid() const { return m_valid; }
    QString message() const;

    void addCohort();
    void removeSelected();
    void resetToPolicy();
    // The Save button: stores, emits cohortsSaved and closes; on failure the
    // dialog stays open with the reason.
    bool save();
    // The profile's arming (ADR 0028): asked by the save; not owned, null: not gated.
    void setWriteGuard(WriteGuard *guard) { m_guard = guard; }
    // Who saves (the GitHub login of the profile's token); unknown: Save is refused with the reason.
    void setIdentity(const Identity &identity) { m_identity = identity; }

Q_SIGNALS:
    void cohortsSaved(const QList<Raize::Release::Cohort> &cohorts);

private:
    void validate();
    void setMessage(const QString &text, bool error);

    Settings &m_settings;
    const Policy::Bundle &m_bundle;
    Records::AuditSink *m_audit;
    WriteGuard *m_guard = nullptr;
    Identity m_identity;
    QList<Release::Cohort> m_checked;
    bool m_valid = false;
    CohortTableModel *m_model;
    QTableView *m_table;
    QLabel *m_source;
    QLabel *m_message;
    QPushButton *m_remove;
    QPushButton *m_save;
};

} // namespace Raize::Ui
