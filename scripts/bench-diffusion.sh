#!/usr/bin/env bash
# The diffusion elements' speed, in one run (release build, whole gst-launch-1.0 processes,
# the median of RUNS):
#   - real-time factor of kinoragensrc at the native 64x64, 8 fps: seconds of video made per
#     wall second, for a DURATION-second clip into fakesink (whole process: model loading
#     included) and in steady state (between the first and the last chunk's log line);
#   and with steps=16 (twice the model's default denoising steps);
#   - time to first frame: a whole process making one frame (start, model load, first chunk),
#     with the model's whole chunk first and with first-chunk=4 and 1;
#   - the element in a real pipeline: kinoragensrc → x264enc → mp4mux against the same
#     pipeline with videotestsrc making the same frames, and the element alone into fakesink,
#     so the pipeline's share beside generation shows;
#   - restyle throughput: a 64x64 8 fps videotestsrc stream through kinorastyle.
#   scripts/bench-diffusion.sh [DURATION] [RUNS]
# The model is found by name in the model search path (Models/ or $KINORA_MODEL_PATH).
set -euo pipefail

duration=${1:-12}
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/release-gst-env.sh"
frames=$((duration * 8))
native="video/x-raw,format=RGB,width=64,height=64,framerate=8/1"

milliseconds() {
  local start
  start=$(date +%s%N)
  "$@" > /dev/null 2>&1
  echo $((($(date +%s%N) - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# median_of RUNS COMMAND...: the median wall milliseconds.
median_of() {
  local n=$1 times=()
  shift
  for _ in $(seq 1 "$n"); do times+=("$(milliseconds "$@")"); done
  printf '%s\n' "${times[@]}" | median
}

gst-launch-1.0 -q kinoragensrc num-buffers=1 ! fakesink   # warm-up, and the registry

gen=(gst-launch-1.0 -q kinoragensrc "duration=$duration" prompt="a red circle moving left on a black background" ! "$native" ! fakesink)
gen_ms=$(median_of "$runs" "${gen[@]}")
slow_ms=$(median_of "$runs" gst-launch-1.0 -q kinoragensrc "duration=$duration" steps=16 ! "$native" ! fakesink)
first_ms=$(median_of "$runs" gst-launch-1.0 -q kinoragensrc num-buffers=1 ! "$native" ! fakesink)
first4_ms=$(median_of "$runs" gst-launch-1.0 -q kinoragensrc num-buffers=1 first-chunk=4 ! "$native" ! fakesink)
first1_ms=$(median_of "$runs" gst-launch-1.0 -q kinoragensrc num-buffers=1 first-chunk=1 ! "$native" ! fakesink)
steady=$(GST_DEBUG=kinora:4 GST_DEBUG_NO_COLOR=1 "${gen[@]}" 2>&1 | grep -o "^[0-9:.]* .*chunk [0-9]*:" \
  | awk '{ split($1, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]; if (!n++) first = s; last = s; c++ }
         END { if (c > 1) printf "%.2f", (c - 1) * 12 / 8 / (last - first); else print "n/a" }')

encode="! videoconvert ! video/x-raw,format=I420 ! x264enc speed-preset=veryfast ! mp4mux ! filesink location=/dev/null"
kinora_pipeline_ms=$(median_of "$runs" gst-launch-1.0 -q kinoragensrc "duration=$duration" ! "$native" $encode)
test_pipeline_ms=$(median_of "$runs" gst-launch-1.0 -q videotestsrc "num-buffers=$frames" pattern=ball ! "$native" $encode)

styled_ms=$(median_of "$runs" gst-launch-1.0 -q videotestsrc "num-buffers=$frames" pattern=ball ! "$native" \
  ! kinorastyle prompt="glow style" ! fakesink)

echo "diffusion elements: $frames frames (${duration} s at 8 fps, 64x64), default steps and guidance, median of $runs whole processes"
awk -v d="$duration" -v f="$frames" -v gen="$gen_ms" -v slow="$slow_ms" -v first="$first_ms" -v steady="$steady" \
  -v first4="$first4_ms" -v first1="$first1_ms" \
  -v kp="$kinora_pipeline_ms" -v tp="$test_pipeline_ms" -v st="$styled_ms" 'BEGIN {
  printf "| measure | value | goal |\n| --- | --- | --- |\n"
  printf "| kinoragensrc real-time factor, whole process (%d s clip in %.2f s) | %.2fx | >= 2x |\n", d, gen / 1000, d * 1000 / gen
  printf "| the same with steps=16 | %.2fx | |\n", d * 1000 / slow
  printf "| kinoragensrc real-time factor, steady state (chunk to chunk) | %sx | >= 2x |\n", steady
  printf "| time to first frame, whole process (start, model load, first chunk) | %.2f s | < 1 s |\n", first / 1000
  printf "| the same with first-chunk=4 (a 4-frame first chunk) | %.2f s | < 1 s |\n", first4 / 1000
  printf "| the same with first-chunk=1 (one frame first) | %.2f s | < 1 s |\n", first1 / 1000
  printf "| kinoragensrc -> x264enc -> mp4mux | %.2f s | |\n", kp / 1000
  printf "| videotestsrc -> x264enc -> mp4mux, same frames | %.2f s | |\n", tp / 1000
  printf "| kinoragensrc alone into fakesink | %.2f s | |\n", gen / 1000
  printf "| pipeline beside generation: (kinora pipeline - element alone) / kinora pipeline | %.1f %% | < 5 %% |\n", (kp - gen) * 100 / kp
  printf "| restyle throughput, 64x64 8 fps through kinorastyle | %.1f frames/s (%.2fx real time) | |\n", f * 1000 / st, d * 1000 / st
}'
