#include "palette/shortcutsheet.h"

#include "palette/shortcuttable.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

ShortcutSheet::ShortcutSheet(QWidget *parent)
    : QDialog(parent)
    , m_table(new QTreeWidget(this))
{
    setObjectName(u"shortcutSheet"_s);
    setWindowTitle(tr("Keyboard shortcuts"));
    setAccessibleName(tr("Keyboard shortcuts"));
    resize(760, 660);
    m_table->setObjectName(u"shortcutTable"_s);
    m_table->setAccessibleName(tr("Shortcuts"));
    m_table->setColumnCount(3);
    m_table->setHeaderLabels({tr("Action"), tr("Shortcut"), tr("Where")});
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_table->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    auto *intro = new QLabel(tr("Ctrl+K opens the command palette: every view, action and recent target by name. "
                                "Actions marked ⚠ change production and still ask for their confirmation."),
                             this);
    intro->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setObjectName(u"shortcutSheetClose"_s);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
}

void ShortcutSheet::setEntries(const QList<PaletteEntry> &entries)
{
    QList<PaletteEntry> withKeys;
    for (const PaletteEntry &e : entries) {
        if (!e.shortcut.isEmpty())
            withKeys << e;
    }
    // Views first in navigation order (Ctrl+1…), then actions in menu order.
    std::stable_sort(withKeys.begin(), withKeys.end(), [](const PaletteEntry &a, const PaletteEntry &b) { return int(a.kind) < int(b.kind); });
    m_table->clear();
    for (const PaletteEntry &e : std::as_const(withKeys)) {
        // A view's button reads "Promotion: Promote to production": the view is where it acts.
        QString what = e.title, where = e.detail.section(u" — "_s, 0, 0);
        if ((e.id.startsWith(u"button:"_s) || e.id.startsWith(u"focus:"_s)) && e.title.contains(u": "_s)) {
            where = e.title.section(u": "_s, 0, 0);
            what = e.title.section(u": "_s, 1);
        }
        auto *item = new QTreeWidgetItem(m_table);
        item->setText(0, what + (e.changesProduction ? u"  ⚠"_s : QString()));
        item->setText(1, e.shortcut.toString(QKeySequence::NativeText));
        item->setText(2, where.isEmpty() ? PaletteEntry::kindName(e.kind) : where);
        item->setToolTip(0, e.detail);
        item->setData(0, Qt::UserRole, e.id);
    }
    // The dialogs' keys (their controls exist only while they are open).
    QStringList listed; // one "Test connection" for the settings' four pages
    for (const ShortcutBinding &b : shortcutBindings()) {
        const QString dialog = dialogTitle(b.where);
        const QString key = dialog + u'/' + b.what + u'/' + b.keys.toString();
        if (dialog.isEmpty() || listed.contains(key))
            continue;
        listed << key;
        auto *item = new QTreeWidgetItem(m_table);
        item->setText(0, b.what);
        item->setText(1, b.keys.toString(QKeySequence::NativeText));
        item->setText(2, dialog);
        item->setData(0, Qt::UserRole, QString(u"binding:"_s + b.where + u'/' + b.objectName));
    }
    // Keys that are not actions of their own.
    const QList<std::pair<QString, QString>> fixed = {
        {tr("Move between controls"), tr("Tab / Shift+Tab")},
        {tr("Close a dialog or the palette"), tr("Esc")},
        {tr("Command palette of the open dialog's buttons"), QKeySequence(Qt::CTRL | Qt::Key_K).toString(QKeySequence::NativeText)},
        {tr("This sheet"), QKeySequence(QKeySequence::HelpContents).toString(QKeySequence::NativeText) + tr(" or ?")},
    };
    for (const auto &[what, keys] : fixed) {
        auto *item = new QTreeWidgetItem(m_table);
        item->setText(0, what);
        item->setText(1, keys);
        item->setText(2, tr("everywhere"));
    }
}

} // namespace Raize::Ui
