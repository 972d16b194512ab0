#!/usr/bin/env bash
# The engine on a shared machine: kinoragensrc (8 steps, 4 s of video, into fakesink) with
# the matrix products split over the engine's own threads (the default) against OpenBLAS's
# threads (KINORA_MATRIX_THREADING=blas), first on idle cores, then with one busy process per
# core beside it (a desktop doing something else). Whole processes, paired runs, medians
# (farm-bench); the ratio is engine/blas wall time, below 1 when the default is faster.
#   scripts/bench-contention.sh [RUNS]
set -euo pipefail
runs=${1:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/release-gst-env.sh"
pipeline="gst-launch-1.0 -q kinoragensrc steps=8 duration=4 ! fakesink"
gst-inspect-1.0 kinoragensrc > /dev/null

bench() {
  farm-bench -n "$runs" --timeout 1200 --vs "env KINORA_MATRIX_THREADING=blas $pipeline" -- \
    env KINORA_MATRIX_THREADING=engine $pipeline
}

echo "== idle cores: A = engine threads (default), B = OpenBLAS threads"
bench
echo "== $(nproc) busy processes beside it"
busy=()
for _ in $(seq 1 "$(nproc)"); do
  sh -c 'while :; do :; done' & busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null || true' EXIT
bench
