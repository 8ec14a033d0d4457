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
say() { printf '[sandbox] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

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

SERVICE=""
for d in "${RAIZE_SANDBOX_BUILD_DIR:-}" "$REPO/build/ci" "$REPO/build/debug" "$REPO/build/release" "$REPO/build/asan-ubsan" "$REPO/build"; do
    [ -n "$d" ] && [ -x "$d/tests/fakes/raize-sandbox-service" ] && { SERVICE="$d/tests/fakes/raize-sandbox-service"; break; }
done
[ -n "$SERVICE" ] || die "raize-sandbox-service is not built: run tools/dev.sh setup"
UNLEASH_DIR="$REPO/.cache/node/unleash"
[ -f "$UNLEASH_DIR/start.mjs" ] && [ -d "$UNLEASH_DIR/node_modules/unleash-server" ] || die "Unleash is not installed: run tools/sandbox/install-deps.sh"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[ -x "$PGBIN/initdb" ] || die "PostgreSQL is not installed: run tools/sandbox/install-deps.sh"
command -v prometheus >/dev/null && command -v promtool >/dev/null || die "Prometheus is not installed: run tools/sandbox/install-deps.sh"

if [ -z "$STATE_DIR" ]; then STATE_DIR="$(mktemp -d /tmp/raize-sandbox.XXXXXX)"; OWN_DIR=1; else mkdir -p "$STATE_DIR"; OWN_DIR=0; fi
chmod 755 "$STATE_DIR"
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

PG_PORT=$(free_port); UNLEASH_PORT=$(free_port); PROM_PORT=$(free_port)
ADMIN_TOKEN="*:*.$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CLIENT_TOKEN="default:production.$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
VERCEL_TOKEN="sandbox-vercel-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LAUNCHDARKLY_TOKEN="api-sandbox-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
GITHUB_TOKEN="sandbox-github-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

say "scenario $(basename "$SCENARIO_FILE" .json), state in $STATE_DIR"
say "writing 30 days of metrics history"
( "$SERVICE" --scenario "$SCENARIO_FILE" --write-backfill "$STATE_DIR/history" \
  && ls "$STATE_DIR"/history/*.om | xargs -P2 -I{} promtool tsdb create-blocks-from openmetrics --max-block-duration=24h {} "$STATE_DIR/tsdb" \
  && rm -rf "$STATE_DIR/history" && touch "$STATE_DIR/history.done" ) > "$STATE_DIR/logs/backfill.log" 2>&1 &
BACKFILL_PID=$!
PIDS+=("$BACKFILL_PID")

say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
[ "$(id -u)" -eq 0 ] && chown postgres "$STATE_DIR" && mkdir -p "$STATE_DIR/pg" && chown postgres "$STATE_DIR/pg"
(cd "$STATE_DIR" && "${AS_PG[@]}" "$PGBIN/initdb" -D "$STATE_DIR/pg" -U postgres --auth=trust --no-locale >"$STATE_DIR/logs/initdb.log" 2>&1) \
    || die "initdb failed (see $STATE_DIR/logs/initdb.log)"
(cd "$STATE_DIR" && "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$STATE_DIR/pg" -w -l "$STATE_DIR/logs/pg.log" \
    -o "-p $PG_PORT -k $STATE_DIR/sock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null) || die "PostgreSQL did not start (see $STATE_DIR/logs/pg.log)"
PG_STARTED=1
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc 'create database unleash' >/dev/null || die "cannot create the unleash database"

say "starting Unleash on 127.0.0.1:$UNLEASH_PORT"
( cd "$UNLEASH_DIR" && exec env RAIZE_PG_PORT="$PG_PORT" RAIZE_UNLEASH_PORT="$UNLEASH_PORT" \
    RAIZE_UNLEASH_ADMIN_TOKEN="$ADMIN_TOKEN" RAIZE_UNLEASH_CLIENT_TOKEN="$CLIENT_TOKEN" \
    CHECK_VERSION=false SEND_TELEMETRY=false node start.mjs ) > "$STATE_DIR/logs/unleash.log" 2>&1 &
UNLEASH_PID=$!
PIDS+=("$UNLEASH_PID")
wait_http "http://127.0.0.1:$UNLEASH_PORT/health" 90 Unleash "$UNLEASH_PID" "$STATE_DIR/logs/unleash.log"

say "seeding flags and starting the simulated Vercel, GitHub and platform"
"$SERVICE" --scenario "$SCENARIO_FILE" --vercel-token "$VERCEL_TOKEN" --github-token "$GITHUB_TOKEN" --launchdarkly-token "$LAUNCHDARKLY_TOKEN" \
    --unleash-url "http://127.0.0.1:$UNLEASH_PORT" --unleash-admin-token "$ADMIN_TOKEN" --unleash-client-token "$CLIENT_TOKEN" \
    --seed-unleash --poll-ms 1000 > "$STATE_DIR/service.out" 2> "$STATE_DIR/logs/service.log" &
SERVICE_PID=$!
PIDS+=("$SERVICE_PID")
for _ in $(seq 1 300); do
    grep -q '"event":"listening"' "$STATE_DIR/service.out" 2>/dev/null && break
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$STATE_DIR/logs/service.log" >&2; die "the simulated service stopped"; }
    sleep 0.1
done
LISTEN=$(grep -m1 '"event":"listening"' "$STATE_DIR/service.out") || die "the simulated service did not start listening"
port_of() { printf '%s' "$LISTEN" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
VERCEL_PORT=$(port_of vercel); GITHUB_PORT=$(port_of github); CONTROL_PORT=$(port_of control); PLATFORM_PORT=$(port_of platform); FLAGS_PORT=$(port_of flags)
LAUNCHDARKLY_PORT=$(port_of launchdarkly)

say "waiting for the metrics history"
wait "$BACKFILL_PID" || { cat "$STATE_DIR/logs/backfill.log" >&2; die "the metrics history could not be written"; }
[ -f "$STATE_DIR/history.done" ] || die "the metrics history is incomplete"
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
say "starting Prometheus on 127.0.0.1:$PROM_PORT"
prometheus --config.file="$STATE_DIR/prometheus.yml" --storage.tsdb.path="$STATE_DIR/tsdb" \
    --storage.tsdb.retention.time=400d --web.listen-address="127.0.0.1:$PROM_PORT" \
    > "$STATE_DIR/logs/prometheus.log" 2>&1 &
PROM_PID=$!
PIDS+=("$PROM_PID")
wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 30 Prometheus "$PROM_PID" "$STATE_DIR/logs/prometheus.log"
for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$PROM_PORT/api/v1/query?query=up%7Bjob%3D%22platform%22%7D" 2>/dev/null | grep -q '"value":\[[0-9.]*,"1"\]' && break
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$PROM_PORT/api/v1/query?query=up%7Bjob%3D%22platform%22%7D" | grep -q '"value":\[[0-9.]*,"1"\]' \
    || die "Prometheus has not scraped the platform yet"
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
