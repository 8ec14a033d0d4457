#include "lttb.h"

#include <cmath>

namespace Raize::Slo {

QList<QPointF> lttb(const QList<QPointF> &points, int threshold)
{
    const qsizetype n = points.size();
    if (threshold <= 0 || threshold >= n)
        return points;
    if (threshold < 3)
        return {points.first(), points.last()};

    QList<QPointF> out;
    out.reserve(threshold);
    out.append(points.first());
    // n − 2 inner points into threshold − 2 buckets of `every` points each.
    const double every = double(n - 2) / double(threshold - 2);
    qsizetype a = 0; // the point kept last
    for (int i = 0; i < threshold - 2; ++i) {
        // Average of the next bucket (the last point for the last bucket).
        const qsizetype nextStart = qsizetype(std::floor((i + 1) * every)) + 1;
        const qsizetype nextEnd = std::min<qsizetype>(qsizetype(std::floor((i + 2) * every)) + 1, n);
        double avgX = 0, avgY = 0;
        for (qsizetype j = nextStart; j < nextEnd; ++j) {
            avgX += points[j].x();
            avgY += points[j].y();
        }
        const double count = double(nextEnd - nextStart);
        avgX /= count;
        avgY /= count;

        // The point of this bucket with the largest triangle (a, point, average).
        const qsizetype start = qsizetype(std::floor(i * every)) + 1;
        const qsizetype end = qsizetype(std::floor((i + 1) * every)) + 1;
        const double ax = points[a].x(), ay = points[a].y();
        double maxArea = -1;
        qsizetype chosen = start;
        for (qsizetype j = start; j < end; ++j) {
            const double area = std::abs((ax - avgX) * (points[j].y() - ay) - (ax - points[j].x()) * (avgY - ay));
            if (area > maxArea) {
                maxArea = area;
                chosen = j;
            }
        }
        out.append(points[chosen]);
        a = chosen;
    }
    out.append(points.last());
    return out;
}

} // namespace Raize::Slo
