# kinorad on a private session bus, driven by the kinora CLI and by gdbus
# (which passes a raw fd and shows the daemon's own validation).

unset KINORA_PLUGIN_PATH
start_private_bus
if start_daemon "$BUILD/kinorad"; then
  kinora="$BUILD/kinora"

  listing=$("$kinora" plugins 2>&1)
  expect_contains "kinora plugins lists test-scene with its parameters" "$listing" "speed          a number from 0.0 to 64.0"
  json_listing=$("$kinora" plugins --json 2>&1)
  check "kinora plugins --json is valid JSON naming test-scene" \
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "test-scene" in [p["id"] for p in d], d' "$json_listing"

  # Generate through the CLI, with JSON progress.
  "$kinora" generate "a square" -o "$WORK/clip.mp4" --plugin test-scene --param duration=1 \
    --param width=128 --param height=96 --param fps=12 --json > "$WORK/progress.jsonl" 2> "$WORK/cli.err"
  expect_equal "kinora generate exits 0" "$?" "0"
  discovered=$(gst-discoverer-1.0 "$WORK/clip.mp4" 2>&1)
  expect_contains "the generated clip lasts 1 s" "$discovered" "Duration: 0:00:01.000000000"
  expect_contains "the generated clip is 128 wide" "$discovered" "Width: 128"
  expect_contains "the generated clip runs at 12 fps" "$discovered" "Frame rate: 12/1"
  check "progress events rise to 1 and the job succeeds" python3 - "$WORK/progress.jsonl" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
progress = [e["progress"] for e in events if e["event"] == "progress"]
assert len(progress) >= 3, events
assert progress == sorted(progress), progress
assert progress[-1] == 1.0, progress
assert events[-1]["event"] == "finished" and events[-1]["state"] == "done", events[-1]
PY
  check "the clip decodes to the test scene" \
    gst-launch-1.0 -q filesrc location="$WORK/clip.mp4" ! qtdemux ! h264parse ! openh264dec ! videoconvert \
    ! video/x-raw,format=RGB ! filesink location="$WORK/clip.rgb"
  check "decoded clip: 12 frames of 128x96" \
    python3 "$HERE/check_frames.py" "$WORK/clip.rgb" --width 128 --height 96 --frames 12 --tolerance 40

  # The fd form through gdbus: the daemon writes to the descriptor it was given.
  reply=$(manager_call Generate test-scene "via gdbus" "{'duration': <0.5>, 'detached': <true>}" 3 3> "$WORK/fd.mp4" 2>&1)
  expect_match "Generate over D-Bus returns a job object path" "$reply" "objectpath '/org/kinora/Kinora1/jobs/[0-9]+'"
  job=$(printf '%s' "$reply" | sed -E "s/.*'(\/org[^']*)'.*/\1/")
  state=$(wait_for_state "$job" "done|failed|cancelled")
  expect_contains "the job object reports State done" "$state" "done"
  expect_contains "the job object reports Progress 1.0" "$(job_property "$job" Progress 2>&1)" "1.0"
  expect_contains "the fd output is a 0.5 s MP4" "$(gst-discoverer-1.0 "$WORK/fd.mp4" 2>&1)" "Duration: 0:00:00.500000000"

  # Cancel mid-way: a slow job (100 ms a frame, 10 s of video), cancelled after progress shows.
  gdbus monitor --session --dest org.kinora.Kinora1 > "$WORK/monitor.log" 2>&1 &
  monitor=$!
  reply=$(manager_call Generate test-scene "slow" "{'detached': <true>, 'duration': <10.0>, 'fps': <10>, 'frame-delay': <100>}" 3 3> "$WORK/cancelled.mp4" 2>&1)
  job=$(printf '%s' "$reply" | sed -E "s/.*'(\/org[^']*)'.*/\1/")
  progress_seen=no
  for _ in $(seq 1 200); do
    progress=$(job_property "$job" Progress 2>&1)
    case "$progress" in *"<0.0>"* | *Error*) sleep 0.1 ;; *) progress_seen=yes; break ;; esac
  done
  expect_equal "the slow job reports progress above 0 before finishing" "$progress_seen" "yes"
  check "Cancel() on the job object is accepted" gdbus call --session --dest org.kinora.Kinora1 \
    --object-path "$job" --method org.kinora.Kinora1.Job.Cancel
  state=$(wait_for_state "$job" "cancelled|failed|done")
  expect_contains "the cancelled job's State is cancelled" "$state" "cancelled"
  expect_equal "a cancelled job wrote nothing to the caller's fd" "$(stat -c %s "$WORK/cancelled.mp4")" "0"
  for _ in $(seq 1 100); do
    contains "$(cat "$WORK/monitor.log")" "'State': <'cancelled'>" && break
    sleep 0.1
  done
  kill "$monitor" 2>/dev/null
  wait "$monitor" 2>/dev/null
  monitored=$(cat "$WORK/monitor.log")
  expect_match "PropertiesChanged signals carried progress" "$monitored" "'Progress': <0\.[0-9]+>"
  expect_contains "PropertiesChanged signalled the cancelled state" "$monitored" "'State': <'cancelled'>"

  # Ctrl-C on the CLI cancels its job and leaves no file.
  "$kinora" generate "slow" -o "$WORK/interrupted.mp4" --plugin test-scene --param duration=10 --param frame-delay=100 --json \
    > "$WORK/interrupted.jsonl" 2>&1 &
  cli=$!
  # Interrupt once the job runs (its first progress line), as a person would.
  wait_for_file_line "$WORK/interrupted.jsonl"
  kill -INT "$cli"
  wait "$cli"
  expect_equal "kinora generate interrupted by SIGINT exits 2" "$?" "2"
  if [ -e "$WORK/interrupted.mp4" ]; then fail "an interrupted kinora generate leaves no file"; else
    pass "an interrupted kinora generate leaves no file"; fi

  # Invalid requests: named D-Bus errors, and the daemon keeps serving.
  error=$(manager_call Generate no-such-plugin x "{}" 3 3> "$WORK/bad.mp4" 2>&1)
  expect_contains "unknown plugin: NotFound error naming it" "$error" "org.kinora.Kinora1.Error.NotFound: parameter 'plugin': no plugin 'no-such-plugin'"
  error=$(manager_call Generate test-invert x "{}" 3 3> "$WORK/bad.mp4" 2>&1)
  expect_contains "a filter plugin cannot Generate on its own" "$error" "parameter 'plugin': 'test-invert' is video-to-video, and Generate needs a source plugin"
  error=$(manager_call Generate test-scene x "{'speed': <'fast'>}" 3 3> "$WORK/bad.mp4" 2>&1)
  expect_contains "wrong type: InvalidArgument naming the parameter" "$error" "org.kinora.Kinora1.Error.InvalidArgument: parameter 'speed' must be of type double, not string"
  error=$(manager_call Generate test-scene x "{'speed': <100.0>}" 3 3> "$WORK/bad.mp4" 2>&1)
  expect_contains "out of range: InvalidArgument naming the parameter and range" "$error" "parameter 'speed' is 100.0, but must be a number from 0.0 to 64.0"
  error=$(manager_call Generate test-scene x "{'width': <99999>}" 3 3> "$WORK/bad.mp4" 2>&1)
  expect_contains "job option out of range names it" "$error" "parameter 'width' is 99999, but must be an integer from 16 to 1920"
  error=$(manager_call Generate test-scene x "{'colour': <1>}" 3 3> "$WORK/bad.mp4" 2>&1)
  expect_contains "unknown option: InvalidArgument listing the known ones" "$error" "unknown parameter 'colour' (known parameters: width, height, fps, duration, background"
  error=$(manager_call Generate test-scene x "{'speed': <[1, 2]>}" 3 3> "$WORK/bad.mp4" 2>&1)
  expect_contains "an array value: InvalidArgument naming the parameter" "$error" "parameter 'speed' has D-Bus type 'ai'"
  error=$(manager_call Generate test-scene x "{'duration': <@t 18446744073709551615>}" 3 3> "$WORK/bad.mp4" 2>&1)
  expect_contains "an unsigned 64-bit value too large for any parameter is named" "$error" "parameter 'duration' is 18446744073709551615, beyond any parameter's range"
  error=$(gdbus call --session --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
    --method org.kinora.Kinora1.Manager.Generate test-scene x 2>&1)
  expect_contains "a call with the wrong signature gets InvalidArgument" "$error" "Generate takes (plugin s, prompt s, options a{sv}, output h)"
  expect_equal "refused requests wrote nothing" "$(stat -c %s "$WORK/bad.mp4")" "0"
  "$kinora" generate x -o "$WORK/cli-bad.mp4" --plugin test-scene --param speed=99 > /dev/null 2> "$WORK/cli-bad.err"
  expect_equal "kinora generate with an out-of-range --param exits 64" "$?" "64"
  expect_contains "the CLI names the parameter and its range" "$(cat "$WORK/cli-bad.err")" "parameter 'speed' is 99.0, but must be a number from 0.0 to 64.0"
  "$kinora" generate x -o "$WORK/cli-bad.mp4" --plugin nope > /dev/null 2>&1
  expect_equal "kinora generate with an unknown plugin exits 64" "$?" "64"

  # A job whose pipeline fails (H.264 4:2:0 needs even sizes): failed, with the reason, no file.
  "$kinora" generate x -o "$WORK/odd.mp4" --plugin test-scene --param width=17 --param height=17 > /dev/null 2> "$WORK/odd.err"
  expect_equal "a job whose pipeline fails makes kinora exit 1" "$?" "1"
  expect_contains "the encoder's reason reaches the user" "$(cat "$WORK/odd.err")" "job failed: Can not initialize x264 encoder"
  if [ -e "$WORK/odd.mp4" ]; then fail "a failed job leaves no file"; else pass "a failed job leaves no file"; fi

  # An output descriptor opened read-only is refused at the call, naming it.
  : > "$WORK/readonly.mp4"
  error=$(manager_call Generate test-scene x "{'duration': <0.25>}" 3 3< "$WORK/readonly.mp4" 2>&1)
  expect_contains "a read-only output descriptor: InvalidArgument naming 'output'" "$error" "org.kinora.Kinora1.Error.InvalidArgument: parameter 'output': the file descriptor is not open for writing"

  # After all that, the daemon still serves and still generates.
  check "kinorad is still alive" kill -0 "$DAEMON_PID"
  "$kinora" generate "again" -o "$WORK/again.mp4" --plugin test-scene --param duration=0.25 > /dev/null 2>&1
  expect_equal "kinorad still generates after bad requests and a cancel" "$?" "0"
  expect_contains "introspection describes Generate" \
    "$(gdbus introspect --session --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 2>&1)" "Generate(in  s plugin"
  stop_daemon
fi

# With one job slot, a second job waits as 'queued' and can be cancelled there.
if start_daemon "$BUILD/kinorad" --max-jobs 1; then
  slow="{'detached': <true>, 'duration': <10.0>, 'fps': <10>, 'frame-delay': <100>}"
  first=$(manager_call Generate test-scene a "$slow" 3 3> "$WORK/first.mp4" 2>&1 | sed -E "s/.*'(\/org[^']*)'.*/\1/")
  expect_contains "with --max-jobs 1 the first job runs" "$(wait_for_state "$first" running)" "running"
  second=$(manager_call Generate test-scene b "$slow" 3 3> "$WORK/second.mp4" 2>&1 | sed -E "s/.*'(\/org[^']*)'.*/\1/")
  expect_contains "and the second waits as queued" "$(job_property "$second" State 2>&1)" "queued"
  gdbus call --session --dest org.kinora.Kinora1 --object-path "$second" --method org.kinora.Kinora1.Job.Cancel > /dev/null
  gdbus call --session --dest org.kinora.Kinora1 --object-path "$first" --method org.kinora.Kinora1.Job.Cancel > /dev/null
  expect_contains "a queued job can be cancelled" "$(wait_for_state "$second" "cancelled|failed|done")" "cancelled"
  expect_contains "the running job is cancelled too" "$(wait_for_state "$first" "cancelled|failed|done")" "cancelled"
  expect_equal "neither wrote anything" "$(cat "$WORK/first.mp4" "$WORK/second.mp4" | wc -c)" "0"
  stop_daemon
fi
# kinorad stopping mid-job: SIGTERM cancels the job (clients hear it); a
# crash (SIGKILL) is noticed by the CLI through NameOwnerChanged.
for ending in TERM KILL; do
  if start_daemon "$BUILD/kinorad"; then
    "$BUILD/kinora" generate slow -o "$WORK/ending-$ending.mp4" --plugin test-scene --param duration=10 --param frame-delay=100 --json \
      > "$WORK/ending-$ending.jsonl" 2> "$WORK/ending-$ending.err" &
    cli=$!
    wait_for_file_line "$WORK/ending-$ending.jsonl"
    kill -"$ending" "$DAEMON_PID"
    wait "$DAEMON_PID" 2>/dev/null
    DAEMON_PID=
    wait "$cli"
    status=$?
    if [ "$ending" = TERM ]; then
      expect_equal "SIGTERM to kinorad cancels the running job: kinora exits 2" "$status" "2"
    else
      expect_equal "kinorad killed mid-job: kinora exits 1 instead of waiting forever" "$status" "1"
      expect_contains "and says why" "$(cat "$WORK/ending-$ending.jsonl")" "kinorad stopped before the job finished"
    fi
    if [ -e "$WORK/ending-$ending.mp4" ]; then fail "no file is left after SIG$ending"; else pass "no file is left after SIG$ending"; fi
  fi
done
# kinorad killed mid-job under a desktop tool's own descriptor (no CLI to clean up after it):
# the file stays empty, never a cut-off MP4, and a restarted kinorad serves again.
if start_daemon "$BUILD/kinorad"; then
  reply=$(gdbus call --session --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
    --method org.kinora.Kinora1.Manager.Generate test-scene slow \
    "{'detached': <true>, 'duration': <10.0>, 'frame-delay': <50>}" 3 3> "$WORK/raw-killed.mp4" 2>&1)
  job=$(printf '%s' "$reply" | sed -E "s/.*'(\/org[^']*)'.*/\1/")
  wait_for_state "$job" "running" > /dev/null
  sleep 1
  kill -KILL "$DAEMON_PID"
  wait "$DAEMON_PID" 2> /dev/null
  DAEMON_PID=
  expect_equal "kinorad killed mid-job leaves the caller's file empty (nothing written before end-of-stream)" \
    "$(wc -c < "$WORK/raw-killed.mp4")" "0"
  if start_daemon "$BUILD/kinorad"; then
    reply=$(gdbus call --session --dest org.kinora.Kinora1 --object-path /org/kinora/Kinora1 \
      --method org.kinora.Kinora1.Manager.Generate test-scene again "{'detached': <true>, 'duration': <0.5>}" 3 \
      3> "$WORK/after-kill.mp4" 2>&1)
    job=$(printf '%s' "$reply" | sed -E "s/.*'(\/org[^']*)'.*/\1/")
    expect_contains "a restarted kinorad generates again" "$(wait_for_state "$job" "cancelled|failed|done")" "done"
    expect_contains "and its file is a whole 0.5 s MP4" "$(gst-discoverer-1.0 "$WORK/after-kill.mp4" 2>&1)" \
      "Duration: 0:00:00.500000000"
    stop_daemon
  fi
fi
# A broken pipeline description fails the job with GStreamer's reason.
mkdir -p "$WORK/broken-pipelines"
printf '# broken on purpose\n{element} name=generator ! nosuchelement ! filesink name=output\n' \
  > "$WORK/broken-pipelines/generate-mp4.pipeline"
if start_daemon "$BUILD/kinorad" --pipelines "$WORK/broken-pipelines"; then
  "$BUILD/kinora" generate x -o "$WORK/broken.mp4" --param duration=0.2 > /dev/null 2> "$WORK/broken.err"
  expect_equal "a job whose pipeline file does not parse exits 1" "$?" "1"
  expect_contains "with GStreamer's reason" "$(cat "$WORK/broken.err")" "the pipeline does not parse: no element \"nosuchelement\""
  stop_daemon
fi
invalid=$("$BUILD/kinorad" --max-jobs 0 2>&1)
expect_contains "kinorad --max-jobs 0 is refused with the range" "$invalid" "--max-jobs must be from 1 to 64, not 0"
stop_private_bus
"$BUILD/kinora" plugins > /dev/null 2>&1
expect_equal "kinora exits 69 when no bus or daemon is reachable" "$?" "69"
