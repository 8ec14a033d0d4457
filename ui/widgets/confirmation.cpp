#include "widgets/confirmation.h"

#include "palette/shortcuttable.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFontMetrics>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

struct Hook
{
    struct Answer
    {
        bool confirm = false;
        QString typed;
        QString reason;
    };
    QList<Answer> answers;
    QList<ConfirmationRequest> asked;
    QString lastReason;
};

Hook &hook()
{
    static Hook h;
    return h;
}

Policy::Confirmations &currentTable()
{
    static Policy::Confirmations table = Policy::builtinConfirmations();
    return table;
}

} // namespace

Confirmation::Confirmation(const ConfirmationRequest &request, const Policy::ConfirmRule &rule, QWidget *parent)
    : QDialog(parent)
    , m_request(request)
    , m_rule(rule)
    , m_plan(new QPlainTextEdit)
    , m_prompt(new QLabel)
    , m_input(new QLineEdit)
    , m_hint(new QLabel)
{
    setObjectName(u"confirmation"_s);
    setWindowTitle(u"Confirm — %1"_s.arg(request.environment.isEmpty() ? request.title : request.environment));
    auto *layout = new QVBoxLayout(this);

    auto *title = new QLabel(request.title);
    title->setObjectName(u"confirmationTitle"_s);
    title->setWordWrap(true);
    title->setStyleSheet(u"font-weight: bold; font-size: 13pt; color: #8a1c12;"_s);
    layout->addWidget(title);

    auto *planLabel = new QLabel(u"Exactly what will be done:"_s);
    layout->addWidget(planLabel);
    m_plan->setObjectName(u"confirmationPlan"_s);
    m_plan->setReadOnly(true);
    m_plan->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_plan->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_plan->setPlainText(request.plan);
    const int lines = int(request.plan.count(u'\n')) + 1;
    m_plan->setMinimumHeight(QFontMetrics(m_plan->font()).lineSpacing() * std::clamp(lines + 1, 4, 16) + 12);
    layout->addWidget(m_plan, 1);

    m_prompt->setObjectName(u"confirmationPrompt"_s);
    m_prompt->setWordWrap(true);
    m_prompt->setTextFormat(Qt::PlainText);
    m_prompt->setText(rule.typed() ? rule.prompt(request.environment) : u"Review the plan, then confirm."_s);
    layout->addWidget(m_prompt);
    m_input->setObjectName(u"confirmationInput"_s);
    m_input->setPlaceholderText(rule.expected(request.environment));
    m_input->setVisible(rule.typed());
    layout->addWidget(m_input);
    if (!request.reasonLabel.isEmpty()) {
        auto *reasonLabel = new QLabel(request.reasonLabel);
        layout->addWidget(reasonLabel);
        m_reason = new QLineEdit;
        m_reason->setObjectName(u"confirmationReason"_s);
        m_reason->setPlaceholderText(u"required: goes into the audit log"_s);
        reasonLabel->setBuddy(m_reason);
        layout->addWidget(m_reason);
        connect(m_reason, &QLineEdit::textChanged, this, &Confirmation::refreshState);
    }
    m_hint->setObjectName(u"confirmationHint"_s);
    m_hint->setStyleSheet(u"color: #8a5300;"_s);
    layout->addWidget(m_hint);

    auto *buttons = new QDialogButtonBox;
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(u"confirmationCancel"_s);
    m_accept = buttons->addButton(request.acceptLabel.isEmpty() ? u"Confirm"_s : request.acceptLabel, QDialogButtonBox::AcceptRole);
    m_accept->setObjectName(u"confirmationAccept"_s);
    m_accept->setAutoDefault(false);
    m_cancel->setDefault(true); // Enter alone never confirms
    m_accept->setStyleSheet(u"QPushButton { background: #b3261e; color: white; font-weight: bold; padding: 6px 14px; border-radius: 4px; }"
                            u"QPushButton:disabled { background: #d9a5a1; color: #f5eaea; }"_s);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (confirmable())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_input, &QLineEdit::textChanged, this, &Confirmation::refreshState);
    refreshState();
    // Ctrl+Enter confirms (once the typed text matches), in the console and wherever a view asks alone.
    applyShortcuts(this);
    resize(760, sizeHint().height());
    m_plan->setAccessibleName(u"Plan"_s);
    m_input->setAccessibleName(u"Confirmation text"_s);
    // Focus where the operator acts next: the typed text, or Cancel when nothing is typed (Ctrl+Enter confirms).
    if (rule.typed())
        m_input->setFocus();
    else
        m_cancel->setFocus();
}

Confirmation::~Confirmation() = default;

QString Confirmation::typedText() const
{
    return m_input->text();
}

QString Confirmation::reasonText() const
{
    return m_reason ? m_reason->text().trimmed() : QString();
}

bool Confirmation::confirmable() const
{
    return m_rule.accepts(m_request.environment, m_input->text()) && (!m_reason || !reasonText().isEmpty());
}

void Confirmation::refreshState()
{
    m_accept->setEnabled(confirmable());
    const QString want = m_rule.expected(m_request.environment);
    const QString typed = m_input->text();
    // A near miss says why it does not count, so the operator is not left guessing.
    if (m_rule.typed() && !typed.isEmpty() && !confirmable() && typed.trimmed().compare(want, Qt::CaseInsensitive) == 0)
        m_hint->setText(u"Not exact: type %1 exactly (case and spaces count)."_s.arg(want));
    else
        m_hint->clear();
    m_hint->setVisible(!m_hint->text().isEmpty());
}

bool Confirmation::ask(QWidget *parent, const ConfirmationRequest &request)
{
    const Policy::ConfirmRule rule = table().rule(request.action);
    Hook &h = hook();
    h.asked << request;
    h.lastReason.clear();
    if (!h.answers.isEmpty()) {
        const Hook::Answer answer = h.answers.takeFirst();
        const bool needsReason = !request.reasonLabel.isEmpty();
        const bool ok = answer.confirm && rule.accepts(request.environment, answer.typed) && (!needsReason || !answer.reason.trimmed().isEmpty());
        if (ok && needsReason)
            h.lastReason = answer.reason.trimmed();
        return ok;
    }
    Confirmation dialog(request, rule, parent);
    const bool ok = dialog.exec() == QDialog::Accepted && dialog.confirmable();
    if (ok)
        h.lastReason = dialog.reasonText();
    return ok;
}

QString Confirmation::lastReason()
{
    return hook().lastReason;
}

void Confirmation::setTable(const Policy::Confirmations &table)
{
    currentTable() = table;
}

const Policy::Confirmations &Confirmation::table()
{
    return currentTable();
}

void Confirmation::setNextAnswer(bool confirm, const QString &typed, const QString &reason)
{
    hook().answers << Hook::Answer{confirm, typed, reason};
}

const QList<ConfirmationRequest> &Confirmation::asked()
{
    return hook().asked;
}

void Confirmation::resetHook()
{
    hook() = {};
}

} // namespace Raize::Ui
