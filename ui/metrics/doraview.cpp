#include "metrics/doraview.h"

#include "release/doracollector.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPointer>
#include <QPushButton>
#include <QTimeZone>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace Raize::Ui {

using namespace Qt::StringLiterals;
using Release::Dora::formatDuration;

namespace {

QString percent(std::optional<double> r)
{
    return r ? u"%1 %"_s.arg(*r * 100.0, 0, 'f', 1) : u"n/a"_s;
}

QString durationOrNa(const Release::Dora::Durations &d)
{
    return d.samples.isEmpty() ? u"n/a"_s : formatDuration(*d.median());
}

void install(QChartView *view, QChart *chart)
{
    QChart *old = view->chart();
    view->setChart(chart);
    delete old;
}

QChart *freshChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    return chart;
}

} // namespace

DoraView::DoraView(Release::DoraCollector *collector, QWidget *parent)
    : QWidget(parent)
    , m_collector(collector)
    , m_period(new QComboBox(this))
    , m_refresh(new QPushButton(tr("&Refresh"), this))
    , m_status(new QLabel(this))
    , m_deployChart(new QChartView(this))
    , m_leadChart(new QChartView(this))
    , m_notes(new QLabel(this))
{
    setObjectName(u"doraView"_s);
    m_period->setObjectName(u"doraPeriod"_s);
    m_period->setAccessibleName(tr("Period"));
    m_period->addItem(tr("Last 7 days"), 7);
    m_period->addItem(tr("Last 30 days"), 30);
    m_period->addItem(tr("Last 90 days"), 90);
    m_period->setCurrentIndex(1);
    m_refresh->setObjectName(u"doraRefresh"_s);
    m_refresh->setToolTip(tr("Read the records again: Vercel's production deployments, GitHub's pull requests and incidents, "
                             "this profile's rollback journals"));
    m_status->setObjectName(u"doraStatus"_s);
    m_status->setWordWrap(true);
    m_notes->setObjectName(u"doraNotes"_s);
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_deployChart->setObjectName(u"doraDeployChart"_s);
    m_deployChart->setAccessibleName(tr("Deployments per week"));
    m_leadChart->setObjectName(u"doraLeadChart"_s);
    m_leadChart->setAccessibleName(tr("Lead time"));
    m_deployChart->setRenderHint(QPainter::Antialiasing);
    m_leadChart->setRenderHint(QPainter::Antialiasing);
    m_deployChart->setMinimumHeight(220);
    m_leadChart->setMinimumHeight(220);

    auto *top = new QHBoxLayout;
    auto *heading = new QLabel(tr("<b>Delivery metrics (DORA)</b> — computed from the release's records; definitions in docs/dora.md"), this);
    top->addWidget(heading, 1);
    top->addWidget(m_period);
    top->addWidget(m_refresh);

    auto *tiles = new QGridLayout;
    tiles->setHorizontalSpacing(10);
    const struct
    {
        const char *key;
        QString title, tip;
    } defs[] = {
        {"frequency", tr("Deployment frequency"), tr("Production deployments in the period (a re-promotion or a rollback to a deployment is not a new one)")},
        {"lead", tr("Lead time for changes"), tr("Median from a pull request's first commit (or a direct push's commit) to production; merge to production beside it")},
        {"fail", tr("Change fail rate"), tr("Production deployments followed within 24 h by a rollback away from them or an incident that links them")},
        {"recovery", tr("Failed deployment recovery"), tr("Median from an incident opened (or the rollback answering it, if earlier) to the rollback effective")},
        {"rework", tr("Deployment rework rate"), tr("Production deployments made while an incident was open, or shipping a pull request that links one")},
    };
    int col = 0;
    for (const auto &d : defs)
        tiles->addWidget(tile(QString::fromLatin1(d.key), d.title, d.tip), 0, col++);

    auto *charts = new QHBoxLayout;
    charts->addWidget(m_deployChart, 1);
    charts->addWidget(m_leadChart, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addLayout(tiles);
    layout->addLayout(charts, 1);
    layout->addWidget(m_notes);

    connect(m_refresh, &QPushButton::clicked, this, &DoraView::refresh);
    connect(m_period, &QComboBox::currentIndexChanged, this, &DoraView::refresh);
    install(m_deployChart, freshChart(tr("Production deployments per week")));
    install(m_leadChart, freshChart(tr("Lead time for changes, median per week (hours)")));
    if (!m_collector)
        m_status->setText(tr("No Vercel project in this profile: set the Vercel token and project in Settings to read the records."));
    else
        m_status->setText(tr("Not read yet: Refresh reads the records."));
}

QLabel *DoraView::tile(const QString &metric, const QString &title, const QString &tooltip)
{
    auto *label = new QLabel(this);
    label->setObjectName(u"doraTile_"_s + metric);
    label->setToolTip(tooltip);
    label->setAccessibleName(title);
    label->setProperty("raize.title", title);
    label->setFrameShape(QFrame::StyledPanel);
    label->setMargin(8);
    label->setWordWrap(true);
    label->setMinimumWidth(170);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setText(u"<b>%1</b><br><span style='font-size:16pt'>—</span>"_s.arg(title.toHtmlEscaped()));
    m_tiles.insert(metric, label);
    return label;
}

QString DoraView::tileText(const QString &metric) const
{
    const QLabel *l = m_tiles.value(metric);
    return l ? l->text() : QString();
}

void DoraView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_read && m_collector)
        refresh();
}

void DoraView::sourcesChanged()
{
    m_read = false;
    if (isVisible())
        refresh();
}

void DoraView::refresh()
{
    if (!m_collector || m_busy)
        return;
    m_read = true;
    m_busy = true;
    m_refresh->setEnabled(false);
    const QDateTime to = QDateTime::currentDateTimeUtc();
    const QDateTime from = to.addDays(-m_period->currentData().toInt());
    m_status->setText(tr("Reading the records of %1 …").arg(m_period->currentText().toLower()));
    const QPointer<DoraView> alive(this);
    m_collector->collect(from, to, [this, alive, from, to](const Result<Release::DoraCollector::Collected> &got) {
        if (!alive)
            return;
        m_busy = false;
        m_refresh->setEnabled(true);
        if (!got) {
            m_status->setText(tr("The records could not be read: %1").arg(got.error().toString()));
            Q_EMIT refreshed();
            return;
        }
        showRecords(got.value().records, from, to, got.value().warnings);
    });
}

void DoraView::showRecords(const Release::Dora::Records &records, const QDateTime &from, const QDateTime &to, const QStringList &warnings)
{
    Release::Dora::Options o;
    o.from = from;
    o.to = to;
    o.bucketSecs = from.daysTo(to) <= 14 ? 86400 : 7 * 86400;
    o.changeFailWindowSecs = m_changeFailWindowSecs;
    m_read = true;
    m_report = Release::Dora::compute(records, o);
    m_warnings = warnings;
    const QDateTime local = QDateTime::currentDateTime();
    m_status->setText(tr("%1 to %2 (UTC) · read at %3 %4")
                          .arg(from.toUTC().toString(u"yyyy-MM-dd HH:mm"_s), to.toUTC().toString(u"yyyy-MM-dd HH:mm"_s),
                               local.toString(u"HH:mm"_s), local.timeZoneAbbreviation()));
    render();
    Q_EMIT refreshed();
}

void DoraView::render()
{
    const Release::Dora::Report &r = m_report;
    const auto set = [this](const QString &metric, const QString &value, const QString &detail) {
        QLabel *l = m_tiles.value(metric);
        l->setText(u"<b>%1</b><br><span style='font-size:16pt'>%2</span><br><span style='color:#5a6570'>%3</span>"_s.arg(
            l->property("raize.title").toString().toHtmlEscaped(), value.toHtmlEscaped(), detail.toHtmlEscaped()));
    };
    set(u"frequency"_s, u"%1"_s.arg(r.deployments), tr("%1 per day").arg(r.deploymentsPerDay, 0, 'f', 2));
    set(u"lead"_s, durationOrNa(r.leadTime),
        r.leadTime.samples.isEmpty() ? tr("no change shipped")
                                     : tr("p90 %1 · merge→prod %2").arg(formatDuration(*r.leadTime.p90()), durationOrNa(r.mergeToProduction)));
    set(u"fail"_s, percent(r.changeFailRate), tr("%1 of %2 deployments").arg(r.failedDeployments).arg(r.deployments));
    set(u"recovery"_s, durationOrNa(r.recoveryTime),
        tr("%1 recovered · %2 unrecovered").arg(r.recoveryTime.samples.size()).arg(r.unrecovered.size()));
    set(u"rework"_s, percent(r.reworkRate), tr("%1 of %2 deployments").arg(r.reworkDeployments).arg(r.deployments));

    const bool daily = r.window.bucketSecs == 86400;
    QStringList categories;
    auto *deployed = new QBarSet(tr("deployments"));
    auto *failed = new QBarSet(tr("failed"));
    deployed->setColor(QColor(u"#3b7dd8"_s));
    failed->setColor(QColor(u"#c62828"_s));
    auto *lead = new QLineSeries;
    lead->setName(tr("lead time, median (h)"));
    int most = 1;
    double longest = 1;
    for (int i = 0; i < r.trend.size(); ++i) {
        const Release::Dora::Bucket &b = r.trend.at(i);
        categories << b.from.toUTC().toString(daily ? u"MM-dd"_s : u"'wk' MM-dd"_s);
        *deployed << b.deployments;
        *failed << b.failed;
        most = std::max(most, b.deployments);
        if (b.leadTimeMedianSecs) {
            lead->append(i, *b.leadTimeMedianSecs / 3600.0);
            longest = std::max(longest, *b.leadTimeMedianSecs / 3600.0);
        }
    }
    QChart *dc = freshChart(daily ? tr("Production deployments per day") : tr("Production deployments per week"));
    auto *bars = new QBarSeries;
    bars->append(deployed);
    bars->append(failed);
    dc->addSeries(bars);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    auto *y = new QValueAxis;
    y->setRange(0, most);
    y->setTickType(QValueAxis::TicksDynamic);
    y->setTickInterval(std::max(1, most / 5));
    y->setLabelFormat(u"%d"_s);
    dc->addAxis(x, Qt::AlignBottom);
    dc->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);
    install(m_deployChart, dc);

    QString leadTitle = daily ? tr("Lead time for changes, median per day (hours)") : tr("Lead time for changes, median per week (hours)");
    if (lead->count() == 0)
        leadTitle += tr(" — no change shipped in the period");
    QChart *lc = freshChart(leadTitle);
    lc->addSeries(lead);
    auto *lx = new QValueAxis;
    lx->setRange(0, std::max<qsizetype>(1, r.trend.size() - 1));
    lx->setLabelFormat(u"%d"_s);
    lx->setTitleText(daily ? tr("day of the period") : tr("week of the period"));
    auto *ly = new QValueAxis;
    // Whole hours above 10 h, tenths below; never repeated labels on a short range.
    const double top = longest < 10 ? std::ceil(longest * 1.1 * 10.0) / 10.0 : std::ceil(longest * 1.1);
    ly->setRange(0, std::max(1.0, top));
    ly->setTickCount(5);
    ly->setLabelFormat(longest < 10 ? u"%.1f"_s : u"%.0f"_s);
    lc->addAxis(lx, Qt::AlignBottom);
    lc->addAxis(ly, Qt::AlignLeft);
    lead->attachAxis(lx);
    lead->attachAxis(ly);
    install(m_leadChart, lc);

    QStringList lines;
    for (const QString &f : r.failed)
        lines << tr("Failed: %1").arg(f);
    for (const QString &w : r.rework)
        lines << tr("Rework: %1").arg(w);
    for (const QString &n : r.notes)
        lines << tr("Note: %1").arg(n);
    for (const QString &w : m_warnings)
        lines << tr("Not read: %1").arg(w);
    m_notes->setText(lines.isEmpty() ? tr("Nothing left out.") : lines.join(u'\n'));
}

} // namespace Raize::Ui
