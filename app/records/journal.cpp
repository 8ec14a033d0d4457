#include "records/journal.h"

#include "core/redactor.h"

#include <QDir>
#include <QFile>

#include <unistd.h>

namespace Raize::Records {

using namespace Qt::StringLiterals;

Journal::Journal(QString directory)
    : m_dir(std::move(directory))
{
}

QString Journal::fileFor(const QDate &date) const
{
    return m_dir + u'/' + date.toString(Qt::ISODate) + u".md"_s;
}

QString Journal::render(const JournalEntry &e)
{
    const QDateTime t = (e.time.isValid() ? e.time : QDateTime::currentDateTimeUtc()).toUTC();
    const auto list = [](const QStringList &items, const QString &empty) -> QString {
        if (items.isEmpty())
            return u"- "_s + empty + u'\n';
        QString s;
        for (const QString &i : items)
            s += u"- "_s + Redactor::redact(i) + u'\n';
        return s;
    };
    QString out = u"\n## %1 UTC — %2\n\n"_s.arg(t.toString(u"HH:mm"_s), Redactor::redact(e.title));
    if (!e.author.isEmpty())
        out += u"_by %1_\n\n"_s.arg(e.author);
    out += u"**What shipped**\n\n"_s + list(e.shipped, u"nothing"_s);
    out += u"\n**What was observed**\n\n"_s + list(e.observed, u"nothing recorded"_s);
    out += u"\n**Anomalies**\n\n"_s + list(e.anomalies, u"none"_s);
    if (!e.links.isEmpty())
        out += u"\n**Links**\n\n"_s + list(e.links, {});
    if (!e.id.isEmpty())
        out += u"\n"_s + marker(e.id) + u'\n';
    return out;
}

QString Journal::marker(const QString &id)
{
    if (id.isEmpty())
        return {};
    QString safe = id;
    safe.replace(u"--"_s, u"-"_s); // an HTML comment cannot hold "--"
    return u"<!-- raize-entry: %1 -->"_s.arg(safe);
}

bool Journal::containsEntry(const QString &text, const QString &id)
{
    return !id.isEmpty() && text.contains(marker(id));
}

QString Journal::appendedText(const QString &existing, const QDate &date, const JournalEntry &entry)
{
    QString text = existing;
    if (text.isEmpty())
        text = u"# Journal — %1\n"_s.arg(date.toString(Qt::ISODate));
    else if (!text.endsWith(u'\n'))
        text += u'\n';
    return text + render(entry);
}

Result<QString> Journal::append(const JournalEntry &entry) const
{
    if (entry.title.trimmed().isEmpty())
        return Error::make(Error::Kind::Refused, u"journal"_s, u"a journal entry needs a title"_s, u"say what the entry is about"_s);
    const QDate date = (entry.time.isValid() ? entry.time : QDateTime::currentDateTimeUtc()).toUTC().date();
    if (!QDir().mkpath(m_dir))
        return Error::make(Error::Kind::Io, u"journal"_s, u"cannot create %1"_s.arg(m_dir), u"check the folder's permissions"_s);
    const QString path = fileFor(date);
    QFile f(path);
    const bool exists = f.exists();
    bool needsNewline = false;
    if (exists && f.open(QIODevice::ReadOnly)) {
        if (f.size() > 0) {
            f.seek(f.size() - 1);
            needsNewline = f.read(1) != "\n";
        }
        f.close();
    }
    // Append mode: the file's existing text cannot be touched.
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
        return Error::make(Error::Kind::Io, u"journal"_s, u"cannot append to %1: %2"_s.arg(path, f.errorString()),
                           u"check the file's permissions"_s);
    QString text;
    if (!exists)
        text = u"# Journal — %1\n"_s.arg(date.toString(Qt::ISODate));
    else if (needsNewline)
        text = u"\n"_s;
    text += render(entry);
    const QByteArray bytes = text.toUtf8();
    if (f.write(bytes) != bytes.size() || !f.flush())
        return Error::make(Error::Kind::Io, u"journal"_s, u"writing %1 failed: %2"_s.arg(path, f.errorString()),
                           u"check free space"_s);
    ::fsync(f.handle());
    return path;
}

} // namespace Raize::Records
