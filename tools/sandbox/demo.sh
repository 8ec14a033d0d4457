#!/usr/bin/env bash
# The demo: start the release sandbox with the bad-L3-release scenario in
# progress, point a `sandbox` profile at it (settings and keychain entries
# kept apart from real profiles), and open the console on it. Ctrl-C stops
# everything. Called by `tools/dev.sh demo`; usage: demo.sh BUILD_DIR [scenario]
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${1:?usage: demo.sh BUILD_DIR [scenario]}"
SCENARIO="${2:-bad-l3-release}"
CONSOLE="$BUILD_DIR/app/raize-console"
PROFILE=sandbox
KEYCHAIN_SERVICE=raize-console-sandbox
[ -x "$CONSOLE" ] || { echo "ERROR: $CONSOLE is not built; run tools/dev.sh setup" >&2; exit 1; }

# Without a session bus (a root shell, ssh, CI) there is no keyring: run the
# rest inside a private D-Bus session with its own gnome-keyring.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ "${RAIZE_DEMO_IN_SESSION:-}" != 1 ]; then
    echo "==> No D-Bus session: starting a private one with a throwaway gnome-keyring for the demo"
    export RAIZE_DEMO_IN_SESSION=1
    exec "$REPO/tests/with-keyring.sh" "$0" "$@"
fi

STATE_DIR="$(mktemp -d /tmp/raize-demo.XXXXXX)"
READY_FILE="$STATE_DIR/ready.json"
SANDBOX_PID=""
cleanup() {
    if [ -n "$SANDBOX_PID" ] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
        echo "==> Stopping the sandbox"
        kill -TERM "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
    rm -rf "$STATE_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> Starting the release sandbox (scenario: $SCENARIO)"
RAIZE_SANDBOX_BUILD_DIR="$BUILD_DIR" "$REPO/tools/sandbox/sandbox.sh" run --scenario "$SCENARIO" --parent-pid $$ \
    > >(tee "$STATE_DIR/sandbox.log" | grep -v '^READY ') 2>&1 &
SANDBOX_PID=$!
for _ in $(seq 1 1200); do
    if grep -q '^READY ' "$STATE_DIR/sandbox.log" 2>/dev/null; then
        grep -m1 '^READY ' "$STATE_DIR/sandbox.log" | cut -c7- > "$READY_FILE"
        break
    fi
    kill -0 "$SANDBOX_PID" 2>/dev/null || { echo "ERROR: the sandbox stopped before it was ready (log above)" >&2; exit 1; }
    sleep 0.1
done
[ -s "$READY_FILE" ] || { echo "ERROR: the sandbox did not become ready in 120 s" >&2; exit 1; }

# Read one value out of the READY line.
ready() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));let v=r;for(const k of process.argv[2].split("."))v=v?.[k];process.stdout.write(v==null?"":String(v))' "$READY_FILE" "$1"; }

echo "==> Pointing profile \"$PROFILE\" at the sandbox"
set_setting() { "$CONSOLE" settings set "$1" "$2" --profile "$PROFILE"; }
set_setting profile/sandbox true
set_setting vercel/baseUrl "$(ready urls.vercel)"
set_setting vercel/projectId "$(ready vercel.projectId)"
set_setting vercel/teamId "$(ready vercel.teamId)"
set_setting vercel/productionProbeUrl "$(ready urls.platform)/__deployment"
set_setting vercel/productionDomain app.raize.example
set_setting github/apiUrl "$(ready urls.github)"
set_setting github/owner "$(ready github.owner)"
set_setting github/repo "$(ready github.repo)"
set_setting flags/kind unleash
set_setting flags/url "$(ready urls.unleash)"
set_setting flags/project default
set_setting flags/environment production
set_setting prometheus/url "$(ready urls.prometheus)"
store_token() { ready "$2" | "$CONSOLE" token set "$1" --stdin --profile "$PROFILE" --keychain-service "$KEYCHAIN_SERVICE" >/dev/null; }
store_token vercel tokens.vercel
store_token github tokens.github
store_token flags tokens.unleashAdmin
store_token flags-client tokens.unleashClient

export RAIZE_KEYCHAIN_SERVICE="$KEYCHAIN_SERVICE"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${RAIZE_DEMO_HEADLESS:-}" != 1 ]; then
    echo "==> Opening the console on the sandbox (close it or press Ctrl-C here to stop everything)"
    "$CONSOLE" --profile "$PROFILE"
else
    shot="$REPO/docs/screenshots/demo-sandbox.png"
    echo "==> No display: rendering the console to $shot instead"
    "$CONSOLE" --profile "$PROFILE" --screenshot "$shot"
    "$CONSOLE" --profile "$PROFILE" --screenshot "$REPO/docs/screenshots/demo-canary-flags.png" --view canary
    "$CONSOLE" --profile "$PROFILE" --screenshot "$REPO/docs/screenshots/canary-matrix.png" --view canary
    "$CONSOLE" --profile "$PROFILE" --screenshot "$REPO/docs/screenshots/slo-charts.png" --view slos --size 1600x1000
    "$CONSOLE" --profile "$PROFILE" --screenshot "$REPO/docs/screenshots/metrics-dora.png" --view metrics --size 1400x860
    "$CONSOLE" --profile "$PROFILE" --screenshot "$REPO/docs/screenshots/demo-promotion.png" --view promotion --size 1600x1000
    if [ "${RAIZE_DEMO_HEADLESS:-}" != 1 ]; then
        echo "    The sandbox stays up for other clients until Ctrl-C:"
        echo "    Vercel $(ready urls.vercel)  GitHub $(ready urls.github)  Unleash $(ready urls.unleash)  Prometheus $(ready urls.prometheus)"
        wait "$SANDBOX_PID" || true
    fi
fi
