#pragma once

#include "records/auditverifier.h"

#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace Raize::Ui {

class AuditFilterModel;
class AuditModel;

// The audit viewer: every record of the profile's audit log, filtered and
// searched, with the chain verified on demand and an export.
class AuditView : public QWidget
{
    Q_OBJECT

public:
    explicit AuditView(QString logPath, QWidget *parent = nullptr);

    QString logPath() const { return m_path; }
    AuditModel *model() const { return m_model; }
    AuditFilterModel *filterModel() const { return m_filter; }

public Q_SLOTS:
    void reload();
    void verifyChain();
    // Writes the rows that pass the filter; JSON unless the file ends in .csv.
    bool exportTo(const QString &file);

Q_SIGNALS:
    void verified(const Raize::Records::VerifyReport &report);

private:
    void applyFilter();
    void chooseExport();
    void updateStatus();

    QString m_path;
    AuditModel *m_model = nullptr;
    AuditFilterModel *m_filter = nullptr;
    QTableView *m_table = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_action = nullptr;
    QComboBox *m_actor = nullptr;
    QComboBox *m_service = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_verdict = nullptr;
    QLabel *m_empty = nullptr;
    QString m_loadError;
};

} // namespace Raize::Ui
