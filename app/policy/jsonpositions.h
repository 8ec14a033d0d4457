#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace Raize::Policy {

// Where each value of a JSON text starts, by field path, so an error found
// in a parsed section ("slos[2].objective") can name the line of the file
// the operator edits. Paths are written the way the section readers write
// them: `key.key`, `list[3]`.
class JsonPositions
{
public:
    // text must be JSON nlohmann has accepted; a text it cannot follow gives
    // the paths read up to there.
    static JsonPositions scan(const QByteArray &text);

    // 1-based line of the value at `path`, or of its nearest ancestor the
    // text has ("slos[2]" when the text has no "slos[2].objective"); 0 when
    // the text has none of them.
    int line(const QString &path) const;
    // Whether the text itself has a value at `path`.
    bool contains(const QString &path) const { return m_lines.contains(path); }

private:
    QHash<QString, int> m_lines;
};

} // namespace Raize::Policy
