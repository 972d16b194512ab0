# The four diffusion elements through gst-launch-1.0 and the built plugins, with the embedded
# model found by name (kinora-shapes-v1) in the model search path: the source tree's Models/,
# or $KINORA_MODEL_PATH. Frugal settings (2 steps, no guidance) where the property checked
# does not depend on quality; quality is `make eval-elements`.

export GST_PLUGIN_PATH="$GST_DEV_DIR"
unset KINORA_PLUGIN_PATH
FAST="steps=2 guidance=1"
FS=$((64 * 64 * 3))
frames_in() { echo $(($(stat -c %s "$1") / $2)); }
launch() { timeout 300 gst-launch-1.0 -q "$@"; }
pipeline() { timeout 300 "$ROOT/scripts/run-pipeline.sh" "$@" -- -q; }

plugin_info=$(gst-inspect-1.0 kinora 2>&1)
for element in "kinoragensrc: Kinora text to video" "kinoraanimate: Kinora image animation" \
  "kinoraextend: Kinora clip extension" "kinorastyle: Kinora style transfer"; do
  expect_contains "gst-inspect-1.0 kinora lists ${element%%:*}" "$plugin_info" "$element"
done
style_info=$(gst-inspect-1.0 kinorastyle 2>&1)
expect_match "strength is documented with range and default" "$style_info" "Double\. Range: +0\.05 - +1 Default: +0\.6"
expect_contains "strength may change while playing" "$style_info" "changeable in NULL, READY, PAUSED or PLAYING state"
expect_match "seed has a range" "$(gst-inspect-1.0 kinoragensrc 2>&1)" "Integer\. Range: 0 - 2147483647 Default: 0"

if ! launch kinoragensrc $FAST num-buffers=1 ! fakesink > "$WORK/probe.log" 2>&1; then
  fail "the embedded model kinora-shapes-v1 is in the model search path (Models/ or KINORA_MODEL_PATH)" "$(cat "$WORK/probe.log")"
fi

# Text to video at the native size and rate: frame count, size, timestamps.
check "kinoragensrc duration=3 at native 64x64, 8 fps" \
  launch kinoragensrc prompt="a red circle moving left on a black background" duration=3 $FAST \
  ! video/x-raw,format=RGB,width=64,height=64,framerate=8/1 ! filesink location="$WORK/gen.rgb"
expect_equal "3 s at 8 fps is 24 frames of 64x64" "$(frames_in "$WORK/gen.rgb" $FS)" "24"
stamps=$(timeout 300 gst-launch-1.0 -v kinoragensrc $FAST num-buffers=13 ! video/x-raw,width=64,height=64,framerate=8/1 \
  ! fakesink silent=false 2>&1 | grep -o "dts: [0-9:.]*, pts: [0-9:.]*, duration: [0-9:.]*" | sed -n '1p;13p')
expect_contains "frame 0 at 0 s lasting 1/8 s" "$stamps" "dts: 0:00:00.000000000, pts: 0:00:00.000000000, duration: 0:00:00.125000000"
expect_contains "frame 12 (the second chunk) at 1.5 s" "$stamps" "pts: 0:00:01.500000000"

# Another size and rate: scaled and retimed, as negotiated.
check "kinoragensrc negotiates 160x120 at 16 fps" \
  launch kinoragensrc duration=2 $FAST ! video/x-raw,format=RGB,width=160,height=120,framerate=16/1 \
  ! filesink location="$WORK/gen-large.rgb"
expect_equal "2 s at 16 fps is 32 frames of 160x120" "$(frames_in "$WORK/gen-large.rgb" $((160 * 120 * 3)))" "32"
check "at 16 fps each model frame is shown twice (frame repetition, not interpolation)" \
  python3 -c "import sys; d=open(sys.argv[1],'rb').read(); n=160*120*3; f=[d[i*n:(i+1)*n] for i in range(32)]; sys.exit(0 if all(f[2*i]==f[2*i+1] for i in range(16)) and f[0]!=f[2] else 1)" "$WORK/gen-large.rgb"

# The same seed makes the same video; another seed another one.
launch kinoragensrc prompt="a blue square" seed=5 num-buffers=4 $FAST ! filesink location="$WORK/seed5a.rgb"
launch kinoragensrc prompt="a blue square" seed=5 num-buffers=4 $FAST ! filesink location="$WORK/seed5b.rgb"
launch kinoragensrc prompt="a blue square" seed=6 num-buffers=4 $FAST ! filesink location="$WORK/seed6.rgb"
check "same seed, same frames" cmp "$WORK/seed5a.rgb" "$WORK/seed5b.rgb"
check "another seed, other frames" bash -c "! cmp -s '$WORK/seed5a.rgb' '$WORK/seed6.rgb'"

# Provenance and safety.
tags=$(timeout 300 gst-launch-1.0 -t kinoragensrc prompt="a green triangle" seed=3 num-buffers=2 $FAST ! fakesink 2>&1)
expect_contains "tag: the generator" "$tags" "application name: Kinora text-to-video"
expect_contains "tag: the prompt as title" "$tags" "title: a green triangle"
expect_contains "tag: model and seed" "$tags" "model=kinora-shapes-v1; seed=3"
warned=$(timeout 300 gst-launch-1.0 kinoragensrc prompt="a cat playing the piano in Paris" num-buffers=1 $FAST ! fakesink 2>&1)
expect_contains "a prompt outside the model's world warns on the bus" "$warned" "is far outside what model kinora-shapes-v1 knows"
quiet=$(launch kinoragensrc prompt="a red circle moving left" num-buffers=1 $FAST ! fakesink 2>&1)
check "an in-world prompt does not warn" bash -c "[[ '$quiet' != *'far outside'* ]]"
launch kinoragensrc $FAST num-buffers=1 watermark=false ! filesink location="$WORK/nomark.rgb"
launch kinoragensrc $FAST num-buffers=1 ! filesink location="$WORK/mark.rgb"
check "the watermark changes the bottom-right corner only, and watermark=false removes it" python3 -c "
import sys
a = open('$WORK/mark.rgb', 'rb').read(); b = open('$WORK/nomark.rgb', 'rb').read()
diff = [i // 3 for i in range(len(a)) if a[i] != b[i]]
sys.exit(0 if diff and all(p % 64 >= 48 and p // 64 >= 48 for p in diff) else 1)"

# Refusals name the property.
bad=$(launch kinoragensrc steps=500 num-buffers=1 ! fakesink 2>&1)
expect_contains "steps out of range is refused, naming it" "$bad" "steps"
bad=$(launch kinoragensrc prompt-schedule="later a blue square" num-buffers=1 ! fakesink 2>&1)
expect_contains "a malformed prompt schedule is refused, naming it" "$bad" "invalid value for 'prompt-schedule'"
bad=$(launch kinoragensrc guidance=15 num-buffers=1 ! fakesink 2>&1)
expect_contains "guidance outside the distilled model's range is refused, naming it and the range" "$bad" "invalid value for 'guidance': 15.0 is outside 1.0…10.0"
# A negative prompt with the guidance-distilled model: three denoiser calls a step, frames out.
neg=$(launch kinoragensrc steps=2 negative-prompt="a blue square" num-buffers=3 ! fakesink 2>&1; echo "exit $?")
expect_contains "a negative prompt runs with the distilled model" "$neg" "exit 0"
bad=$(launch kinoragensrc model=no-such-model num-buffers=1 ! fakesink 2>&1)
expect_contains "an unknown model fails with where it looked" "$bad" "model 'no-such-model' not found in"

# A prompt schedule (multi-shot): each chunk logs the prompt it was made under.
shots=$(GST_DEBUG=kinora:4 launch kinoragensrc $FAST duration=4 \
  prompt-schedule="0=a red circle moving left; 2=a blue square moving up" ! fakesink 2>&1 | grep -o 'chunk [0-9]*: [^"]*"[^"]*"')
expect_contains "shot 1 in the first chunk" "$shots" 'chunk 0: model frames 0..<16, seed 0, prompt "a red circle moving left"'
expect_contains "shot 2 from the chunk starting at 2 s" "$shots" 'chunk 1: model frames 16..<28, seed 1, prompt "a blue square moving up"'

# Image animation: the still is frame 0, exactly.
launch videotestsrc pattern=ball num-buffers=1 ! video/x-raw,width=64,height=64 ! pngenc ! filesink location="$WORK/still.png"
launch filesrc location="$WORK/still.png" ! pngdec ! videoconvert ! video/x-raw,format=RGB ! filesink location="$WORK/still.rgb"
check "kinoraanimate duration=2" \
  launch filesrc location="$WORK/still.png" ! pngdec ! videoconvert ! video/x-raw,format=RGB \
  ! kinoraanimate prompt="the circle moves right" duration=2 $FAST ! video/x-raw,framerate=8/1 ! filesink location="$WORK/anim.rgb"
expect_equal "animate: 2 s at 8 fps is 16 frames" "$(frames_in "$WORK/anim.rgb" $FS)" "16"
check "animate: frame 0 is the input image, byte for byte" cmp -n $FS "$WORK/still.rgb" "$WORK/anim.rgb"

# Clip extension: the input unchanged, then the continuation.
launch videotestsrc pattern=ball num-buffers=20 ! video/x-raw,width=64,height=64,framerate=8/1 ! videoconvert \
  ! video/x-raw,format=RGB ! filesink location="$WORK/clip.rgb"
check "kinoraextend duration=2 after a 20-frame clip" \
  launch videotestsrc pattern=ball num-buffers=20 ! video/x-raw,width=64,height=64,framerate=8/1 ! videoconvert \
  ! video/x-raw,format=RGB ! kinoraextend prompt="the ball keeps moving" duration=2 $FAST ! filesink location="$WORK/extended.rgb"
expect_equal "extend: 20 input frames + 16 more" "$(frames_in "$WORK/extended.rgb" $FS)" "36"
check "extend: the input passes through unchanged" cmp -n $((20 * FS)) "$WORK/clip.rgb" "$WORK/extended.rgb"
ext_stamps=$(timeout 300 gst-launch-1.0 -v videotestsrc pattern=ball num-buffers=20 ! video/x-raw,width=64,height=64,framerate=8/1 ! videoconvert \
  ! video/x-raw,format=RGB ! kinoraextend duration=1 $FAST ! fakesink silent=false 2>&1 | grep -o "pts: [0-9:.]*" | tail -1)
expect_equal "extend: the last added frame continues the timeline (frame 27 at 3.375 s)" "$ext_stamps" "pts: 0:00:03.375000000"

# Style transfer: one frame out per frame in, restyled.
check "kinorastyle over 30 frames" \
  launch videotestsrc pattern=ball num-buffers=30 ! video/x-raw,width=64,height=64,framerate=8/1 ! videoconvert \
  ! video/x-raw,format=RGB ! kinorastyle prompt="glow style" strength=0.5 $FAST ! filesink location="$WORK/styled.rgb"
expect_equal "style: 30 frames in, 30 out" "$(frames_in "$WORK/styled.rgb" $FS)" "30"
check "style: the frames are restyled, not copied" bash -c "! cmp -s -n $((30 * FS)) '$WORK/clip.rgb' '$WORK/styled.rgb'"

# Memory stays flat with length: 60 s of live-length video against 10 s.
rss() { python3 -c "
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)" "$@"; }
short=$(rss gst-launch-1.0 -q kinoragensrc steps=1 guidance=1 duration=10 ! fakesink)
long=$(rss gst-launch-1.0 -q kinoragensrc steps=1 guidance=1 duration=60 ! fakesink)
# Live, paced by the clock (60 s of wall time), with its generator thread making blocks ahead.
live=$(rss gst-launch-1.0 -q kinoragensrc is-live=true steps=1 guidance=1 duration=60 ! fakesink sync=true)
echo "# peak RSS: 10 s ${short} KiB, 60 s ${long} KiB, 60 s live ${live} KiB"
check "a 60 s stream peaks within 8 MiB of a 10 s one (${short} KiB vs ${long} KiB)" test $((long - short)) -lt 8192
check "a 60 s live stream peaks within 8 MiB of a 10 s one (${short} KiB vs ${live} KiB)" test $((live - short)) -lt 8192

# Pipelines/: every description runs.
pipeline "$ROOT/Pipelines/text-to-mp4.pipeline" duration=2 options="$FAST" output="$WORK/p-text.mp4"
expect_contains "Pipelines/text-to-mp4: a 2 s MP4" "$(gst-discoverer-1.0 "$WORK/p-text.mp4" 2>&1)" "Duration: 0:00:02.000000000"
pipeline "$ROOT/Pipelines/image-to-mp4.pipeline" input="$WORK/still.png" duration=2 options="$FAST" output="$WORK/p-image.mp4"
expect_contains "Pipelines/image-to-mp4: a 2 s MP4" "$(gst-discoverer-1.0 "$WORK/p-image.mp4" 2>&1)" "Duration: 0:00:02.000000000"
pipeline "$ROOT/Pipelines/extend-mp4.pipeline" input="$WORK/p-text.mp4" duration=1 options="$FAST" output="$WORK/p-extend.mp4"
expect_contains "Pipelines/extend-mp4: 2 s + 1 s" "$(gst-discoverer-1.0 "$WORK/p-extend.mp4" 2>&1)" "Duration: 0:00:03.000000000"
pipeline "$ROOT/Pipelines/restyle-mp4.pipeline" input="$WORK/p-text.mp4" options="$FAST" output="$WORK/p-restyle.mp4"
expect_contains "Pipelines/restyle-mp4: as long as its input" "$(gst-discoverer-1.0 "$WORK/p-restyle.mp4" 2>&1)" "Duration: 0:00:02.000000000"
mkdir -p "$WORK/hls"
pipeline "$ROOT/Pipelines/live-hls.pipeline" duration=3 folder="$WORK/hls" options="$FAST"
check "Pipelines/live-hls: a playlist with segments" grep -q "segment00001.ts" "$WORK/hls/playlist.m3u8"
receive() {
  timeout "$2" gst-launch-1.0 -q udpsrc port="$1" \
    caps="application/x-rtp,media=video,encoding-name=H264,payload=96,clock-rate=90000" \
    ! rtph264depay ! h264parse ! openh264dec ! videoconvert ! video/x-raw,format=RGB ! filesink location="$3"
}
receive 15004 25 "$WORK/rtp.rgb" &
receiver=$!
sleep 1
pipeline "$ROOT/Pipelines/live-rtp.pipeline" duration=3 port=15004 options="$FAST"
sleep 1
kill -INT $receiver 2>/dev/null; wait $receiver 2>/dev/null
check "Pipelines/live-rtp: frames arrive on 127.0.0.1" test "$(frames_in "$WORK/rtp.rgb" $FS)" -ge 16
receive 15006 25 "$WORK/rtp-style.rgb" &
receiver=$!
sleep 1
pipeline "$ROOT/Pipelines/live-restyle.pipeline" frames=24 port=15006 options="$FAST"
sleep 1
kill -INT $receiver 2>/dev/null; wait $receiver 2>/dev/null
check "Pipelines/live-restyle: restyled frames arrive on 127.0.0.1" test "$(frames_in "$WORK/rtp-style.rgb" $FS)" -ge 12
