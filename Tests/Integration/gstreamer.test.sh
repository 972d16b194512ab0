# The GStreamer bridge through the real tools: gst-inspect-1.0 documents the
# element, gst-launch-1.0 pipelines make files that decode back to the
# picture the test-scene plugin promises.

export GST_PLUGIN_PATH="$GST_DEV_DIR"
unset KINORA_PLUGIN_PATH

plugin_info=$(gst-inspect-1.0 kinora 2>&1)
expect_contains "gst-inspect-1.0 kinora lists the test-scene element" "$plugin_info" "kinoratestscene: Kinora test scene"
expect_contains "gst-inspect-1.0 kinora lists the test-invert filter" "$plugin_info" "kinoratestinvert: Kinora test invert"
expect_contains "gst-inspect-1.0 kinora lists the test-scroll animator" "$plugin_info" "kinoratestscroll: Kinora test scroll"
expect_contains "the kinora plugin has one element per Kinora plugin" "$plugin_info" "+-- 7 elements"

element_info=$(gst-inspect-1.0 kinoratestscene 2>&1)
expect_contains "element documents a plugin parameter's blurb" "$element_info" "How far the square moves each frame, in pixels"
expect_match "element documents the parameter's range and default" "$element_info" "Double\. Range: +0 - +64 Default: +4"
expect_match "integer parameter has range and default" "$element_info" "Integer\. Range: 0 - 16777215 Default: 2109504"
expect_contains "mutable parameters are changeable while playing" "$element_info" "changeable in NULL, READY, PAUSED or PLAYING state"
expect_contains "standard duration property is documented" "$element_info" "Length of the stream in seconds"
expect_contains "element is a push source" "$element_info" "GstPushSrc"
expect_match "caps offer RGB and I420" "$element_info" "format: \{ \(string\)RGB, \(string\)I420 \}"

# 48 buffers through x264enc into MP4: the pipeline exactly as README shows it.
check "gst-launch: kinoratestscene num-buffers=48 ! videoconvert ! x264enc ! mp4mux ! filesink" \
  gst-launch-1.0 -q kinoratestscene num-buffers=48 ! videoconvert ! x264enc ! mp4mux ! filesink location="$WORK/a.mp4"
discovered=$(gst-discoverer-1.0 "$WORK/a.mp4" 2>&1)
expect_contains "discoverer: 2 s long (48 frames at 24 fps)" "$discovered" "Duration: 0:00:02.000000000"
expect_contains "discoverer: width 320" "$discovered" "Width: 320"
expect_contains "discoverer: height 240" "$discovered" "Height: 240"
expect_contains "discoverer: 24 fps" "$discovered" "Frame rate: 24/1"
expect_contains "discoverer: H.264" "$discovered" "H.264"

# Raw RGB straight from the element: exact pixels.
check "gst-launch: raw RGB 64x48 at 10 fps, 12 buffers, custom colours" \
  gst-launch-1.0 -q kinoratestscene num-buffers=12 speed=3.5 background=0x102030 square-colour=0xff0080 \
  ! video/x-raw,format=RGB,width=64,height=48,framerate=10/1 ! filesink location="$WORK/raw.rgb"
check "raw frames are exactly the documented test scene" \
  python3 "$HERE/check_frames.py" "$WORK/raw.rgb" --width 64 --height 48 --frames 12 --speed 3.5 \
  --background 0x102030 --square 0xff0080

# duration= ends the stream itself (EOS), with the negotiated rate.
check "gst-launch: duration=1.5 at 8 fps ends by itself" \
  gst-launch-1.0 -q kinoratestscene duration=1.5 ! video/x-raw,format=RGB,width=32,height=32,framerate=8/1 \
  ! filesink location="$WORK/duration.rgb"
expect_equal "duration=1.5 at 8 fps gives 12 frames" "$(($(stat -c %s "$WORK/duration.rgb") / (32 * 32 * 3)))" "12"

# I420 negotiated by the element itself, encoded, decoded back, compared.
check "gst-launch: I420 160x120 from the element, into MP4" \
  gst-launch-1.0 -q kinoratestscene duration=1 speed=5 ! video/x-raw,format=I420,width=160,height=120,framerate=20/1 \
  ! x264enc ! mp4mux ! filesink location="$WORK/i420.mp4"
check "the MP4 decodes back to raw RGB" \
  gst-launch-1.0 -q filesrc location="$WORK/i420.mp4" ! qtdemux ! h264parse ! openh264dec ! videoconvert \
  ! video/x-raw,format=RGB ! filesink location="$WORK/decoded.rgb"
check "decoded frames: 20 frames of 160x120 showing the test scene" \
  python3 "$HERE/check_frames.py" "$WORK/decoded.rgb" --width 160 --height 120 --frames 20 --speed 5 --tolerance 40

# A live source paces itself by the clock: 10 frames at 20 fps take about 0.5 s.
start=$(date +%s%N)
check "is-live=true runs against the clock" \
  gst-launch-1.0 -q kinoratestscene is-live=true num-buffers=10 ! video/x-raw,framerate=20/1,width=32,height=32 ! fakesink sync=true
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if [ "$elapsed_ms" -ge 400 ]; then pass "live source took ${elapsed_ms} ms for 10 frames at 20 fps"; else
  fail "live source is paced by the clock" "took only ${elapsed_ms} ms"; fi

# A live source makes its next block on a thread of its own while the streaming thread
# pushes the current one: 60 frames that take 20 ms each to make and 20 ms each downstream
# (identity sleep-time) take ~1.2 s overlapped, at least 2.4 s one after the other (the
# non-live run below shows the serial figure).
elapsed() { local start; start=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - start) / 1000000)); }
ahead_ms=$(elapsed gst-launch-1.0 -q kinoratestscene is-live=true num-buffers=60 frame-delay=20 \
  ! video/x-raw,framerate=100/1,width=32,height=32 ! identity sleep-time=20000 ! fakesink)
serial_ms=$(elapsed gst-launch-1.0 -q kinoratestscene num-buffers=60 frame-delay=20 \
  ! video/x-raw,framerate=100/1,width=32,height=32 ! identity sleep-time=20000 ! fakesink)
echo "# 60 frames, 20 ms to make + 20 ms downstream each: live (made ahead) ${ahead_ms} ms, not live ${serial_ms} ms"
if [ "$ahead_ms" -lt 2000 ] && [ "$serial_ms" -ge 2400 ]; then pass "a live source generates ahead in its own thread"; else
  fail "a live source generates ahead in its own thread" "live ${ahead_ms} ms (want < 2000), not live ${serial_ms} ms"; fi
check "a live source with a duration ends with EOS after its frames" \
  gst-launch-1.0 -q kinoratestscene is-live=true duration=1 frame-delay=10 \
  ! video/x-raw,format=RGB,framerate=8/1,width=32,height=32 ! filesink location="$WORK/live-duration.rgb"
expect_equal "a live 1 s stream at 8 fps has 8 frames" "$(($(stat -c %s "$WORK/live-duration.rgb") / 3072))" "8"
# --foreground: without it GNU timeout signals the command and then its whole process group,
# so gst-launch can get a second SIGINT after its handler is gone and die with 130 (about
# half the runs on a loaded machine).
check "a live source interrupted with EOS mid-block (gst-launch -e, SIGINT) stops cleanly" \
  timeout --foreground --preserve-status -k 30 -s INT 2 gst-launch-1.0 -e kinoratestscene is-live=true frame-delay=100 \
  ! video/x-raw,framerate=8/1,width=32,height=32 ! fakesink sync=true

# Caps the plugin cannot make are refused at negotiation, not by a crash.
refused=$(gst-launch-1.0 kinoratestscene num-buffers=1 ! video/x-raw,width=8,height=8 ! fakesink 2>&1)
expect_match "8x8 (below the plugin's 16x16 minimum) is refused at linking or negotiation" "$refused" "can.t handle caps|not-negotiated"

# The video-to-video path: test-invert after test-scene inverts every colour.
filter_info=$(gst-inspect-1.0 kinoratestinvert 2>&1)
expect_contains "the filter element is a GstBaseTransform" "$filter_info" "GstBaseTransform"
expect_contains "the filter documents its strength parameter" "$filter_info" "How far each colour moves towards its inverse"
check "gst-launch: kinoratestscene ! kinoratestinvert" \
  gst-launch-1.0 -q kinoratestscene num-buffers=6 ! video/x-raw,format=RGB,width=64,height=48,framerate=12/1 \
  ! kinoratestinvert ! filesink location="$WORK/inverted.rgb"
check "inverted frames show the test scene in inverted colours" \
  python3 "$HERE/check_frames.py" "$WORK/inverted.rgb" --width 64 --height 48 --frames 6 \
  --background 0xdfcfbf --square 0x0f3fdf
check "gst-launch: strength=0 leaves frames as they are" \
  gst-launch-1.0 -q kinoratestscene num-buffers=4 ! video/x-raw,format=RGB,width=64,height=48 \
  ! kinoratestinvert strength=0 ! filesink location="$WORK/unchanged.rgb"
check "strength=0 output equals the scene" \
  python3 "$HERE/check_frames.py" "$WORK/unchanged.rgb" --width 64 --height 48 --frames 4

# The image-to-video path: one still in, a clip out.
scroll_info=$(gst-inspect-1.0 kinoratestscroll 2>&1)
expect_contains "the animator documents its speed parameter" "$scroll_info" "Pixels the image moves left each frame"
expect_contains "the animator has the standard duration property" "$scroll_info" "Length of the stream in seconds"
check "gst-launch: one test-scene frame ! kinoratestscroll duration=1 at 10 fps" \
  gst-launch-1.0 -q kinoratestscene num-buffers=1 ! video/x-raw,format=RGB,width=64,height=48 \
  ! kinoratestscroll duration=1 speed=5 ! video/x-raw,framerate=10/1 ! filesink location="$WORK/scrolled.rgb"
check "gst-launch: the same still as the image, raw" \
  gst-launch-1.0 -q kinoratestscene num-buffers=1 ! video/x-raw,format=RGB,width=64,height=48 \
  ! filesink location="$WORK/still.rgb"
check "10 frames, frame n is the image scrolled left by 5n pixels" python3 - "$WORK/still.rgb" "$WORK/scrolled.rgb" <<'PY'
import sys
still, frames = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
width, height, size = 64, 48, 64 * 48 * 3
assert len(frames) == 10 * size, f"{len(frames) / size} frames"
for n in range(10):
    frame = frames[n * size:(n + 1) * size]
    for y in range(height):
        row = still[y * width * 3:(y + 1) * width * 3]
        shift = (n * 5 % width) * 3
        expected = row[shift:] + row[:shift]
        assert frame[y * width * 3:(y + 1) * width * 3] == expected, f"frame {n} row {y} differs"
PY
check "gst-launch: kinoratestscroll into H.264/MP4" \
  gst-launch-1.0 -q kinoratestscene num-buffers=1 ! video/x-raw,format=RGB,width=64,height=48 \
  ! kinoratestscroll duration=2 ! videoconvert ! video/x-raw,format=I420 ! x264enc ! mp4mux ! filesink location="$WORK/scroll.mp4"
expect_contains "the animated clip lasts 2 s at the plugin's default 24 fps" \
  "$(gst-discoverer-1.0 "$WORK/scroll.mp4" 2>&1)" "Duration: 0:00:02.000000000"
