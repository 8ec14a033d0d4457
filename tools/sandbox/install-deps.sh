#!/usr/bin/env bash
# Installs what the release sandbox runs on, idempotently (seconds when all is there):
#   Debian: postgresql, prometheus (promtool), nodejs/npm if missing
#   npm, into repo-local folders (never global), pinned (ADR 0003):
#     .cache/node/unleash  unleash-server@8.2.0
#     .cache/node/prism    @stoplight/prism-cli@5.14.2
#     .cache/node/client-spec  @unleash/client-specification@6.1.0 (the local
#                          flag evaluator's conformance oracle, tests/core/flags.cmake)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
UNLEASH_VERSION=8.2.0
PRISM_VERSION=5.14.2
CLIENT_SPEC_VERSION=6.1.0

info() { printf '    %s\n' "$*"; }
if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else SUDO=(); fi

need=()
for p in postgresql prometheus; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || need+=("$p")
done
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ "${#need[@]}" -gt 0 ]; then
    info "installing Debian packages: ${need[*]}"
    # policy-rc.d keeps the packages' own system services from starting: the
    # sandbox runs its own PostgreSQL cluster and Prometheus on other ports.
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${need[@]}"
else
    info "PostgreSQL, Prometheus and Node.js present"
fi

npm_install() { # dir package version marker
    local dir="$REPO/.cache/node/$1" pkg="$2" version="$3" marker="$4"
    if [ -f "$dir/node_modules/$marker/package.json" ] && grep -q "\"version\": \"$version\"" "$dir/node_modules/$marker/package.json"; then
        info "$pkg@$version present"
        return 0
    fi
    info "installing $pkg@$version into ${dir#$REPO/} (npm)"
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || printf '{ "name": "raize-sandbox-%s", "private": true }\n' "$1" > "$dir/package.json"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --save-exact "$pkg@$version" >/dev/null)
}
npm_install unleash unleash-server "$UNLEASH_VERSION" unleash-server
npm_install prism @stoplight/prism-cli "$PRISM_VERSION" @stoplight/prism-cli
npm_install client-spec @unleash/client-specification "$CLIENT_SPEC_VERSION" @unleash/client-specification
cp "$REPO/tools/sandbox/unleash-start.mjs" "$REPO/.cache/node/unleash/start.mjs"
