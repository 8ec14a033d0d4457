#pragma once

#include <QList>
#include <QPointF>

namespace Raize::Slo {

// Largest-Triangle-Three-Buckets downsampling (Steinarsson, "Downsampling
// Time Series for Visual Representation", 2013): keeps the first and last
// points and, from each of threshold − 2 equal buckets in between, the point
// that makes the largest triangle with the point kept before it and the
// average of the next bucket, so spikes survive where plain decimation
// would drop them. Points must be sorted by x.
//
// Returns the input unchanged when threshold >= its size or threshold <= 0
// (no limit); the first and last points when threshold is 1 or 2.
QList<QPointF> lttb(const QList<QPointF> &points, int threshold);

} // namespace Raize::Slo
