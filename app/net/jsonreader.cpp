#include "net/jsonreader.h"

#include "core/jsonutil.h"

namespace Raize::Net {

using namespace Qt::StringLiterals;

namespace {
const nlohmann::json &nullJson()
{
    static const nlohmann::json n;
    return n;
}
QString typeName(const nlohmann::json *v)
{
    return v ? QString::fromLatin1(v->type_name()) : u"nothing"_s;
}
} // namespace

JsonReader::JsonReader(const QString &service, const QByteArray &body, qsizetype maxBytes)
    : m_error(std::make_shared<Error>())
{
    m_error->service = service; // so that a field error names the service too
    if (body.size() > maxBytes) {
        *m_error = Error::make(Error::Kind::Parse, service, u"the answer is %1 MB, over the %2 MB the console accepts"_s
                                                               .arg(body.size() / 1048576).arg(maxBytes / 1048576),
                               u"narrow the request (fewer items per page)"_s);
        return;
    }
    QString err;
    m_json = Json::parse(body, &err);
    if (m_json.is_discarded()) {
        *m_error = Error::make(Error::Kind::Parse, service,
                               body.isEmpty() ? u"the answer was empty where JSON was expected"_s
                                              : u"the answer is not valid JSON (truncated or corrupted): "_s + err,
                               u"try again; if it persists the service or a proxy is returning broken answers"_s);
    }
}

JsonReader::Node JsonReader::root() const
{
    return Node(ok() ? &m_json : nullptr, QString(), m_error);
}

void JsonReader::Node::fail(const QString &what) const
{
    if (m_error->isError())
        return; // the first problem is the one worth reporting
    *m_error = Error::make(Error::Kind::Parse, m_error->service, what,
                           u"the service answered in an unexpected shape; check the API version and base URL in Settings"_s);
    m_error->fieldPath = m_path.isEmpty() ? u"(root)"_s : m_path;
}

JsonReader::Node JsonReader::Node::operator[](const char *key) const
{
    const QString path = m_path.isEmpty() ? QString::fromLatin1(key) : m_path + u'.' + QLatin1StringView(key);
    if (!m_value || !m_value->is_object())
        return Node(nullptr, path, m_error);
    const auto it = m_value->find(key);
    return Node(it == m_value->end() ? nullptr : &*it, path, m_error);
}

JsonReader::Node JsonReader::Node::at(std::size_t index) const
{
    const QString path = m_path + u"[%1]"_s.arg(index);
    if (!m_value || !m_value->is_array() || index >= m_value->size())
        return Node(nullptr, path, m_error);
    return Node(&(*m_value)[index], path, m_error);
}

std::size_t JsonReader::Node::size() const
{
    if (!m_value || !m_value->is_array()) {
        fail(u"expected a list, found %1"_s.arg(typeName(m_value)));
        return 0;
    }
    return m_value->size();
}

QString JsonReader::Node::str() const
{
    if (!m_value || !m_value->is_string()) {
        fail(u"expected text, found %1"_s.arg(typeName(m_value)));
        return {};
    }
    return QString::fromStdString(m_value->get<std::string>());
}

QString JsonReader::Node::optStr(const QString &fallback) const
{
    if (!m_value || m_value->is_null())
        return fallback;
    return str();
}

qint64 JsonReader::Node::integer() const
{
    if (!m_value || !m_value->is_number()) {
        fail(u"expected a number, found %1"_s.arg(typeName(m_value)));
        return 0;
    }
    return m_value->is_number_float() ? qint64(m_value->get<double>()) : m_value->get<qint64>();
}

qint64 JsonReader::Node::optInteger(qint64 fallback) const
{
    return (!m_value || m_value->is_null()) ? fallback : integer();
}

double JsonReader::Node::number() const
{
    if (!m_value || !m_value->is_number()) {
        fail(u"expected a number, found %1"_s.arg(typeName(m_value)));
        return 0;
    }
    return m_value->get<double>();
}

bool JsonReader::Node::boolean() const
{
    if (!m_value || !m_value->is_boolean()) {
        fail(u"expected true or false, found %1"_s.arg(typeName(m_value)));
        return false;
    }
    return m_value->get<bool>();
}

bool JsonReader::Node::optBoolean(bool fallback) const
{
    return (!m_value || m_value->is_null()) ? fallback : boolean();
}

const nlohmann::json &JsonReader::Node::raw() const
{
    return m_value ? *m_value : nullJson();
}

} // namespace Raize::Net
