#include "core/redactor.h"

#include <QMutex>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace Raize {

namespace {

QMutex &secretsMutex()
{
    static QMutex m;
    return m;
}

QStringList &secrets()
{
    static QStringList s;
    return s;
}

// Token shapes that must never be printed even if they were not registered:
// GitHub (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), Unleash ("project:env.secret"
// and "*:*.secret"), Slack-style xox tokens, and the values after
// Authorization/Bearer/token= style keys.
const QList<QRegularExpression> &patterns()
{
    static const QList<QRegularExpression> list = {
        QRegularExpression(QStringLiteral(R"re((?i)(authorization\s*[:=]\s*)("?)(bearer\s+|token\s+|basic\s+)?[^\s",;]+)re")),
        QRegularExpression(QStringLiteral(R"re((?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{6,})re")),
        QRegularExpression(QStringLiteral(R"re((?i)((?:access_token|api[_-]?key|token|secret|password)"?\s*[=:]\s*"?)[^\s"&,;]{6,})re")),
        QRegularExpression(QStringLiteral(R"re(\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}))re")),
        QRegularExpression(QStringLiteral(R"re((?<![A-Za-z0-9])([A-Za-z0-9_*-]+:[A-Za-z0-9_*-]+\.)[A-Fa-f0-9]{32,})re")),
        QRegularExpression(QStringLiteral(R"re(\b(api-[0-9a-f]{8}-[0-9a-f-]{27}))re")),
    };
    return list;
}

} // namespace

void Redactor::registerSecret(const QString &secret)
{
    const QString s = secret.trimmed();
    if (s.size() < 6)
        return;
    QMutexLocker lock(&secretsMutex());
    if (!secrets().contains(s)) {
        secrets().append(s);
        // Longest first, so a secret that contains another is masked whole.
        std::sort(secrets().begin(), secrets().end(),
                  [](const QString &a, const QString &b) { return a.size() > b.size(); });
    }
}

void Redactor::forgetAll()
{
    QMutexLocker lock(&secretsMutex());
    secrets().clear();
}

QString Redactor::redact(const QString &text)
{
    QString out = text;
    {
        QMutexLocker lock(&secretsMutex());
        for (const QString &s : std::as_const(secrets()))
            out.replace(s, mask);
    }
    const auto &pats = patterns();
    // Authorization header: keep the key, mask the value.
    out.replace(pats[0], QStringLiteral("\\1\\2[REDACTED]"));
    out.replace(pats[1], QStringLiteral("\\1[REDACTED]"));
    out.replace(pats[2], QStringLiteral("\\1[REDACTED]"));
    out.replace(pats[3], QStringLiteral("[REDACTED]"));
    out.replace(pats[4], QStringLiteral("\\1[REDACTED]"));
    out.replace(pats[5], QStringLiteral("[REDACTED]"));
    return out;
}

QByteArray Redactor::redact(const QByteArray &text)
{
    return redact(QString::fromUtf8(text)).toUtf8();
}

bool Redactor::isSensitiveHeader(const QByteArray &name)
{
    static const QList<QByteArray> sensitive = {
        "authorization", "proxy-authorization", "cookie", "set-cookie",
        "x-api-key", "x-auth-token", "ld-api-key", "private-token", "x-vercel-protection-bypass",
    };
    return sensitive.contains(name.toLower());
}

QByteArray Redactor::redactHeader(const QByteArray &name, const QByteArray &value)
{
    if (isSensitiveHeader(name))
        return QByteArray(mask.data(), mask.size());
    return redact(value);
}

} // namespace Raize
