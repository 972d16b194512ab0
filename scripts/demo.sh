#!/usr/bin/env bash
# make demo: kinorad on a private session bus, a clip generated through the
# kinora CLI, and the path of the MP4 printed at the end.
#   scripts/demo.sh BUILD_DIR
set -euo pipefail

build=$(cd "${1:?build folder}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/out"
mkdir -p "$out"
clip="$out/demo.mp4"

# The session: a private dbus-daemon that ends with this script.
exec dbus-run-session -- bash -s "$build" "$clip" <<'SESSION'
set -euo pipefail
build=$1
clip=$2
"$build/kinorad" 2> "${clip%.mp4}-kinorad.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  "$build/kinora" plugins > /dev/null 2>&1 && break
  sleep 0.1
done
echo "demo: plugins kinorad loaded:"
"$build/kinora" plugins
# Text to video with the embedded model (kinora-shapes-v1, found by name in the model search
# path: the source tree's Models/, or $KINORA_MODEL_PATH).
echo "demo: generating a 4-second clip with the text-to-video plugin (diffusion, kinora-shapes-v1)"
"$build/kinora" generate "a yellow square moving right on a blue background" -o "$clip" \
  --plugin text-to-video --param duration=4 --param seed=1 --param width=256 --param height=256 > /dev/null
echo "demo: what gst-discoverer-1.0 says:"
gst-discoverer-1.0 "$clip" | grep -E "Duration|video #|Width|Height|Frame rate" | sed 's/^ */  /'
echo "demo: wrote $clip"
SESSION
