#!/usr/bin/env bash
# The one setup script behind the README's two commands.
#
#   tools/dev.sh test    install what is missing, build, run every test (CI runs this)
#   tools/dev.sh demo    install, build, start the sandbox and open the console on it
#   tools/dev.sh setup   only install and build
#   tools/dev.sh sanitize  build and run the parser/client tests under ASan + UBSan
#
# Works as root (apt-get directly) and as a user with sudo. Idempotent: when
# nothing changed it takes seconds. Needs no network but Debian's and npm's
# package registries.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${RAIZE_PRESET:-ci}"
BUILD_DIR="$REPO/build/$PRESET"
T0=$(date +%s)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - T0 )) s"; }

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
    cmake --build "$BUILD_DIR" -- -j"$(nproc)" | grep -vE '^\[[0-9]+/[0-9]+\] (Building|Automatic|Linking|Generating)' || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || die "the build failed (see above)"
    info "built in $(elapsed)"
}

run_tests() {
    step "Running the test suite (ctest)"
    # Tests that start the sandbox are RUN_SERIAL; the rest run two at a time.
    cd "$BUILD_DIR"
    if ! ctest --output-on-failure -j2 --timeout 180 "$@"; then
        die "some tests failed (see above); rerun one with: ctest --test-dir $BUILD_DIR -R <name> --output-on-failure"
    fi
    step "All tests passed in $(elapsed)"
}

# The parsers' robustness under AddressSanitizer + UndefinedBehaviorSanitizer
# (issue #6): the malformed-answer tables and the 10,000-mutation run.
SANITIZE_TESTS="test_sha256|test_parser_mutation|test_unleash_evaluator|test_net_client|test_launchdarkly_client|test_github_client|test_audit_log|test_changelog"
run_sanitize() {
    local dir="$REPO/build/asan-ubsan"
    step "Configuring the asan-ubsan preset → $dir"
    [ -f "$dir/CMakeCache.txt" ] || cmake --preset asan-ubsan -S "$REPO" >/dev/null
    step "Building the parser and client tests with ASan + UBSan"
    local targets
    targets=$(echo "$SANITIZE_TESTS" | tr '|' ' ')
    # shellcheck disable=SC2086
    cmake --build "$dir" --target $targets -- -j"$(nproc)" | grep -vE '^\[[0-9]+/[0-9]+\] (Building|Automatic|Linking|Generating)' || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || die "the sanitizer build failed (see above)"
    step "Running them (a sanitizer report fails the test)"
    cd "$dir"
    export LSAN_OPTIONS="suppressions=$REPO/tests/lsan.supp" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ctest --output-on-failure -j2 --timeout 900 -R "^($SANITIZE_TESTS)\$" || die "a test failed under the sanitizers (see above)"
    step "Sanitizer run passed in $(elapsed)"
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
    sanitize) install_deps; run_sanitize ;;
    *) echo "usage: tools/dev.sh test|demo|setup|sanitize" >&2; exit 2 ;;
esac
