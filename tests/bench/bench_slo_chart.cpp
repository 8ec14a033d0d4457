// The SLOs view's chart path (issue #8, part 5): a burn-rate line of 30 days
// at 1 minute (43,200 points) is downsampled with LTTB to 1,000 points, put
// into the QLineSeries and the chart is painted (QChartView::grab, which
// renders the whole scene into a pixmap, as a repaint does). Compared with
// drawing the 43,200 points as they are, and with three cohorts at once.
// Median of 11 after one warm-up; offscreen. Prints figures, never fails on time.
//
//   QT_QPA_PLATFORM=offscreen build/ci/bench/bench_slo_chart

#include "slo/lttb.h"
#include "slo/slospec.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QPixmap>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>

using namespace Raize::Slo;

namespace {

constexpr qint64 T0 = 1'767'225'600'000;
constexpr int Points = 30 * 1440;

// A burn line with a daily cycle, noise and one incident spike (like the house cohort's).
QList<QPointF> burnLine(int seed)
{
    std::minstd_rand rng(seed);
    std::normal_distribution<double> noise(0, 0.05);
    QList<QPointF> out;
    out.reserve(Points);
    for (int i = 0; i < Points; ++i) {
        double y = 0.3 + 0.1 * std::sin(i * 2 * M_PI / 1440) + noise(rng);
        if (i > Points - 70)
            y = 16.2;
        out.append(QPointF(double(T0 + qint64(i) * MinuteMs), std::max(0.0, y)));
    }
    return out;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double timeMs(const std::function<void()> &work)
{
    QElapsedTimer t;
    t.start();
    work();
    return double(t.nsecsElapsed()) / 1e6;
}

struct Chart
{
    QChartView view;
    QList<QLineSeries *> series;

    explicit Chart(int lines)
    {
        auto *chart = new QChart;
        auto *x = new QDateTimeAxis;
        x->setRange(QDateTime::fromMSecsSinceEpoch(T0, Qt::UTC), QDateTime::fromMSecsSinceEpoch(T0 + Points * MinuteMs, Qt::UTC));
        auto *y = new QValueAxis;
        y->setRange(0, 18);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        for (int i = 0; i < lines + 2; ++i) { // the lines and two threshold lines
            auto *s = new QLineSeries;
            chart->addSeries(s);
            s->attachAxis(x);
            s->attachAxis(y);
            series << s;
        }
        series[lines]->append({QPointF(double(T0), 14.4), QPointF(double(T0 + Points * MinuteMs), 14.4)});
        series[lines + 1]->append({QPointF(double(T0), 6), QPointF(double(T0 + Points * MinuteMs), 6)});
        view.setChart(chart);
        view.resize(900, 420);
        view.show();
    }
};

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QList<QPointF> line = burnLine(1);
    const QList<QList<QPointF>> three = {burnLine(1), burnLine(2), burnLine(3)};

    const auto run = [&](const char *what, int lines, bool downsample) {
        Chart chart(lines);
        QList<double> total, lttbMs;
        for (int r = 0; r < 12; ++r) {
            double down = 0;
            const double t = timeMs([&] {
                for (int i = 0; i < lines; ++i) {
                    const QList<QPointF> &src = lines == 1 ? line : three[i];
                    QElapsedTimer d;
                    d.start();
                    const QList<QPointF> pts = downsample ? lttb(src, 1000) : src;
                    down += double(d.nsecsElapsed()) / 1e6;
                    chart.series[i]->replace(pts);
                }
                const QPixmap p = chart.view.grab();
                Q_UNUSED(p);
            });
            if (r == 0)
                continue; // warm-up
            total << t;
            lttbMs << down;
        }
        std::printf("%-44s median %7.2f ms (LTTB %5.2f ms), min %7.2f ms, max %7.2f ms\n", what, median(total), median(lttbMs),
                    *std::min_element(total.cbegin(), total.cend()), *std::max_element(total.cbegin(), total.cend()));
        return median(total);
    };
    const double one = run("1 line, 43,200 -> 1,000 (LTTB) + paint", 1, true);
    const double raw = run("1 line, 43,200 points as they are + paint", 1, false);
    run("3 cohorts, 43,200 -> 1,000 each + paint", 3, true);
    std::printf("redraw after LTTB: %.2f ms (goal < 16 ms: %s); without downsampling %.1fx slower\n", one, one < 16 ? "met" : "NOT met",
                raw / one);
    return 0;
}
