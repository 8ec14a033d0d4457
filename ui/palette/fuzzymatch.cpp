#include "palette/fuzzymatch.h"

#include <algorithm>
#include <vector>

namespace Raize::Ui {

namespace {

bool isWordStart(QStringView text, qsizetype i)
{
    if (i == 0)
        return true;
    const QChar prev = text[i - 1], c = text[i];
    if (!prev.isLetterOrNumber())
        return true;                          // after a space, '-', '.', ':' …
    if (prev.isLower() && c.isUpper())
        return true;                          // camelCase
    return prev.isLetter() && c.isDigit();    // "stage2"
}

} // namespace

std::optional<int> fuzzyScore(QStringView pattern, QStringView text, QList<int> *positions)
{
    QString p;
    for (QChar c : pattern) {
        if (!c.isSpace())
            p += c.toCaseFolded();
    }
    if (positions)
        positions->clear();
    if (p.isEmpty())
        return 0;
    const qsizetype n = text.size(), m = p.size();
    if (m > n)
        return std::nullopt;

    // Dynamic programming over (pattern index, text index): the best score of
    // matching p[0..i] with p[i] at text[j]. Small inputs (titles), so O(m·n).
    constexpr int None = -1'000'000;
    constexpr int Match = 16, WordStart = 24, Consecutive = 20, FirstChar = 12, Gap = 1;
    std::vector<int> score(size_t(m * n), None);
    std::vector<int> from(size_t(m * n), -1);
    const auto at = [n](qsizetype i, qsizetype j) { return size_t(i * n + j); };
    for (qsizetype j = 0; j < n; ++j) {
        if (text[j].toCaseFolded() != p[0])
            continue;
        int s = Match + (isWordStart(text, j) ? WordStart : 0) - int(std::min<qsizetype>(j, 20)) * Gap;
        if (j == 0)
            s += FirstChar;
        score[at(0, j)] = s;
    }
    for (qsizetype i = 1; i < m; ++i) {
        int bestPrev = None;
        qsizetype bestPrevJ = -1;
        for (qsizetype j = i; j < n; ++j) {
            // The best predecessor strictly before j - 1 (a gap), kept as we go.
            if (j - 2 >= i - 1 && score[at(i - 1, j - 2)] != None) {
                const int candidate = score[at(i - 1, j - 2)] + int(j - 2);
                if (candidate > bestPrev) {
                    bestPrev = candidate;
                    bestPrevJ = j - 2;
                }
            }
            if (text[j].toCaseFolded() != p[i])
                continue;
            const int here = Match + (isWordStart(text, j) ? WordStart : 0);
            int best = None;
            qsizetype bestJ = -1;
            if (score[at(i - 1, j - 1)] != None) { // consecutive
                best = score[at(i - 1, j - 1)] + here + Consecutive;
                bestJ = j - 1;
            }
            if (bestPrev != None) {
                // bestPrev holds score + its index: subtract j to charge the gap length.
                const int gapped = bestPrev - int(j) + here - Gap * 2;
                if (gapped > best) {
                    best = gapped;
                    bestJ = bestPrevJ;
                }
            }
            score[at(i, j)] = best;
            from[at(i, j)] = int(bestJ);
        }
    }
    int best = None;
    qsizetype bestJ = -1;
    for (qsizetype j = m - 1; j < n; ++j) {
        if (score[at(m - 1, j)] > best) {
            best = score[at(m - 1, j)];
            bestJ = j;
        }
    }
    if (best == None)
        return std::nullopt;
    if (positions) {
        QList<int> pos;
        for (qsizetype i = m - 1, j = bestJ; i >= 0 && j >= 0; --i) {
            pos.prepend(int(j));
            j = from[at(i, j)];
        }
        *positions = pos;
    }
    // Shorter texts win ties: "Canary" before "Canary cohorts editor" for "can".
    return best - int(std::min<qsizetype>(n - m, 40)) / 4;
}

} // namespace Raize::Ui
