#include "palette/commandpalette.h"

#include "palette/palettemodel.h"

#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QTimer>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

CommandPalette::CommandPalette(Source source, QWidget *parent)
    : QDialog(parent)
    , m_source(std::move(source))
    , m_model(new PaletteModel(this))
    , m_search(new QLineEdit(this))
    , m_list(new QListView(this))
    , m_hint(new QLabel(this))
{
    setObjectName(u"commandPalette"_s);
    setWindowTitle(tr("Command palette"));
    setAccessibleName(tr("Command palette"));
    setModal(true);
    resize(720, 420);
    m_search->setObjectName(u"paletteSearch"_s);
    m_search->setPlaceholderText(tr("Type a view, an action, a deployment, a flag…"));
    m_search->setAccessibleName(tr("Search commands"));
    m_search->setClearButtonEnabled(true);
    m_search->installEventFilter(this);
    m_list->setObjectName(u"paletteList"_s);
    m_list->setAccessibleName(tr("Commands"));
    m_list->setModel(m_model);
    m_list->setUniformItemSizes(true);
    m_list->setSpacing(1);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setFocusPolicy(Qt::NoFocus); // the search field keeps the focus; Up/Down move the selection
    m_hint->setObjectName(u"paletteHint"_s);
    m_hint->setText(tr("Enter runs · ↑↓ move · Esc closes · ⚠ changes production (it still asks for its confirmation)"));
    m_hint->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_hint);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_model->setFilterText(text);
        selectRow(0);
    });
    connect(m_search, &QLineEdit::returnPressed, this, &CommandPalette::runCurrent);
    connect(m_list, &QListView::activated, this, [this](const QModelIndex &index) {
        selectRow(index.row());
        runCurrent();
    });
}

void CommandPalette::open()
{
    m_model->setEntries(m_source ? m_source() : QList<PaletteEntry>{});
    m_search->clear();
    m_model->setFilterText(QString());
    selectRow(0);
    QDialog::open();
    m_search->setFocus(Qt::PopupFocusReason);
}

void CommandPalette::selectRow(int row)
{
    // The first enabled row at or after `row`.
    for (int r = std::max(0, row); r < m_model->rowCount(); ++r) {
        if (m_model->flags(m_model->index(r)) & Qt::ItemIsEnabled) {
            m_list->setCurrentIndex(m_model->index(r));
            return;
        }
    }
    m_list->setCurrentIndex({});
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        const int rows = m_model->rowCount();
        int row = m_list->currentIndex().isValid() ? m_list->currentIndex().row() : -1;
        int step = 0;
        switch (key->key()) {
        case Qt::Key_Down:
            step = 1;
            break;
        case Qt::Key_Up:
            step = -1;
            break;
        case Qt::Key_PageDown:
            step = 8;
            break;
        case Qt::Key_PageUp:
            step = -8;
            break;
        default:
            return QDialog::eventFilter(watched, event);
        }
        if (rows == 0)
            return true;
        // Move over disabled rows; stop at the ends.
        int next = row;
        for (int moved = 0; moved < std::abs(step);) {
            const int candidate = next + (step > 0 ? 1 : -1);
            if (candidate < 0 || candidate >= rows)
                break;
            next = candidate;
            if (m_model->flags(m_model->index(next)) & Qt::ItemIsEnabled)
                ++moved;
        }
        if (next != row && (m_model->flags(m_model->index(next)) & Qt::ItemIsEnabled))
            m_list->setCurrentIndex(m_model->index(next));
        return true;
    }
    return QDialog::eventFilter(watched, event);
}

void CommandPalette::runCurrent()
{
    const QModelIndex current = m_list->currentIndex();
    const PaletteEntry *e = current.isValid() ? m_model->entry(current.row()) : nullptr;
    if (!e || !e->enabled || !e->run)
        return;
    // Close first, then run: the view or dialog the entry opens gets the focus.
    const std::function<void()> run = e->run;
    const QString id = e->id;
    accept();
    QTimer::singleShot(0, this, [this, run, id] {
        run();
        Q_EMIT entryRun(id);
    });
}

} // namespace Raize::Ui
