#include "policy/jsonpositions.h"

#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;

namespace Raize::Policy {

namespace {

class Scanner
{
public:
    Scanner(const QByteArray &text, QHash<QString, int> &out) : m_text(text), m_out(out) {}

    bool value(const QString &path)
    {
        skipSpace();
        if (m_at >= m_text.size())
            return false;
        m_out.insert(path, m_line);
        const char c = m_text.at(m_at);
        if (c == '{')
            return object(path);
        if (c == '[')
            return array(path);
        if (c == '"')
            return string(nullptr);
        // A number, true, false or null: up to the next delimiter.
        while (m_at < m_text.size() && !QByteArrayView(",]} \t\r\n").contains(m_text.at(m_at)))
            ++m_at;
        return true;
    }

private:
    void skipSpace()
    {
        while (m_at < m_text.size()) {
            const char c = m_text.at(m_at);
            if (c == '\n')
                ++m_line;
            else if (c != ' ' && c != '\t' && c != '\r')
                return;
            ++m_at;
        }
    }

    bool expect(char c)
    {
        skipSpace();
        if (m_at >= m_text.size() || m_text.at(m_at) != c)
            return false;
        ++m_at;
        return true;
    }

    bool string(QString *decoded)
    {
        const qsizetype start = m_at++;
        while (m_at < m_text.size() && m_text.at(m_at) != '"')
            m_at += m_text.at(m_at) == '\\' ? 2 : 1;
        if (m_at >= m_text.size())
            return false;
        ++m_at;
        if (decoded) {
            const QByteArray raw = m_text.mid(start, m_at - start);
            const nlohmann::json s = nlohmann::json::parse(raw.cbegin(), raw.cend(), nullptr, false);
            if (!s.is_string())
                return false;
            *decoded = QString::fromStdString(s.get<std::string>());
        }
        return true;
    }

    bool object(const QString &path)
    {
        ++m_at;
        skipSpace();
        if (m_at < m_text.size() && m_text.at(m_at) == '}') {
            ++m_at;
            return true;
        }
        for (;;) {
            skipSpace();
            QString key;
            if (m_at >= m_text.size() || m_text.at(m_at) != '"' || !string(&key) || !expect(':'))
                return false;
            if (!value(path.isEmpty() ? key : path + u'.' + key))
                return false;
            skipSpace();
            if (m_at < m_text.size() && m_text.at(m_at) == ',') {
                ++m_at;
                continue;
            }
            return expect('}');
        }
    }

    bool array(const QString &path)
    {
        ++m_at;
        skipSpace();
        if (m_at < m_text.size() && m_text.at(m_at) == ']') {
            ++m_at;
            return true;
        }
        for (int i = 0;; ++i) {
            if (!value(u"%1[%2]"_s.arg(path).arg(i)))
                return false;
            skipSpace();
            if (m_at < m_text.size() && m_text.at(m_at) == ',') {
                ++m_at;
                continue;
            }
            return expect(']');
        }
    }

    const QByteArray &m_text;
    QHash<QString, int> &m_out;
    qsizetype m_at = 0;
    int m_line = 1;
};

} // namespace

JsonPositions JsonPositions::scan(const QByteArray &text)
{
    JsonPositions p;
    Scanner(text, p.m_lines).value(QString());
    return p;
}

int JsonPositions::line(const QString &path) const
{
    QString p = path;
    while (!p.isEmpty()) { // the document itself is no answer: its line says nothing
        if (const auto it = m_lines.constFind(p); it != m_lines.cend())
            return *it;
        const qsizetype dot = p.lastIndexOf(u'.'), bracket = p.lastIndexOf(u'[');
        const qsizetype cut = std::max(dot, bracket);
        p = cut > 0 ? p.left(cut) : QString();
    }
    return 0;
}

} // namespace Raize::Policy
