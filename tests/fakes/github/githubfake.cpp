#include "githubfake.h"

#include "http/httpserver.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

constexpr qint64 ActionsAppId = 15368; // GitHub Actions, the app behind check runs and workflow runs
const char *const DocsUrl = "https://docs.github.com/rest";

std::string sha1(const std::string &seed)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(seed), QCryptographicHash::Sha1).toHex().toStdString();
}

qint64 idFor(const std::string &seed, qint64 modulo = 90000000)
{
    return 10000000 + qint64(std::stoull(sha1(seed).substr(0, 12), nullptr, 16) % quint64(modulo));
}

std::string nodeId(const std::string &prefix, qint64 id)
{
    return prefix + "_kwDO" + QByteArray::number(id).toBase64().toStdString();
}

// A fixed, plausible history for seeded objects: `minutes` after 2026-11-01T09:00:00Z.
std::string seededTime(int minutes)
{
    const QDateTime t = QDateTime(QDate(2026, 11, 1), QTime(9, 0), Qt::UTC).addSecs(qint64(minutes) * 60);
    return t.toString(Qt::ISODate).toStdString();
}

std::string str(const json &j, const char *key, const std::string &fallback = {})
{
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

// GitHub's no-reply address, kept a valid e-mail address for logins such as dependabot[bot].
std::string noreplyEmail(const std::string &login)
{
    std::string local;
    for (const char c : login) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-')
            local += c;
    }
    return std::to_string(idFor("user:" + login)) + "+" + local + "@users.noreply.github.com";
}

bool isHexSha(const std::string &s)
{
    return s.size() >= 7 && s.size() <= 40 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string labelColor(const std::string &name)
{
    if (name == "bug")
        return "d73a4a";
    if (name == "feature" || name == "enhancement")
        return "a2eeef";
    if (name == "dependencies")
        return "0366d6";
    if (name == "documentation")
        return "0075ca";
    if (name.rfind("risk:", 0) == 0)
        return "d93f0b";
    return "ededed";
}

std::string labelDescription(const std::string &name)
{
    if (name == "bug")
        return "Something isn't working";
    if (name == "feature" || name == "enhancement")
        return "New feature or request";
    if (name == "dependencies")
        return "Pull requests that update a dependency file";
    if (name == "documentation")
        return "Improvements or additions to documentation";
    if (name.rfind("risk:", 0) == 0)
        return "Release risk level (playbook)";
    return "";
}

bool checkPassed(const json &run)
{
    const std::string conclusion = run["conclusion"].is_string() ? run["conclusion"].get<std::string>() : std::string();
    return run.value("status", "") == "completed" && (conclusion == "success" || conclusion == "neutral" || conclusion == "skipped");
}

const std::vector<std::string> &deploymentStates()
{
    static const std::vector<std::string> states = {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"};
    return states;
}

json defaultCommits()
{
    return json::array({
        {{"message", "chore(release): v1.4.0"}, {"author", "release-bot"}, {"tags", {"v1.4.0"}}, {"files", {"CHANGELOG.md"}}},
        {{"message", "feat(scheduler): scheduler v2 behind publishing.scheduler-v2 (#412)"}, {"author", "dev-ana"},
         {"files", {"src/scheduler/v2.ts", "src/flags.ts"}}},
        {{"message", "fix(dm): dedupe direct messages (#418)"}, {"author", "dev-bo"}, {"files", {"src/dm/dedupe.ts"}}},
        {{"message", "feat(accounts): route house accounts through the new publisher (#421)"}, {"author", "dev-ana"},
         {"files", {"src/accounts/house.ts", "src/scheduler/v2.ts"}}},
        {{"message", "chore(deps): bump qtkeychain to 0.14.3 (#423)"}, {"author", "dependabot[bot]"}, {"files", {"package-lock.json"}}},
        {{"message", "fix(publish): retry idempotent publishes only (#425)"}, {"author", "dev-cy"}, {"files", {"src/publish/retry.ts"}}},
    });
}

} // namespace

GitHubFake::GitHubFake(HttpServer *server, QString token, QString owner, QString repo, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_token(std::move(token))
    , m_owner(std::move(owner))
    , m_repo(std::move(repo))
{
    m_reset = QDateTime::currentSecsSinceEpoch() + 3600;
    m_server->setErrorBody([](int, const QString &, const QString &message) {
        return json{{"message", message.toStdString()}, {"documentation_url", DocsUrl}, {"status", "error"}};
    });
    load(json::object()); // a plausible repository until a scenario says otherwise
    routes();
}

// ---------------------------------------------------------------------------------------------
// Scenario

void GitHubFake::load(const json &scenario)
{
    m_branches = json::object();
    m_putRaces.clear();
    m_releases = json::array();
    for (const json &r : scenario.value("releases", json::array()))
        m_releases.push_back({{"id", m_nextId++}, {"tag_name", r.value("tag", "v0.0.0")}, {"name", r.value("name", "")},
                              {"body", r.value("body", "")}, {"draft", r.value("draft", false)}, {"prerelease", false},
                              {"created_at", "2026-11-01T10:00:00Z"}, {"published_at", "2026-11-01T10:00:00Z"},
                              {"target_commitish", "main"}});
    m_issues = json::array();
    m_comments = json::array();
    // Issues the scenario seeds (e.g. past incidents): {"number", "title", "labels", "createdAt", "closedAt", "body"}.
    for (const json &i : scenario.value("issues", json::array())) {
        const int number = i.value("number", int(m_issues.size()) + 300);
        json issue = {{"id", m_nextId++}, {"number", number}, {"title", i.value("title", "incident")}, {"body", i.value("body", "")},
                      {"labels", i.value("labels", json::array())}, {"state", i.contains("closedAt") ? "closed" : "open"},
                      {"html_url", repoHtml() + "/issues/" + std::to_string(number)},
                      {"created_at", i.value("createdAt", "2026-11-01T10:00:00Z")}};
        if (i.contains("closedAt")) {
            issue["closed_at"] = i["closedAt"];
            issue["updated_at"] = i["closedAt"];
        }
        m_issues.push_back(issue);
    }
    m_nextObjectId = 50000;
    loadCommits(scenario);
    loadPulls(scenario);
    loadChecks(scenario);
    loadEnvironmentsAndRuns(scenario);
    loadDeployments(scenario);
    loadUsers(scenario);
}

void GitHubFake::loadUsers(const json &scenario)
{
    m_users = json::array({{{"login", "release-bot"}, {"token", m_token.toStdString()}, {"permission", "admin"}}});
    const json users = scenario.value("users", json::array({
        {{"login", "oncall-lead"}, {"permission", "write"}},
        {{"login", "sre-sam"}, {"permission", "write"}},
        {{"login", "dev-ana"}, {"permission", "write"}},
        {{"login", "viewer-vic"}, {"permission", "read"}},
    }));
    for (const json &u : users) {
        const std::string login = u.value("login", "");
        if (login.empty())
            continue;
        m_users.push_back({{"login", login}, {"token", u.value("token", login + "-token")}, {"permission", u.value("permission", json(nullptr))}});
    }
}

json GitHubFake::addRun(const json &spec)
{
    json pending = json::array();
    for (const json &e : spec.value("pending", json::array())) {
        for (const json &env : m_environments) {
            if ((e.is_string() && env["name"] == e) || (e.is_number_integer() && env["id"] == e))
                pending.push_back(env["id"]);
        }
    }
    const std::string branch = spec.value("headBranch", "main");
    const std::string name = spec.value("name", "Deploy");
    qint64 id = 9200;
    for (const json &r : m_runs)
        id = std::max(id, r["id"].get<qint64>() + 1);
    const int n = int(m_runs.size());
    const std::string at = now();
    json run = {{"id", spec.value("id", id)}, {"name", name}, {"head_branch", branch},
                {"head_sha", spec.contains("headSha") ? spec["headSha"].get<std::string>() : resolveRef(branch)},
                {"status", pending.empty() ? "completed" : "waiting"}, {"conclusion", pending.empty() ? json("success") : json(nullptr)},
                {"event", "workflow_dispatch"}, {"run_number", 300 + n}, {"workflow_id", name == "Deploy" ? 161335 : 161334},
                {"path", name == "Deploy" ? ".github/workflows/deploy.yml" : ".github/workflows/ci.yml"}, {"pending", pending},
                {"approvals", json::array()}, {"created_at", at}, {"updated_at", at}};
    m_runs.push_back(run);
    return runJson(run);
}

QString GitHubFake::tokenOf(const QString &login) const
{
    for (const json &u : m_users) {
        if (u["login"] == login.toStdString())
            return QString::fromStdString(u["token"].get<std::string>());
    }
    return {};
}

std::string GitHubFake::permissionOf(const std::string &login) const
{
    for (const json &u : m_users) {
        if (u["login"] == login)
            return u["permission"].is_string() ? u["permission"].get<std::string>() : "none";
    }
    return "none";
}

bool GitHubFake::mayReview(const json &env, const std::string &login) const
{
    // GitHub: a required reviewer of the environment who can write to the repository.
    const json &reviewers = env["reviewers"];
    const std::string p = permissionOf(login);
    return std::find(reviewers.begin(), reviewers.end(), json(login)) != reviewers.end()
           && (p == "admin" || p == "maintain" || p == "write");
}

void GitHubFake::loadCommits(const json &scenario)
{
    m_commits = json::array();
    const json commits = scenario.contains("commits") ? scenario["commits"] : defaultCommits();
    int i = 0;
    for (const json &c : commits) {
        const std::string author = c.value("author", "dev-ana");
        m_commits.push_back({{"sha", c.value("sha", sha1(m_owner.toStdString() + "/" + m_repo.toStdString() + ":commit:" + std::to_string(i)))},
                             {"message", c.value("message", "commit " + std::to_string(i))},
                             {"author", author},
                             {"name", c.value("name", author)},
                             {"email", noreplyEmail(author)},
                             {"date", c.value("date", seededTime(i * 90))},
                             {"tags", c.value("tags", json::array())},
                             {"files", c.value("files", json::array({"src/change-" + std::to_string(i) + ".ts"}))},
                             {"contents", c.value("contents", json::object())},
                             // A merge commit names its parents (main line first, then the pull request's head);
                             // otherwise the commit before it in the list is its parent.
                             {"parents", c.value("parents", json())}});
        ++i;
    }
}

void GitHubFake::loadPulls(const json &scenario)
{
    m_pulls = json::array();
    const auto mainSha = [this](int index) -> json {
        return index >= 0 && index < int(m_commits.size()) ? m_commits[size_t(index)]["sha"] : json(nullptr);
    };
    json pulls = scenario.value("pulls", json());
    if (pulls.is_null()) {
        pulls = json::array({
            {{"number", 412}, {"title", "Scheduler v2 behind publishing.scheduler-v2"}, {"state", "closed"}, {"labels", {"feature", "risk:L3"}},
             {"head", "feat/scheduler-v2"}, {"author", "dev-ana"}, {"mergeCommitSha", mainSha(1)}},
            {{"number", 418}, {"title", "Dedupe direct messages"}, {"state", "closed"}, {"labels", {"bug", "risk:L1"}},
             {"head", "fix/dm-dedupe"}, {"author", "dev-bo"}, {"mergeCommitSha", mainSha(2)}},
            {{"number", 419}, {"title", "Drop the legacy publisher"}, {"state", "closed"}, {"labels", {"feature"}},
             {"head", "chore/drop-legacy-publisher"}, {"author", "dev-bo"}, {"merged", false}},
            {{"number", 421}, {"title", "Route house accounts through the new publisher"}, {"state", "closed"}, {"labels", {"feature", "risk:L2"}},
             {"head", "feat/house-accounts"}, {"author", "dev-ana"}, {"mergeCommitSha", mainSha(3)}},
            {{"number", 423}, {"title", "Bump qtkeychain to 0.14.3"}, {"state", "closed"}, {"labels", {"dependencies"}},
             {"head", "dependabot/qtkeychain-0.14.3"}, {"author", "dependabot[bot]"}, {"mergeCommitSha", mainSha(4)}},
            {{"number", 425}, {"title", "Retry idempotent publishes only"}, {"state", "closed"}, {"labels", {"bug", "risk:L2"}},
             {"head", "fix/publish-retries"}, {"author", "dev-cy"}, {"mergeCommitSha", mainSha(5)}},
            {{"number", 427}, {"title", "Canary dashboard for rolling releases"}, {"state", "open"}, {"labels", {"feature"}},
             {"head", "feat/canary-dashboard"}, {"author", "dev-cy"}},
            {{"number", 428}, {"title", "Rollback runbook"}, {"state", "open"}, {"labels", {"documentation"}},
             {"head", "docs/rollback-runbook"}, {"author", "dev-bo"}},
        });
    }
    for (const json &p : pulls) {
        const int number = p.value("number", 1);
        const std::string state = p.value("state", "open");
        json labels = json::array();
        for (const json &l : p.value("labels", json::array())) {
            const std::string name = l.is_string() ? l.get<std::string>() : str(l, "name", "label");
            labels.push_back({{"name", name}, {"color", l.is_object() ? str(l, "color", labelColor(name)) : labelColor(name)}});
        }
        const bool closed = state == "closed";
        const json mergeSha = p.value("mergeCommitSha", json());
        // A closed pull request with a merge commit was merged, unless the scenario says otherwise.
        const bool merged = closed && p.value("merged", !mergeSha.is_null());
        const std::string created = seededTime(number - 400);
        const std::string closedAt = seededTime(number - 400 + 45);
        m_pulls.push_back({{"number", number},
                           {"title", p.value("title", "Pull request #" + std::to_string(number))},
                           {"state", closed ? "closed" : "open"},
                           {"body", p.value("body", json(nullptr))},
                           {"labels", labels},
                           {"head_ref", p.value("head", "topic-" + std::to_string(number))},
                           {"head_sha", p.value("headSha", sha1("pull-head:" + std::to_string(number)))},
                           {"base_ref", p.value("base", "main")},
                           {"merge_commit_sha", mergeSha.is_null() ? json(sha1("pull-merge:" + std::to_string(number))) : mergeSha},
                           {"merged", merged},
                           {"merged_at", merged ? json(p.value("mergedAt", closedAt)) : json(nullptr)},
                           {"closed_at", closed ? json(closedAt) : json(nullptr)},
                           {"author", p.value("author", "dev-ana")},
                           {"created_at", created},
                           {"updated_at", closed ? closedAt : created}});
    }
}

void GitHubFake::loadChecks(const json &scenario)
{
    const std::string head = m_commits.empty() ? std::string() : m_commits.back()["sha"].get<std::string>();
    std::string openHead;
    for (const json &p : m_pulls) {
        if (p["state"] == "open") {
            openHead = p["head_sha"];
            break;
        }
    }
    m_checkRuns = json::array();
    json checkRuns = scenario.value("checkRuns", json());
    if (checkRuns.is_null()) {
        checkRuns = json::array({{{"sha", head}, {"name", "build"}}, {{"sha", head}, {"name", "test"}}, {{"sha", head}, {"name", "lint"}}});
        if (!openHead.empty()) {
            checkRuns.push_back({{"sha", openHead}, {"name", "build"}});
            checkRuns.push_back({{"sha", openHead}, {"name", "test"}, {"status", "in_progress"}, {"conclusion", nullptr}});
        }
    }
    int i = 0;
    for (const json &c : checkRuns) {
        const std::string sha = c.contains("sha") ? c["sha"].get<std::string>() : resolveRef(c.value("ref", "main"));
        const std::string status = c.value("status", "completed");
        json conclusion = c.contains("conclusion") ? c["conclusion"] : (status == "completed" ? json("success") : json(nullptr));
        m_checkRuns.push_back({{"id", m_nextObjectId++}, {"head_sha", sha}, {"name", c.value("name", "build")}, {"status", status},
                               {"conclusion", conclusion}, {"started_at", seededTime(600 + i)},
                               {"completed_at", status == "completed" ? json(seededTime(610 + i)) : json(nullptr)}});
        ++i;
    }

    m_statuses = json::array();
    json statuses = scenario.value("statuses", json());
    if (statuses.is_null()) {
        statuses = json::array({{{"sha", head}, {"context", "deploy/vercel"}, {"state", "success"}, {"description", "Deployment has completed"}}});
        if (!openHead.empty())
            statuses.push_back({{"sha", openHead}, {"context", "deploy/vercel"}, {"state", "pending"}, {"description", "Deployment is building"}});
    }
    i = 0;
    for (const json &s : statuses) {
        const std::string sha = s.contains("sha") ? s["sha"].get<std::string>() : resolveRef(s.value("ref", "main"));
        m_statuses.push_back({{"id", m_nextObjectId++}, {"sha", sha}, {"context", s.value("context", "ci")}, {"state", s.value("state", "success")},
                              {"description", s.value("description", json(nullptr))},
                              {"target_url", s.value("targetUrl", "https://vercel.com/" + m_owner.toStdString() + "/" + m_repo.toStdString())},
                              {"created_at", seededTime(620 + i)}});
        ++i;
    }

    m_protection = scenario.value("protection", json({{"main", {{"strict", true}, {"contexts", {"build", "test"}}, {"requiredApprovals", 1}}}}));
}

void GitHubFake::loadEnvironmentsAndRuns(const json &scenario)
{
    m_environments = json::array();
    const json environments = scenario.value(
        "environments", json::array({{{"id", 1201}, {"name", "staging"}},
                                     {{"id", 1202}, {"name", "production"}, {"reviewers", {"release-bot", "oncall-lead"}}, {"protectedBranches", true}}}));
    int i = 0;
    for (const json &e : environments) {
        m_environments.push_back({{"id", e.value("id", 1300 + i)}, {"name", e.value("name", "env-" + std::to_string(i))},
                                  {"reviewers", e.value("reviewers", json::array())}, {"waitTimer", e.value("waitTimer", 0)},
                                  {"protectedBranches", e.value("protectedBranches", json(nullptr))}, {"created_at", seededTime(-20000 + i)}});
        ++i;
    }

    const std::string head = resolveRef("main");
    const std::string previous = m_commits.size() > 1 ? m_commits[m_commits.size() - 2]["sha"].get<std::string>() : head;
    m_runs = json::array();
    json runs = scenario.value("runs", json());
    if (runs.is_null()) {
        json pending = json::array();
        for (const json &e : m_environments) {
            if (e["name"] == "production")
                pending.push_back(e["id"]);
        }
        runs = json::array({
            {{"id", 8990}, {"name", "Deploy"}, {"headSha", previous}, {"status", "completed"}, {"conclusion", "success"}},
            {{"id", 9000}, {"name", "CI"}, {"headSha", head}, {"status", "completed"}, {"conclusion", "success"}},
            {{"id", 9001}, {"name", "Deploy"}, {"headSha", head}, {"status", pending.empty() ? "completed" : "waiting"},
             {"conclusion", pending.empty() ? json("success") : json(nullptr)}, {"pending", pending}},
        });
    }
    i = 0;
    for (const json &r : runs) {
        const std::string branch = r.value("headBranch", "main");
        const std::string name = r.value("name", "CI");
        const std::string status = r.value("status", "completed");
        m_runs.push_back({{"id", r.value("id", 9100 + i)}, {"name", name}, {"head_branch", branch},
                          {"head_sha", r.contains("headSha") ? r["headSha"].get<std::string>() : resolveRef(branch)},
                          {"status", status},
                          {"conclusion", r.contains("conclusion") ? r["conclusion"] : (status == "completed" ? json("success") : json(nullptr))},
                          {"event", r.value("event", "push")}, {"run_number", 300 + i},
                          {"workflow_id", name == "Deploy" ? 161335 : 161334},
                          {"path", name == "Deploy" ? ".github/workflows/deploy.yml" : ".github/workflows/ci.yml"},
                          {"pending", r.value("pending", json::array())}, {"approvals", json::array()},
                          {"created_at", seededTime(630 + i)}, {"updated_at", seededTime(640 + i)}});
        ++i;
    }
}

void GitHubFake::loadDeployments(const json &scenario)
{
    m_deployments = json::array();
    const std::string head = resolveRef("main");
    const std::string previous = m_commits.size() > 1 ? m_commits[m_commits.size() - 2]["sha"].get<std::string>() : head;
    json deployments = scenario.value("deployments", json());
    if (deployments.is_null()) {
        deployments = json::array({
            {{"id", 7001}, {"ref", "v1.4.0"}, {"environment", "production"}, {"description", "Release v1.4.0"},
             {"statuses", {{{"state", "in_progress"}}, {{"state", "success"}, {"environmentUrl", "https://raize.example"}}}}},
            {{"id", 7002}, {"ref", "main"}, {"sha", previous}, {"environment", "staging"},
             {"statuses", {{{"state", "success"}, {"environmentUrl", "https://staging.raize.example"}}}}},
            {{"id", 7003}, {"ref", "main"}, {"sha", head}, {"environment", "staging"},
             {"statuses", {{{"state", "success"}, {"environmentUrl", "https://staging.raize.example"}}}}},
        });
    }
    int i = 0;
    for (const json &d : deployments) {
        const std::string ref = d.value("ref", "main");
        const std::string environment = d.value("environment", "production");
        const std::string created = seededTime(700 + i * 30);
        json dep = {{"id", d.value("id", qint64(m_nextObjectId++))}, {"ref", ref},
                    {"sha", d.contains("sha") ? d["sha"].get<std::string>() : resolveRef(ref)}, {"task", d.value("task", "deploy")},
                    {"environment", environment}, {"description", d.value("description", json(nullptr))}, {"payload", json::object()},
                    {"creator", "release-bot"}, {"transient_environment", false}, {"production_environment", environment == "production"},
                    {"created_at", created}, {"updated_at", created}, {"statuses", json::array()}};
        int k = 0;
        for (const json &s : d.value("statuses", json::array())) {
            const std::string at = seededTime(700 + i * 30 + 5 * (k + 1));
            dep["statuses"].push_back({{"id", m_nextObjectId++}, {"state", s.value("state", "success")}, {"description", s.value("description", "")},
                                       {"environment", environment}, {"environment_url", s.value("environmentUrl", "")},
                                       {"log_url", s.value("logUrl", "")}, {"creator", "release-bot"}, {"created_at", at}});
            dep["updated_at"] = at;
            ++k;
        }
        m_deployments.push_back(dep);
        ++i;
    }
}

json GitHubFake::addCommit(const json &spec)
{
    const int i = int(m_commits.size());
    const std::string author = str(spec, "author", "dev-ana");
    const std::string sha = str(spec, "sha", sha1(m_owner.toStdString() + "/" + m_repo.toStdString() + ":pushed:" + std::to_string(i) + now()));
    m_commits.push_back({{"sha", sha},
                         {"message", str(spec, "message", "commit " + std::to_string(i))},
                         {"author", author},
                         {"name", author},
                         {"email", noreplyEmail(author)},
                         {"date", now()},
                         {"tags", json::array()},
                         {"files", spec.value("files", json::array({"src/change-" + std::to_string(i) + ".ts"}))},
                         {"contents", spec.value("contents", json::object())}});
    for (const json &name : spec.value("checks", json::array())) {
        if (name.is_string())
            m_checkRuns.push_back({{"id", m_nextObjectId++}, {"head_sha", sha}, {"name", name}, {"status", "completed"},
                                   {"conclusion", "success"}, {"started_at", now()}, {"completed_at", now()}});
    }
    return {{"sha", sha}};
}

int GitHubFake::forgetDeployments(const QString &environment)
{
    const std::string env = environment.toStdString();
    json kept = json::array();
    int forgotten = 0;
    for (json &d : m_deployments) {
        if (d.value("environment", "") == env)
            ++forgotten;
        else
            kept.push_back(std::move(d));
    }
    m_deployments = std::move(kept);
    return forgotten;
}

json GitHubFake::state() const
{
    return {{"releases", m_releases},
            {"issues", m_issues},
            {"issueComments", m_comments},
            {"commits", m_commits},
            {"pulls", m_pulls},
            {"checkRuns", m_checkRuns},
            {"statuses", m_statuses},
            {"protection", m_protection},
            {"environments", m_environments},
            {"runs", m_runs},
            {"deployments", m_deployments},
            {"branches", m_branches},
            {"users", [this] {
                 json users = json::array();
                 for (const json &u : m_users)
                     users.push_back({{"login", u["login"]}, {"permission", u["permission"]}}); // never the tokens
                 return users;
             }()},
            {"rateLimit", {{"limit", m_limit}, {"remaining", m_remaining}}}};
}

// ---------------------------------------------------------------------------------------------
// Lookups

std::string GitHubFake::resolveRef(const std::string &rawRef) const
{
    std::string ref = rawRef;
    for (const char *prefix : {"refs/heads/", "refs/tags/", "heads/", "tags/"}) {
        if (ref.rfind(prefix, 0) == 0)
            ref = ref.substr(std::strlen(prefix));
    }
    if (ref.empty())
        return {};
    if (ref == "main" || ref == "HEAD")
        return m_commits.empty() ? std::string() : m_commits.back()["sha"].get<std::string>();
    if (const json *b = branch(ref))
        return (*b)["base"]; // a journal branch: main's files as at its start (its own files: branchContent)
    for (const json &c : m_commits) {
        for (const json &t : c["tags"]) {
            if (t == ref)
                return c["sha"];
        }
    }
    for (const json &p : m_pulls) {
        if (p["head_ref"] == ref && p["state"] == "open")
            return p["head_sha"];
    }
    if (isHexSha(ref)) {
        const auto matches = [&](const std::string &sha) { return sha.rfind(ref, 0) == 0; };
        for (const json &c : m_commits) {
            if (matches(c["sha"]))
                return c["sha"];
        }
        for (const json &p : m_pulls) {
            if (matches(p["head_sha"]))
                return p["head_sha"];
        }
        for (const json *list : {&m_checkRuns, &m_statuses}) {
            for (const json &x : *list) {
                if (matches(x.contains("head_sha") ? x["head_sha"] : x["sha"]))
                    return x.contains("head_sha") ? x["head_sha"] : x["sha"];
            }
        }
    }
    return {};
}

int GitHubFake::commitIndex(const std::string &sha) const
{
    for (size_t i = 0; i < m_commits.size(); ++i) {
        if (m_commits[i]["sha"] == sha)
            return int(i);
    }
    return -1;
}

const json *GitHubFake::environment(qint64 id) const
{
    for (const json &e : m_environments) {
        if (e["id"].get<qint64>() == id)
            return &e;
    }
    return nullptr;
}

json *GitHubFake::deploymentById(qint64 id)
{
    for (json &d : m_deployments) {
        if (d["id"].get<qint64>() == id)
            return &d;
    }
    return nullptr;
}

QStringList GitHubFake::failingContexts(const std::string &sha, const json &required) const
{
    // The latest state of every context on the commit: legacy statuses and check runs alike.
    std::map<std::string, std::string> states;
    for (const json &s : m_statuses) {
        if (s["sha"] == sha)
            states[s["context"]] = s["state"];
    }
    for (const json &c : m_checkRuns) {
        if (c["head_sha"] == sha)
            states[c["name"]] = checkPassed(c) ? "success" : (c["conclusion"].is_string() ? c["conclusion"].get<std::string>() : c["status"].get<std::string>());
    }
    QStringList failing;
    if (required.is_array()) {
        for (const json &context : required) {
            const std::string name = context.is_string() ? context.get<std::string>() : std::string();
            const auto it = states.find(name);
            if (it == states.end())
                failing << QString::fromStdString(name + " (missing)");
            else if (it->second != "success")
                failing << QString::fromStdString(name + " (" + it->second + ")");
        }
        return failing;
    }
    for (const auto &[name, state] : states) {
        if (state != "success")
            failing << QString::fromStdString(name + " (" + state + ")");
    }
    return failing;
}

std::string GitHubFake::now() const
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
}

// ---------------------------------------------------------------------------------------------
// Shapes (github.trimmed.json)

std::string GitHubFake::repoApi() const
{
    return "https://api.github.com/repos/" + m_owner.toStdString() + "/" + m_repo.toStdString();
}

std::string GitHubFake::repoHtml() const
{
    return "https://github.com/" + m_owner.toStdString() + "/" + m_repo.toStdString();
}

json GitHubFake::user(const std::string &login) const
{
    // A login such as dependabot[bot] is percent-encoded in URLs, as GitHub does.
    const std::string escaped = QUrl::toPercentEncoding(QString::fromStdString(login)).toStdString();
    const std::string base = "https://api.github.com/users/" + escaped;
    const bool bot = login == "release-bot" || login.find("[bot]") != std::string::npos;
    const qint64 id = login == "release-bot" ? 4242 : idFor("user:" + login);
    return {{"login", login}, {"id", id}, {"node_id", nodeId("U", id)}, {"avatar_url", "https://avatars.githubusercontent.com/u/" + std::to_string(id)},
            {"gravatar_id", ""}, {"url", base}, {"html_url", "https://github.com/" + escaped}, {"followers_url", base + "/followers"},
            {"following_url", base + "/following{/other_user}"}, {"gists_url", base + "/gists{/gist_id}"},
            {"starred_url", base + "/starred{/owner}{/repo}"}, {"subscriptions_url", base + "/subscriptions"},
            {"organizations_url", base + "/orgs"}, {"repos_url", base + "/repos"}, {"events_url", base + "/events{/privacy}"},
            {"received_events_url", base + "/received_events"}, {"type", login == m_owner.toStdString() ? "Organization" : bot ? "Bot" : "User"},
            {"site_admin", false}};
}

json GitHubFake::repository() const
{
    const std::string api = repoApi();
    const std::string name = m_repo.toStdString();
    const std::string full = m_owner.toStdString() + "/" + name;
    const qint64 id = idFor("repo:" + full);
    return {{"id", id}, {"node_id", nodeId("R", id)}, {"name", name}, {"full_name", full}, {"owner", user(m_owner.toStdString())},
            {"private", true}, {"html_url", repoHtml()}, {"description", "The Raize platform"}, {"fork", false}, {"url", api},
            {"archive_url", api + "/{archive_format}{/ref}"}, {"assignees_url", api + "/assignees{/user}"},
            {"blobs_url", api + "/git/blobs{/sha}"}, {"branches_url", api + "/branches{/branch}"},
            {"collaborators_url", api + "/collaborators{/collaborator}"}, {"comments_url", api + "/comments{/number}"},
            {"commits_url", api + "/commits{/sha}"}, {"compare_url", api + "/compare/{base}...{head}"},
            {"contents_url", api + "/contents/{+path}"}, {"contributors_url", api + "/contributors"},
            {"deployments_url", api + "/deployments"}, {"downloads_url", api + "/downloads"}, {"events_url", api + "/events"},
            {"forks_url", api + "/forks"}, {"git_commits_url", api + "/git/commits{/sha}"}, {"git_refs_url", api + "/git/refs{/sha}"},
            {"git_tags_url", api + "/git/tags{/sha}"}, {"git_url", "git://github.com/" + full + ".git"},
            {"hooks_url", api + "/hooks"}, {"issue_comment_url", api + "/issues/comments{/number}"},
            {"issue_events_url", api + "/issues/events{/number}"}, {"issues_url", api + "/issues{/number}"},
            {"keys_url", api + "/keys{/key_id}"}, {"labels_url", api + "/labels{/name}"}, {"languages_url", api + "/languages"},
            {"merges_url", api + "/merges"}, {"milestones_url", api + "/milestones{/number}"},
            {"notifications_url", api + "/notifications{?since,all,participating}"}, {"pulls_url", api + "/pulls{/number}"},
            {"releases_url", api + "/releases{/id}"}, {"ssh_url", "git@github.com:" + full + ".git"},
            {"stargazers_url", api + "/stargazers"}, {"statuses_url", api + "/statuses/{sha}"},
            {"subscribers_url", api + "/subscribers"}, {"subscription_url", api + "/subscription"}, {"tags_url", api + "/tags"},
            {"teams_url", api + "/teams"}, {"trees_url", api + "/git/trees{/sha}"}, {"clone_url", repoHtml() + ".git"},
            {"mirror_url", nullptr}, {"svn_url", repoHtml()}, {"homepage", nullptr}, {"language", "TypeScript"},
            {"forks_count", 0}, {"forks", 0}, {"stargazers_count", 3}, {"watchers_count", 3}, {"watchers", 3}, {"size", 48210},
            {"default_branch", "main"}, {"open_issues_count", int(m_issues.size())}, {"open_issues", int(m_issues.size())},
            {"is_template", false}, {"topics", json::array()}, {"has_issues", true}, {"has_projects", false}, {"has_wiki", false},
            {"has_pages", false}, {"has_downloads", true}, {"has_discussions", false}, {"archived", false}, {"disabled", false},
            {"visibility", "private"}, {"license", nullptr}, {"pushed_at", seededTime(600)}, {"created_at", "2024-02-12T08:30:00Z"},
            {"updated_at", seededTime(600)}};
}

json GitHubFake::releaseJson(const json &r) const
{
    const std::string repoUrl = repoApi();
    const std::string id = std::to_string(r["id"].get<int>());
    const std::string tag = r["tag_name"];
    json out = r;
    out["url"] = repoUrl + "/releases/" + id;
    out["html_url"] = repoHtml() + "/releases/" + (r.value("draft", false) ? "untagged-" + id : "tag/" + tag);
    out["assets_url"] = repoUrl + "/releases/" + id + "/assets";
    out["upload_url"] = "https://uploads.github.com/repos/" + m_owner.toStdString() + "/" + m_repo.toStdString() + "/releases/" + id + "/assets{?name,label}";
    out["tarball_url"] = repoUrl + "/tarball/" + tag;
    out["zipball_url"] = repoUrl + "/zipball/" + tag;
    out["node_id"] = "RE_" + id;
    out["author"] = user();
    out["assets"] = json::array();
    if (r.value("draft", false))
        out["published_at"] = nullptr;
    return out;
}

json GitHubFake::pullJson(const json &p, bool detail) const
{
    const std::string api = repoApi();
    const std::string n = std::to_string(p["number"].get<int>());
    const qint64 id = idFor("pull:" + n);
    const std::string self = api + "/pulls/" + n;
    const std::string html = repoHtml() + "/pull/" + n;
    json labels = json::array();
    for (const json &l : p["labels"]) {
        const std::string name = l["name"];
        const qint64 labelId = idFor("label:" + name);
        labels.push_back({{"id", labelId}, {"node_id", nodeId("LA", labelId)}, {"url", api + "/labels/" + name}, {"name", name},
                          {"description", labelDescription(name)}, {"color", l["color"]}, {"default", name == "bug"}});
    }
    const std::string owner = m_owner.toStdString();
    const std::string baseSha = resolveRef(p["base_ref"]);
    const auto end = [&](const std::string &ref, const std::string &sha) {
        return json{{"label", owner + ":" + ref}, {"ref", ref}, {"sha", sha}, {"user", user(owner)}, {"repo", repository()}};
    };
    const auto link = [](const std::string &href) { return json{{"href", href}}; };
    json out = {{"url", self}, {"id", id}, {"node_id", nodeId("PR", id)}, {"html_url", html}, {"diff_url", html + ".diff"},
                {"patch_url", html + ".patch"}, {"issue_url", api + "/issues/" + n}, {"commits_url", self + "/commits"},
                {"review_comments_url", self + "/comments"}, {"review_comment_url", api + "/pulls/comments{/number}"},
                {"comments_url", api + "/issues/" + n + "/comments"}, {"statuses_url", api + "/statuses/" + p["head_sha"].get<std::string>()},
                {"number", p["number"]}, {"state", p["state"]}, {"locked", false}, {"title", p["title"]}, {"user", user(p["author"])},
                {"body", p["body"]}, {"labels", labels}, {"milestone", nullptr}, {"active_lock_reason", nullptr},
                {"created_at", p["created_at"]}, {"updated_at", p["updated_at"]}, {"closed_at", p["closed_at"]}, {"merged_at", p["merged_at"]},
                {"merge_commit_sha", p["merge_commit_sha"]}, {"assignee", nullptr}, {"assignees", json::array()},
                {"requested_reviewers", json::array()}, {"requested_teams", json::array()},
                {"head", end(p["head_ref"], p["head_sha"])}, {"base", end(p["base_ref"], baseSha.empty() ? std::string(40, '0') : baseSha)},
                {"_links", {{"self", link(self)}, {"html", link(html)}, {"issue", link(api + "/issues/" + n)},
                            {"comments", link(api + "/issues/" + n + "/comments")}, {"review_comments", link(self + "/comments")},
                            {"review_comment", link(api + "/pulls/comments{/number}")}, {"commits", link(self + "/commits")},
                            {"statuses", link(api + "/statuses/" + p["head_sha"].get<std::string>())}}},
                {"author_association", "MEMBER"}, {"auto_merge", nullptr}, {"draft", false}};
    if (detail) {
        const bool merged = p["merged"];
        const bool open = p["state"] == "open";
        out["merged"] = merged;
        out["mergeable"] = open ? json(true) : json(nullptr);
        out["rebaseable"] = open ? json(true) : json(nullptr);
        out["mergeable_state"] = open ? "clean" : "unknown";
        out["merged_by"] = merged ? user("release-bot") : json(nullptr);
        out["comments"] = 1;
        out["review_comments"] = 2;
        out["maintainer_can_modify"] = false;
        out["commits"] = 1;
        out["additions"] = 10 + p["number"].get<int>() % 90;
        out["deletions"] = 3 + p["number"].get<int>() % 20;
        out["changed_files"] = 1 + p["number"].get<int>() % 5;
    }
    return out;
}

json GitHubFake::commitJson(const json &c) const
{
    const std::string api = repoApi();
    const std::string sha = c["sha"];
    const json gitUser = {{"name", c["name"]}, {"email", c["email"]}, {"date", c["date"]}};
    json parents = json::array();
    if (c.contains("parents") && c["parents"].is_array()) {
        for (const json &p : c["parents"]) {
            const std::string parent = p.get<std::string>();
            parents.push_back({{"sha", parent}, {"url", api + "/commits/" + parent}, {"html_url", repoHtml() + "/commit/" + parent}});
        }
    } else if (const int i = commitIndex(sha); i > 0) {
        const std::string parent = m_commits[size_t(i - 1)]["sha"];
        parents.push_back({{"sha", parent}, {"url", api + "/commits/" + parent}, {"html_url", repoHtml() + "/commit/" + parent}});
    }
    const std::string tree = sha1("tree:" + sha);
    return {{"url", api + "/commits/" + sha}, {"sha", sha}, {"node_id", "C_" + sha.substr(0, 20)}, {"html_url", repoHtml() + "/commit/" + sha},
            {"comments_url", api + "/commits/" + sha + "/comments"},
            {"commit", {{"url", api + "/git/commits/" + sha}, {"author", gitUser}, {"committer", gitUser}, {"message", c["message"]},
                        {"tree", {{"sha", tree}, {"url", api + "/git/trees/" + tree}}}, {"comment_count", 0}}},
            {"author", user(c["author"])}, {"committer", user("web-flow")}, {"parents", parents}};
}

json GitHubFake::checkRunJson(const json &c) const
{
    const std::string api = repoApi();
    const std::string id = std::to_string(c["id"].get<qint64>());
    const std::string html = repoHtml() + "/actions/runs/9000/job/" + id;
    const qint64 suite = idFor("suite:" + c["head_sha"].get<std::string>());
    const json owner = user("github");
    const json app = {{"id", ActionsAppId}, {"slug", "github-actions"}, {"node_id", "MDM6QXBwMTUzNjg="}, {"owner", owner},
                      {"name", "GitHub Actions"}, {"description", "Automate your workflow from idea to production"},
                      {"external_url", "https://help.github.com/en/actions"}, {"html_url", "https://github.com/apps/github-actions"},
                      {"created_at", "2018-07-30T09:30:17Z"}, {"updated_at", "2024-04-10T20:33:16Z"},
                      {"permissions", {{"actions", "write"}, {"checks", "write"}, {"contents", "write"}, {"deployments", "write"}, {"metadata", "read"}}},
                      {"events", {"check_run", "check_suite", "deployment", "workflow_run"}}};
    const bool done = c["status"] == "completed";
    return {{"id", c["id"]}, {"node_id", nodeId("CR", c["id"].get<qint64>())}, {"head_sha", c["head_sha"]}, {"external_id", ""},
            {"url", api + "/check-runs/" + id}, {"html_url", html}, {"details_url", html}, {"status", c["status"]},
            {"conclusion", c["conclusion"]}, {"started_at", c["started_at"]}, {"completed_at", c["completed_at"]},
            {"output", {{"title", done ? json(c["name"].get<std::string>() + " finished") : json(nullptr)}, {"summary", done ? json("") : json(nullptr)},
                        {"text", nullptr}, {"annotations_count", 0}, {"annotations_url", api + "/check-runs/" + id + "/annotations"}}},
            {"name", c["name"]}, {"check_suite", {{"id", suite}}}, {"app", app}, {"pull_requests", json::array()}};
}

json GitHubFake::statusJson(const json &s) const
{
    const qint64 id = s["id"];
    return {{"url", repoApi() + "/statuses/" + s["sha"].get<std::string>()}, {"avatar_url", "https://avatars.githubusercontent.com/u/14985020"},
            {"id", id}, {"node_id", nodeId("SC", id)}, {"state", s["state"]}, {"description", s["description"]},
            {"target_url", s["target_url"]}, {"context", s["context"]}, {"created_at", s["created_at"]}, {"updated_at", s["created_at"]}};
}

json GitHubFake::environmentJson(const json &e) const
{
    const qint64 id = e["id"];
    const std::string name = e["name"];
    json rules = json::array();
    if (e["waitTimer"].get<int>() > 0)
        rules.push_back({{"id", id * 10 + 1}, {"node_id", nodeId("GA", id * 10 + 1)}, {"type", "wait_timer"}, {"wait_timer", e["waitTimer"]}});
    if (!e["reviewers"].empty()) {
        json reviewers = json::array();
        for (const json &login : e["reviewers"])
            reviewers.push_back({{"type", "User"}, {"reviewer", user(login)}});
        rules.push_back({{"id", id * 10 + 2}, {"node_id", nodeId("GA", id * 10 + 2)}, {"prevent_self_review", false},
                         {"type", "required_reviewers"}, {"reviewers", reviewers}});
    }
    json policy = nullptr;
    if (e["protectedBranches"].is_boolean()) {
        const bool protectedOnly = e["protectedBranches"];
        policy = {{"protected_branches", protectedOnly}, {"custom_branch_policies", !protectedOnly}};
        rules.push_back({{"id", id * 10 + 3}, {"node_id", nodeId("GA", id * 10 + 3)}, {"type", "branch_policy"}});
    }
    return {{"id", id}, {"node_id", nodeId("EN", id)}, {"name", name}, {"url", repoApi() + "/environments/" + name},
            {"html_url", repoHtml() + "/deployments/activity_log?environments_filter=" + name}, {"created_at", e["created_at"]},
            {"updated_at", e["created_at"]}, {"protection_rules", rules}, {"deployment_branch_policy", policy}};
}

json GitHubFake::runJson(const json &r) const
{
    const std::string api = repoApi();
    const std::string id = std::to_string(r["id"].get<qint64>());
    const std::string run = api + "/actions/runs/" + id;
    const std::string sha = r["head_sha"];
    json headCommit = nullptr;
    if (const int i = commitIndex(sha); i >= 0) {
        const json &c = m_commits[size_t(i)];
        const json who = {{"name", c["name"]}, {"email", c["email"]}};
        headCommit = {{"id", sha}, {"tree_id", sha1("tree:" + sha)}, {"message", c["message"]}, {"timestamp", c["date"]},
                      {"author", who}, {"committer", who}};
    }
    const std::string title = headCommit.is_null() ? r["name"].get<std::string>() : headCommit["message"].get<std::string>();
    return {{"id", r["id"]}, {"name", r["name"]}, {"node_id", nodeId("WFR", r["id"].get<qint64>())}, {"head_branch", r["head_branch"]},
            {"head_sha", sha}, {"path", r["path"]}, {"display_title", title}, {"run_number", r["run_number"]}, {"run_attempt", 1},
            {"event", r["event"]}, {"status", r["status"]}, {"conclusion", r["conclusion"]}, {"workflow_id", r["workflow_id"]},
            {"check_suite_id", idFor("suite:" + sha)}, {"check_suite_node_id", "CS_" + sha.substr(0, 12)}, {"url", run},
            {"html_url", repoHtml() + "/actions/runs/" + id}, {"pull_requests", json::array()}, {"created_at", r["created_at"]},
            {"updated_at", r["updated_at"]}, {"run_started_at", r["created_at"]}, {"actor", user()}, {"triggering_actor", user()},
            {"jobs_url", run + "/jobs"}, {"logs_url", run + "/logs"}, {"check_suite_url", api + "/check-suites/" + std::to_string(idFor("suite:" + sha))},
            {"artifacts_url", run + "/artifacts"}, {"cancel_url", run + "/cancel"}, {"rerun_url", run + "/rerun"},
            {"previous_attempt_url", nullptr}, {"workflow_url", api + "/actions/workflows/" + std::to_string(r["workflow_id"].get<qint64>())},
            {"head_commit", headCommit}, {"repository", repository()}, {"head_repository", repository()}};
}

json GitHubFake::deploymentJson(const json &d) const
{
    const std::string url = repoApi() + "/deployments/" + std::to_string(d["id"].get<qint64>());
    return {{"url", url}, {"id", d["id"]}, {"node_id", nodeId("DE", d["id"].get<qint64>())}, {"sha", d["sha"]}, {"ref", d["ref"]},
            {"task", d["task"]}, {"payload", d["payload"]}, {"original_environment", d["environment"]}, {"environment", d["environment"]},
            {"description", d["description"]}, {"creator", user(d["creator"])}, {"created_at", d["created_at"]},
            {"updated_at", d["updated_at"]}, {"statuses_url", url + "/statuses"}, {"repository_url", repoApi()},
            {"transient_environment", d["transient_environment"]}, {"production_environment", d["production_environment"]},
            {"performed_via_github_app", nullptr}};
}

json GitHubFake::deploymentStatusJson(const json &d, const json &s) const
{
    const std::string deployment = repoApi() + "/deployments/" + std::to_string(d["id"].get<qint64>());
    const std::string logUrl = s["log_url"];
    json out = {{"url", deployment + "/statuses/" + std::to_string(s["id"].get<qint64>())}, {"id", s["id"]},
                {"node_id", nodeId("DES", s["id"].get<qint64>())}, {"state", s["state"]}, {"creator", user(s["creator"])},
                {"description", s["description"]}, {"environment", s["environment"]},
                // target_url is the old name of log_url; the schema wants a URI even when no log was given.
                {"target_url", logUrl.empty() ? repoHtml() + "/deployments/" + d["environment"].get<std::string>() : logUrl},
                {"created_at", s["created_at"]}, {"updated_at", s["created_at"]}, {"deployment_url", deployment},
                {"repository_url", repoApi()}, {"performed_via_github_app", nullptr}};
    if (!logUrl.empty())
        out["log_url"] = logUrl;
    if (!s["environment_url"].get<std::string>().empty())
        out["environment_url"] = s["environment_url"];
    return out;
}

json GitHubFake::issueJson(const json &i) const
{
    const std::string api = repoApi();
    const std::string n = std::to_string(i["number"].get<int>());
    json labels = json::array();
    for (const json &l : i["labels"]) {
        const std::string name = l.is_string() ? l.get<std::string>() : str(l, "name", "label");
        const qint64 labelId = idFor("label:" + name);
        labels.push_back({{"id", labelId}, {"node_id", nodeId("LA", labelId)}, {"url", api + "/labels/" + name}, {"name", name},
                          {"description", labelDescription(name)}, {"color", labelColor(name)}, {"default", false}});
    }
    return {{"id", i["id"]}, {"node_id", nodeId("I", i["id"].get<int>())}, {"url", api + "/issues/" + n},
            {"repository_url", api}, {"labels_url", api + "/issues/" + n + "/labels{/name}"},
            {"comments_url", api + "/issues/" + n + "/comments"}, {"events_url", api + "/issues/" + n + "/events"},
            {"html_url", i["html_url"]}, {"number", i["number"]}, {"state", i["state"]}, {"title", i["title"]}, {"body", i["body"]},
            {"user", user()}, {"labels", labels}, {"assignee", nullptr}, {"assignees", json::array()}, {"milestone", nullptr},
            {"locked", false}, {"active_lock_reason", nullptr}, {"comments", 0}, {"closed_at", i.value("closed_at", json(nullptr))},
            {"created_at", i["created_at"]}, {"updated_at", i.value("updated_at", i["created_at"])}, {"author_association", "MEMBER"}};
}

HttpResponse GitHubFake::page(const HttpRequest &r, const json &items, const std::function<json(const json &)> &wrap) const
{
    const int perPage = qBound(1, r.queryValue(u"per_page"_s, u"30"_s).toInt(), 100);
    const int total = int(items.size());
    const int last = qMax(1, (total + perPage - 1) / perPage);
    const int current = qMax(1, r.queryValue(u"page"_s, u"1"_s).toInt());
    json slice = json::array();
    for (int i = (current - 1) * perPage; i < total && i < current * perPage; ++i)
        slice.push_back(items[size_t(i)]);
    HttpResponse resp = HttpResponse::json(200, wrap ? wrap(slice) : slice);
    const auto pageUrl = [&](int n) {
        QUrlQuery q = r.query;
        q.removeAllQueryItems(u"per_page"_s);
        q.removeAllQueryItems(u"page"_s);
        q.addQueryItem(u"per_page"_s, QString::number(perPage));
        q.addQueryItem(u"page"_s, QString::number(n));
        QUrl url(m_server->baseUrl());
        url.setPath(r.path);
        url.setQuery(q);
        return url.toEncoded();
    };
    QList<QByteArray> links;
    if (current < last) {
        links << '<' + pageUrl(current + 1) + ">; rel=\"next\"";
        links << '<' + pageUrl(last) + ">; rel=\"last\"";
    }
    if (current > 1) {
        links << '<' + pageUrl(qMin(current - 1, last)) + ">; rel=\"prev\"";
        links << '<' + pageUrl(1) + ">; rel=\"first\"";
    }
    if (!links.isEmpty())
        resp.setHeader("Link", links.join(", "));
    return resp;
}

// ---------------------------------------------------------------------------------------------
// Routes

void GitHubFake::resetBudget()
{
    m_remaining = m_limit;
    m_reset = QDateTime::currentSecsSinceEpoch() + 3600;
}

HttpServer::Handler GitHubFake::guarded(HttpServer::Handler h)
{
    // Auth, budget and conditional requests, as GitHub does them.
    return [this, h](const HttpRequest &r, const QRegularExpressionMatch &m) {
        const QByteArray auth = r.header("authorization");
        const json *caller = nullptr;
        for (const json &u : m_users) {
            const QByteArray token = QByteArray::fromStdString(u["token"].get<std::string>());
            if (!token.isEmpty() && (auth == "Bearer " + token || auth == "token " + token))
                caller = &u;
        }
        if (!caller)
            return m_server->error(401, u"unauthorized"_s, u"Bad credentials"_s);
        m_caller = (*caller)["login"].get<std::string>();
        if (QDateTime::currentSecsSinceEpoch() > m_reset) {
            m_reset = QDateTime::currentSecsSinceEpoch() + 3600;
            m_remaining = m_limit;
        }
        HttpResponse resp;
        if (m_remaining <= 0) {
            resp = m_server->error(403, u"rate_limited"_s, u"API rate limit exceeded for user ID 4242."_s);
        } else {
            resp = h(r, m);
            if (r.method == "GET" && resp.status == 200) {
                const QByteArray etag = "W/\"" + QCryptographicHash::hash(resp.body, QCryptographicHash::Sha1).toHex() + '"';
                resp.setHeader("ETag", etag);
                if (r.header("if-none-match") == etag) {
                    const QByteArray link = resp.headerValue("Link");
                    resp = HttpResponse::empty(304); // a 304 costs no budget
                    resp.setHeader("ETag", etag);
                    if (!link.isEmpty())
                        resp.setHeader("Link", link);
                } else {
                    --m_remaining;
                }
            } else {
                --m_remaining;
            }
        }
        resp.setHeader("X-RateLimit-Limit", QByteArray::number(m_limit));
        resp.setHeader("X-RateLimit-Remaining", QByteArray::number(qMax(0, m_remaining)));
        resp.setHeader("X-RateLimit-Reset", QByteArray::number(m_reset));
        resp.setHeader("X-RateLimit-Used", QByteArray::number(m_limit - m_remaining));
        resp.setHeader("X-RateLimit-Resource", "core");
        if (!m_scopes.isEmpty()) // a classic token: GitHub lists its scopes on every answer
            resp.setHeader("X-OAuth-Scopes", m_scopes.join(u", "_s).toUtf8());
        return resp;
    };
}

void GitHubFake::routes()
{
    using M = QRegularExpressionMatch;
    const QString repoPath = u"/repos/%1/%2"_s.arg(m_owner, m_repo);

    m_server->route("GET", u"/rate_limit"_s, [this](const HttpRequest &r, const M &) {
        if (r.header("authorization").isEmpty())
            return m_server->error(401, u"unauthorized"_s, u"Requires authentication"_s);
        const json core = {{"limit", m_limit}, {"remaining", m_remaining}, {"reset", m_reset}, {"used", m_limit - m_remaining}};
        const json search = {{"limit", 30}, {"remaining", 30}, {"reset", m_reset}, {"used", 0}};
        return HttpResponse::json(200, {{"resources", {{"core", core}, {"search", search}}}, {"rate", core}});
    });
    userRoutes(repoPath);
    releaseRoutes(repoPath);
    pullAndCommitRoutes(repoPath);
    journalRoutes(repoPath);
    environmentAndRunRoutes(repoPath);
    deploymentRoutes(repoPath);
    issueCommentRoutes(repoPath);
}

void GitHubFake::userRoutes(const QString &repoPath)
{
    using M = QRegularExpressionMatch;
    m_server->route("GET", u"/user"_s, guarded([this](const HttpRequest &, const M &) {
        json u = user(m_caller);
        // The public view (public-user): a profile's counters and dates.
        u.update({{"user_view_type", "public"}, {"name", m_caller}, {"company", nullptr}, {"blog", ""}, {"location", nullptr},
                  {"email", nullptr}, {"hireable", nullptr}, {"bio", nullptr}, {"public_repos", 3}, {"public_gists", 0},
                  {"followers", 1}, {"following", 1}, {"created_at", "2020-01-02T03:04:05Z"}, {"updated_at", "2026-11-01T10:00:00Z"}});
        return HttpResponse::json(200, u);
    }));
    m_server->route("GET", repoPath + u"/collaborators/([^/]+)/permission"_s, guarded([this](const HttpRequest &, const M &m) {
        const std::string login = QUrl::fromPercentEncoding(m.captured(1).toUtf8()).toStdString();
        const bool known = std::any_of(m_users.begin(), m_users.end(), [&](const json &u) { return u["login"] == login; });
        const std::string role = permissionOf(login);
        if (!known || role == "none")
            return m_server->error(404, u"not_found"_s, u"%1 is not a user"_s.arg(QString::fromStdString(login)));
        // GitHub's permission folds maintain into write and triage into read; role_name keeps them.
        const std::string permission = role == "maintain" ? "write" : role == "triage" ? "read" : role;
        json collaborator = user(login);
        collaborator["role_name"] = role;
        collaborator["permissions"] = {{"pull", true}, {"triage", role != "read"}, {"push", permission == "write" || permission == "admin"},
                                       {"maintain", role == "maintain" || role == "admin"}, {"admin", role == "admin"}};
        return HttpResponse::json(200, {{"permission", permission}, {"role_name", role}, {"user", collaborator}});
    }));
}

void GitHubFake::releaseRoutes(const QString &repoPath)
{
    using M = QRegularExpressionMatch;
    m_server->route("GET", repoPath + u"/releases"_s, guarded([this](const HttpRequest &r, const M &) {
        const int perPage = qBound(1, r.queryValue(u"per_page"_s, u"30"_s).toInt(), 100);
        const int page = qMax(1, r.queryValue(u"page"_s, u"1"_s).toInt());
        json out = json::array();
        const int total = int(m_releases.size());
        for (int i = total - 1 - (page - 1) * perPage, n = 0; i >= 0 && n < perPage; --i, ++n)
            out.push_back(releaseJson(m_releases[size_t(i)]));
        HttpResponse resp = HttpResponse::json(200, out);
        if (page * perPage < total) {
            const QByteArray next = m_server->baseUrl().toUtf8() + r.path.toUtf8() + "?per_page=" + QByteArray::number(perPage) + "&page=" + QByteArray::number(page + 1);
            resp.setHeader("Link", '<' + next + ">; rel=\"next\"");
        }
        return resp;
    }));

    m_server->route("GET", repoPath + u"/releases/latest"_s, guarded([this](const HttpRequest &, const M &) {
        for (auto it = m_releases.rbegin(); it != m_releases.rend(); ++it) {
            if (!(*it).value("draft", false))
                return HttpResponse::json(200, releaseJson(*it));
        }
        return m_server->error(404, u"not_found"_s, u"Not Found"_s);
    }));

    m_server->route("POST", repoPath + u"/releases"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("tag_name") || !body["tag_name"].is_string())
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: tag_name is missing"_s);
        for (const json &existing : m_releases) {
            if (existing["tag_name"] == body["tag_name"] && !existing.value("draft", false))
                return m_server->error(422, u"already_exists"_s, u"Validation Failed: tag_name already_exists"_s);
        }
        json rel = {{"id", m_nextId++}, {"tag_name", body["tag_name"]}, {"name", body.value("name", "")}, {"body", body.value("body", "")},
                    {"draft", body.value("draft", false)}, {"prerelease", body.value("prerelease", false)},
                    {"target_commitish", body.value("target_commitish", "main")},
                    {"created_at", now()}, {"published_at", now()}};
        m_releases.push_back(rel);
        return HttpResponse::json(201, releaseJson(rel));
    }));

    m_server->route("POST", repoPath + u"/releases/generate-notes"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("tag_name"))
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: tag_name is missing"_s);
        const std::string tag = body["tag_name"];
        return HttpResponse::json(200, {{"name", tag}, {"body", "## What's Changed\n* scheduler v2 by @dev in #412\n* DM dedupe by @dev in #418\n"}});
    }));

    // issues/list-for-repo: ?labels (all of them), ?state (open, closed, all), ?since (updated at or after), paged.
    m_server->route("GET", repoPath + u"/issues"_s, guarded([this](const HttpRequest &r, const M &) {
        const std::string state = r.queryValue(u"state"_s, u"open"_s).toStdString();
        if (state != "open" && state != "closed" && state != "all")
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: state must be open, closed or all"_s);
        const QStringList wanted = r.queryValue(u"labels"_s).split(u',', Qt::SkipEmptyParts);
        const QString since = r.queryValue(u"since"_s);
        QDateTime sinceTime;
        if (!since.isEmpty()) {
            sinceTime = QDateTime::fromString(since, Qt::ISODate);
            if (!sinceTime.isValid())
                return m_server->error(422, u"unprocessable"_s, u"Validation Failed: since must be an ISO 8601 time"_s);
        }
        json matching = json::array();
        // Newest first, as GitHub sorts by created descending by default.
        for (auto it = m_issues.rbegin(); it != m_issues.rend(); ++it) {
            const json &i = *it;
            if (state != "all" && i["state"] != state)
                continue;
            QStringList names;
            for (const json &l : i["labels"])
                names << QString::fromStdString(l.is_string() ? l.get<std::string>() : l.value("name", std::string()));
            if (!std::all_of(wanted.cbegin(), wanted.cend(), [&](const QString &w) { return names.contains(w.trimmed()); }))
                continue;
            if (sinceTime.isValid()) {
                const QDateTime updated = QDateTime::fromString(QString::fromStdString(i.value("updated_at", i["created_at"]).get<std::string>()), Qt::ISODate);
                if (updated < sinceTime)
                    continue;
            }
            matching.push_back(issueJson(i));
        }
        return page(r, matching, {});
    }));

    m_server->route("POST", repoPath + u"/issues"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("title") || !body["title"].is_string())
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: title is missing"_s);
        const int number = int(m_issues.size()) + 400;
        json issue = {{"id", m_nextId++}, {"number", number}, {"title", body["title"]}, {"body", body.value("body", "")},
                      {"labels", body.value("labels", json::array())}, {"state", "open"},
                      {"html_url", repoHtml() + "/issues/" + std::to_string(number)}, {"created_at", now()}};
        m_issues.push_back(issue);
        return HttpResponse::json(201, issueJson(issue));
    }));
}

void GitHubFake::pullAndCommitRoutes(const QString &repoPath)
{
    using M = QRegularExpressionMatch;
    m_server->route("GET", repoPath + u"/pulls"_s, guarded([this](const HttpRequest &r, const M &) {
        const std::string state = r.queryValue(u"state"_s, u"open"_s).toStdString();
        if (state != "open" && state != "closed" && state != "all")
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: state must be open, closed or all"_s);
        const std::string base = r.queryValue(u"base"_s).toStdString();
        std::string head = r.queryValue(u"head"_s).toStdString();
        if (const auto colon = head.find(':'); colon != std::string::npos)
            head = head.substr(colon + 1);
        const std::string sort = r.queryValue(u"sort"_s, u"created"_s).toStdString();
        const bool ascending = r.queryValue(u"direction"_s, sort == "created" ? u"desc"_s : u"asc"_s) == u"asc"_s;
        std::vector<json> matching;
        for (const json &p : m_pulls) {
            if ((state == "all" || p["state"] == state) && (base.empty() || p["base_ref"] == base) && (head.empty() || p["head_ref"] == head))
                matching.push_back(p);
        }
        const char *key = sort == "updated" ? "updated_at" : "created_at";
        std::stable_sort(matching.begin(), matching.end(), [&](const json &a, const json &b) {
            const auto ka = std::make_pair(a[key].get<std::string>(), a["number"].get<int>());
            const auto kb = std::make_pair(b[key].get<std::string>(), b["number"].get<int>());
            return ascending ? ka < kb : kb < ka;
        });
        json items = json::array();
        for (const json &p : matching)
            items.push_back(pullJson(p, false));
        return page(r, items);
    }));

    m_server->route("GET", repoPath + u"/pulls/(\\d+)"_s, guarded([this](const HttpRequest &, const M &m) {
        const int number = m.captured(1).toInt();
        for (const json &p : m_pulls) {
            if (p["number"] == number)
                return HttpResponse::json(200, pullJson(p, true));
        }
        return m_server->error(404, u"not_found"_s, u"Not Found"_s);
    }));

    m_server->route("GET", repoPath + u"/compare/(.+)"_s, guarded([this](const HttpRequest &r, const M &m) {
        const std::string basehead = m.captured(1).toStdString();
        const auto dots = basehead.find("...");
        if (dots == std::string::npos)
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        const std::string baseRef = basehead.substr(0, dots), headRef = basehead.substr(dots + 3);
        const int base = commitIndex(resolveRef(baseRef)), head = commitIndex(resolveRef(headRef));
        if (base < 0 || head < 0)
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        json range = json::array();
        for (int i = base + 1; i <= head; ++i)
            range.push_back(commitJson(m_commits[size_t(i)]));
        // Changed files: every file a commit of the range touched, once.
        json files = json::array();
        std::vector<std::string> seen;
        for (int i = base + 1; i <= head; ++i) {
            const json &c = m_commits[size_t(i)];
            for (const json &f : c["files"]) {
                const std::string name = f;
                if (std::find(seen.begin(), seen.end(), name) != seen.end())
                    continue;
                seen.push_back(name);
                const std::string blob = sha1("blob:" + name + c["sha"].get<std::string>());
                const int additions = 5 + int(name.size()) % 40, deletions = int(name.size()) % 7;
                files.push_back({{"sha", blob}, {"filename", name}, {"status", "modified"}, {"additions", additions},
                                 {"deletions", deletions}, {"changes", additions + deletions},
                                 {"blob_url", repoHtml() + "/blob/" + c["sha"].get<std::string>() + "/" + name},
                                 {"raw_url", repoHtml() + "/raw/" + c["sha"].get<std::string>() + "/" + name},
                                 {"contents_url", repoApi() + "/contents/" + name + "?ref=" + c["sha"].get<std::string>()},
                                 {"patch", "@@ -1,3 +1,4 @@"}});
            }
        }
        const json &baseCommit = m_commits[size_t(base)];
        const json &mergeBase = m_commits[size_t(std::min(base, head))];
        const int ahead = std::max(0, head - base), behind = std::max(0, base - head);
        const std::string status = ahead > 0 ? "ahead" : behind > 0 ? "behind" : "identical";
        const auto body = [&, files](const json &commits, bool withFiles) {
            json out = {{"url", repoApi() + "/compare/" + basehead}, {"html_url", repoHtml() + "/compare/" + basehead},
                        {"permalink_url", repoHtml() + "/compare/" + m_owner.toStdString() + ":" + baseCommit["sha"].get<std::string>().substr(0, 7) + "..."
                                              + m_owner.toStdString() + ":" + m_commits[size_t(head)]["sha"].get<std::string>().substr(0, 7)},
                        {"diff_url", repoHtml() + "/compare/" + basehead + ".diff"}, {"patch_url", repoHtml() + "/compare/" + basehead + ".patch"},
                        {"base_commit", commitJson(baseCommit)}, {"merge_base_commit", commitJson(mergeBase)}, {"status", status},
                        {"ahead_by", ahead}, {"behind_by", behind}, {"total_commits", ahead}, {"commits", commits}};
            if (withFiles)
                out["files"] = files;
            return out;
        };
        // Without page/per_page GitHub answers up to 250 commits at once; with them, it pages the
        // commits and lists the files on the first page only.
        if (!r.query.hasQueryItem(u"page"_s) && !r.query.hasQueryItem(u"per_page"_s)) {
            json first = json::array();
            for (size_t i = 0; i < range.size() && i < 250; ++i)
                first.push_back(range[i]);
            return HttpResponse::json(200, body(first, true));
        }
        const bool firstPage = r.queryValue(u"page"_s, u"1"_s).toInt() <= 1;
        return page(r, range, [&](const json &commits) { return body(commits, firstPage); });
    }));

    // A file or a folder at a ref (the contents API): the file as the last commit up to the ref
    // wrote it (its text from the commit's "contents", else a generated line), a folder as the
    // files under it at that ref.
    m_server->route("GET", repoPath + u"/contents/(.+)"_s, guarded([this](const HttpRequest &r, const M &m) {
        const std::string path = QUrl::fromPercentEncoding(m.captured(1).toUtf8()).toStdString();
        const std::string ref = r.queryValue(u"ref"_s, u"main"_s).toStdString();
        if (auto onBranch = branchContent(ref, path))
            return *onBranch;
        const int at = commitIndex(resolveRef(ref));
        if (at < 0)
            return m_server->error(404, u"not_found"_s, u"No commit found for the ref %1"_s.arg(QString::fromStdString(ref)));
        const std::string at_sha = m_commits[size_t(at)]["sha"];
        // path → (the commit that last wrote it, its text)
        std::map<std::string, std::pair<std::string, std::string>> tree;
        for (int i = 0; i <= at; ++i) {
            const json &c = m_commits[size_t(i)];
            for (const json &f : c["files"]) {
                const std::string name = f;
                const json &contents = c["contents"];
                tree[name] = {c["sha"].get<std::string>(), contents.contains(name) && contents[name].is_string()
                                                                 ? contents[name].get<std::string>()
                                                                 : "// " + name + " as of " + c["sha"].get<std::string>().substr(0, 7) + "\n"};
            }
        }
        const auto entry = [&](const std::string &name, const std::string &text, bool withContent) {
            const std::string blob = sha1("blob:" + name + ":" + text);
            const std::string base = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
            const std::string url = repoApi() + "/contents/" + name + "?ref=" + ref;
            json e = {{"type", "file"}, {"name", base}, {"path", name}, {"sha", blob}, {"size", int(text.size())}, {"url", url},
                      {"html_url", repoHtml() + "/blob/" + at_sha + "/" + name}, {"git_url", repoApi() + "/git/blobs/" + blob},
                      {"download_url", "https://raw.githubusercontent.com/" + m_owner.toStdString() + "/" + m_repo.toStdString() + "/" + at_sha + "/" + name},
                      {"_links", {{"self", url}, {"git", repoApi() + "/git/blobs/" + blob}, {"html", repoHtml() + "/blob/" + at_sha + "/" + name}}}};
            if (withContent) {
                // GitHub wraps the base64 at 60 characters.
                const QByteArray b64 = QByteArray::fromStdString(text).toBase64();
                std::string wrapped;
                for (qsizetype i = 0; i < b64.size(); i += 60)
                    wrapped += b64.mid(i, 60).toStdString() + "\n";
                e["content"] = wrapped;
                e["encoding"] = "base64";
            }
            return e;
        };
        if (const auto file = tree.find(path); file != tree.end())
            return HttpResponse::json(200, entry(path, file->second.second, true));
        json folder = json::array();
        std::vector<std::string> dirs;
        const std::string prefix = path.empty() || path.back() == '/' ? path : path + "/";
        for (const auto &[name, written] : tree) {
            if (name.rfind(prefix, 0) != 0)
                continue;
            const std::string rest = name.substr(prefix.size());
            if (rest.find('/') == std::string::npos) {
                folder.push_back(entry(name, written.second, false));
            } else if (const std::string dir = rest.substr(0, rest.find('/')); std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) {
                dirs.push_back(dir);
                folder.push_back({{"type", "dir"}, {"name", dir}, {"path", prefix + dir}, {"sha", sha1("tree:" + prefix + dir + at_sha)},
                                  {"size", 0}, {"url", repoApi() + "/contents/" + prefix + dir + "?ref=" + ref},
                                  {"html_url", repoHtml() + "/tree/" + at_sha + "/" + prefix + dir}, {"git_url", nullptr}, {"download_url", nullptr},
                                  {"_links", {{"self", repoApi() + "/contents/" + prefix + dir + "?ref=" + ref}, {"git", nullptr},
                                              {"html", repoHtml() + "/tree/" + at_sha + "/" + prefix + dir}}}});
            }
        }
        if (folder.empty())
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        return HttpResponse::json(200, folder);
    }));

    m_server->route("GET", repoPath + u"/commits/(.+)/check-runs"_s, guarded([this](const HttpRequest &r, const M &m) {
        const std::string sha = resolveRef(m.captured(1).toStdString());
        if (sha.empty())
            return m_server->error(422, u"unprocessable"_s, u"No commit found for SHA: %1"_s.arg(m.captured(1)));
        const std::string name = r.queryValue(u"check_name"_s).toStdString();
        const std::string status = r.queryValue(u"status"_s).toStdString();
        const bool latestOnly = r.queryValue(u"filter"_s, u"latest"_s) != u"all"_s;
        json items = json::array();
        for (auto it = m_checkRuns.rbegin(); it != m_checkRuns.rend(); ++it) { // newest first
            const json &c = *it;
            if (c["head_sha"] != sha || (!name.empty() && c["name"] != name) || (!status.empty() && c["status"] != status))
                continue;
            if (latestOnly && std::any_of(items.begin(), items.end(), [&](const json &x) { return x["name"] == c["name"]; }))
                continue;
            items.push_back(checkRunJson(c));
        }
        const int total = int(items.size());
        return page(r, items, [total](const json &runs) { return json{{"total_count", total}, {"check_runs", runs}}; });
    }));

    m_server->route("GET", repoPath + u"/commits/(.+)/status"_s, guarded([this](const HttpRequest &r, const M &m) {
        const std::string sha = resolveRef(m.captured(1).toStdString());
        if (sha.empty())
            return m_server->error(404, u"not_found"_s, u"No commit found for SHA: %1"_s.arg(m.captured(1)));
        json latest = json::array();
        for (auto it = m_statuses.rbegin(); it != m_statuses.rend(); ++it) {
            if ((*it)["sha"] != sha)
                continue;
            if (std::none_of(latest.begin(), latest.end(), [&](const json &x) { return x["context"] == (*it)["context"]; }))
                latest.push_back(statusJson(*it));
        }
        // failure if any context failed or errored, pending if none reported or one is pending, success otherwise.
        std::string state = latest.empty() ? "pending" : "success";
        for (const json &s : latest) {
            if (s["state"] == "failure" || s["state"] == "error")
                state = "failure";
            else if (s["state"] == "pending" && state != "failure")
                state = "pending";
        }
        const int total = int(latest.size());
        const std::string api = repoApi();
        return page(r, latest, [&](const json &statuses) {
            return json{{"state", state}, {"statuses", statuses}, {"sha", sha}, {"total_count", total}, {"repository", repository()},
                        {"commit_url", api + "/commits/" + sha}, {"url", api + "/commits/" + sha + "/status"}};
        });
    }));

    m_server->route("GET", repoPath + u"/branches/(.+)/protection"_s, guarded([this](const HttpRequest &, const M &m) {
        const std::string branch = m.captured(1).toStdString();
        if (resolveRef(branch).empty() || isHexSha(branch))
            return m_server->error(404, u"not_found"_s, u"Branch not found"_s);
        if (!m_protection.contains(branch) || !m_protection[branch].is_object())
            return m_server->error(404, u"not_found"_s, u"Branch not protected"_s);
        const json &p = m_protection[branch];
        const std::string url = repoApi() + "/branches/" + branch + "/protection";
        json out = {{"url", url},
                    {"enforce_admins", {{"url", url + "/enforce_admins"}, {"enabled", p.value("enforceAdmins", false)}}},
                    {"required_signatures", {{"url", url + "/required_signatures"}, {"enabled", false}}},
                    {"required_linear_history", {{"enabled", false}}},
                    {"allow_force_pushes", {{"enabled", p.value("allowForcePushes", false)}}},
                    {"allow_deletions", {{"enabled", false}}},
                    {"block_creations", {{"enabled", false}}},
                    {"required_conversation_resolution", {{"enabled", false}}},
                    {"lock_branch", {{"enabled", false}}},
                    {"allow_fork_syncing", {{"enabled", false}}}};
        if (p.contains("contexts") && p["contexts"].is_array()) {
            json checks = json::array();
            for (const json &c : p["contexts"])
                checks.push_back({{"context", c}, {"app_id", ActionsAppId}});
            out["required_status_checks"] = {{"url", url + "/required_status_checks"}, {"strict", p.value("strict", false)},
                                             {"contexts", p["contexts"]}, {"contexts_url", url + "/required_status_checks/contexts"},
                                             {"checks", checks}};
        }
        if (p.contains("requiredApprovals") && p["requiredApprovals"].is_number_integer()) {
            out["required_pull_request_reviews"] = {{"url", url + "/required_pull_request_reviews"}, {"dismiss_stale_reviews", true},
                                                    {"require_code_owner_reviews", false},
                                                    {"required_approving_review_count", p["requiredApprovals"]},
                                                    {"require_last_push_approval", false}};
        }
        return HttpResponse::json(200, out);
    }));
}

void GitHubFake::environmentAndRunRoutes(const QString &repoPath)
{
    using M = QRegularExpressionMatch;
    m_server->route("GET", repoPath + u"/environments"_s, guarded([this](const HttpRequest &r, const M &) {
        json items = json::array();
        for (const json &e : m_environments)
            items.push_back(environmentJson(e));
        const int total = int(items.size());
        return page(r, items, [total](const json &environments) { return json{{"total_count", total}, {"environments", environments}}; });
    }));

    m_server->route("GET", repoPath + u"/actions/runs"_s, guarded([this](const HttpRequest &r, const M &) {
        const std::string branch = r.queryValue(u"branch"_s).toStdString();
        const std::string sha = r.queryValue(u"head_sha"_s).toStdString();
        const std::string status = r.queryValue(u"status"_s).toStdString();
        const std::string event = r.queryValue(u"event"_s).toStdString();
        json items = json::array();
        for (auto it = m_runs.rbegin(); it != m_runs.rend(); ++it) { // newest first
            const json &run = *it;
            if ((!branch.empty() && run["head_branch"] != branch) || (!sha.empty() && run["head_sha"] != sha)
                || (!event.empty() && run["event"] != event) || (!status.empty() && run["status"] != status && run["conclusion"] != status))
                continue;
            items.push_back(runJson(run));
        }
        const int total = int(items.size());
        return page(r, items, [total](const json &runs) { return json{{"total_count", total}, {"workflow_runs", runs}}; });
    }));

    const auto findRun = [this](const M &m) -> json * {
        const qint64 id = m.captured(1).toLongLong();
        for (json &run : m_runs) {
            if (run["id"].get<qint64>() == id)
                return &run;
        }
        return nullptr;
    };
    const auto canApprove = [this](const json &env) { return mayReview(env, m_caller); };

    m_server->route("GET", repoPath + u"/actions/runs/(\\d+)/pending_deployments"_s, guarded([this, findRun, canApprove](const HttpRequest &, const M &m) {
        const json *run = findRun(m);
        if (!run)
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        json out = json::array();
        for (const json &id : (*run)["pending"]) {
            const json *env = environment(id.get<qint64>());
            if (!env)
                continue;
            const std::string name = (*env)["name"];
            json reviewers = json::array();
            for (const json &login : (*env)["reviewers"])
                reviewers.push_back({{"type", "User"}, {"reviewer", user(login)}});
            out.push_back({{"environment", {{"id", (*env)["id"]}, {"node_id", nodeId("EN", (*env)["id"].get<qint64>())}, {"name", name},
                                            {"url", repoApi() + "/environments/" + name},
                                            {"html_url", repoHtml() + "/deployments/activity_log?environments_filter=" + name}}},
                           {"wait_timer", (*env)["waitTimer"]},
                           {"wait_timer_started_at", (*env)["waitTimer"].get<int>() > 0 ? (*run)["created_at"] : json(nullptr)},
                           {"current_user_can_approve", canApprove(*env)}, {"reviewers", reviewers}});
        }
        return HttpResponse::json(200, out);
    }));

    m_server->route("GET", repoPath + u"/actions/runs/(\\d+)/approvals"_s, guarded([this, findRun](const HttpRequest &, const M &m) {
        const json *run = findRun(m);
        if (!run)
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        json out = json::array();
        for (const json &a : (*run)["approvals"]) {
            json environments = json::array();
            for (const json &id : a["environments"]) {
                const json *env = environment(id.get<qint64>());
                if (!env)
                    continue;
                const std::string name = (*env)["name"];
                environments.push_back({{"id", (*env)["id"]}, {"node_id", nodeId("EN", (*env)["id"].get<qint64>())}, {"name", name},
                                        {"url", repoApi() + "/environments/" + name},
                                        {"html_url", repoHtml() + "/deployments/activity_log?environments_filter=" + name},
                                        {"created_at", (*env)["created_at"]}, {"updated_at", (*env)["created_at"]}});
            }
            out.push_back({{"environments", environments}, {"state", a["state"]}, {"user", user(a["user"].get<std::string>())},
                           {"comment", a["comment"]}});
        }
        return HttpResponse::json(200, out);
    }));

    m_server->route("POST", repoPath + u"/actions/runs/(\\d+)/pending_deployments"_s, guarded([this, findRun, canApprove](const HttpRequest &r, const M &m) {
        json *run = findRun(m);
        if (!run)
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        const json body = r.json();
        const bool validIds = body.is_object() && body.contains("environment_ids") && body["environment_ids"].is_array()
                              && !body["environment_ids"].empty()
                              && std::all_of(body["environment_ids"].begin(), body["environment_ids"].end(), [](const json &x) { return x.is_number_integer(); });
        const std::string state = body.is_object() ? str(body, "state") : std::string();
        if (!validIds || (state != "approved" && state != "rejected") || !body.contains("comment") || !body["comment"].is_string())
            return m_server->error(422, u"unprocessable"_s,
                                   u"Invalid request: environment_ids (a list of environment ids), state (approved or rejected) and comment are required"_s);
        json &pending = (*run)["pending"];
        for (const json &id : body["environment_ids"]) {
            if (std::find(pending.begin(), pending.end(), id) == pending.end())
                return m_server->error(422, u"unprocessable"_s,
                                       u"Deployment review failed: environment %1 is not waiting for a review in run %2"_s
                                           .arg(id.get<qint64>()).arg((*run)["id"].get<qint64>()));
            const json *env = environment(id.get<qint64>());
            if (!env || !canApprove(*env))
                return m_server->error(422, u"unprocessable"_s,
                                       u"Deployment review failed: %1 is not a required reviewer with write access"_s.arg(QString::fromStdString(m_caller)));
        }
        json out = json::array();
        const std::string at = now();
        json reviewed = json::array();
        for (const json &id : body["environment_ids"])
            reviewed.push_back(id);
        (*run)["approvals"].push_back({{"state", state}, {"user", m_caller}, {"comment", body["comment"]}, {"environments", reviewed}, {"at", at}});
        for (const json &id : body["environment_ids"]) {
            pending.erase(std::remove(pending.begin(), pending.end(), id), pending.end());
            if (state != "approved")
                continue;
            const std::string envName = (*environment(id.get<qint64>()))["name"];
            json dep = {{"id", m_nextObjectId++}, {"ref", (*run)["head_branch"]}, {"sha", (*run)["head_sha"]}, {"task", "deploy"},
                        {"environment", envName}, {"description", body["comment"]}, {"payload", json::object()}, {"creator", m_caller},
                        {"transient_environment", false}, {"production_environment", envName == "production"},
                        {"created_at", at}, {"updated_at", at}, {"statuses", json::array()}};
            dep["statuses"].push_back({{"id", m_nextObjectId++}, {"state", "queued"}, {"description", "approved: " + body["comment"].get<std::string>()},
                                       {"environment", envName}, {"environment_url", ""}, {"log_url", ""}, {"creator", m_caller},
                                       {"created_at", at}});
            m_deployments.push_back(dep);
            out.push_back(deploymentJson(dep));
        }
        if (state == "rejected") {
            (*run)["status"] = "completed";
            (*run)["conclusion"] = "failure";
        } else if (pending.empty()) {
            (*run)["status"] = "in_progress";
        }
        (*run)["updated_at"] = at;
        return HttpResponse::json(200, out);
    }));
}

void GitHubFake::deploymentRoutes(const QString &repoPath)
{
    using M = QRegularExpressionMatch;
    m_server->route("GET", repoPath + u"/deployments"_s, guarded([this](const HttpRequest &r, const M &) {
        const std::string sha = r.queryValue(u"sha"_s).toStdString();
        const std::string ref = r.queryValue(u"ref"_s).toStdString();
        const std::string task = r.queryValue(u"task"_s).toStdString();
        const std::string env = r.queryValue(u"environment"_s).toStdString();
        json items = json::array();
        for (auto it = m_deployments.rbegin(); it != m_deployments.rend(); ++it) { // newest first
            const json &d = *it;
            if ((!sha.empty() && d["sha"] != sha) || (!ref.empty() && d["ref"] != ref) || (!task.empty() && d["task"] != task)
                || (!env.empty() && d["environment"] != env))
                continue;
            items.push_back(deploymentJson(d));
        }
        return page(r, items);
    }));

    m_server->route("POST", repoPath + u"/deployments"_s, guarded([this](const HttpRequest &r, const M &) {
        const json body = r.json();
        if (!body.is_object() || !body.contains("ref") || !body["ref"].is_string())
            return m_server->error(422, u"unprocessable"_s, u"Invalid request.\n\n\"ref\" wasn't supplied."_s);
        const std::string ref = body["ref"];
        const std::string sha = resolveRef(ref);
        if (sha.empty())
            return m_server->error(422, u"unprocessable"_s, u"No ref found for: %1"_s.arg(QString::fromStdString(ref)));
        const json required = body.value("required_contexts", json());
        if (!required.is_null() && (!required.is_array() || !std::all_of(required.begin(), required.end(), [](const json &c) { return c.is_string(); })))
            return m_server->error(422, u"unprocessable"_s, u"Invalid request: required_contexts must be a list of context names"_s);
        if (!(required.is_array() && required.empty())) {
            const QStringList failing = failingContexts(sha, required);
            if (!failing.isEmpty()) {
                json contexts = json::array();
                for (const QString &f : failing)
                    contexts.push_back(f.toStdString());
                return HttpResponse::json(409, {{"message", "Conflict: Commit status checks failed for " + ref + "."},
                                                {"errors", {{{"resource", "Deployment"}, {"field", "required_contexts"}, {"code", "invalid"},
                                                             {"contexts", contexts}}}},
                                                {"documentation_url", DocsUrl}, {"status", "409"}});
            }
        }
        const std::string environment = body.contains("environment") && body["environment"].is_string() ? body["environment"].get<std::string>() : "production";
        const std::string at = now();
        json payload = body.value("payload", json::object());
        if (!payload.is_object() && !payload.is_string())
            payload = json::object();
        json dep = {{"id", m_nextObjectId++}, {"ref", ref}, {"sha", sha},
                    {"task", body.contains("task") && body["task"].is_string() ? body["task"].get<std::string>() : "deploy"},
                    {"environment", environment}, {"description", body.value("description", json(""))}, {"payload", payload},
                    {"creator", m_caller}, {"transient_environment", body.value("transient_environment", false)},
                    {"production_environment", body.value("production_environment", environment == "production")},
                    {"created_at", at}, {"updated_at", at}, {"statuses", json::array()}};
        m_deployments.push_back(dep);
        return HttpResponse::json(201, deploymentJson(dep));
    }));

    m_server->route("GET", repoPath + u"/deployments/(\\d+)/statuses"_s, guarded([this](const HttpRequest &r, const M &m) {
        const json *d = deploymentById(m.captured(1).toLongLong());
        if (!d)
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        json items = json::array();
        for (auto it = (*d)["statuses"].rbegin(); it != (*d)["statuses"].rend(); ++it) // newest first
            items.push_back(deploymentStatusJson(*d, *it));
        return page(r, items);
    }));

    m_server->route("POST", repoPath + u"/deployments/(\\d+)/statuses"_s, guarded([this](const HttpRequest &r, const M &m) {
        json *d = deploymentById(m.captured(1).toLongLong());
        if (!d)
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        const json body = r.json();
        const std::string state = body.is_object() ? str(body, "state") : std::string();
        if (std::find(deploymentStates().begin(), deploymentStates().end(), state) == deploymentStates().end())
            return m_server->error(422, u"unprocessable"_s,
                                   u"Validation Failed: state must be one of error, failure, inactive, in_progress, queued, pending, success"_s);
        for (const char *key : {"description", "log_url", "target_url", "environment_url", "environment"}) {
            if (body.contains(key) && !body[key].is_string())
                return m_server->error(422, u"unprocessable"_s, u"Validation Failed: %1 must be text"_s.arg(QLatin1StringView(key)));
        }
        const std::string description = str(body, "description");
        if (QString::fromStdString(description).size() > 140)
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: description is too long (maximum is 140 characters)"_s);
        const std::string environment = str(body, "environment", (*d)["environment"].get<std::string>());
        const std::string at = now();
        json status = {{"id", m_nextObjectId++}, {"state", state}, {"description", description}, {"environment", environment},
                       {"environment_url", str(body, "environment_url")}, {"log_url", str(body, "log_url", str(body, "target_url"))},
                       {"creator", m_caller}, {"created_at", at}};
        (*d)["statuses"].push_back(status);
        (*d)["updated_at"] = at;
        if (environment != (*d)["environment"].get<std::string>())
            (*d)["environment"] = environment;
        // auto_inactive (default true): earlier successful, non-transient, non-production deployments
        // of the environment become inactive.
        if (state == "success" && body.value("auto_inactive", true)) {
            for (json &other : m_deployments) {
                if (&other == d || other["environment"] != environment || other["transient_environment"].get<bool>()
                    || other["production_environment"].get<bool>() || other["statuses"].empty()
                    || other["statuses"].back()["state"] != "success")
                    continue;
                other["statuses"].push_back({{"id", m_nextObjectId++}, {"state", "inactive"}, {"description", "superseded"},
                                             {"environment", environment}, {"environment_url", ""}, {"log_url", ""},
                                             {"creator", m_caller}, {"created_at", at}});
            }
        }
        HttpResponse resp = HttpResponse::json(201, deploymentStatusJson(*d, status));
        resp.setHeader("Location", QByteArray::fromStdString(repoApi() + "/deployments/" + std::to_string((*d)["id"].get<qint64>()) + "/statuses/"
                                                             + std::to_string(status["id"].get<qint64>())));
        return resp;
    }));
}

} // namespace Raize::Sandbox

namespace Raize::Sandbox {

json GitHubFake::issueCommentJson(const json &c) const
{
    // issues/list-comments and issues/create-comment (the "issue-comment" schema of GitHub's description).
    const std::string api = repoApi();
    const std::string id = std::to_string(c["id"].get<qint64>());
    const std::string n = std::to_string(c["issue"].get<int>());
    return {{"id", c["id"]}, {"node_id", "IC_kwDO" + id}, {"url", api + "/issues/comments/" + id},
            {"html_url", repoHtml() + "/issues/" + n + "#issuecomment-" + id}, {"body", c["body"]},
            {"user", user(c["user"].get<std::string>())}, {"created_at", c["created_at"]}, {"updated_at", c["updated_at"]},
            {"issue_url", api + "/issues/" + n}, {"author_association", "MEMBER"}, {"performed_via_github_app", nullptr}};
}

void GitHubFake::issueCommentRoutes(const QString &repoPath)
{
    using M = QRegularExpressionMatch;
    const auto issueExists = [this](int number) {
        return std::any_of(m_issues.begin(), m_issues.end(), [number](const json &i) { return i.value("number", 0) == number; });
    };
    // issues/list-comments: oldest first, paged.
    m_server->route("GET", repoPath + u"/issues/(\\d+)/comments"_s, guarded([this, issueExists](const HttpRequest &r, const M &m) {
        const int number = m.captured(1).toInt();
        if (!issueExists(number))
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        json items = json::array();
        for (const json &c : m_comments) {
            if (c["issue"] == number)
                items.push_back(issueCommentJson(c));
        }
        return page(r, items, {});
    }));
    // issues/create-comment: by the token's user.
    m_server->route("POST", repoPath + u"/issues/(\\d+)/comments"_s, guarded([this, issueExists](const HttpRequest &r, const M &m) {
        const int number = m.captured(1).toInt();
        if (!issueExists(number))
            return m_server->error(404, u"not_found"_s, u"Not Found"_s);
        const json body = r.json();
        if (!body.is_object() || !body.contains("body") || !body["body"].is_string())
            return m_server->error(422, u"unprocessable"_s, u"Validation Failed: body is missing"_s);
        const std::string at = now();
        json c = {{"id", m_nextObjectId++}, {"issue", number}, {"body", body["body"]}, {"user", m_caller}, {"created_at", at}, {"updated_at", at}};
        m_comments.push_back(c);
        return HttpResponse::json(201, issueCommentJson(c));
    }));
    // issues/update-comment: only its author edits it; updated_at moves past created_at.
    m_server->route("PATCH", repoPath + u"/issues/comments/(\\d+)"_s, guarded([this](const HttpRequest &r, const M &m) {
        const qint64 id = m.captured(1).toLongLong();
        for (json &c : m_comments) {
            if (c["id"] != id)
                continue;
            if (c["user"] != m_caller)
                return m_server->error(403, u"forbidden"_s, u"Must have admin rights to Repository."_s);
            const json body = r.json();
            if (!body.is_object() || !body.contains("body") || !body["body"].is_string())
                return m_server->error(422, u"unprocessable"_s, u"Validation Failed: body is missing"_s);
            c["body"] = body["body"];
            const QDateTime created = QDateTime::fromString(QString::fromStdString(c["created_at"].get<std::string>()), Qt::ISODate);
            c["updated_at"] = std::max(QDateTime::currentDateTimeUtc(), created.addSecs(1)).toString(Qt::ISODate).toStdString();
            return HttpResponse::json(200, issueCommentJson(c));
        }
        return m_server->error(404, u"not_found"_s, u"Not Found"_s);
    }));
}

} // namespace Raize::Sandbox
