#pragma once

#include <QString>
#include <QUrl>

#include <nlohmann/json.hpp>

namespace Raize::Net {

struct Request;

// The exact request a client will send, as a plan shows it and a run journal
// records it: made from the very Net::Request the client sends (from()), so
// a preview cannot drift from the call (issue #14 item 3).
struct RequestPreview
{
    QString service;     // "flags", "vercel", "github", "prometheus", "console"
    QString method;      // GET, POST, PATCH, ...
    QString path;        // relative to the service's base URL, with the query
    QString contentType; // empty: no body
    nlohmann::json body; // null: no body; a non-JSON body is kept as a string

    bool operator==(const RequestPreview &) const = default;

    // `request`'s method, path (its URL relative to `base`, which may carry a
    // path prefix), content type and body.
    static RequestPreview from(const Request &request, const QUrl &base, const QString &service);
    // "PATCH /api/v2/flags/default/x (application/json; …) {…}"
    QString describe() const;
    nlohmann::json toJson() const;
    static RequestPreview fromJson(const nlohmann::json &j);
};

} // namespace Raize::Net
