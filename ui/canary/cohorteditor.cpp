#include "canary/cohorteditor.h"

#include "canary/cohorttablemodel.h"

#include "core/settings.h"
#include "widgets/confirmation.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

// "cohort editor: cohorts[1].clientIds: …" → "Row 2, client ids: …": the
// operator sees rows, not JSON paths.
QString readable(QString message)
{
    static const QRegularExpression prefix(u"^the edited cohorts: "_s);
    message.remove(prefix);
    static const QRegularExpression path(u"cohorts\\[(\\d+)\\](\\.(\\w+))?"_s);
    QRegularExpressionMatch m = path.match(message);
    if (m.hasMatch()) {
        static const QHash<QString, QString> fields = {{u"id"_s, u"id"_s}, {u"clientIds"_s, u"client ids"_s},
                                                       {u"platformAccounts"_s, u"platform account ids"_s}};
        QString where = u"row %1"_s.arg(m.captured(1).toInt() + 1);
        if (!m.captured(3).isEmpty())
            where += u", "_s + fields.value(m.captured(3), m.captured(3));
        message.replace(m.capturedStart(), m.capturedLength(), where);
    }
    message.replace(u"cohorts: must be a non-empty array"_s, u"there must be at least one cohort"_s);
    if (!message.isEmpty())
        message[0] = message[0].toUpper();
    return message;
}

QString cohortLine(QChar mark, const Release::Cohort &c)
{
    return u"  %1 %2 — %3: clients %4; accounts %5"_s.arg(mark).arg(c.id, c.name,
                                                            c.clientIds.isEmpty() ? u"none"_s : c.clientIds.join(u", "_s),
                                                            c.platformAccountIds.isEmpty() ? u"none"_s : c.platformAccountIds.join(u", "_s));
}

// The exact plan of a cohort save: each cohort after the save, marked against
// what is in effect now (+ new, ~ changed, = unchanged, - removed).
QString cohortPlan(const QString &profile, const Release::EffectiveCohorts &current, const QList<Release::Cohort> &next, bool policysOwn)
{
    QStringList lines;
    lines << (policysOwn ? u"Profile %1: go back to the policy bundle's cohorts (the profile's own are removed):"_s.arg(profile)
                         : u"Profile %1: store these cohorts in the profile's settings (they replace %2):"_s.arg(
                               profile, current.fromSettings ? u"the profile's current ones"_s : u"the policy bundle's"_s));
    for (const Release::Cohort &c : next) {
        const auto before = std::find_if(current.cohorts.cbegin(), current.cohorts.cend(), [&c](const Release::Cohort &o) { return o.id == c.id; });
        lines << cohortLine(before == current.cohorts.cend() ? u'+' : *before == c ? u'=' : u'~', c);
    }
    for (const Release::Cohort &c : current.cohorts) {
        if (std::none_of(next.cbegin(), next.cend(), [&c](const Release::Cohort &o) { return o.id == c.id; }))
            lines << cohortLine(u'-', c);
    }
    lines << QString() << u"Then: the audit record (before and after in full), then the settings file. Rollout stages and burn rates "
                          u"follow the new cohorts at once."_s;
    return lines.join(u'\n');
}

} // namespace

CohortEditor::CohortEditor(Settings &settings, const Policy::Bundle &bundle, Records::AuditSink *audit, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_bundle(bundle)
    , m_audit(audit)
    , m_model(new CohortTableModel(this))
{
    setObjectName(u"cohortEditor"_s);
    setWindowTitle(u"Canary cohorts — %1"_s.arg(settings.profile()));
    auto *root = new QVBoxLayout(this);

    auto *intro = new QLabel(u"Who each rollout stage exposes (playbook §4.4). The cohorts are stored in this profile's settings "
                             u"and replace the policy bundle's. Ids are comma-separated; \"*\" alone means everyone the other "
                             u"cohorts do not list. The rollout's stages must still find their cohorts, and burn rates are read by cohort id "
                             u"(the \"cohort\" label of the platform's metrics)."_s);
    intro->setWordWrap(true);
    root->addWidget(intro);
    m_source = new QLabel;
    m_source->setObjectName(u"cohortEditorSource"_s);
    m_source->setWordWrap(true);
    m_source->setStyleSheet(u"color: #505050;"_s);
    root->addWidget(m_source);

    m_table = new QTableView;
    m_table->setObjectName(u"cohortTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setMinimumSectionSize(96);
    m_table->horizontalHeader()->setSectionResizeMode(CohortTableModel::IdColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(CohortTableModel::NameColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(CohortTableModel::ClientsColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(CohortTableModel::AccountsColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed | QAbstractItemView::AnyKeyPressed);
    root->addWidget(m_table, 1);

    auto *rowButtons = new QHBoxLayout;
    auto *add = new QPushButton(u"Add cohort"_s);
    add->setObjectName(u"addCohortButton"_s);
    m_remove = new QPushButton(u"Remove cohort"_s);
    m_remove->setObjectName(u"removeCohortButton"_s);
    auto *reset = new QPushButton(u"Reset to policy"_s);
    reset->setObjectName(u"resetCohortsButton"_s);
    reset->setToolTip(u"Load the policy bundle's cohorts into the table; Save then removes the profile's own."_s);
    rowButtons->addWidget(add);
    rowButtons->addWidget(m_remove);
    rowButtons->addStretch(1);
    rowButtons->addWidget(reset);
    root->addLayout(rowButtons);

    m_message = new QLabel;
    m_message->setObjectName(u"cohortEditorMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    root->addWidget(m_message);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    m_save = buttons->button(QDialogButtonBox::Save);
    m_save->setObjectName(u"cohortSaveButton"_s);
    buttons->button(QDialogButtonBox::Cancel)->setObjectName(u"cohortCancelButton"_s);
    root->addWidget(buttons);

    connect(add, &QPushButton::clicked, this, &CohortEditor::addCohort);
    connect(m_remove, &QPushButton::clicked, this, &CohortEditor::removeSelected);
    connect(reset, &QPushButton::clicked, this, &CohortEditor::resetToPolicy);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] { save(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &CohortEditor::validate);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &CohortEditor::validate);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &CohortEditor::validate);
    connect(m_model, &QAbstractItemModel::modelReset, this, &CohortEditor::validate);

    const Result<Release::EffectiveCohorts> current = Release::effectiveCohorts(m_settings, m_bundle);
    if (current) {
        m_source->setText(current->describe());
        if (current->overrideError) {
            m_source->setStyleSheet(u"color: #b71c1c;"_s);
            m_source->setText(u"The cohorts stored in this profile cannot be used (%1). The table shows the policy bundle's; "
                              u"the stored text stays in the settings file until you save."_s
                                  .arg(current->overrideError->message));
        }
        m_model->setCohorts(current->cohorts);
    } else {
        m_source->setText(current.error().message);
        m_source->setStyleSheet(u"color: #b71c1c;"_s);
        validate();
    }
    resize(860, 360);
    // The table, on its first cell: arrows move, typing edits (F2 too), Ctrl+N adds a cohort.
    m_table->setAccessibleName(u"Cohorts"_s);
    if (m_model->rowCount() > 0)
        m_table->setCurrentIndex(m_model->index(0, 0));
    m_table->setFocus(Qt::OtherFocusReason);
}

CohortEditor::~CohortEditor() = default;

QString CohortEditor::message() const
{
    return m_message->text();
}

void CohortEditor::setMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? u"color: #b71c1c; font-weight: bold;"_s : u"color: #2e7d32;"_s);
}

void CohortEditor::validate()
{
    const Result<QList<Release::Cohort>> checked = Release::cohortsFromOverride(m_model->toJson(), m_bundle, u"the edited cohorts"_s);
    m_valid = checked.ok();
    if (!checked) {
        m_checked.clear();
        setMessage(readable(checked.error().message), true);
    } else if (!m_audit) {
        m_checked = *checked;
        setMessage(u"No audit log is open: the console changes no cohort without an audit record."_s, true);
    } else {
        m_checked = *checked;
        const Result<QList<Release::Cohort>> policy = Release::cohortsFromPolicy(m_bundle);
        setMessage(policy && *policy == m_checked ? u"%1 cohorts, the policy bundle's own: saving uses the policy's."_s.arg(m_checked.size())
                                                  : u"%1 cohorts, valid."_s.arg(m_checked.size()),
                   false);
    }
    m_save->setEnabled(m_valid && m_audit);
    m_remove->setEnabled(m_model->rowCount() > 0);
}

void CohortEditor::addCohort()
{
    const int row = m_model->rowCount();
    m_model->insertRows(row, 1);
    const QModelIndex index = m_model->index(row, CohortTableModel::IdColumn);
    m_table->setCurrentIndex(index);
    m_table->edit(index);
}

void CohortEditor::removeSelected()
{
    const QModelIndex current = m_table->currentIndex();
    if (current.isValid())
        m_model->removeRows(current.row(), 1);
}

void CohortEditor::resetToPolicy()
{
    const Result<QList<Release::Cohort>> policy = Release::cohortsFromPolicy(m_bundle);
    if (!policy) {
        setMessage(policy.error().message, true);
        return;
    }
    m_model->setCohorts(*policy);
}

bool CohortEditor::save()
{
    validate();
    if (!m_valid || !m_audit)
        return false;
    if (!m_identity.known()) {
        setMessage(u"Not saved: "_s + m_identity.refusal(u"Saving the cohorts"_s), true);
        return false;
    }
    const Result<Release::EffectiveCohorts> current = Release::effectiveCohorts(m_settings, m_bundle);
    if (!current || current->cohorts != m_checked || current->overrideError) {
        const Result<QList<Release::Cohort>> policy = Release::cohortsFromPolicy(m_bundle);
        ConfirmationRequest request;
        request.action = Policy::ConfirmAction::CohortSave;
        request.environment = m_settings.string(SettingKey::FlagsEnvironment);
        request.title = u"Change who each rollout stage exposes in profile %1?"_s.arg(m_settings.profile());
        request.plan = cohortPlan(m_settings.profile(), current ? *current : Release::EffectiveCohorts{}, m_checked, policy && *policy == m_checked);
        request.acceptLabel = u"Save cohorts"_s;
        if (!Confirmation::ask(this, request)) {
            setMessage(u"Not saved: the confirmation was cancelled; the profile's cohorts are unchanged."_s, true);
            return false;
        }
    }
    const Result<Release::EffectiveCohorts> saved =
        Release::saveCohorts(m_settings, m_bundle, m_checked, *m_audit, m_identity.login, {}, m_guard);
    if (!saved) {
        setMessage(saved.error().message + u' ' + saved.error().remedy, true);
        return false;
    }
    Q_EMIT cohortsSaved(saved->cohorts);
    accept();
    return true;
}

} // namespace Raize::Ui
