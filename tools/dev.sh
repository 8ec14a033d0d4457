#!/usr/bin/env bash
# The one setup script behind the README's two commands.
#
#   tools/dev.sh test    install what is missing, build, run every test (CI runs this)
#   tools/dev.sh demo    install, build, start the sandbox and open the console on it
#   tools/dev.sh setup   only install and build
#   tools/dev.sh sanitize  build the whole suite with ASan + UBSan and run every test
#   tools/dev.sh soak [N]  N rollbacks (default 1000) killed at random and resumed (not in CI)
#
# Works as root (apt-get directly) and as a user with sudo. Idempotent: when
# nothing changed it takes seconds. Needs no network but Debian's and npm's
# package registries.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${RAIZE_PRESET:-ci}"
BUILD_DIR="$REPO/build/$PRESET"
# About what a first build of this preset writes (build/ci: objects, 100+ test executables with
# line tables only, the sandbox cache: 2.1 GB on 2026-12-06), with room to spare.
BUILD_GB="${RAIZE_BUILD_GB:-4}"
T0=$(date +%s)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - T0 )) s"; }

# Runs a build command with ninja's per-file lines hidden and returns the
# build's own status (a filter at the end of a pipe must not hide a failure).
quiet_build() {
    local status
    set +e
    "$@" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Building|Automatic|Linking|Generating)'
    status=${PIPESTATUS[0]}
    set -e
    return "$status"
}

# A full disk fails a build or a sandbox start halfway, with errors far from
# the cause ("could not extend file", a missing test executable); say so first.
# $1: GB needed, $2: the folder that grows.
check_disk() {
    local need_gb="$1" path="$2" avail_kb mount
    mkdir -p "$path" 2>/dev/null || true
    avail_kb=$(df -Pk "$path" 2>/dev/null | awk 'NR == 2 { print $4 }')
    [ -n "$avail_kb" ] || return 0
    mount=$(df -P "$path" | awk 'NR == 2 { print $6 }')
    if [ "$avail_kb" -lt $(( need_gb * 1024 * 1024 )) ]; then
        die "only $(( avail_kb / 1024 / 1024 )) GB free on $mount (for $path); this step needs about $need_gb GB. Free some space (other build folders under build/, 'ccache -C', old /tmp/raize-sandbox.* folders) and run it again."
    fi
    info "$(( avail_kb / 1024 / 1024 )) GB free on $mount (needs about $need_gb GB)"
}

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    SUDO=()
fi

# Debian packages the console needs to build, test and package itself.
# The sandbox adds its own in tools/sandbox/install-deps.sh.
PACKAGES=(
    qt6-base-dev qt6-charts-dev libqt6opengl6-dev qtkeychain-qt6-dev nlohmann-json3-dev libssl-dev
    qt6-tools-dev libqt6svg6 cmake ninja-build g++ pkg-config
    xvfb xauth fonts-dejavu-core dbus gnome-keyring libsecret-tools
    desktop-file-utils appstream lintian dpkg-dev fakeroot file binutils curl
)

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || printf '%s\n' "$p"
    done
}

apt_install() {
    local missing
    mapfile -t missing < <(missing_packages "$@")
    if [ "${#missing[@]}" -eq 0 ]; then
        info "all ${#@} Debian packages present"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
        die "missing packages (${missing[*]}) and no sudo: run this script as root or install sudo"
    fi
    info "installing: ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_deps() {
    step "Installing Debian packages (if missing)"
    apt_install "${PACKAGES[@]}"
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    if [ -x "$REPO/tools/sandbox/install-deps.sh" ]; then
        step "Installing the sandbox's parts (PostgreSQL, Prometheus, Unleash, Prism, the Unleash client specification)"
        "$REPO/tools/sandbox/install-deps.sh"
    fi
}

build() {
    step "Configuring ($PRESET preset) → $BUILD_DIR"
    if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
        cmake --preset "$PRESET" -S "$REPO" >/dev/null
        info "configured"
    else
        info "already configured (cmake re-runs by itself when a CMakeLists changes)"
    fi
    step "Building"
    if [ -x "$BUILD_DIR/app/raize-console" ]; then check_disk 2 "$BUILD_DIR"; else check_disk "$BUILD_GB" "$BUILD_DIR"; fi
    quiet_build cmake --build "$BUILD_DIR" -- -j"$(nproc)" || die "the build failed (see above)"
    info "built in $(elapsed)"
}

run_tests() {
    step "Running the test suite (ctest)"
    # Two at a time, the costliest first (COST); sandbox entries start their sandboxes one at a
    # time (the fixture's lock) and then run side by side (docs/HACKING.md, "Test time").
    # Two sandboxes at a time, about 100 MB each, and the tests' own temporary folders.
    check_disk 1 /tmp
    cd "$BUILD_DIR"
    local t0
    t0=$(date +%s)
    if ! ctest --output-on-failure -j2 --timeout 180 "$@"; then
        die "some tests failed (see above); rerun one with: ctest --test-dir $BUILD_DIR -R <name> --output-on-failure"
    fi
    step "All tests passed: the tests in $(( $(date +%s) - t0 )) s (goal: 600 s), $(elapsed) with install and build"
}

# Every test under AddressSanitizer + UndefinedBehaviorSanitizer (issue #15,
# item 6): the whole tree built with the asan-ubsan preset (its own build
# folder), every ctest entry run. A sanitizer report fails the test it came
# from. Suppressions (tests/lsan.supp) name third-party libraries only.
# The preset scales every test's TIMEOUT by RAIZE_TEST_TIMEOUT_SCALE (4):
# instrumented code is slower; the normal suite's limit stays 180 s.
# RAIZE_SANITIZE_JOBS (default 2) and RAIZE_NICE (default 15) keep a shared
# machine usable; extra arguments go to ctest (-R, -L, -LE ...).
run_sanitize() {
    local dir="$REPO/build/asan-ubsan" nice_level="${RAIZE_NICE:-15}" jobs="${RAIZE_SANITIZE_JOBS:-2}"
    step "Configuring the asan-ubsan preset → $dir"
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        local launcher=()
        command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
        cmake --preset asan-ubsan -S "$REPO" "${launcher[@]}" >/dev/null
    fi
    step "Building everything with ASan + UBSan (nice $nice_level, -j$jobs)"
    quiet_build nice -n "$nice_level" cmake --build "$dir" -- -j"$jobs" || die "the sanitizer build failed (see above)"
    info "built in $(elapsed)"
    step "Running every test (a sanitizer report fails the test)"
    cd "$dir"
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0"
    export LSAN_OPTIONS="suppressions=$REPO/tests/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    local t0
    t0=$(date +%s)
    if ! nice -n "$nice_level" ctest --output-on-failure -j"$jobs" "$@"; then
        die "a test failed under the sanitizers (see above; ctest --test-dir $dir -R <name> --output-on-failure reruns one)"
    fi
    step "Sanitizer run passed: every test in $(( $(date +%s) - t0 )) s ($(elapsed) with the build)"
}

# The rollback soak (issue #15, item 5): tests/soak/soak_rollback.cpp.
#   tools/dev.sh soak [N] [--background] [--fresh] [--seed S] [--deadline-s D] [--summary]
# State in build/<preset>/soak/state.jsonl: started again, it continues where
# it stopped (--fresh starts over). Its own HOME and keyring; nice 15.
run_soak() {
    local n=1000 background=0 fresh=0 summary=0 extra=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --background) background=1 ;;
            --fresh) fresh=1 ;;
            --summary) summary=1 ;;
            --seed|--deadline-s) extra+=("$1" "${2:?$1 needs a value}"); shift ;;
            ''|*[!0-9]*) die "soak: unknown argument $1 (tools/dev.sh soak [N] [--background] [--fresh] [--seed S] [--deadline-s D] [--summary])" ;;
            *) n="$1" ;;
        esac
        shift
    done
    local dir="$BUILD_DIR/soak" nice_level="${RAIZE_NICE:-15}"
    local state="$dir/state.jsonl" log="$dir/soak.log" exe="$BUILD_DIR/tests/soak/soak_rollback"
    mkdir -p "$dir"
    if [ "$summary" -eq 1 ]; then
        [ -x "$exe" ] || die "soak: $exe is not built yet"
        "$exe" --state "$state" --summary
        return
    fi
    if [ -f "$dir/soak.pid" ] && kill -0 "$(cat "$dir/soak.pid")" 2>/dev/null; then
        die "soak: already running (pid $(cat "$dir/soak.pid"), log $log)"
    fi
    step "Building the soak, the console, its crash-test twin and the sandbox ($PRESET, nice $nice_level)"
    [ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake --preset "$PRESET" -S "$REPO" >/dev/null
    quiet_build nice -n "$nice_level" cmake --build "$BUILD_DIR" --target soak_rollback raize-console raize-console-crashtest raize-sandbox-service -- -j2 \
        || die "the build failed (see above)"
    if [ "$fresh" -eq 1 ]; then
        rm -rf "$state" "$dir"/hang-*.log "$dir/home"
    fi
    mkdir -p "$dir/home/run"
    chmod 700 "$dir/home/run"
    export HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/config" XDG_DATA_HOME="$dir/home/data" XDG_STATE_HOME="$dir/home/state" \
        XDG_CACHE_HOME="$dir/home/cache" XDG_RUNTIME_DIR="$dir/home/run" QT_QPA_PLATFORM=offscreen
    local cmd=(nice -n "$nice_level" "$REPO/tests/with-keyring.sh" "$exe" "$n" --state "$state" "${extra[@]}")
    if [ "$background" -eq 1 ]; then
        rm -f "$dir/soak.pid"
        nohup "${cmd[@]}" >>"$log" 2>&1 &
        local waited=0
        while [ ! -s "$dir/soak.pid" ] && [ "$waited" -lt 30 ]; do sleep 1; waited=$((waited + 1)); done
        [ -s "$dir/soak.pid" ] || die "soak: it did not start (see $log)"
        step "Soak running in the background (pid $(cat "$dir/soak.pid"))"
        info "progress: tail -f $log"
        info "summary:  tools/dev.sh soak --summary"
        info "stop:     kill $(cat "$dir/soak.pid") (finishes the run in progress, stops the sandbox; tools/dev.sh soak $n continues from $state)"
        return
    fi
    step "Soak: $n rollbacks killed at random and resumed (log $log)"
    "${cmd[@]}" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || die "the soak found divergences or hangs (see above)"
}

run_demo() {
    [ -x "$REPO/tools/sandbox/demo.sh" ] || die "tools/sandbox/demo.sh is missing"
    exec "$REPO/tools/sandbox/demo.sh" "$BUILD_DIR" "$@"
}

cmd="${1:-}"
shift || true
case "$cmd" in
    test) install_deps; build; run_tests "$@" ;;
    demo) install_deps; build; run_demo "$@" ;;
    setup) install_deps; build ;;
    sanitize) install_deps; run_sanitize "$@" ;;
    soak) run_soak "$@" ;;
    *) echo "usage: tools/dev.sh test|demo|setup|sanitize|soak [N]" >&2; exit 2 ;;
esac
