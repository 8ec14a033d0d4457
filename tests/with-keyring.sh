#!/bin/sh
# Runs a command inside a private D-Bus session with a fresh, unlocked
# gnome-keyring, so keychain tests use a real Secret Service and never the
# developer's own keyring.
set -eu
if [ "${RAIZE_IN_KEYRING_SESSION:-}" != 1 ]; then
    export RAIZE_IN_KEYRING_SESSION=1
    exec dbus-run-session -- "$0" "$@"
fi
mkdir -p "${HOME:?}/.local/share/keyrings"
# A throwaway password creates and unlocks the "login" collection (an empty
# one creates nothing and every lookup then fails).
eval "$(printf 'raize-test-keyring' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
"$@"
status=$?
[ -n "${GNOME_KEYRING_PID:-}" ] && kill "$GNOME_KEYRING_PID" 2>/dev/null || true
exit $status
