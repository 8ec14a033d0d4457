#!/usr/bin/env bash
# Runs every benchmark in build/<preset>/bench and prints their figures.
# Benchmarks never fail on time; a non-zero exit means one could not run.
#   tools/bench.sh [preset]     (default: release)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${1:-release}"
BUILD="$REPO/build/$PRESET"
[ -f "$BUILD/CMakeCache.txt" ] || cmake --preset "$PRESET" -S "$REPO" >/dev/null
cmake --build "$BUILD" >/dev/null
status=0
for b in "$BUILD"/bench/*; do
    [ -x "$b" ] || continue
    printf '\n== %s\n' "$(basename "$b")"
    QT_QPA_PLATFORM=offscreen "$b" || { echo "   (could not run: exit $?)"; status=1; }
done
exit $status
