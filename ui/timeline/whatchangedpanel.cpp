#include "timeline/whatchangedpanel.h"

#include "timeline/timelinecanvas.h"
#include "timeline/whatchangedmodel.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

WhatChangedPanel::WhatChangedPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new WhatChangedModel(this))
    , m_caption(new QLabel(this))
    , m_table(new QTableView(this))
{
    setObjectName(u"whatChanged"_s);
    m_caption->setObjectName(u"whatChangedCaption"_s);
    m_caption->setWordWrap(true);
    m_table->setObjectName(u"whatChangedTable"_s);
    m_table->setAccessibleName(tr("What changed, best match first"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(WhatChangedModel::What, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(WhatChangedModel::Why, QHeaderView::Stretch);
    m_table->setColumnWidth(WhatChangedModel::Rank, 30);
    m_table->setColumnWidth(WhatChangedModel::Score, 50);
    m_table->setColumnWidth(WhatChangedModel::Time, 140);
    m_table->setColumnWidth(WhatChangedModel::Kind, 150);
    m_table->setColumnWidth(WhatChangedModel::Who, 150);
    m_table->setWordWrap(false);
    m_table->setToolTip(tr("Double-click (or Enter) opens the change where it lives: GitHub, Vercel or the flag service."));
    connect(m_table, &QTableView::activated, this, [](const QModelIndex &index) {
        const QString url = index.data(WhatChangedModel::UrlRole).toString();
        if (!url.isEmpty())
            TimelineCanvas::openUrl(QUrl(url));
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_caption);
    layout->addWidget(m_table, 1);
    clear();
}

void WhatChangedPanel::rank(const QList<Release::Change> &changes, const Release::PageScope &scope, qint64 onsetMs, qint64 windowMs,
                            const QString &pageTitle)
{
    QList<Release::RankedChange> ranked = Release::whatChanged(changes, scope, onsetMs, windowMs);
    const QDateTime onset = QDateTime::fromMSecsSinceEpoch(onsetMs, Qt::UTC);
    const QString count = ranked.size() == 1 ? tr("1 change") : tr("%1 changes").arg(ranked.size());
    QString text = tr("What changed in the %1 min before %2 began (%3 UTC): %4, best match to its scope first.")
                       .arg(windowMs / 60000)
                       .arg(pageTitle, onset.toString(u"yyyy-MM-dd HH:mm"_s), count);
    if (ranked.isEmpty())
        text += u' ' + tr("Nothing the console can see changed then: look outside it (infrastructure, traffic, a dependency).");
    m_caption->setText(text);
    m_model->setRanking(std::move(ranked));
}

void WhatChangedPanel::clear()
{
    m_caption->setText(tr("No page is firing."));
    m_model->setRanking({});
}

QString WhatChangedPanel::caption() const
{
    return m_caption->text();
}

} // namespace Raize::Ui
