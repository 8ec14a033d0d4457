#include "policy/policydiff.h"

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Policy {

namespace {

QString text(const json &v)
{
    QString s = QString::fromStdString(v.dump());
    return s.size() > 120 ? s.left(117) + u"..."_s : s;
}

QString join(const QString &path, const std::string &key)
{
    const QString k = QString::fromStdString(key);
    return path.isEmpty() ? k : path + u'.' + k;
}

bool keyedById(const json &a)
{
    if (!a.is_array() || a.empty())
        return false;
    for (const json &e : a) {
        if (!e.is_object() || !e.contains("id") || !e["id"].is_string())
            return false;
    }
    return true;
}

void diff(const json &a, const json &b, const QString &path, QList<BundleChange> &out)
{
    if (a == b)
        return;
    if (a.is_object() && b.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            if (!b.contains(it.key()))
                out.append({BundleChange::Kind::Removed, join(path, it.key()), *it, json()});
            else
                diff(*it, b[it.key()], join(path, it.key()), out);
        }
        for (auto it = b.begin(); it != b.end(); ++it) {
            if (!a.contains(it.key()))
                out.append({BundleChange::Kind::Added, join(path, it.key()), json(), *it});
        }
        return;
    }
    if (keyedById(a) && keyedById(b)) {
        const auto find = [](const json &arr, const json &id) -> const json * {
            for (const json &e : arr) {
                if (e["id"] == id)
                    return &e;
            }
            return nullptr;
        };
        for (const json &e : a) {
            const QString p = u"%1[id=%2]"_s.arg(path, QString::fromStdString(e["id"].get<std::string>()));
            if (const json *other = find(b, e["id"]))
                diff(e, *other, p, out);
            else
                out.append({BundleChange::Kind::Removed, p, e, json()});
        }
        for (const json &e : b) {
            if (!find(a, e["id"]))
                out.append({BundleChange::Kind::Added, u"%1[id=%2]"_s.arg(path, QString::fromStdString(e["id"].get<std::string>())), json(), e});
        }
        return;
    }
    if (a.is_array() && b.is_array()) {
        const std::size_t n = std::max(a.size(), b.size());
        for (std::size_t i = 0; i < n; ++i) {
            const QString p = u"%1[%2]"_s.arg(path).arg(i);
            if (i >= b.size())
                out.append({BundleChange::Kind::Removed, p, a[i], json()});
            else if (i >= a.size())
                out.append({BundleChange::Kind::Added, p, json(), b[i]});
            else
                diff(a[i], b[i], p, out);
        }
        return;
    }
    out.append({BundleChange::Kind::Changed, path, a, b});
}

} // namespace

QString BundleChange::describe() const
{
    switch (kind) {
    case Kind::Added:
        return u"added %1: %2"_s.arg(path, text(after));
    case Kind::Removed:
        return u"removed %1 (was %2)"_s.arg(path, text(before));
    case Kind::Changed:
        return u"changed %1: %2 → %3"_s.arg(path, text(before), text(after));
    }
    return {};
}

QList<BundleChange> diffBundles(const Bundle &from, const Bundle &to)
{
    QList<BundleChange> out;
    diff(from.doc, to.doc, QString(), out);
    return out;
}

} // namespace Raize::Policy
