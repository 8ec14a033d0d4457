#!/bin/sh
# The trap around test_packaging's real install of the .deb (issue #15, item 7).
#
#   package-guard.sh TEST_PID STATE_DIR PACKAGE
#
# test_packaging starts this detached (QProcess::startDetached: reparented
# to init, so ctest killing the test's process tree on a timeout does not
# take it along) before it installs anything. It
#   1. takes STATE_DIR/lock, so one install test at a time runs on this
#      machine (every worktree's suite installs the same package), and says
#      so in STATE_DIR/armed.TEST_PID, which the test waits for;
#   2. waits until TEST_PID has ended, however it ended (SIGKILL included);
#   3. if STATE_DIR/installed is still there (the test writes it before
#      `apt-get install` and removes it once it has purged the package
#      itself), purges PACKAGE, so a test that died midway leaves the
#      machine as it found it; then releases the lock.
# Its log: STATE_DIR/guard.log.
set -u
pid="$1" dir="$2" package="$3"
mkdir -p "$dir"
exec >>"$dir/guard.log" 2>&1 9>"$dir/lock"
say() { echo "$(date -u +%FT%TZ) guard of pid $pid: $*"; }
# The start time tells the test's process from a later one that reuses its pid.
started() { sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f20; }
start=$(started)
[ -n "$start" ] || { say "the test is already gone"; exit 0; }
flock -w 600 9 || { say "another install test held $dir/lock for 10 minutes"; exit 1; }
echo "$$" > "$dir/armed.$pid"
say "armed"
while [ "$(started)" = "$start" ]; do sleep 1; done
rm -f "$dir/armed.$pid"
if [ -f "$dir/installed" ]; then
    say "the test ended without purging $package: purging it"
    apt-get -o DPkg::Lock::Timeout=120 purge -y -q "$package" || dpkg --force-remove-reinstreq --purge "$package" || {
        say "could not purge $package: remove it by hand (apt-get purge $package)"; exit 1; }
    rm -f "$dir/installed"
fi
say "done"
