#include "promotion/policydiffdialog.h"

#include "workspace/effectivepolicy.h"

#include "policy/policydiff.h"
#include "release/gatepolicy.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

Result<Policy::Bundle> load(const QString &path)
{
    // As the console applies it: over the built-in, floors checked (ADR 0017).
    return EffectivePolicy::effectiveBundle(path.trimmed().isEmpty() ? u"builtin"_s : path.trimmed());
}

QString shortJson(const nlohmann::json &v)
{
    return v.is_null() ? QString() : QString::fromStdString(v.dump());
}

} // namespace

PolicyDiffDialog::PolicyDiffDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"policyDiffDialog"_s);
    setWindowTitle(tr("Compare policy bundles"));
    const auto pathRow = [this](QLineEdit *&edit, const QString &name) {
        edit = new QLineEdit(this);
        edit->setObjectName(name);
        edit->setPlaceholderText(tr("builtin, or a bundle file"));
        auto *browse = new QPushButton(tr("Browse…"), this);
        browse->setObjectName(name + u"Browse"_s);
        connect(browse, &QPushButton::clicked, this, [this, edit] {
            const QString file = QFileDialog::getOpenFileName(this, tr("Policy bundle"), {}, tr("Policy bundles (*.json)"));
            if (!file.isEmpty())
                edit->setText(file);
        });
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    auto *form = new QFormLayout;
    form->addRow(tr("From:"), pathRow(m_from, u"policyDiffFrom"_s));
    form->addRow(tr("To:"), pathRow(m_to, u"policyDiffTo"_s));
    m_from->setText(u"builtin"_s);

    m_changes = new QTreeWidget(this);
    m_changes->setObjectName(u"policyDiffChanges"_s);
    m_changes->setRootIsDecorated(false);
    m_changes->setUniformRowHeights(true);
    m_changes->setHeaderLabels({tr("Change"), tr("Path"), tr("From"), tr("To")});
    m_changes->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_status = new QLabel(this);
    m_status->setObjectName(u"policyDiffStatus"_s);
    m_status->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setObjectName(u"policyDiffClose"_s);
    auto *compareButton = buttons->addButton(tr("Compare"), QDialogButtonBox::ActionRole);
    compareButton->setObjectName(u"policyDiffCompare"_s);
    connect(compareButton, &QPushButton::clicked, this, &PolicyDiffDialog::compare);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_changes, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(900, 520);
    m_from->setAccessibleName(tr("From bundle"));
    m_to->setAccessibleName(tr("To bundle"));
    m_changes->setAccessibleName(tr("Differences"));
    m_to->setFocus(Qt::OtherFocusReason); // "From" starts as the built-in bundle: the other side is what to type
}

void PolicyDiffDialog::setPaths(const QString &from, const QString &to)
{
    m_from->setText(from);
    m_to->setText(to);
}

bool PolicyDiffDialog::compare()
{
    m_changes->clear();
    const Result<Policy::Bundle> from = load(m_from->text()), to = load(m_to->text());
    for (const Result<Policy::Bundle> *b : {&from, &to}) {
        if (!*b) {
            m_status->setText(tr("Not compared: %1").arg(b->error().message));
            m_status->setStyleSheet(u"color: #c62828;"_s);
            return false;
        }
    }
    const QList<Policy::BundleChange> changes = Policy::diffBundles(from.value(), to.value());
    QList<QTreeWidgetItem *> items;
    for (const Policy::BundleChange &c : changes) {
        const QString kind = c.kind == Policy::BundleChange::Kind::Added ? tr("added") : c.kind == Policy::BundleChange::Kind::Removed ? tr("removed") : tr("changed");
        auto *item = new QTreeWidgetItem({kind, c.path, shortJson(c.before), shortJson(c.after)});
        item->setToolTip(2, shortJson(c.before));
        item->setToolTip(3, shortJson(c.after));
        items << item;
    }
    m_changes->addTopLevelItems(items);
    m_status->setStyleSheet(QString());
    m_status->setText(changes.isEmpty() ? tr("%1 and %2 are the same.").arg(from->id, to->id)
                                        : tr("%n difference(s) from %1 to %2.", nullptr, int(changes.size())).arg(from->id, to->id));
    return true;
}

} // namespace Raize::Ui
