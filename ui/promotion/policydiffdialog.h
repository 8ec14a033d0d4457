#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QTreeWidget;

namespace Raize::Ui {

// How two policy bundles differ (playbook §11.4: per-tenant bundles), e.g.
// the built-in playbook against a tenant's. Each side is checked whole first:
// a malformed bundle shows its line or field, and nothing is compared.
class PolicyDiffDialog : public QDialog
{
    Q_OBJECT

public:
    explicit PolicyDiffDialog(QWidget *parent = nullptr);

    // "builtin" or a file path.
    void setPaths(const QString &from, const QString &to);
    // Returns false (and shows why) when a side cannot be used.
    bool compare();
    QTreeWidget *changes() const { return m_changes; }

private:
    QLineEdit *m_from = nullptr;
    QLineEdit *m_to = nullptr;
    QTreeWidget *m_changes = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace Raize::Ui
