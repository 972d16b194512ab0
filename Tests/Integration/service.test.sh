# kinorad as a service: the full D-Bus API driven by a Python client (jeepney,
# from a venv this test makes), named errors and limits from a configuration
# file, clients that vanish, sd_notify, idle exit, a bounded fuzz run, a small
# load run, the documented interface, and the units' hardening score.

unset KINORA_PLUGIN_PATH
VENV="$ROOT/.cache/venv-test"
# run_python_checks ARGS...: runs service_client.py, counting its ok / not ok lines.
# A run that crashes or times out fails too, with its last lines.
run_python_checks() {
  local line status output="$WORK/python-$1.log"
  (cd "$HERE" && timeout "${PYTHON_TIMEOUT:-300}" "$PYTHON" service_client.py "$@" > "$output" 2>&1)
  status=$?
  while IFS= read -r line; do
    case "$line" in
      "ok - "*) pass "${line#ok - }" ;;
      "not ok - "*) fail "${line#not ok - }" ;;
      "# "*) echo "$line" ;;
    esac
  done < "$output"
  if [ "$status" -ne 0 ] && ! grep -q '^not ok - ' "$output"; then
    fail "service_client.py $1 ran to its end (exit $status)" "$(tail -15 "$output")"
  fi
}

# jeepney in a venv of our own; where Python has no venv module (Debian without
# python3-venv), in a plain folder on PYTHONPATH instead.
PYTHON="$VENV/bin/python"
if ! "$PYTHON" -c 'import jeepney' 2> /dev/null; then
  if python3 -m venv "$VENV" > "$WORK/venv.log" 2>&1; then
    "$VENV/bin/pip" install -q 'jeepney==0.9.0' >> "$WORK/venv.log" 2>&1
  else
    PYTHON=python3
    export PYTHONPATH="$VENV/site${PYTHONPATH:+:$PYTHONPATH}"
    python3 -c 'import jeepney' 2> /dev/null \
      || python3 -m pip install -q --target "$VENV/site" 'jeepney==0.9.0' >> "$WORK/venv.log" 2>&1
  fi
fi
check "Python with jeepney for the client tests" "$PYTHON" -c 'import jeepney'

mkdir -p "$WORK/models/tiny"
cat > "$WORK/kinorad.conf" <<'CONF'
# limits small enough to test
[kinorad]
max-jobs-per-caller = 3
max-duration = 30     # seconds
max-frame-pixels = 100000
CONF

start_private_bus
if KINORA_MODEL_PATH="$WORK/models" start_daemon "$BUILD/kinorad" --config "$WORK/kinorad.conf"; then
  export DAEMON_PID
  EXPECTED_MODEL="$WORK/models/tiny" run_python_checks desktop "$WORK"
  run_python_checks errors "$WORK"

  # The CLI's job commands, each decoded back.
  kinora="$BUILD/kinora"
  gst-launch-1.0 -q videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! pngenc ! filesink location="$WORK/still.png"
  "$kinora" animate "$WORK/still.png" -o "$WORK/cli-animate.mp4" --plugin test-scroll --param duration=1 \
    --param width=64 --param height=48 > /dev/null 2>&1
  expect_equal "kinora animate exits 0" "$?" "0"
  expect_contains "kinora animate writes a 1 s clip" "$(gst-discoverer-1.0 "$WORK/cli-animate.mp4" 2>&1)" "Duration: 0:00:01.000000000"
  "$kinora" restyle "$WORK/cli-animate.mp4" -o "$WORK/cli-restyle.mp4" --plugin test-invert --param width=64 \
    --param height=48 > /dev/null 2>&1
  expect_equal "kinora restyle exits 0" "$?" "0"
  expect_contains "kinora restyle keeps the input's length" "$(gst-discoverer-1.0 "$WORK/cli-restyle.mp4" 2>&1)" "Duration: 0:00:01.000000000"
  "$kinora" extend "$WORK/cli-animate.mp4" -o "$WORK/cli-extend.mp4" > /dev/null 2>&1
  expect_equal "kinora extend (default video-to-video plugin) exits 0" "$?" "0"
  "$kinora" storyboard -o "$WORK/cli-story.mp4" --shot "0.5:a" --shot "0.5:cut:b" --param width=64 --param height=48 \
    --param fps=12 > /dev/null 2>&1
  expect_equal "kinora storyboard exits 0" "$?" "0"
  expect_contains "kinora storyboard joins its shots" "$(gst-discoverer-1.0 "$WORK/cli-story.mp4" 2>&1)" "Duration: 0:00:01.000000000"
  "$kinora" stream live -o - --param duration=1 --param width=64 --param height=48 > "$WORK/cli-stream.ts" 2> /dev/null
  expect_equal "kinora stream -o - exits 0 after its duration" "$?" "0"
  expect_contains "kinora stream wrote MPEG-TS to stdout" "$(gst-discoverer-1.0 "$WORK/cli-stream.ts" 2>&1)" "MPEG-2 Transport Stream"
  # A live stream sent by kinorad itself to a loopback UDP port, received and decoded back.
  # The receiver binds its socket before the stream starts (it says so in udp.ready) and
  # stops 2 s after the last datagram.
  port=$((20000 + RANDOM % 20000))
  python3 - "$port" "$WORK/udp.ts" "$WORK/udp.ready" > /dev/null 2>&1 <<'PY' &
import socket, sys
receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[3], "w").close()
receiver.settimeout(30)
with open(sys.argv[2], "wb") as out:
    try:
        while True:
            out.write(receiver.recv(65536))
            receiver.settimeout(2)
    except socket.timeout:
        pass
PY
  receiver=$!
  for _ in $(seq 1 50); do [ -e "$WORK/udp.ready" ] && break; sleep 0.1; done
  "$kinora" stream live --plugin test-scene -o "udp://127.0.0.1:$port" --param duration=2 --param width=64 --param height=48 \
    > /dev/null 2> "$WORK/udp.err"
  expect_equal "kinora stream -o udp://127.0.0.1:PORT exits 0 after its duration" "$?" "0"
  wait "$receiver" 2> /dev/null
  received=$(ls -l "$WORK/udp.ts" 2>&1; gst-discoverer-1.0 "$WORK/udp.ts" 2>&1)
  expect_contains "the stream arrived over UDP as MPEG-TS" "$received" "MPEG-2 Transport Stream"
  expect_contains "with H.264 64x48 video in it" "$received" "Width: 64"
  "$kinora" stream live -o "udp://192.0.2.1:5004" --param duration=1 > /dev/null 2> "$WORK/udp-bad.err"
  expect_equal "a network output off the loopback is a usage error (64)" "$?" "64"
  expect_contains "that names the allowed form" "$(cat "$WORK/udp-bad.err")" "udp://127.0.0.1:PORT, PORT from 1024 to 65535"
  "$kinora" animate "$WORK/no-such.png" -o "$WORK/x.mp4" > /dev/null 2>&1
  expect_equal "kinora animate with a missing input exits 66" "$?" "66"
  "$kinora" generate x -o "$WORK/too-long.mp4" --param duration=50 > /dev/null 2> "$WORK/too-long.err"
  expect_equal "a limit exceeded exits 64" "$?" "64"
  expect_contains "and names the limit" "$(cat "$WORK/too-long.err")" "max-duration"
  # An existing output survives a job that fails or is cancelled; a finished job replaces it.
  mkdir -p "$WORK/keep"
  printf 'precious' > "$WORK/keep/out.mp4"
  "$kinora" generate x --plugin test-scene -o "$WORK/keep/out.mp4" --param duration=50 > /dev/null 2>&1
  expect_equal "a refused job leaves the existing output as it was" "$(cat "$WORK/keep/out.mp4")" "precious"
  "$kinora" generate slow --plugin test-scene -o "$WORK/keep/out.mp4" --json --param duration=10 --param frame-delay=100 \
    > "$WORK/keep.jsonl" 2> /dev/null &
  cli=$!
  wait_for_file_line "$WORK/keep.jsonl"
  kept_job=$(head -1 "$WORK/keep.jsonl" | python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["job"])')
  "$kinora" cancel "${kept_job##*/}" > /dev/null 2>&1
  wait "$cli"
  expect_equal "the CLI of a job cancelled from elsewhere exits 2" "$?" "2"
  expect_equal "a cancelled job leaves the existing output as it was" "$(cat "$WORK/keep/out.mp4")" "precious"
  "$kinora" generate x --plugin test-scene -o "$WORK/keep/out.mp4" --param duration=0.5 > /dev/null 2>&1
  expect_contains "a finished job replaces it with its video" "$(gst-discoverer-1.0 "$WORK/keep/out.mp4" 2>&1)" \
    "Duration: 0:00:00.500000000"
  expect_equal "and leaves no temporary file beside it" "$(ls -A "$WORK/keep")" "out.mp4"
  job=$("$kinora" generate slow --plugin test-scene -o "$WORK/nowait.mp4" --no-wait --param duration=10 --param frame-delay=100)
  expect_match "kinora generate --no-wait prints the job path" "$job" "^/org/kinora/Kinora1/jobs/[0-9]+$"
  expect_contains "kinora jobs lists it running (detached, it outlived the CLI)" "$("$kinora" jobs)" "${job##*/}"
  check "kinora jobs --json is valid JSON" sh -c "'$kinora' jobs --json | python3 -m json.tool > /dev/null"
  check "kinora prompt changes a running job's prompt" "$kinora" prompt "${job##*/}" "new words"
  expect_contains "the job's Prompt property follows" "$(job_property "$job" Prompt 2>&1)" "new words"
  check "kinora cancel cancels it" "$kinora" cancel "${job##*/}"
  expect_contains "the job ends cancelled" "$(wait_for_state "$job" "cancelled|failed|done")" "cancelled"
  "$kinora" cancel 999999 > /dev/null 2> "$WORK/cancel.err"
  expect_equal "kinora cancel of an unknown job exits 64" "$?" "64"
  # libdbus aborts on an invalid object path: the CLI must refuse it first.
  for bad in "" "jobs/" "/org/kinora//1" "7 8"; do
    "$kinora" prompt "$bad" "words" > /dev/null 2> "$WORK/badjob.err"
    expect_equal "kinora prompt '$bad' is a usage error (64), not a crash" "$?" "64"
  done
  expect_contains "and names the job argument" "$(cat "$WORK/badjob.err")" "job:"
  expect_contains "kinora models lists the model folder" "$("$kinora" models)" "tiny"

  # kill -9 of a client mid-job: the daemon hears NameOwnerChanged and cancels its job.
  "$kinora" generate slow --plugin test-scene -o "$WORK/killed-client.mp4" --param duration=10 --param frame-delay=100 --json \
    > "$WORK/killed-client.jsonl" 2>&1 &
  cli=$!
  wait_for_file_line "$WORK/killed-client.jsonl"
  job=$(sed -n 's/.*"job":"\([^"]*\)".*/\1/p' "$WORK/killed-client.jsonl" | head -1)
  kill -9 "$cli"
  wait "$cli" 2> /dev/null
  expect_contains "a client killed with -9 mid-job has its job cancelled" "$(wait_for_state "$job" "cancelled|failed|done")" "cancelled"
  # The CLI died before it could rename or remove its temporary file: the output path was
  # never written, and the hidden temporary beside it holds nothing.
  if [ -e "$WORK/killed-client.mp4" ]; then fail "the killed client's output path was never written"; else
    pass "the killed client's output path was never written"; fi
  expect_equal "and its temporary file got nothing" "$(cat "$WORK"/.killed-client.mp4.kinora-* | wc -c)" "0"

  # Bounded fuzzing (make fuzz runs longer): random signatures and values on every method.
  PYTHON_TIMEOUT=$((${FUZZ_SECONDS:-20} + 120)) run_python_checks fuzz "${FUZZ_SECONDS:-20}" "${FUZZ_SEED:-$(date +%s)}"
  check "kinorad is alive after the fuzzing" kill -0 "$DAEMON_PID"

  # The documented interface is what the daemon serves.
  check "the installed interface XML is what kinorad --print-interfaces prints" \
    sh -c "'$BUILD/kinorad' --print-interfaces | cmp -s - '$ROOT/systemd/org.kinora.Kinora1.xml'"
  introspection=$(gdbus introspect --session --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 2>&1)
  for method in "Animate(in  s plugin" "Extend(in  s plugin" "Restyle(in  s plugin" "Storyboard(in  s plugin" \
    "StartStream(in  s plugin" "GetModels(out a(ss) models)" "Limits(out a{sv} limits)" "GetManagedObjects("; do
    expect_contains "gdbus introspect shows ${method%%(*}" "$introspection" "$method"
  done
  # The object tree walks like any service's (one path element per node): from the root
  # down to the finished jobs and their interface.
  tree=$(gdbus introspect --session --dest org.kinora.Kinora1 --object-path / --recurse 2>&1)
  expect_match "gdbus introspect --recurse from / reaches a job object" "$tree" "node /org/kinora/Kinora1/jobs/[0-9]+"
  expect_contains "and shows its interface" "$tree" "interface org.kinora.Kinora1.Job"
  stop_daemon
fi

# A small load run (make load: 20 clients x 200 jobs).
if start_daemon "$BUILD/kinorad" --max-jobs 2; then
  export DAEMON_PID
  mkdir -p "$WORK/load"
  PYTHON_TIMEOUT=600 run_python_checks load "${LOAD_CLIENTS:-4}" "${LOAD_JOBS:-25}" "$WORK/load"
  stop_daemon
fi

# sd_notify: READY once serving, STOPPING on SIGTERM; the name is released.
python3 - "$WORK/notify.sock" > "$WORK/notify.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    while True:
        print(s.recv(4096).decode().replace("\n", " | "), flush=True)
except socket.timeout:
    pass
PY
listener=$!
for _ in $(seq 1 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done
if NOTIFY_SOCKET="$WORK/notify.sock" start_daemon "$BUILD/kinorad"; then
  sleep 0.5
  expect_contains "sd_notify: READY=1 with a STATUS once serving" "$(cat "$WORK/notify.log")" "READY=1 | STATUS=Serving "
  kill -TERM "$DAEMON_PID"
  wait "$DAEMON_PID"
  expect_equal "SIGTERM: kinorad exits 0" "$?" "0"
  DAEMON_PID=
  sleep 0.3
  expect_contains "sd_notify: STOPPING=1 on SIGTERM" "$(cat "$WORK/notify.log")" "STOPPING=1"
  owner=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.kinora.Kinora1 2>&1)
  expect_contains "the bus name is released" "$owner" "false"
fi
kill "$listener" 2> /dev/null

# Native journal entries: under the journal ($JOURNAL_STREAM) each line is a datagram of
# fields, the job's id among them (a socket of our own stands in for journald's).
"$PYTHON" - "$WORK/journal.sock" > "$WORK/journal.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    while True:
        print(s.recv(65536).decode(errors="replace").replace("\n", " | "), flush=True)
except socket.timeout:
    pass
PY
listener=$!
for _ in $(seq 1 50); do [ -S "$WORK/journal.sock" ] && break; sleep 0.1; done
if JOURNAL_STREAM=8:1234 KINORAD_JOURNAL_SOCKET="$WORK/journal.sock" start_daemon "$BUILD/kinorad"; then
  reply=$(manager_call Generate test-scene logged "{'detached': <true>, 'duration': <0.2>}" 3 3> "$WORK/logged.mp4" 2>&1)
  job=$(printf '%s' "$reply" | sed -E "s/.*'(\/org[^']*)'.*/\1/")
  wait_for_state "$job" "done|failed|cancelled" > /dev/null
  sleep 0.3
  expect_match "journal: the job's lines carry KINORA_JOB, PRIORITY and the identifier" "$(cat "$WORK/journal.log")" \
    "^MESSAGE=kinorad: job=${job##*/} caller=[^|]* \| PRIORITY=6 \| SYSLOG_IDENTIFIER=kinorad \| KINORA_JOB=${job##*/} \| KINORA_CALLER=:"
  expect_contains "and KINORA_OPERATION, KINORA_PLUGIN" "$(cat "$WORK/journal.log")" "KINORA_OPERATION=Generate | KINORA_PLUGIN=test-scene"
  stop_daemon
fi
kill "$listener" 2> /dev/null

# SIGTERM with a running and two queued jobs: all cancelled, outputs empty, exit 0 at once.
if start_daemon "$BUILD/kinorad" --max-jobs 1; then
  slow="{'detached': <true>, 'duration': <10.0>, 'fps': <10>, 'frame-delay': <100>}"
  for n in 1 2 3; do manager_call Generate test-scene "term $n" "$slow" 3 3> "$WORK/term-$n.mp4" > /dev/null 2>&1; done
  wait_for_state /org/kinora/Kinora1/jobs/1 running > /dev/null
  term_started=$(date +%s%N)
  kill -TERM "$DAEMON_PID"
  wait "$DAEMON_PID"
  status=$?
  elapsed_ms=$((($(date +%s%N) - term_started) / 1000000))
  DAEMON_PID=
  expect_equal "SIGTERM with running and queued jobs: exit 0" "$status" "0"
  check "and within 3 s (took ${elapsed_ms} ms)" test "$elapsed_ms" -lt 3000
  expect_equal "no output of a cancelled job got a byte" "$(cat "$WORK"/term-*.mp4 | wc -c)" "0"
  expect_equal "the log shows all three cancelled" "$(grep -c 'cancelled$' "$WORK/kinorad.log")" "3"
fi

# Idle exit (as when bus-activated): gone after the timeout without jobs.
if start_daemon "$BUILD/kinorad" --idle-exit 1; then
  for _ in $(seq 1 50); do kill -0 "$DAEMON_PID" 2> /dev/null || break; sleep 0.1; done
  if kill -0 "$DAEMON_PID" 2> /dev/null; then fail "kinorad --idle-exit 1 exits when idle"; else
    wait "$DAEMON_PID"
    expect_equal "kinorad --idle-exit 1 exits 0 when idle" "$?" "0"
  fi
  DAEMON_PID=
fi

# Configuration errors stop the daemon with the file, line and range.
printf 'max-running-jobs = 0\n' > "$WORK/bad.conf"
expect_contains "a value out of range in the configuration names file, line and range" \
  "$("$BUILD/kinorad" --config "$WORK/bad.conf" 2>&1)" "bad.conf:1: 'max-running-jobs' must be a number from 1 to 64, not '0'"
printf 'max-jobz = 3\n' > "$WORK/bad.conf"
expect_contains "an unknown key in the configuration is named" "$("$BUILD/kinorad" --config "$WORK/bad.conf" 2>&1)" \
  "unknown setting 'max-jobz'"
stop_private_bus

# The units' hardening, as systemd rates it offline.
if ! command -v systemd-analyze > /dev/null; then
  fail "systemd-analyze is installed (make deps installs systemd) to rate the units' hardening"
else
  for unit in kinorad-system kinorad; do
    sed "s|@LIBEXECDIR@|/usr/libexec|g; s|@DATADIR@|/usr/share|g" "$ROOT/systemd/$unit.service.in" > "$WORK/$unit.service"
    exposure=$(cd "$WORK" && systemd-analyze security --offline=yes "$unit.service" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    echo "# systemd-analyze security --offline=yes $unit.service: exposure $exposure"
    check "$unit.service exposure ${exposure:-?} is at most 2.0" python3 -c "import sys; sys.exit(0 if float('${exposure:-99}') <= 2.0 else 1)"
  done
fi

# The system bus policy, on a private bus configured like Debian's system bus
# (deny by default) with systemd/org.kinora.Kinora1.conf included. Root
# stands in for the kinora user (owning the name) and for a member of group
# kinora (may submit); nobody is a caller outside the console and the group.
system_dir=$(mktemp -d /tmp/kinora-system-bus.XXXXXX)
chmod 755 "$system_dir"
cat > "$WORK/system-bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$system_dir/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
  <include>$ROOT/systemd/org.kinora.Kinora1.conf</include>
  <policy user="root">
    <allow own="org.kinora.Kinora1"/>
    <allow send_destination="org.kinora.Kinora1"/>
    <allow own="org.freedesktop.PolicyKit1"/>
    <allow send_destination="org.freedesktop.PolicyKit1"/>
  </policy>
  <!-- user daemon stands in for another member of group kinora (another uid) -->
  <policy user="daemon">
    <allow send_destination="org.kinora.Kinora1"/>
  </policy>
</busconfig>
CONF
system_bus_pid=$(dbus-daemon --config-file="$WORK/system-bus.conf" --fork --print-pid=1 2> "$WORK/system-bus.err")
system_address="unix:path=$system_dir/system_bus_socket"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# start_system_daemon ARGS...: kinorad on the private system bus; sets system_daemon.
start_system_daemon() {
  "$BUILD/kinorad" --address "$system_address" "$@" > "$WORK/kinorad-system.log" 2>&1 &
  system_daemon=$!
  for _ in $(seq 1 100); do
    gdbus call --address "$system_address" --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
      --method org.kinora.Kinora1.Manager.Version > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
stop_system_daemon() { kill "$system_daemon" 2> /dev/null; wait "$system_daemon" 2> /dev/null; }
if [ -n "$system_bus_pid" ] && start_system_daemon --polkit --max-jobs-per-caller 1; then
  expect_contains "system bus policy: anyone may call Version" "$(as_nobody gdbus call --address "$system_address" \
    --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 --method org.kinora.Kinora1.Manager.Version 2>&1)" "0."
  expect_contains "system bus policy: anyone may introspect" "$(as_nobody gdbus introspect --address "$system_address" \
    --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 2>&1)" "Storyboard("
  denied=$(as_nobody gdbus call --address "$system_address" --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
    --method org.kinora.Kinora1.Manager.Generate test-scene x "{'detached': <true>}" 3 3> /dev/null 2>&1)
  expect_contains "system bus policy: a caller outside the console and group kinora cannot Generate" "$denied" \
    "org.freedesktop.DBus.Error.AccessDenied"
  # Allowed by the bus, but polkit decides, and there is no polkit on this bus.
  refused=$(gdbus call --address "$system_address" --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
    --method org.kinora.Kinora1.Manager.Generate test-scene x "{'detached': <true>}" 3 3> "$WORK/polkit.mp4" 2>&1)
  expect_contains "with --polkit and no polkit on the bus, Generate is NotAuthorized with the reason" "$refused" \
    "org.kinora.Kinora1.Error.NotAuthorized: polkit could not decide (org.freedesktop.DBus.Error.ServiceUnknown"
  expect_contains "ListPlugins needs no authorization" "$(gdbus call --address "$system_address" --dest org.kinora.Kinora1 \
    --object-path /org/kinora/Kinora1 --method org.kinora.Kinora1.Manager.ListPlugins 2>&1)" "test-scene"

  # With a polkit authority on the bus that allows generating and nothing else: jobs start,
  # and only their starter's user may cancel or re-prompt them.
  "$PYTHON" "$HERE/polkit_authority.py" "$system_address" org.kinora.Kinora1.generate > "$WORK/polkit.log" 2>&1 &
  polkit_pid=$!
  for _ in $(seq 1 50); do grep -q ready "$WORK/polkit.log" && break; sleep 0.1; done
  system_call() { gdbus call --address "$system_address" --dest org.kinora.Kinora1 "$@" 2>&1; }
  reply=$(system_call --object-path /org/kinora/Kinora1 --method org.kinora.Kinora1.Manager.Generate test-scene slow \
    "{'detached': <true>, 'duration': <10.0>, 'frame-delay': <100>}" 3 3> "$WORK/owned.mp4")
  job=$(printf '%s' "$reply" | sed -E "s/.*'(\/org[^']*)'.*/\1/")
  expect_match "polkit allows org.kinora.Kinora1.generate: Generate starts a job" "$job" "^/org/kinora/Kinora1/jobs/[0-9]+$"
  # max-jobs-per-caller = 1 here: a second connection of the same user gets no second job.
  expect_contains "on the system bus the per-caller limit counts the user's jobs on every connection" \
    "$(system_call --object-path /org/kinora/Kinora1 --method org.kinora.Kinora1.Manager.Generate test-scene more \
      "{'detached': <true>, 'duration': <1.0>}" 3 3> "$WORK/second.mp4")" \
    "LimitExceeded: this caller (its user) already has 1 unfinished jobs (max-jobs-per-caller is 1)"
  other=$(setpriv --reuid=daemon --regid=daemon --clear-groups gdbus call --address "$system_address" \
    --dest org.kinora.Kinora1 --object-path "$job" --method org.kinora.Kinora1.Job.Cancel 2>&1)
  expect_contains "another user's Cancel is NotAuthorized (polkit refuses cancel-other)" "$other" \
    "org.kinora.Kinora1.Error.NotAuthorized: polkit does not allow"
  other=$(setpriv --reuid=daemon --regid=daemon --clear-groups gdbus call --address "$system_address" \
    --dest org.kinora.Kinora1 --object-path "$job" --method org.kinora.Kinora1.Job.SetPrompt "hijacked" 2>&1)
  expect_contains "another user's SetPrompt is NotAuthorized" "$other" "org.kinora.Kinora1.Error.NotAuthorized"
  expect_contains "polkit was asked for org.kinora.Kinora1.cancel-other" "$(cat "$WORK/polkit.log")" \
    "org.kinora.Kinora1.cancel-other"
  expect_contains "the job runs on, its prompt unchanged" \
    "$(system_call --object-path "$job" --method org.freedesktop.DBus.Properties.Get org.kinora.Kinora1.Job Prompt)" "slow"
  # gdbus opens a new connection per call: the same user, not the same connection, cancels.
  check "the starter's user cancels it from another connection" \
    gdbus call --address "$system_address" --dest org.kinora.Kinora1 --object-path "$job" --method org.kinora.Kinora1.Job.Cancel
  state=""
  for _ in $(seq 1 50); do
    state=$(system_call --object-path "$job" --method org.freedesktop.DBus.Properties.Get org.kinora.Kinora1.Job State)
    contains "$state" "cancelled" && break
    sleep 0.1
  done
  expect_contains "and it ends cancelled" "$state" "cancelled"
  kill "$polkit_pid" 2> /dev/null
  wait "$polkit_pid" 2> /dev/null
  stop_system_daemon
  if start_system_daemon --no-polkit; then
    reply=$(gdbus call --address "$system_address" --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
      --method org.kinora.Kinora1.Manager.Generate test-scene x "{'detached': <true>, 'duration': <0.5>}" 3 \
      3> "$WORK/system.mp4" 2>&1)
    job=$(printf '%s' "$reply" | sed -E "s/.*'(\/org[^']*)'.*/\1/")
    for _ in $(seq 1 100); do
      state=$(gdbus call --address "$system_address" --dest org.kinora.Kinora1 --object-path "$job" \
        --method org.freedesktop.DBus.Properties.Get org.kinora.Kinora1.Job State 2>&1)
      contains "$state" "done" && break
      sleep 0.1
    done
    expect_contains "a member of group kinora generates over the system bus, file by descriptor" \
      "$(gst-discoverer-1.0 "$WORK/system.mp4" 2>&1)" "Duration: 0:00:00.500000000"
    stop_system_daemon
  fi
  kill "$system_bus_pid" 2> /dev/null
else
  fail "a private bus with system-bus policy and kinorad on it start" "$(cat "$WORK/system-bus.err" "$WORK/kinorad-system.log" 2>&1)"
  stop_system_daemon
fi
rm -rf "$system_dir"
