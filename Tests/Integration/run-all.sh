#!/usr/bin/env bash
# Runs every integration test file against a finished build:
#   Tests/Integration/run-all.sh BUILD_DIR
# Each *.test.sh is sourced in order with BUILD (the build folder), WORK (a
# fresh temporary folder), HERE (this folder) and ROOT (the source tree) set,
# and adds to PASSED/FAILED. Services (dbus-daemon, kinorad) are started by
# the tests themselves. Exit status: 0 only if nothing failed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:?build folder, e.g. .build/debug}" && pwd)
GST_DEV_DIR="$ROOT/.build/gstreamer-1.0"
mkdir -p "$GST_DEV_DIR"
ln -sfn "$BUILD/libgstkinora.so" "$GST_DEV_DIR/libgstkinora.so"
WORK_ROOT=$(mktemp -d /tmp/kinora-integration.XXXXXX)
# A registry of our own: never a stale cache from an earlier build.
export GST_REGISTRY="$WORK_ROOT/gst-registry.bin"
PASSED=0
FAILED=0
source "$HERE/lib.sh"

cleanup() {
  stop_daemon
  stop_private_bus
  rm -rf "$WORK_ROOT"
}
trap cleanup EXIT

started=$(date +%s)
for test_file in "$HERE"/gstreamer.test.sh "$HERE"/daemon.test.sh "$HERE"/service.test.sh "$HERE"/plugins.test.sh \
  "$HERE"/install.test.sh; do
  [ -f "$test_file" ] || continue
  name=$(basename "$test_file" .test.sh)
  # KINORA_TESTS="service daemon" runs only those files (make fuzz, make load).
  if [ -n "${KINORA_TESTS:-}" ] && [[ " $KINORA_TESTS " != *" $name "* ]]; then continue; fi
  echo "# $name"
  WORK="$WORK_ROOT/$name"
  mkdir -p "$WORK"
  section_start=$(date +%s)
  source "$test_file"
  stop_daemon
  stop_private_bus
  echo "# $name took $(($(date +%s) - section_start)) s"
done
echo "# integration tests took $(($(date +%s) - started)) s"
echo "integration: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
