#include "net/ratelimit.h"

#include <QRegularExpression>

#include <algorithm>

namespace Raize::Net {

using namespace Qt::StringLiterals;

namespace {

int monthOf(QStringView name)
{
    static const QStringList months = {u"Jan"_s, u"Feb"_s, u"Mar"_s, u"Apr"_s, u"May"_s, u"Jun"_s,
                                       u"Jul"_s, u"Aug"_s, u"Sep"_s, u"Oct"_s, u"Nov"_s, u"Dec"_s};
    return int(months.indexOf(name.toString())) + 1; // 0: not a month
}

QDateTime make(int year, int month, int day, int h, int m, int s)
{
    const QDate date(year, month, day);
    const QTime time(h, m, s);
    if (month == 0 || !date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, Qt::UTC);
}

} // namespace

QDateTime parseHttpDate(QByteArrayView text, const QDateTime &nowUtc)
{
    // HTTP-date is case-sensitive and has no optional whitespace (RFC 9110 §5.6.7); headers arrive trimmed.
    const QString s = QString::fromLatin1(text.toByteArray()).trimmed();
    static const QRegularExpression imf(
        u"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ([A-Z][a-z]{2}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$"_s);
    static const QRegularExpression rfc850(
        u"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-([A-Z][a-z]{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$"_s);
    static const QRegularExpression asctime(
        u"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$"_s);
    if (const auto m = imf.match(s); m.hasMatch())
        return make(m.captured(3).toInt(), monthOf(m.capturedView(2)), m.captured(1).toInt(), m.captured(4).toInt(),
                    m.captured(5).toInt(), m.captured(6).toInt());
    if (const auto m = rfc850.match(s); m.hasMatch()) {
        // §5.6.7: a two-digit year more than 50 years in the future is the most recent past year with those digits.
        const int yy = m.captured(3).toInt();
        const int nowYear = (nowUtc.isValid() ? nowUtc : QDateTime::currentDateTimeUtc()).date().year();
        int year = nowYear - nowYear % 100 + yy;
        if (year > nowYear + 50)
            year -= 100;
        return make(year, monthOf(m.capturedView(2)), m.captured(1).toInt(), m.captured(4).toInt(), m.captured(5).toInt(),
                    m.captured(6).toInt());
    }
    if (const auto m = asctime.match(s); m.hasMatch())
        return make(m.captured(6).toInt(), monthOf(m.capturedView(1)), m.captured(2).trimmed().toInt(), m.captured(3).toInt(),
                    m.captured(4).toInt(), m.captured(5).toInt());
    return {};
}

std::optional<qint64> parseRetryAfter(QByteArrayView value, const QDateTime &nowUtc)
{
    const QByteArray v = value.toByteArray().trimmed();
    if (v.isEmpty())
        return std::nullopt;
    if (std::all_of(v.cbegin(), v.cend(), [](char c) { return c >= '0' && c <= '9'; })) {
        // delay-seconds: 1*DIGIT. Anything beyond a day is as good as "too long" (and cannot overflow).
        constexpr qint64 Day = 86400;
        const qint64 seconds = v.size() > 6 ? Day : qMin(Day, v.toLongLong());
        return seconds * 1000;
    }
    const QDateTime at = parseHttpDate(v, nowUtc);
    if (!at.isValid())
        return std::nullopt;
    return qMax<qint64>(0, nowUtc.msecsTo(at));
}

RateLimitKind rateLimitKind(Service service, int status, const QString &message, const QString &code,
                            const QHash<QByteArray, QByteArray> &headers)
{
    if (status != 403 && status != 429 && code != u"rate_limited"_s)
        return RateLimitKind::None;
    const bool secondaryWords = message.contains(u"secondary rate limit"_s, Qt::CaseInsensitive)
                                || message.contains(u"abuse detection"_s, Qt::CaseInsensitive)
                                || message.contains(u"abuse rate limit"_s, Qt::CaseInsensitive);
    if (service == Service::GitHub && secondaryWords)
        return RateLimitKind::Secondary;
    if (headers.value("x-ratelimit-remaining") == "0")
        return RateLimitKind::Primary;
    if (!headers.value("retry-after").trimmed().isEmpty())
        return RateLimitKind::Secondary;
    if (status == 429 || code == u"rate_limited"_s)
        return service == Service::GitHub ? RateLimitKind::Secondary : RateLimitKind::Primary;
    return RateLimitKind::None; // a 403 that is none of these: a permission or token problem
}

RateLimitWait rateLimitWait(Service service, RateLimitKind kind, const QHash<QByteArray, QByteArray> &headers, int secondaryHits,
                            const RateLimitRules &rules, const QDateTime &nowUtc)
{
    RateLimitWait w;
    w.kind = kind;
    if (const auto retryAfter = parseRetryAfter(headers.value("retry-after"), nowUtc)) {
        w.waitMs = *retryAfter;
        w.basis = u"Retry-After"_s;
    } else if (kind == RateLimitKind::Secondary && service == Service::GitHub) {
        // GitHub: "wait for at least one minute before retrying", and longer each time it happens again.
        const int doublings = qBound(0, secondaryHits - 1, 10);
        w.waitMs = rules.secondaryMinimumMs << doublings;
        w.basis = doublings == 0 ? u"no Retry-After: GitHub asks for at least a minute"_s
                                 : u"no Retry-After: GitHub's minute, doubled for hit %1"_s.arg(secondaryHits);
    } else if (const qint64 reset = headers.value("x-ratelimit-reset").trimmed().toLongLong(); reset > 0) {
        // The reset is a whole second: wait past it, never 0 ms (that only spends the attempts).
        w.waitMs = qMax<qint64>(1000, (reset + 1) * 1000 - nowUtc.toMSecsSinceEpoch());
        w.basis = u"x-ratelimit-reset"_s;
    } else {
        w.waitMs = rules.backoffMs;
        w.basis = u"backoff"_s;
    }
    w.until = nowUtc.addMSecs(w.waitMs);
    return w;
}

QString RateLimitWait::describe(Service service) const
{
    const QString what = kind == RateLimitKind::Secondary ? (service == Service::GitHub ? u"secondary rate limit"_s : u"rate limit"_s)
                                                          : u"rate limit budget used up"_s;
    return u"%1 asks us to wait until %2 UTC (%3; %4)"_s.arg(serviceDisplayName(service), until.toUTC().toString(u"HH:mm:ss"_s), what,
                                                           basis);
}

} // namespace Raize::Net
