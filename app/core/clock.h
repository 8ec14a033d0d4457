#pragma once

#include <QDateTime>
#include <QTimeZone>

namespace Raize {

// Time comes in through this interface so that decisions stay pure and
// tests can move time by hand (KeePassXC's Clock/MockClock).
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime nowUtc() const = 0;
    qint64 nowMs() const { return nowUtc().toMSecsSinceEpoch(); }

    static const Clock &system();
};

class ManualClock final : public Clock
{
public:
    explicit ManualClock(QDateTime start = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC))
        : m_now(std::move(start)) {}
    QDateTime nowUtc() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }
    void advanceMs(qint64 ms) { m_now = m_now.addMSecs(ms); }

private:
    QDateTime m_now;
};

} // namespace Raize
