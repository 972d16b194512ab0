#!/usr/bin/env bash
# The GStreamer element's own cost, against videotestsrc in the same
# pipeline (DESIGN: "the element's overhead against videotestsrc").
#   scripts/bench-element.sh [FRAMES] [RUNS]
# Builds release (debug Swift is far too slow for per-pixel loops), then
# times whole gst-launch-1.0 processes making FRAMES 320x240 RGB frames into
# fakesink, RUNS times each, alternating, and prints the medians and their ratio.
set -euo pipefail

frames=${1:-480}
runs=${2:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/release-gst-env.sh"
caps="video/x-raw,format=RGB,width=320,height=240,framerate=24/1"
kinora=(gst-launch-1.0 -q kinoratestscene "num-buffers=$frames" ! "$caps" ! fakesink)
reference=(gst-launch-1.0 -q videotestsrc "num-buffers=$frames" ! "$caps" ! fakesink)
"${kinora[@]}" && "${reference[@]}"   # warm-up, and the registry

milliseconds() {
  local start
  start=$(date +%s%N)
  "$@"
  echo $((($(date +%s%N) - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

kinora_times=()
reference_times=()
for _ in $(seq 1 "$runs"); do
  kinora_times+=("$(milliseconds "${kinora[@]}")")
  reference_times+=("$(milliseconds "${reference[@]}")")
done
kinora_median=$(printf '%s\n' "${kinora_times[@]}" | median)
reference_median=$(printf '%s\n' "${reference_times[@]}" | median)
echo "frames: $frames of 320x240 RGB, $runs runs each (whole processes, milliseconds)"
echo "kinoratestscene: median $kinora_median ms (${kinora_times[*]})"
echo "videotestsrc:    median $reference_median ms (${reference_times[*]})"
awk -v a="$kinora_median" -v b="$reference_median" \
  'BEGIN { printf "ratio kinoratestscene / videotestsrc: %.2f; %.0f frames/s vs %.0f frames/s\n", a / b, '"$frames"' * 1000 / a, '"$frames"' * 1000 / b }'
