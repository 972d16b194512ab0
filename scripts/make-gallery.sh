#!/usr/bin/env bash
# docs/gallery/<capability>.png: 8 frames of each element's output (every second frame of
# 2 s at 8 fps, 64x64 shown 2x), made with the model found in the model search path.
#   scripts/make-gallery.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?build folder}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/docs/gallery"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$here/.build/gstreamer-1.0"
ln -sfn "$build/libgstkinora.so" "$here/.build/gstreamer-1.0/libgstkinora.so"
export GST_PLUGIN_PATH="$here/.build/gstreamer-1.0" GST_REGISTRY="$work/registry.bin"
rgb="video/x-raw,format=RGB,width=64,height=64,framerate=8/1"
run() { gst-launch-1.0 -q "$@" > /dev/null; }

run videotestsrc pattern=ball num-buffers=24 background-color=0xff000000 foreground-color=0xffe61e1e ! "$rgb" ! filesink location="$work/clip.rgb"
run filesrc location="$work/clip.rgb" blocksize=12288 num-buffers=1 ! "$rgb" ! videoconvert ! pngenc ! filesink location="$work/still.png"
run kinoragensrc prompt="a yellow square moving right on a blue background" seed=1 duration=2 ! "$rgb" ! filesink location="$work/text-to-video.rgb"
run filesrc location="$work/still.png" ! pngdec ! videoconvert ! video/x-raw,format=RGB ! kinoraanimate prompt="the red circle moves right" duration=2 ! video/x-raw,framerate=8/1 ! filesink location="$work/image-animation.rgb"
run filesrc location="$work/clip.rgb" blocksize=12288 num-buffers=8 ! "$rgb" ! kinoraextend prompt="a red circle moving down on a black background" duration=1 ! filesink location="$work/clip-extension.rgb"
run filesrc location="$work/clip.rgb" blocksize=12288 num-buffers=16 ! "$rgb" ! kinorastyle prompt="a blue circle on a black background, glow style" strength=0.6 ! filesink location="$work/style-transfer.rgb"

for name in text-to-video image-animation clip-extension style-transfer; do
  python3 - "$work/$name.rgb" "$work/$name.strip" <<'PY'
import sys
n = 64 * 64 * 3
data = open(sys.argv[1], "rb").read()
frames = [data[i * n:(i + 1) * n] for i in range(len(data) // n)][::2][:8]
rows = []
for y in range(64):
    row = bytearray()
    for f in frames:
        for x in range(64):
            p = f[(y * 64 + x) * 3:(y * 64 + x) * 3 + 3]
            row += p + p
    rows.append(bytes(row) * 2)
open(sys.argv[2], "wb").write(b"".join(rows))
print(len(frames))
PY
  count=$(($(stat -c %s "$work/$name.strip") / (128 * 128 * 3)))
  run filesrc location="$work/$name.strip" blocksize=$((count * 128 * 128 * 3)) num-buffers=1 \
    ! "video/x-raw,format=RGB,width=$((count * 128)),height=128,framerate=1/1" ! videoconvert ! pngenc \
    ! filesink location="$out/$name.png"
done
echo "gallery in $out"
