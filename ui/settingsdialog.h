#pragma once

#include "core/settings.h"
#include "services/connection/connectioncheck.h"

#include <QDialog>
#include <QHash>

#include <memory>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace Raize {
class TokenStore;
class Workspace;
}

namespace Raize::Ui {

// One form per service. Settings go to the profile's INI file through the
// Settings table; tokens go only to the keychain through TokenStore, and the
// dialog never shows a stored token back. "Test connection" runs the
// workspace's connection check on the values as typed (no client is built in ui/).
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(Settings &settings, TokenStore &tokens, Workspace &workspace, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    QLineEdit *field(SettingKey key) const { return m_fields.value(key); }
    QLineEdit *tokenField(Service service) const { return m_tokenFields.value(service); }
    QString keyringMessage() const;

public Q_SLOTS:
    void accept() override;

Q_SIGNALS:
    // Emitted when every setting and token was saved (or the first error).
    void saved();
    void saveFailed(const QString &message);

private:
    QWidget *buildServicePage(Service service);
    QLineEdit *addField(QFormLayout *form, SettingKey key, const QString &objectName);
    QLineEdit *addTokenField(QFormLayout *form, Service service);
    void showKeyringProblem(const QString &message);
    void finishSave();
    Services::ConnectionTarget target(Service service) const;
    void testConnection(Service service);

    Settings &m_settings;
    TokenStore &m_tokens;
    QHash<SettingKey, QLineEdit *> m_fields;
    QHash<Service, QLineEdit *> m_tokenFields;
    QHash<Service, QLabel *> m_tokenStates;
    QHash<Service, QLabel *> m_testResults;
    Workspace &m_workspace;
    QComboBox *m_flagsKind = nullptr;
    QSpinBox *m_timeout = nullptr;
    QLabel *m_keyringBanner = nullptr;
    int m_pendingWrites = 0;
    QStringList m_errors;
};

} // namespace Raize::Ui
