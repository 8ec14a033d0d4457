// Parsing a 5 MB GitHub compare answer (issue #6), as GitHubClient reads it:
// nlohmann/json through the defensive JsonReader into typed commits. Also
// the raw nlohmann parse of the same bytes, for the ratio. Never fails on time.

#include "core/jsonutil.h"
#include "services/github/githubclient.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>

using namespace Raize;
using json = nlohmann::json;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // A real-shaped compare body (fields as GitHub sends them), grown to 5 MB.
    json commits = json::array();
    std::string body;
    for (int i = 0; body.size() < 5u * 1024 * 1024; ++i) {
        char sha[41];
        std::snprintf(sha, sizeof sha, "%040x", i * 2654435761u);
        const std::string s(sha);
        commits.push_back({{"sha", s}, {"node_id", "C_" + s.substr(0, 20)}, {"url", "https://api.github.com/repos/raize/platform/commits/" + s},
                           {"html_url", "https://github.com/raize/platform/commit/" + s},
                           {"commit", {{"message", "feat(scheduler): step " + std::to_string(i) + "\n\nBody of the commit message, a line or two."},
                                       {"author", {{"name", "Dev"}, {"email", "dev@raize.example"}, {"date", "2026-11-20T10:00:00Z"}}},
                                       {"committer", {{"name", "Dev"}, {"email", "dev@raize.example"}, {"date", "2026-11-20T10:00:00Z"}}},
                                       {"tree", {{"sha", s}, {"url", "https://api.github.com/repos/raize/platform/git/trees/" + s}}},
                                       {"comment_count", 0}}},
                           {"author", {{"login", "dev"}, {"id", 42}, {"type", "User"}}},
                           {"parents", json::array({{{"sha", s}}})}});
        if (i % 500 == 0) // measure the size now and then
            body = json({{"commits", commits}}).dump();
    }
    body = json({{"status", "ahead"}, {"ahead_by", commits.size()}, {"behind_by", 0}, {"total_commits", commits.size()}, {"commits", commits}}).dump();
    const QByteArray bytes = QByteArray::fromStdString(body);

    QList<double> typed, raw;
    qsizetype parsedCommits = 0;
    for (int run = 0; run < 7; ++run) {
        QElapsedTimer t;
        t.start();
        const auto r = Services::GitHubClient::parseComparison(bytes);
        typed << double(t.nsecsElapsed()) / 1e6;
        if (!r) {
            std::fprintf(stderr, "parse failed: %s\n", qPrintable(r.error().toString()));
            return 1;
        }
        parsedCommits = r->commits.size();
        t.restart();
        const json j = Json::parse(bytes);
        raw << double(t.nsecsElapsed()) / 1e6;
    }
    std::sort(typed.begin(), typed.end());
    std::sort(raw.begin(), raw.end());
    std::printf("GitHub compare answer of %.1f MB, %lld commits (median of 7)\n", double(bytes.size()) / 1048576.0, qint64(parsedCommits));
    std::printf("  GitHubClient::parseComparison  %.1f ms\n", typed[3]);
    std::printf("  raw nlohmann::json::parse      %.1f ms\n", raw[3]);
    std::printf("  ratio typed/raw %.2fx; %.0f MB/s typed\n", typed[3] / raw[3], double(bytes.size()) / 1048576.0 / (typed[3] / 1000.0));
    return 0;
}
