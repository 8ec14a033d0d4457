// The release timeline with 100,000 events (issue #7): model load (batches
// of 5,000, as a feed appends them) and the frame time of zoom and pan
// (a full paint of the canvas, 1600 × 260 px, into an image after each
// step), median over 60 zoom and 60 pan steps. Deterministic data (fixed
// seed). Prints figures, never fails on time. Goals: load < 500 ms, median
// frame < 16 ms.
//
//   build/ci/bench/bench_timeline

#include "timeline/timelinecanvas.h"
#include "timeline/timelinemodel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Ui;

namespace {

constexpr int Events = 100'000;
constexpr qint64 T0 = 1'767'225'600'000; // 2026-01-01T00:00:00Z
constexpr qint64 Span = 120LL * 86'400'000; // four months

QList<TimelineEvent> generate()
{
    std::minstd_rand rng(7);
    std::uniform_int_distribution<qint64> when(T0, T0 + Span);
    std::uniform_int_distribution<int> pick(0, 1000);
    const QStringList envs = {u"Preview"_s, u"Staging"_s, u"Production"_s};
    const QStringList services = {u"web"_s, u"runner"_s, u"tools"_s};
    QList<TimelineEvent> out;
    out.reserve(Events);
    for (int i = 0; i < Events; ++i) {
        TimelineEvent e;
        e.timeMs = when(rng);
        e.kind = TimelineEvent::Kind(pick(rng) % 8);
        e.environment = envs[pick(rng) % 3];
        e.service = services[pick(rng) % 3];
        e.level = Release::Level(pick(rng) % 4);
        e.title = u"dpl_%1 READY"_s.arg(i);
        e.state = pick(rng) % 10 == 0 ? u"ERROR"_s : u"READY"_s;
        e.url = u"https://vercel.com/raize/web/dpl_%1"_s.arg(i);
        out << e;
    }
    return out;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QList<TimelineEvent> events = generate();

    // Load: median of 5 fresh models.
    QList<double> loads;
    for (int run = 0; run < 5; ++run) {
        TimelineModel model;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < Events; i += 5000)
            model.append(events.mid(i, 5000));
        loads << t.nsecsElapsed() / 1e6;
    }

    TimelineModel model;
    for (int i = 0; i < Events; i += 5000)
        model.append(events.mid(i, 5000));
    TimelineCanvas canvas(&model);
    canvas.resize(1600, canvas.sizeHint().height());
    canvas.fitAll();
    QImage image(canvas.size(), QImage::Format_ARGB32_Premultiplied);
    const auto frame = [&] {
        QElapsedTimer t;
        t.start();
        canvas.render(&image);
        return t.nsecsElapsed() / 1e6;
    };
    frame(); // warm up (fonts, glyph cache)
    const double fullView = frame();

    QList<double> zoom, pan;
    const double w = canvas.plotWidth();
    for (int i = 0; i < 60; ++i) { // in to minutes and back out to the whole range
        canvas.setScale(canvas.scale().zoomedAt(w * 0.4, i < 30 ? 1.4 : 1 / 1.4));
        zoom << frame();
    }
    canvas.fitAll();
    for (int i = 0; i < 60; ++i) {
        canvas.setScale(canvas.scale().panned(i < 30 ? 40 : -40));
        pan << frame();
    }
    std::printf("timeline, %d events in 6 lanes over 120 days\n", Events);
    std::printf("  model load (20 batches of 5,000): median %.1f ms of 5 runs (goal < 500 ms)\n", median(loads));
    std::printf("  frame, whole range visible:       %.2f ms\n", fullView);
    std::printf("  zoom frame: median %.2f ms, max %.2f ms (60 steps; goal median < 16 ms)\n", median(zoom),
                *std::max_element(zoom.cbegin(), zoom.cend()));
    std::printf("  pan frame:  median %.2f ms, max %.2f ms (60 steps; goal median < 16 ms)\n", median(pan),
                *std::max_element(pan.cbegin(), pan.cend()));
    return 0;
}
