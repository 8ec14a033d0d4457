#include "settingsdialog.h"

#include "core/tokenstore.h"
#include "records/settingsaudit.h"
#include "workspace/workspace.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

SettingsDialog::SettingsDialog(Settings &settings, TokenStore &tokens, Workspace &workspace, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_tokens(tokens)
    , m_workspace(workspace)
{
    setObjectName(u"settingsDialog"_s);
    setWindowTitle(u"Settings — profile %1"_s.arg(settings.profile()));
    resize(620, 420);
    auto *layout = new QVBoxLayout(this);

    m_keyringBanner = new QLabel(this);
    m_keyringBanner->setObjectName(u"keyringBanner"_s);
    m_keyringBanner->setWordWrap(true);
    m_keyringBanner->setStyleSheet(u"background:#fff4d6; color:#5a3b00; padding:6px; border:1px solid #e0b050;"_s);
    m_keyringBanner->hide();
    layout->addWidget(m_keyringBanner);

    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(u"serviceTabs"_s);
    for (Service s : allServices())
        tabs->addTab(buildServicePage(s), serviceDisplayName(s));
    layout->addWidget(tabs, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->setObjectName(u"buttons"_s);
    buttons->button(QDialogButtonBox::Ok)->setObjectName(u"settingsOk"_s);
    buttons->button(QDialogButtonBox::Cancel)->setObjectName(u"settingsCancel"_s);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    layout->addWidget(buttons);

    tabs->setAccessibleName(u"Services"_s);
    // The first field of the first service: Ctrl+Tab moves between the services, Tab between the fields.
    if (QWidget *first = m_fields.value(SettingKey::VercelBaseUrl))
        first->setFocus(Qt::OtherFocusReason);

    connect(&m_tokens, &TokenStore::keychainUnavailable, this, &SettingsDialog::showKeyringProblem);
    if (m_tokens.usingSessionFallback())
        showKeyringProblem(m_tokens.fallbackReason());

    // Say whether a token is stored, without ever showing it.
    for (Service s : m_tokenStates.keys()) {
        QPointer<QLabel> state = m_tokenStates.value(s);
        m_tokens.read(s, [state](const Result<QString> &r) {
            if (!state)
                return;
            state->setText(r ? u"A token is stored. Leave the field empty to keep it."_s
                             : u"No token stored."_s);
        });
    }
}

Services::ConnectionTarget SettingsDialog::target(Service service) const
{
    const auto text = [this](SettingKey key) {
        QLineEdit *e = m_fields.value(key);
        return e ? e->text().trimmed() : QString();
    };
    Services::ConnectionTarget t;
    t.service = service;
    switch (service) {
    case Service::Vercel:
        t.url = QUrl(text(SettingKey::VercelBaseUrl));
        t.project = text(SettingKey::VercelProjectId);
        t.team = text(SettingKey::VercelTeamId);
        break;
    case Service::GitHub:
        t.url = QUrl(text(SettingKey::GitHubApiUrl));
        t.owner = text(SettingKey::GitHubOwner);
        t.repo = text(SettingKey::GitHubRepo);
        break;
    case Service::Flags:
        t.url = QUrl(text(SettingKey::FlagsUrl));
        t.project = text(SettingKey::FlagsProject);
        t.environment = text(SettingKey::FlagsEnvironment);
        t.flagsKind = m_flagsKind ? m_flagsKind->currentData().toString() : u"unleash"_s;
        break;
    case Service::FlagsClient: // no page: stored with `raize-console token set flags-client`
    case Service::VercelBypass: // on the Vercel page, no connection test of its own
        break;
    case Service::Prometheus:
        t.url = QUrl(text(SettingKey::PrometheusUrl));
        break;
    }
    return t;
}

void SettingsDialog::testConnection(Service service)
{
    QLabel *result = m_testResults.value(service);
    result->setText(u"Testing…"_s);
    result->setStyleSheet({});
    const auto run = [this, service, result](const QString &token) {
        Services::ConnectionTarget t = target(service);
        t.token = token;
        QPointer<QLabel> label(result);
        m_workspace.checkConnection(t, m_timeout ? m_timeout->value() : 0, [label](const Services::ConnectionReport &r) {
            if (!label)
                return;
            label->setText(r.summary());
            label->setStyleSheet(r.ok ? u"color:#1b5e20;"_s : u"color:#b00020;"_s);
        });
    };
    const QString typed = m_tokenFields.value(service) ? m_tokenFields.value(service)->text().trimmed() : QString();
    if (!typed.isEmpty())
        return run(typed);
    QPointer<SettingsDialog> self(this);
    m_tokens.read(service, [self, run](const Result<QString> &stored) {
        if (self)
            run(stored ? stored.value() : QString());
    });
}

SettingsDialog::~SettingsDialog() = default;

QLineEdit *SettingsDialog::addField(QFormLayout *form, SettingKey key, const QString &objectName)
{
    auto *edit = new QLineEdit(m_settings.string(key), form->parentWidget());
    edit->setObjectName(objectName);
    edit->setPlaceholderText(Settings::spec(key).defaultValue.toString());
    form->addRow(QString(Settings::spec(key).label) + u':', edit);
    edit->setAccessibleName(QString(Settings::spec(key).label));
    m_fields.insert(key, edit);
    return edit;
}

QLineEdit *SettingsDialog::addTokenField(QFormLayout *form, Service service)
{
    auto *edit = new QLineEdit(form->parentWidget());
    edit->setObjectName(serviceId(service) + u"Token"_s);
    edit->setEchoMode(QLineEdit::Password);
    edit->setPlaceholderText(u"paste a token (replaces any stored one)"_s);
    // Never offered to input methods or the clipboard history.
    edit->setAttribute(Qt::WA_InputMethodEnabled, false);
    form->addRow(service == Service::VercelBypass ? u"Protection bypass:"_s : u"Token:"_s, edit);
    edit->setAccessibleName(u"%1 token"_s.arg(serviceDisplayName(service)));
    auto *state = new QLabel(u"Checking the keychain…"_s, form->parentWidget());
    state->setObjectName(serviceId(service) + u"TokenState"_s);
    state->setWordWrap(true);
    form->addRow(QString(), state);
    m_tokenFields.insert(service, edit);
    m_tokenStates.insert(service, state);
    return edit;
}

QWidget *SettingsDialog::buildServicePage(Service service)
{
    auto *page = new QWidget;
    page->setObjectName(u"page_"_s + serviceId(service));
    auto *form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    switch (service) {
    case Service::Vercel:
        addField(form, SettingKey::VercelBaseUrl, u"vercelBaseUrl"_s);
        addField(form, SettingKey::VercelTeamId, u"vercelTeamId"_s);
        addField(form, SettingKey::VercelProjectId, u"vercelProjectId"_s);
        addField(form, SettingKey::VercelServiceProjects, u"vercelServiceProjects"_s);
        addField(form, SettingKey::VercelProductionProbeUrl, u"vercelProductionProbeUrl"_s);
        addField(form, SettingKey::VercelProductionDomain, u"vercelProductionDomain"_s);
        // The production domain's Deployment Protection bypass secret (ADR 0027), kept in the keychain like a token.
        addTokenField(form, Service::VercelBypass)->setPlaceholderText(u"protection bypass secret (only for a protected domain)"_s);
        break;
    case Service::GitHub:
        addField(form, SettingKey::GitHubApiUrl, u"githubApiUrl"_s);
        addField(form, SettingKey::GitHubOwner, u"githubOwner"_s);
        addField(form, SettingKey::GitHubRepo, u"githubRepo"_s);
        break;
    case Service::Flags: {
        m_flagsKind = new QComboBox(page);
        m_flagsKind->setObjectName(u"flagsKind"_s);
        m_flagsKind->addItem(u"Unleash"_s, u"unleash"_s);
        m_flagsKind->addItem(u"LaunchDarkly"_s, u"launchdarkly"_s);
        m_flagsKind->setCurrentIndex(qMax(0, m_flagsKind->findData(m_settings.string(SettingKey::FlagsKind))));
        form->addRow(u"Flag service:"_s, m_flagsKind);
        m_flagsKind->setAccessibleName(u"Flag service"_s);
        addField(form, SettingKey::FlagsUrl, u"flagsUrl"_s);
        addField(form, SettingKey::FlagsProject, u"flagsProject"_s);
        addField(form, SettingKey::FlagsEnvironment, u"flagsEnvironment"_s);
        break;
    }
    case Service::FlagsClient: // no page: stored with `raize-console token set flags-client`
    case Service::VercelBypass: // a field of the Vercel page
        break;
    case Service::Prometheus:
        addField(form, SettingKey::PrometheusUrl, u"prometheusUrl"_s);
        m_timeout = new QSpinBox(page);
        m_timeout->setObjectName(u"netTimeoutMs"_s);
        m_timeout->setRange(500, 300000);
        m_timeout->setSingleStep(500);
        m_timeout->setSuffix(u" ms"_s);
        m_timeout->setValue(m_settings.integer(SettingKey::NetTimeoutMs));
        form->addRow(u"Request timeout (all services):"_s, m_timeout);
        m_timeout->setAccessibleName(u"Request timeout"_s);
        break;
    }
    addTokenField(form, service);
    // Test connection: reads only, with the values as typed (the typed token, else the stored one).
    auto *test = new QPushButton(u"Test connection"_s, page);
    test->setObjectName(serviceId(service) + u"TestConnection"_s);
    auto *result = new QLabel(page);
    result->setObjectName(serviceId(service) + u"TestResult"_s);
    result->setWordWrap(true);
    result->setTextFormat(Qt::PlainText);
    result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), test);
    form->addRow(QString(), result);
    m_testResults.insert(service, result);
    connect(test, &QPushButton::clicked, this, [this, service] { testConnection(service); });
    return page;
}

void SettingsDialog::showKeyringProblem(const QString &message)
{
    m_keyringBanner->setText(message);
    m_keyringBanner->show();
}

QString SettingsDialog::keyringMessage() const
{
    return m_keyringBanner->isVisible() ? m_keyringBanner->text() : QString();
}

void SettingsDialog::accept()
{
    QList<Records::SettingsAudit::Change> changes;
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        const QString text = it.value()->text().trimmed();
        changes.append({it.key(), text.isEmpty() ? QVariant() : QVariant(text)});
    }
    changes.append({SettingKey::FlagsKind, m_flagsKind->currentData()});
    changes.append({SettingKey::NetTimeoutMs, m_timeout->value()});
    m_errors.clear();
    // Recorded first in the profile's audit log (actor, before, after; tokens are never settings), then stored:
    // no record, no change, and the dialog stays open with the reason (issue #17 item 6).
    const Result<Records::SettingsAudit::Outcome> stored = Records::SettingsAudit::apply(
        m_settings, changes, m_workspace.identity().actor(), u"Settings dialog"_s, &m_workspace.audit());
    if (!stored) {
        m_errors << stored.error().toString();
        finishSave();
        return;
    }

    m_pendingWrites = 0;
    for (auto it = m_tokenFields.cbegin(); it != m_tokenFields.cend(); ++it) {
        const QString token = it.value()->text().trimmed();
        if (token.isEmpty())
            continue;
        ++m_pendingWrites;
        QPointer<SettingsDialog> self(this);
        const Service service = it.key();
        m_tokens.write(service, token, [self, service](const Status &s) {
            if (!self)
                return;
            if (s) {
                self->m_tokenFields.value(service)->clear();
                self->m_tokenStates.value(service)->setText(self->m_tokens.usingSessionFallback()
                    ? u"Kept in memory for this run only (no keyring)."_s
                    : u"A token is stored. Leave the field empty to keep it."_s);
            } else {
                self->m_errors << s.error().toString();
            }
            if (--self->m_pendingWrites == 0)
                self->finishSave();
        });
    }
    if (m_pendingWrites == 0)
        finishSave();
}

void SettingsDialog::finishSave()
{
    if (!m_errors.isEmpty()) {
        showKeyringProblem(m_errors.join(u'\n'));
        Q_EMIT saveFailed(m_errors.join(u'\n'));
        return; // stay open: nothing the operator typed is lost
    }
    Q_EMIT saved();
    QDialog::accept();
}

} // namespace Raize::Ui
