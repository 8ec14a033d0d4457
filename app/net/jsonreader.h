#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

#include <memory>

namespace Raize::Net {

// Defensive reading of a service's JSON: a missing field, a wrong type, a
// huge or truncated body becomes one Error that names the field path
// (e.g. "deployments[3].readyState"). Nothing throws.
class JsonReader
{
public:
    static constexpr qsizetype DefaultMaxBytes = 64 * 1024 * 1024;

    class Node
    {
    public:
        Node operator[](const char *key) const;
        Node at(std::size_t index) const;
        bool exists() const { return m_value != nullptr; }
        bool isNull() const { return !m_value || m_value->is_null(); }
        bool isArray() const { return m_value && m_value->is_array(); }
        std::size_t size() const; // an array's length; records an error when not an array

        QString str() const;                        // required string
        QString optStr(const QString &fallback = {}) const; // null or missing: fallback
        qint64 integer() const;
        qint64 optInteger(qint64 fallback) const;
        double number() const;
        bool boolean() const;
        bool optBoolean(bool fallback) const;
        const nlohmann::json &raw() const;
        QString path() const { return m_path; }
        // Records that this value is present but not what the caller needs.
        void reject(const QString &what) const { fail(what); }

    private:
        friend class JsonReader;
        Node(const nlohmann::json *value, QString path, std::shared_ptr<Error> error)
            : m_value(value), m_path(std::move(path)), m_error(std::move(error)) {}
        void fail(const QString &what) const;
        const nlohmann::json *m_value;
        QString m_path;
        std::shared_ptr<Error> m_error;
    };

    JsonReader(const QString &service, const QByteArray &body, qsizetype maxBytes = DefaultMaxBytes);

    bool ok() const { return !m_error->isError(); }
    Error error() const { return *m_error; }
    Node root() const;

private:
    nlohmann::json m_json;
    std::shared_ptr<Error> m_error;
};

} // namespace Raize::Net
