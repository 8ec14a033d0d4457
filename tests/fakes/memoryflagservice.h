#pragma once

// In-process test doubles for the flag path (auto-pacing, issue #8 part 6):
// a FlagService that keeps flags in memory and answers on the next turn of
// the event loop, and an AuditSink that keeps records in a list. Header only:
// core and UI tests include it without a library.

#include "records/auditlog.h"
#include "services/flags/flagservice.h"

#include <QList>
#include <QStringList>
#include <QTimer>

namespace RaizeTest {

class MemoryAudit final : public Raize::Records::AuditSink
{
public:
    Raize::Status append(Raize::Records::AuditRecord &record) override
    {
        if (refuse)
            return Raize::Error::make(Raize::Error::Kind::Io, QStringLiteral("audit"), QStringLiteral("disk full"));
        record.seq = records.size() + 1;
        records << record;
        return Raize::okStatus();
    }
    QStringList actions() const
    {
        QStringList out;
        for (const auto &r : records)
            out << r.action;
        return out;
    }
    QList<Raize::Records::AuditRecord> records;
    bool refuse = false;
};

class MemoryFlagService final : public Raize::Services::FlagService
{
public:
    QList<Raize::Services::FlagState> flags;
    QStringList calls;           // "setScope flag env scope", "setEnabled flag env on"
    bool failWrites = false;     // every write answers an error
    bool hideWrites = false;     // writes succeed but listFlags keeps answering the old state (no read-back)
    QList<Raize::Services::FlagState> visible; // what listFlags answers while hideWrites
    bool failReads = false;      // listFlags answers an error (the flag service is down)

    QString backendName() const override { return QStringLiteral("memory"); }
    QString project() const override { return QStringLiteral("default"); }
    QString defaultEnvironment() const override { return QStringLiteral("production"); }

    void listFlags(const QString &, Callback<QList<Raize::Services::FlagState>> done) override
    {
        if (failReads) {
            QTimer::singleShot(0, [done] { done(Raize::Error::make(Raize::Error::Kind::Network, QStringLiteral("memory"), QStringLiteral("connection refused"))); });
            return;
        }
        const auto answer = hideWrites ? visible : flags;
        QTimer::singleShot(0, [done, answer] { done(answer); });
    }
    void flag(const QString &key, const QString &, Callback<Raize::Services::FlagState> done) override
    {
        for (const auto &f : flags) {
            if (f.key == key) {
                QTimer::singleShot(0, [done, f] { done(f); });
                return;
            }
        }
        QTimer::singleShot(0, [done] { done(Raize::Error::make(Raize::Error::Kind::Http, QStringLiteral("memory"), QStringLiteral("no such flag"))); });
    }
    void setEnabled(const QString &key, const QString &env, bool on, StatusCallback done) override
    {
        calls << QStringLiteral("setEnabled %1 %2 %3").arg(key, env, on ? QStringLiteral("on") : QStringLiteral("off"));
        if (failWrites) {
            QTimer::singleShot(0, [done] { done(Raize::Error::make(Raize::Error::Kind::Http, QStringLiteral("memory"), QStringLiteral("HTTP 500"))); });
            return;
        }
        for (auto &f : flags) {
            if (f.key == key)
                f.enabled = on;
        }
        QTimer::singleShot(0, [done] { done(Raize::okStatus()); });
    }
    void setScope(const QString &key, const QString &env, const Raize::Services::FlagScope &scope, int percent,
                  Callback<Raize::Services::FlagStrategy> done) override
    {
        calls << QStringLiteral("setScope %1 %2 %3").arg(key, env, scope.describe());
        if (failWrites) {
            QTimer::singleShot(0, [done] { done(Raize::Error::make(Raize::Error::Kind::Http, QStringLiteral("memory"), QStringLiteral("HTTP 500"))); });
            return;
        }
        Raize::Services::FlagStrategy s;
        s.id = QStringLiteral("s-") + key;
        s.name = QStringLiteral("flexibleRollout");
        s.rolloutPercent = percent;
        s.scope = scope;
        for (auto &f : flags) {
            if (f.key == key)
                f.strategies = {s};
        }
        QTimer::singleShot(0, [done, s] { done(s); });
    }
    void effectiveState(const QString &, const QString &, const Raize::Services::FlagContext &,
                        Callback<Raize::Services::FlagEvaluation> done) override
    {
        QTimer::singleShot(0, [done] { done(Raize::Services::FlagEvaluation{}); });
    }
    void health(Callback<Raize::Services::FlagHealth> done) override
    {
        QTimer::singleShot(0, [done] { done(Raize::Services::FlagHealth{true, QStringLiteral("GOOD"), 0}); });
    }
    // The memory backend's own "requests": what a plan previews for it.
    QList<Raize::Net::RequestPreview> previewServe(const Raize::Services::ServeChange &c) const override
    {
        Raize::Net::RequestPreview p;
        p.service = QStringLiteral("flags");
        p.method = QStringLiteral("SET");
        p.path = QStringLiteral("memory/%1/%2/%3").arg(c.flag, c.environment, c.on ? QStringLiteral("on") : QStringLiteral("off"));
        return {p};
    }
    void serve(const Raize::Services::ServeChange &c, StatusCallback done) override
    {
        calls << QStringLiteral("serve %1 %2 %3 %4").arg(c.flag, c.environment, c.scope.describe(), c.on ? QStringLiteral("on") : QStringLiteral("off"));
        if (!c.scope.global()) {
            QTimer::singleShot(0, [done] { done(Raize::Error::make(Raize::Error::Kind::Refused, QStringLiteral("memory"), QStringLiteral("global only"))); });
            return;
        }
        setEnabled(c.flag, c.environment, c.on, std::move(done));
        calls.removeLast(); // one call recorded: the serve
    }
    QList<Raize::Net::RequestPreview> previewServed(const Raize::Services::ServedQuery &q) const override
    {
        Raize::Net::RequestPreview p;
        p.service = QStringLiteral("flags");
        p.method = QStringLiteral("GET");
        p.path = QStringLiteral("memory/") + q.flags.join(QLatin1Char(','));
        return {p};
    }
    void served(const Raize::Services::ServedQuery &q, Callback<QList<Raize::Services::ServedState>> done) override
    {
        calls << QStringLiteral("served %1").arg(q.flags.join(QLatin1Char(',')));
        QList<Raize::Services::ServedState> out;
        for (const QString &key : q.flags) {
            Raize::Services::ServedState st;
            st.flag = key;
            st.environment = q.environment;
            for (const auto &f : hideWrites ? visible : flags) {
                if (f.key == key)
                    st.on = f.enabled;
            }
            out << st;
        }
        QTimer::singleShot(0, [done, out] { done(out); });
    }
    // The memory backend's evaluator: on when the flag is on, its parents
    // are on, and a strategy's scope (IN on clientId, platformAccount, lane,
    // cohort) holds for the context, or it has no strategy.
    bool failEvaluate = false; // evaluateContexts answers an error (the playground is down)
    bool servesContext(const QString &key, const Raize::Services::ContextFields &c, int depth = 0) const
    {
        for (const auto &f : hideWrites ? visible : flags) {
            if (f.key != key)
                continue;
            if (!f.enabled || depth > 8)
                return false;
            for (const auto &d : f.dependencies) {
                if (servesContext(d.feature, c, depth + 1) != d.enabled)
                    return false;
            }
            if (f.strategies.isEmpty())
                return true;
            for (const auto &st : f.strategies) {
                if (st.disabled || st.rolloutPercent == 0)
                    continue;
                const auto in = [&](const QStringList &values, const QString &field) {
                    return values.isEmpty() || values.contains(c.value(field));
                };
                if (in(st.scope.clientIds, QStringLiteral("clientId")) && in(st.scope.platformAccountIds, QStringLiteral("platformAccount"))
                    && (st.scope.lane.isEmpty() || st.scope.lane == c.value(QStringLiteral("lane"))) && in(st.scope.cohorts, QStringLiteral("cohort")))
                    return true;
            }
            return false;
        }
        return false;
    }
    QList<Raize::Net::RequestPreview> previewEvaluateContexts(const Raize::Services::EvaluationQuery &q) const override
    {
        Raize::Net::RequestPreview p;
        p.service = QStringLiteral("flags");
        p.method = QStringLiteral("EVALUATE");
        p.path = QStringLiteral("memory/evaluate/%1").arg(q.contexts());
        return {p};
    }
    void evaluateContexts(const Raize::Services::EvaluationQuery &q, Callback<QList<Raize::Services::ContextAnswer>> done) override
    {
        calls << QStringLiteral("evaluate %1").arg(q.contexts());
        if (failEvaluate) {
            QTimer::singleShot(0, [done] {
                done(Raize::Error::make(Raize::Error::Kind::Network, QStringLiteral("memory"), QStringLiteral("connection refused")));
            });
            return;
        }
        QList<Raize::Services::ContextAnswer> out;
        for (const auto &g : q.grids) {
            for (const auto &c : g.expand()) {
                Raize::Services::ContextAnswer a;
                a.context = c;
                for (const QString &f : q.flags)
                    a.enabled.insert(f, servesContext(f, c));
                out << a;
            }
        }
        QTimer::singleShot(0, [done, out] { done(out); });
    }
};

} // namespace RaizeTest
