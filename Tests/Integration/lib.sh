# Shared helpers for the integration tests (sourced, not run).
# Each check prints "ok - name" or "FAIL - name" with the evidence, and
# counts into PASSED / FAILED, which run-all.sh adds up.

PASSED=${PASSED:-0}
FAILED=${FAILED:-0}

# No tool may hang the suite (CI has a time limit): every GStreamer and
# D-Bus tool call is bounded.
gst-launch-1.0() { timeout 120 gst-launch-1.0 "$@"; }
gst-inspect-1.0() { timeout 60 gst-inspect-1.0 "$@"; }
gst-discoverer-1.0() { timeout 60 gst-discoverer-1.0 "$@"; }
gdbus() { timeout 60 gdbus "$@"; }

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL - $1"
  [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/    | /' | head -40
  return 0
}

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
  local name=$1
  shift
  local output
  if output=$("$@" 2>&1); then pass "$name"; else fail "$name" "$output"; fi
}

# contains TEXT NEEDLE: a plain substring test. (No `printf | grep -q`: with
# pipefail, grep -q leaving early can fail the pipe with SIGPIPE.)
contains() { [[ "$1" == *"$2"* ]]; }

# expect_contains NAME TEXT NEEDLE: passes when TEXT contains NEEDLE.
expect_contains() {
  if contains "$2" "$3"; then pass "$1"; else fail "$1" "expected to find: $3
in: $2"; fi
}

# expect_match NAME TEXT REGEX (extended)
expect_match() {
  if printf '%s' "$2" | grep -E -- "$3" > /dev/null; then pass "$1"; else fail "$1" "expected to match: $3
in: $2"; fi
}

expect_equal() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$3', got '$2'"; fi
}

# A private session bus for this test file; stopped by stop_private_bus.
start_private_bus() {
  local info
  info=$(dbus-daemon --session --fork --print-address=1 --print-pid=1)
  DBUS_SESSION_BUS_ADDRESS=$(printf '%s\n' "$info" | sed -n 1p)
  BUS_PID=$(printf '%s\n' "$info" | sed -n 2p)
  export DBUS_SESSION_BUS_ADDRESS
}

stop_private_bus() {
  [ -n "${BUS_PID:-}" ] && kill "$BUS_PID" 2>/dev/null || true
  BUS_PID=
}

# start_daemon KINORAD [ARGS...]: starts kinorad on the private bus and waits
# until it answers (at most 10 s). Sets DAEMON_PID; log in $WORK/kinorad.log.
start_daemon() {
  "$@" > "$WORK/kinorad.log" 2>&1 &
  DAEMON_PID=$!
  for _ in $(seq 1 100); do
    gdbus call --session --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
      --method org.kinora.Kinora1.Manager.ListPlugins > /dev/null 2>&1 && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "kinorad starts on the private bus" "$(cat "$WORK/kinorad.log")"
  return 1
}

stop_daemon() {
  [ -n "${DAEMON_PID:-}" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=
}

# manager_call METHOD ARGS...: gdbus call on the manager object.
manager_call() {
  local method=$1
  shift
  gdbus call --session --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
    --method "org.kinora.Kinora1.Manager.$method" "$@"
}

job_property() {
  gdbus call --session --dest org.kinora.Kinora1 --object-path "$1" \
    --method org.freedesktop.DBus.Properties.Get org.kinora.Kinora1.Job "$2"
}

# wait_for_state JOB PATTERN [SECONDS]: polls the job's State until it
# matches one of PATTERN's words (e.g. "cancelled|failed"); prints the last State.
wait_for_state() {
  local job=$1 pattern=$2 seconds=${3:-20} state=""
  for _ in $(seq 1 $((seconds * 10))); do
    state=$(job_property "$job" State 2>&1)
    if printf '%s' "$state" | grep -E -- "$pattern" > /dev/null; then break; fi
    sleep 0.1
  done
  printf '%s' "$state"
}

# wait_for_file_line FILE [SECONDS]: waits until FILE has at least one line.
wait_for_file_line() {
  for _ in $(seq 1 $((${2:-20} * 10))); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
