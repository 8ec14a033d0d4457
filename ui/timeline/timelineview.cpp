#include "timeline/timelineview.h"

#include "timeline/timelinecanvas.h"
#include "widgets/stalelabel.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

QString durationText(qint64 ms)
{
    const qint64 min = ms / 60000;
    if (min < 120)
        return QObject::tr("%n minute(s)", nullptr, int(min));
    if (min < 2 * 1440)
        return QObject::tr("%n hour(s)", nullptr, int(min / 60));
    if (min < 60 * 1440)
        return QObject::tr("%n day(s)", nullptr, int(min / 1440));
    return QObject::tr("%n month(s)", nullptr, int(min / (30 * 1440)));
}

} // namespace

TimelineView::TimelineView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"timelineView"_s);
    m_model = new TimelineModel(this);
    m_filterModel = new TimelineFilterModel(this);
    m_filterModel->setSourceModel(m_model);

    auto *filters = new QHBoxLayout;
    const auto combo = [&](const QString &name, const QString &label, const QStringList &items) {
        auto *c = new QComboBox(this);
        c->setObjectName(name);
        c->addItem(label, QString());
        for (const QString &i : items)
            c->addItem(i, i);
        filters->addWidget(c);
        connect(c, &QComboBox::currentIndexChanged, this, &TimelineView::applyFilter);
        return c;
    };
    m_environment = combo(u"timelineEnvironment"_s, tr("All environments"), {u"Preview"_s, u"Staging"_s, u"Production"_s});
    m_service = combo(u"timelineService"_s, tr("All services"), {u"web"_s, u"runner"_s, u"tools"_s});
    m_level = new QComboBox(this);
    m_level->setObjectName(u"timelineLevel"_s);
    m_level->addItem(tr("Any release level"), -1);
    for (int l = 1; l <= 3; ++l)
        m_level->addItem(tr("L%1 and above").arg(l), l);
    filters->addWidget(m_level);
    connect(m_level, &QComboBox::currentIndexChanged, this, &TimelineView::applyFilter);
    filters->addSpacing(12);
    m_range = new QLabel(this);
    m_range->setObjectName(u"timelineRange"_s);
    filters->addWidget(m_range, 1);
    m_source = new QLabel(this);
    m_source->setObjectName(u"timelineSource"_s);
    filters->addWidget(m_source);
    m_stale = new StaleLabel(u"timelineStale"_s, this);
    filters->addWidget(m_stale);

    m_canvas = new TimelineCanvas(m_model, this);
    auto *hint = new QLabel(tr("Wheel or +/− to zoom, drag or ←/→ to pan, Home to fit; hover for details, click (or double-click a row) "
                               "to open it where it lives: GitHub, Vercel or the flag service."),
                            this);
    hint->setObjectName(u"timelineHint"_s);
    hint->setWordWrap(true);

    m_list = new QTreeView(this);
    m_list->setObjectName(u"timelineList"_s);
    m_list->setAccessibleName(tr("Timeline events"));
    m_list->setModel(m_filterModel);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(TimelineModel::Title, QHeaderView::Stretch);
    m_list->setColumnWidth(TimelineModel::Time, 150);
    m_list->setColumnWidth(TimelineModel::Lane, 150);
    m_list->setColumnWidth(TimelineModel::Kind, 130);
    // Newest first, whatever order the sources delivered them in (Vercel's list, then the audit log).
    m_filterModel->setSortRole(TimelineModel::TimeRole);
    m_list->setSortingEnabled(true);
    m_list->sortByColumn(TimelineModel::Time, Qt::DescendingOrder);
    connect(m_list, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        m_canvas->centerOn(index.data(TimelineModel::TimeRole).toLongLong());
    });
    // Double-click or Enter: the change where it lives.
    connect(m_list, &QTreeView::activated, this, [](const QModelIndex &index) {
        const QString url = index.data(TimelineModel::UrlRole).toString();
        if (!url.isEmpty())
            TimelineCanvas::openUrl(QUrl(url));
    });

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_canvas);
    topLayout->addWidget(hint);
    top->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(u"timelineSplit"_s);
    split->addWidget(top);
    split->addWidget(m_list);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(split, 1);

    connect(m_canvas, &TimelineCanvas::scaleChanged, this, &TimelineView::updateRange);
    connect(m_canvas, &TimelineCanvas::activated, this, [this](int row) {
        const QModelIndex proxy = m_filterModel->mapFromSource(m_model->index(row, 0));
        if (proxy.isValid()) {
            m_list->setCurrentIndex(proxy);
            m_list->scrollTo(proxy);
        }
    });
    updateRange();
}

void TimelineView::setSourceStatus(const QString &text)
{
    m_source->setText(text);
}

void TimelineView::setStaleSince(const QDateTime &since)
{
    m_stale->setSince(since, m_source->text());
}

void TimelineView::applyFilter()
{
    TimelineFilter f;
    if (const QString s = m_service->currentData().toString(); !s.isEmpty())
        f.services = {s};
    if (const QString e = m_environment->currentData().toString(); !e.isEmpty())
        f.environments = {e};
    if (const int l = m_level->currentData().toInt(); l >= 0)
        f.minLevel = Release::Level(l);
    m_filterModel->setTimelineFilter(f);
    m_canvas->setFilter(f);
}

void TimelineView::updateRange()
{
    const auto &s = m_canvas->scale();
    const int w = m_canvas->plotWidth();
    m_range->setText(tr("%1 – %2 UTC (%3)")
                         .arg(QDateTime::fromMSecsSinceEpoch(s.startMs, Qt::UTC).toString(u"yyyy-MM-dd HH:mm"_s),
                              QDateTime::fromMSecsSinceEpoch(s.endMs(w), Qt::UTC).toString(u"yyyy-MM-dd HH:mm"_s),
                              durationText(s.spanMs(w))));
}

} // namespace Raize::Ui
