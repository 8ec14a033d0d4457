#pragma once

#include <QList>
#include <QStringView>

#include <optional>

namespace Raize::Ui {

// Fuzzy matching for the command palette: every character of the pattern must
// appear in the text in order (case-insensitive); the score favours matches at
// word starts ("rb" → "RollBack"), runs of consecutive characters and an early
// first match, and penalises gaps. nullopt: no match. An empty pattern matches
// everything with score 0. `positions` receives the matched indexes of text
// (for highlighting).
std::optional<int> fuzzyScore(QStringView pattern, QStringView text, QList<int> *positions = nullptr);

} // namespace Raize::Ui
