#!/usr/bin/env bash
# The release sandbox: real PostgreSQL + Unleash, real Prometheus with 30 days
# of history, and the simulated Vercel/GitHub/platform service, all on
# 127.0.0.1 (docs/runbooks/sandbox.md).
#
#   sandbox.sh run [--scenario NAME|FILE] [--state-dir DIR] [--parent-pid PID]
#
# Prints progress, then one line `READY {json}` with the URLs, tokens and
# pids, and the seconds to all-healthy. Ctrl-C, SIGTERM, the death of
# --parent-pid or any failure stops everything it started (by pid, never by
# name) and removes its state folder.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
# Every progress line carries the seconds since the start, so a slow start
# shows which part took the time.
say() { printf '[sandbox] %5ss %s\n' "$(elapsed)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

cmd="${1:-}"; shift || true
[ "$cmd" = run ] || { echo "usage: sandbox.sh run [--scenario NAME|FILE] [--state-dir DIR] [--parent-pid PID]" >&2; exit 2; }
SCENARIO=bad-l3-release STATE_DIR="" PARENT_PID=""
while [ $# -gt 0 ]; do
    case "$1" in
        --scenario) SCENARIO="$2"; shift 2 ;;
        --state-dir) STATE_DIR="$2"; shift 2 ;;
        --parent-pid) PARENT_PID="$2"; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done
SCENARIO_FILE="$SCENARIO"
[ -f "$SCENARIO_FILE" ] || SCENARIO_FILE="$REPO/tests/fakes/scenarios/$SCENARIO.json"
[ -f "$SCENARIO_FILE" ] || die "no scenario $SCENARIO (files are in tests/fakes/scenarios/)"

SERVICE="" BUILD_DIR=""
for d in "${RAIZE_SANDBOX_BUILD_DIR:-}" "$REPO/build/ci" "$REPO/build/debug" "$REPO/build/release" "$REPO/build/asan-ubsan" "$REPO/build"; do
    [ -n "$d" ] && [ -x "$d/tests/fakes/raize-sandbox-service" ] && { SERVICE="$d/tests/fakes/raize-sandbox-service"; BUILD_DIR="$d"; break; }
done
[ -n "$SERVICE" ] || die "raize-sandbox-service is not built: run tools/dev.sh setup"
UNLEASH_DIR="$REPO/.cache/node/unleash"
[ -f "$UNLEASH_DIR/start.mjs" ] && [ -d "$UNLEASH_DIR/node_modules/unleash-server" ] || die "Unleash is not installed: run tools/sandbox/install-deps.sh"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[ -x "$PGBIN/initdb" ] || die "PostgreSQL is not installed: run tools/sandbox/install-deps.sh"
command -v prometheus >/dev/null && command -v promtool >/dev/null || die "Prometheus is not installed: run tools/sandbox/install-deps.sh"

# Folders of sandboxes that were killed outright (SIGKILL, a lost machine):
# their supervisor is gone, so their trap never removed them. Each is about
# 85 MB, and a full /tmp fails every later start ("No space left on device").
for dead in /tmp/raize-sandbox.*; do
    [ -d "$dead" ] || continue
    if [ -f "$dead/sandbox.pid" ]; then
        kill -0 "$(cat "$dead/sandbox.pid" 2>/dev/null)" 2>/dev/null && continue
    elif [ -z "$(find "$dead" -maxdepth 0 -mmin +720 2>/dev/null)" ]; then
        continue # no pid file (an older sandbox): only when untouched for 12 h
    fi
    rm -rf "$dead" 2>/dev/null || true
done
if [ -z "$STATE_DIR" ]; then STATE_DIR="$(mktemp -d /tmp/raize-sandbox.XXXXXX)"; OWN_DIR=1; else mkdir -p "$STATE_DIR"; OWN_DIR=0; fi
chmod 755 "$STATE_DIR"
echo $$ > "$STATE_DIR/sandbox.pid"
mkdir -p "$STATE_DIR/logs" "$STATE_DIR/sock" "$STATE_DIR/history"
chmod 777 "$STATE_DIR/logs" "$STATE_DIR/sock"
PIDS=()
PG_STARTED=0
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then AS_PG=(runuser -u postgres --); fi

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    say "stopping"
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ "$PG_STARTED" = 1 ]; then
        (cd "$STATE_DIR" && "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$STATE_DIR/pg" -m fast -w stop >/dev/null 2>&1) || true
    fi
    if [ "$OWN_DIR" = 1 ]; then rm -rf "$STATE_DIR"; else rm -rf "$STATE_DIR"/{pg,tsdb,history,sock}; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Listening ports come from below the kernel's ephemeral range: a port that
# an outgoing connection (a test's client, Unleash's own pool to PostgreSQL,
# a scrape) holds as its local port looks free to a connect() probe, but a
# server cannot bind it, and the start fails with EADDRINUSE.
read -r EPHEMERAL_LOW _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || EPHEMERAL_LOW=32768
PORT_LOW=10000
PORT_SPAN=$(( EPHEMERAL_LOW - PORT_LOW ))
[ "$PORT_SPAN" -ge 1000 ] || { PORT_LOW=20000; PORT_SPAN=12000; }
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$(( PORT_LOW + (RANDOM * 32768 + RANDOM) % PORT_SPAN ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    die "no free port on 127.0.0.1"
}
wait_http() { # url seconds what [pid: stop waiting when it has exited] [its log]
    local url="$1" secs="$2" what="$3" pid="${4:-}" log="${5:-}"
    for _ in $(seq 1 $(( secs * 10 ))); do
        curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            say "$what exited before it answered $url; its log ends:"
            [ -n "$log" ] && tail -n 15 "$log" | sed 's/^/[sandbox]   | /' >&2
            die "$what did not start"
        fi
        sleep 0.1
    done
    say "$what did not answer $url in $secs s; its log ends:"
    [ -n "$log" ] && tail -n 15 "$log" | sed 's/^/[sandbox]   | /' >&2
    tail -n 20 "$STATE_DIR/logs/"*.log >&2 2>/dev/null || true
    die "$what is not healthy"
}

# What makes a start cheap (issue #15: start to all-healthy within 15 s),
# kept beside the build that the service comes from (RAIZE_SANDBOX_CACHE
# overrides it; deleting it is always safe, the next start rebuilds it):
# - pg-template-<versions>/: a PostgreSQL data folder with Unleash's schema
#   already migrated and no API tokens (Unleash inserts this start's
#   tokens only into an empty table), copied per start instead of initdb
#   and Unleash's migrations;
# - blocks/<model>-<yyyyMMdd>/: the TSDB blocks promtool made from one
#   plain day of history (a whole day before the scenario's incidents: the
#   same from start to start for the same service binary), so only today,
#   the first (partial) day and the days an incident touches are written
#   and go through promtool at each start.
CACHE="${RAIZE_SANDBOX_CACHE:-$BUILD_DIR/sandbox-cache}"
mkdir -p "$CACHE/blocks" || die "cannot create the sandbox cache $CACHE"
# Days not used for two days, and what a killed start left half-made.
find "$CACHE/blocks" -mindepth 1 -maxdepth 1 -mmin +2880 -exec rm -rf {} + 2>/dev/null || true
find "$CACHE" -maxdepth 1 -name '.tmp-pg-*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
UNLEASH_PKG="$UNLEASH_DIR/node_modules/unleash-server/package.json"
TEMPLATE_KEY="pg$("$PGBIN/postgres" --version | awk '{print $3}')-unleash$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$UNLEASH_PKG" | head -n1)"
TEMPLATE_KEY="$TEMPLATE_KEY-$(cat "$UNLEASH_DIR/start.mjs" "$UNLEASH_DIR/package-lock.json" 2>/dev/null | sha256sum | cut -c1-12)-u$(id -u)"
PG_TEMPLATE="$CACHE/pg-template-$TEMPLATE_KEY"

while :; do
    PG_PORT=$(free_port); UNLEASH_PORT=$(free_port); PROM_PORT=$(free_port); PLATFORM_PORT=$(free_port)
    [ "$(printf '%s\n' "$PG_PORT" "$UNLEASH_PORT" "$PROM_PORT" "$PLATFORM_PORT" | sort -u | wc -l)" -eq 4 ] && break
done
ADMIN_TOKEN="*:*.$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CLIENT_TOKEN="default:production.$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
VERCEL_TOKEN="sandbox-vercel-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LAUNCHDARKLY_TOKEN="api-sandbox-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
GITHUB_TOKEN="sandbox-github-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# The history: the service writes one OpenMetrics file per day, except the
# plain days (whole, before every incident of the scenario) whose blocks are
# in the cache; promtool makes blocks from the files, two at a time; plain
# days' blocks are kept. Runs beside PostgreSQL and Unleash.
history_day() { # file [cache entry]: promtool into a fresh folder, copied into the TSDB, kept when named
    local file="$1" keep="${2:-}" out="$CACHE/blocks/.tmp-$$-$(basename "$1" .om)"
    rm -rf "$out"
    promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$file" "$out" >/dev/null || return 1
    cp -r "$out/." "$STATE_DIR/tsdb/" || return 1
    if [ -n "$keep" ]; then mv -T "$out" "$CACHE/blocks/$keep" 2>/dev/null || rm -rf "$out"; else rm -rf "$out"; fi
}
write_history() {
    local hist="$STATE_DIR/history" key what file day running=0 cached=0 made=0
    trap 'kill $(jobs -p) 2>/dev/null; exit 143' TERM
    # A plain day's samples come from the traffic model alone, which is in
    # the service's binary: its hash names the cached days.
    key=$(sha256sum "$SERVICE" | cut -c1-16)
    "$SERVICE" --scenario "$SCENARIO_FILE" --write-backfill "$hist" --backfill-cached "$CACHE/blocks/$key-" > "$STATE_DIR/history.manifest" \
        || return 1
    mkdir -p "$STATE_DIR/tsdb"
    while read -r what file day; do
        case "$what" in
            cached) # touched first: another start's prune (unused for two days) must not take it mid-copy
                touch "$CACHE/blocks/$key-$file" && cp -r "$CACHE/blocks/$key-$file/." "$STATE_DIR/tsdb/" || return 1
                cached=$((cached + 1))
                continue ;;
            plain) history_day "$hist/$file" "$key-$day" & ;;
            scenario) history_day "$hist/$file" & ;;
            *) echo "unexpected line in the history manifest: $what $file $day"; return 1 ;;
        esac
        made=$((made + 1)) running=$((running + 1))
        if [ "$running" -ge 2 ]; then wait -n || return 1; running=$((running - 1)); fi
    done < "$STATE_DIR/history.manifest"
    while [ "$running" -gt 0 ]; do wait -n || return 1; running=$((running - 1)); done
    echo "history: $((cached + made)) days, $cached from the cache, $made through promtool"
    rm -rf "$hist" && touch "$STATE_DIR/history.done"
}

say "scenario $(basename "$SCENARIO_FILE" .json), state in $STATE_DIR"
say "writing 30 days of metrics history"
write_history > "$STATE_DIR/logs/backfill.log" 2>&1 &
BACKFILL_PID=$!
PIDS+=("$BACKFILL_PID")

as_pg() { (cd "$STATE_DIR" && "${AS_PG[@]}" "$@"); }
pg_start() {
    as_pg "$PGBIN/pg_ctl" -D "$STATE_DIR/pg" -w -l "$STATE_DIR/logs/pg.log" \
        -o "-p $PG_PORT -k $STATE_DIR/sock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$STATE_DIR/pg" -m fast -w stop >/dev/null 2>&1; }
start_unleash() {
    ( cd "$UNLEASH_DIR" && exec env RAIZE_PG_PORT="$PG_PORT" RAIZE_UNLEASH_PORT="$UNLEASH_PORT" \
        RAIZE_UNLEASH_ADMIN_TOKEN="$ADMIN_TOKEN" RAIZE_UNLEASH_CLIENT_TOKEN="$CLIENT_TOKEN" \
        CHECK_VERSION=false SEND_TELEMETRY=false node start.mjs ) >> "$STATE_DIR/logs/unleash.log" 2>&1 &
    UNLEASH_PID=$!
    PIDS+=("$UNLEASH_PID")
}
[ "$(id -u)" -eq 0 ] && chown postgres "$STATE_DIR"

if [ ! -d "$PG_TEMPLATE" ]; then
    # Once per PostgreSQL/Unleash version: a cluster, the unleash database,
    # Unleash's migrations; then its tokens are removed and the stopped
    # cluster is kept (renamed into place whole, so a half-made template is
    # never used).
    say "preparing PostgreSQL with Unleash's schema (once per version: $PG_TEMPLATE)"
    [ "$(id -u)" -eq 0 ] && mkdir -p "$STATE_DIR/pg" && chown postgres "$STATE_DIR/pg"
    as_pg "$PGBIN/initdb" -D "$STATE_DIR/pg" -U postgres --auth=trust --no-locale >"$STATE_DIR/logs/initdb.log" 2>&1 \
        || die "initdb failed (see $STATE_DIR/logs/initdb.log)"
    pg_start || die "PostgreSQL did not start (see $STATE_DIR/logs/pg.log)"
    PG_STARTED=1
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc 'create database unleash' >/dev/null || die "cannot create the unleash database"
    start_unleash
    wait_http "http://127.0.0.1:$UNLEASH_PORT/health" 90 Unleash "$UNLEASH_PID" "$STATE_DIR/logs/unleash.log"
    kill -TERM "$UNLEASH_PID"
    wait "$UNLEASH_PID" 2>/dev/null || true
    # Never signal that pid again: by the time we stop it may be someone else's.
    kept=(); for pid in "${PIDS[@]}"; do [ "$pid" = "$UNLEASH_PID" ] || kept+=("$pid"); done; PIDS=("${kept[@]}")
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d unleash -qc 'delete from api_tokens' >/dev/null || die "cannot empty Unleash's api_tokens"
    pg_stop || die "PostgreSQL did not stop (see $STATE_DIR/logs/pg.log)"
    PG_STARTED=0
    cp -a "$STATE_DIR/pg" "$CACHE/.tmp-pg-$$" && { mv -T "$CACHE/.tmp-pg-$$" "$PG_TEMPLATE" 2>/dev/null || rm -rf "$CACHE/.tmp-pg-$$"; } \
        || die "cannot keep the PostgreSQL template in $CACHE"
else
    rm -rf "$STATE_DIR/pg"
    cp -a "$PG_TEMPLATE" "$STATE_DIR/pg" || die "cannot copy the PostgreSQL template $PG_TEMPLATE"
fi
say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
pg_start || die "PostgreSQL did not start (see $STATE_DIR/logs/pg.log; if it names the data folder, delete $PG_TEMPLATE and start again)"
PG_STARTED=1

say "starting Unleash on 127.0.0.1:$UNLEASH_PORT"
start_unleash

cat > "$STATE_DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: platform
    static_configs:
      - targets: ['127.0.0.1:$PLATFORM_PORT']
    # A fixed instance label, so the live series continue the backfilled history.
    relabel_configs:
      - target_label: instance
        replacement: platform-sim
YAML
start_prometheus() {
    say "starting Prometheus on 127.0.0.1:$PROM_PORT"
    prometheus --config.file="$STATE_DIR/prometheus.yml" --storage.tsdb.path="$STATE_DIR/tsdb" \
        --storage.tsdb.retention.time=400d --web.listen-address="127.0.0.1:$PROM_PORT" \
        > "$STATE_DIR/logs/prometheus.log" 2>&1 &
    PROM_PID=$!
    PIDS+=("$PROM_PID")
}
start_service() {
    say "seeding flags and starting the simulated Vercel, GitHub and platform"
    "$SERVICE" --scenario "$SCENARIO_FILE" --vercel-token "$VERCEL_TOKEN" --github-token "$GITHUB_TOKEN" --launchdarkly-token "$LAUNCHDARKLY_TOKEN" \
        --unleash-url "http://127.0.0.1:$UNLEASH_PORT" --unleash-admin-token "$ADMIN_TOKEN" --unleash-client-token "$CLIENT_TOKEN" \
        --platform-port "$PLATFORM_PORT" --seed-unleash --poll-ms 1000 > "$STATE_DIR/service.out" 2> "$STATE_DIR/logs/service.log" &
    SERVICE_PID=$!
    PIDS+=("$SERVICE_PID")
}

# Two chains run side by side: history → Prometheus, and Unleash healthy →
# the service (which seeds Unleash first). Prometheus may start before the
# platform listens; its first successful scrape is what counts.
PROM_PID="" SERVICE_PID=""
deadline=$(( $(date +%s) + 90 ))
while [ -z "$PROM_PID" ] || [ -z "$SERVICE_PID" ]; do
    if [ -z "$PROM_PID" ] && ! kill -0 "$BACKFILL_PID" 2>/dev/null; then
        wait "$BACKFILL_PID" && [ -f "$STATE_DIR/history.done" ] \
            || { cat "$STATE_DIR/logs/backfill.log" >&2; die "the metrics history could not be written"; }
        say "$(tail -n1 "$STATE_DIR/logs/backfill.log")"
        start_prometheus
    fi
    if [ -z "$SERVICE_PID" ]; then
        if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$UNLEASH_PORT/health" 2>/dev/null; then
            start_service
        elif ! kill -0 "$UNLEASH_PID" 2>/dev/null; then
            say "Unleash exited before it answered; its log ends:"
            tail -n 15 "$STATE_DIR/logs/unleash.log" | sed 's/^/[sandbox]   | /' >&2
            die "Unleash did not start"
        fi
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        [ -n "$SERVICE_PID" ] || { tail -n 15 "$STATE_DIR/logs/unleash.log" | sed 's/^/[sandbox]   | /' >&2; die "Unleash did not answer in 90 s"; }
        tail -n 15 "$STATE_DIR/logs/backfill.log" | sed 's/^/[sandbox]   | /' >&2
        die "the metrics history took more than 90 s"
    fi
    [ -n "$PROM_PID" ] && [ -n "$SERVICE_PID" ] || sleep 0.1
done

for _ in $(seq 1 300); do
    grep -q '"event":"listening"' "$STATE_DIR/service.out" 2>/dev/null && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$STATE_DIR/logs/service.log" >&2; die "the simulated service stopped"; }
    sleep 0.1
done
LISTEN=$(grep -m1 '"event":"listening"' "$STATE_DIR/service.out") || die "the simulated service did not start listening"
port_of() { printf '%s' "$LISTEN" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
VERCEL_PORT=$(port_of vercel); GITHUB_PORT=$(port_of github); CONTROL_PORT=$(port_of control); FLAGS_PORT=$(port_of flags)
LAUNCHDARKLY_PORT=$(port_of launchdarkly)
[ "$(port_of platform)" = "$PLATFORM_PORT" ] || die "the platform listens on $(port_of platform), not on $PLATFORM_PORT"

wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 30 Prometheus "$PROM_PID" "$STATE_DIR/logs/prometheus.log"
say "waiting for Prometheus's first scrape of the platform (every 5 s)"
scraped() { curl -fsS "http://127.0.0.1:$PROM_PORT/api/v1/query?query=up%7Bjob%3D%22platform%22%7D" 2>/dev/null | grep -q '"value":\[[0-9.]*,"1"\]'; }
for _ in $(seq 1 200); do scraped && break; sleep 0.1; done
scraped || die "Prometheus has not scraped the platform in 20 s"
wait_http "http://127.0.0.1:$CONTROL_PORT/__sandbox/health" 5 "the control surface"

HEALTHY=$(elapsed)
PROJECT=$(sed -n 's/.*"id": *"\(prj_[^"]*\)".*/\1/p' "$SCENARIO_FILE" | head -n1)
printf 'READY {"scenario":"%s","stateDir":"%s","healthySeconds":%s,' "$(basename "$SCENARIO_FILE" .json)" "$STATE_DIR" "$HEALTHY"
printf '"urls":{"vercel":"http://127.0.0.1:%s","github":"http://127.0.0.1:%s","unleash":"http://127.0.0.1:%s","prometheus":"http://127.0.0.1:%s","control":"http://127.0.0.1:%s","platform":"http://127.0.0.1:%s","flags":"http://127.0.0.1:%s","launchdarkly":"http://127.0.0.1:%s"},' \
    "$VERCEL_PORT" "$GITHUB_PORT" "$UNLEASH_PORT" "$PROM_PORT" "$CONTROL_PORT" "$PLATFORM_PORT" "$FLAGS_PORT" "$LAUNCHDARKLY_PORT"
printf '"tokens":{"vercel":"%s","github":"%s","unleashAdmin":"%s","unleashClient":"%s","launchdarkly":"%s"},' "$VERCEL_TOKEN" "$GITHUB_TOKEN" "$ADMIN_TOKEN" "$CLIENT_TOKEN" "$LAUNCHDARKLY_TOKEN"
printf '"vercel":{"projectId":"%s","teamId":"team_raize"},"github":{"owner":"raize","repo":"platform"},' "${PROJECT:-prj_raize_web}"
printf '"pids":[%s]}\n' "$(IFS=,; echo "${PIDS[*]:1}")"
say "all healthy in $HEALTHY s"
cat >&2 <<INFO
[sandbox]   Vercel      http://127.0.0.1:$VERCEL_PORT   (tokens in the READY line on stdout, never in this log)
[sandbox]   GitHub      http://127.0.0.1:$GITHUB_PORT
[sandbox]   Unleash     http://127.0.0.1:$UNLEASH_PORT  (admin UI; admin token in the READY line)
[sandbox]   Flags proxy http://127.0.0.1:$FLAGS_PORT  (Unleash behind the fault injector and request log)
[sandbox]   LaunchDarkly http://127.0.0.1:$LAUNCHDARKLY_PORT  (a stateful fake with the same flags, for LaunchDarkly profiles)
[sandbox]   Prometheus  http://127.0.0.1:$PROM_PORT
[sandbox]   Control     http://127.0.0.1:$CONTROL_PORT/__sandbox/state
[sandbox] Ctrl-C stops everything.
INFO

while true; do
    if [ -n "$PARENT_PID" ] && ! kill -0 "$PARENT_PID" 2>/dev/null; then say "parent $PARENT_PID is gone"; exit 0; fi
    for pid in "${PIDS[@]:1}"; do kill -0 "$pid" 2>/dev/null || die "a sandbox process ($pid) stopped; see $STATE_DIR/logs"; done
    sleep 1
done
