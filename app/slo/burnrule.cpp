#include "burnrule.h"

#include "slospec.h"

using namespace Qt::StringLiterals;

namespace Raize::Slo {

namespace {

QString duration(qint64 ms)
{
    if (ms % DayMs == 0)
        return u"%1d"_s.arg(ms / DayMs);
    if (ms % HourMs == 0)
        return u"%1h"_s.arg(ms / HourMs);
    if (ms % MinuteMs == 0)
        return u"%1m"_s.arg(ms / MinuteMs);
    return u"%1s"_s.arg(double(ms) / 1000.0);
}

} // namespace

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::None:
        return u"none"_s;
    case Severity::NotEnoughData:
        return u"not-enough-data"_s;
    case Severity::Ticket:
        return u"ticket"_s;
    case Severity::Page:
        return u"page"_s;
    }
    return {};
}

QString BurnRule::name() const
{
    return u"%1 %2× %3/%4"_s.arg(severityName(severity)).arg(burnRate).arg(duration(longWindowMs), duration(shortWindowMs));
}

double BurnRule::budgetConsumed(qint64 budgetWindowMs) const
{
    return budgetWindowMs > 0 ? burnRate * double(longWindowMs) / double(budgetWindowMs) : 0.0;
}

// defaultBurnRules() is defined in slopolicy.cpp: it reads the built-in policy bundle.

} // namespace Raize::Slo
