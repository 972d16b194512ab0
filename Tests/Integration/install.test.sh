# `make install` lays out an FHS tree that runs with the build folder moved
# away; a plugin built out of tree against the installed SDK (the way a third
# party would) loads and works; broken libraries are refused with a clear
# message naming the file while the good plugins still load.

# The installed tree's own model folder, not one the caller points at.
unset KINORA_MODEL_PATH
prefix="$WORK/prefix"
plugins="$WORK/plugins"
mkdir -p "$plugins"

# DESTDIR staging: files land under DESTDIR, paths inside name PREFIX.
check "install with PREFIX=/opt/kinora DESTDIR=stage" "$ROOT/scripts/install.sh" "$BUILD" /opt/kinora "$WORK/stage"
for file in bin/kinora libexec/kinorad lib/gstreamer-1.0/libgstkinora.so lib/kinora/plugins/libkinora-test-scene.so \
  lib/libKinoraPluginSDK.so include/kinora/kinora_plugin.h lib/swift/kinora/KinoraPluginSDK.swiftmodule \
  share/kinora/pipelines/generate-mp4.pipeline share/kinora/models share/dbus-1/services/org.kinora.Kinora1.service \
  share/dbus-1/system.d/org.kinora.Kinora1.conf lib/systemd/user/kinorad.service lib/systemd/system/kinorad.service \
  share/dbus-1/system-services/org.kinora.Kinora1.service share/dbus-1/interfaces/org.kinora.Kinora1.xml \
  share/polkit-1/actions/org.kinora.Kinora1.policy share/man/man1/kinora.1 share/man/man8/kinorad.8 \
  share/bash-completion/completions/kinora share/zsh/site-functions/_kinora share/fish/vendor_completions.d/kinora.fish \
  share/kinora/pipelines/job-animate.pipeline share/kinora/pipelines/job-storyboard.pipeline etc/kinora/kinorad.conf; do
  if [ -e "$WORK/stage/opt/kinora/$file" ]; then pass "installed $file"; else fail "installed $file"; fi
done
expect_contains "the D-Bus service file points at the installed kinorad" \
  "$(cat "$WORK/stage/opt/kinora/share/dbus-1/services/org.kinora.Kinora1.service")" "Exec=/opt/kinora/libexec/kinorad"
expect_contains "the man page documents every kinora command" \
  "$(man -l "$WORK/stage/opt/kinora/share/man/man1/kinora.1" 2> /dev/null || cat "$WORK/stage/opt/kinora/share/man/man1/kinora.1")" "storyboard"
check "kinorad reads the installed configuration file" \
  "$BUILD/kinorad" --config "$WORK/stage/opt/kinora/etc/kinora/kinorad.conf" --check-plugins

check "install into a prefix to run from" "$ROOT/scripts/install.sh" "$BUILD" "$prefix"
check "systemd-analyze verifies the installed system unit" systemd-analyze verify "$prefix/lib/systemd/system/kinorad.service"

# The system user: systemd-sysusers creates it from the installed file (in a scratch root),
# and it is the user the unit runs as and the one the bus policy lets own the name.
sysroot="$WORK/sysusers-root"
mkdir -p "$sysroot/etc"
check "systemd-sysusers accepts the installed lib/sysusers.d/kinora.conf" \
  systemd-sysusers --root="$sysroot" "$prefix/lib/sysusers.d/kinora.conf"
expect_match "it creates the system user kinorad" "$(cat "$sysroot/etc/passwd" 2>&1)" "^kinorad:x:[0-9]+:[0-9]+:"
expect_match "and the callers' group kinora" "$(cat "$sysroot/etc/group" 2>&1)" "^kinora:x:[0-9]+:"
unit_user=$(sed -n 's/^User=//p' "$prefix/lib/systemd/system/kinorad.service")
owner=$(grep -B1 'allow own="org.kinora.Kinora1"' "$prefix/share/dbus-1/system.d/org.kinora.Kinora1.conf" | sed -n 's/.*policy user="\([^"]*\)".*/\1/p')
expect_equal "the system unit runs as the user the bus policy lets own the name" "$unit_user" "$owner"
expect_equal "and that is the static user kinorad, not a DynamicUser" \
  "$unit_user $(grep -c '^DynamicUser=yes' "$prefix/lib/systemd/system/kinorad.service")" "kinorad 0"

for binary in bin/kinora libexec/kinorad lib/gstreamer-1.0/libgstkinora.so lib/kinora/plugins/libkinora-test-scene.so; do
  runpath=$(readelf -d "$prefix/$binary" | grep -E 'RUNPATH|RPATH')
  if contains "$runpath" "$ROOT"; then fail "$binary's runpath avoids the build folder" "$runpath"; else
    pass "$binary's runpath avoids the build folder"; fi
done

# From here on the build folder is gone (moved back at the end, or on exit).
moved="$ROOT/.build-moved-away-by-install-test"
restore_build() { [ -d "$moved" ] && mv "$moved" "$ROOT/.build"; return 0; }
trap 'restore_build; cleanup' EXIT
mv "$ROOT/.build" "$moved"

# Fixtures built against the installed SDK only (the build folder is gone):
# its C header, Swift module and library, the way a third party builds.
check "an out-of-tree Swift plugin builds against the installed SDK" \
  swiftc -emit-library -parse-as-library -module-name OutOfTreeFill \
  -I "$prefix/include/kinora" -I "$prefix/lib/swift/kinora" -L "$prefix/lib" -lKinoraPluginSDK \
  -Xlinker -rpath -Xlinker "$prefix/lib" "$HERE/fixtures/OutOfTreeFill.swift" -o "$plugins/liboutoftreefill.so"
for fixture in wrong_abi no_entry bad_schema cannot_start produce_fails; do
  check "C fixture $fixture builds against the installed header" \
    gcc -shared -fPIC -Wall -Werror -I "$prefix/include/kinora" -o "$plugins/lib$fixture.so" "$HERE/fixtures/$fixture.c"
done
printf 'this is not an ELF file\n' > "$plugins/libcorrupt.so"
cp "$prefix/lib/kinora/plugins/libkinora-test-scene.so" "$plugins/libduplicate.so"

export KINORA_PLUGIN_PATH="$plugins"
checked=$("$prefix/libexec/kinorad" --check-plugins 2> /dev/null)
expect_contains "installed kinorad looks for models in <prefix>/share/kinora/models" "$checked" "model folders $prefix/share/kinora/models"
expect_contains "installed kinorad loads the installed test-scene plugin" "$checked" "loaded test-scene $prefix/lib/kinora/plugins/libkinora-test-scene.so"
expect_contains "installed kinorad loads the installed test-invert plugin" "$checked" "loaded test-invert $prefix/lib/kinora/plugins/libkinora-test-invert.so"
expect_contains "installed kinorad loads the installed test-scroll plugin" "$checked" "loaded test-scroll $prefix/lib/kinora/plugins/libkinora-test-scroll.so"
expect_contains "the out-of-tree plugin loads" "$checked" "loaded out-of-tree-fill $plugins/liboutoftreefill.so"
expect_contains "wrong ABI version refused, naming the file" "$checked" "refused $plugins/libwrong_abi.so was built for plugin ABI version 3, but this host speaks version 2"
expect_contains "missing entry symbol refused, naming the file" "$checked" "refused $plugins/libno_entry.so does not export the entry symbol 'kinora_plugin_entry'"
expect_contains "corrupt file refused, naming the file" "$checked" "refused $plugins/libcorrupt.so cannot be loaded as a shared library"
expect_contains "malformed schema refused, naming the parameter" "$checked" "refused $plugins/libbad_schema.so has a malformed parameter schema: parameter 'strength' has a bad range"
expect_contains "duplicate plugin id refused, naming both files" "$checked" "refused $plugins/libduplicate.so declares plugin id 'test-scene', already loaded from $prefix/lib/kinora/plugins/libkinora-test-scene.so"

export GST_PLUGIN_PATH="$prefix/lib/gstreamer-1.0"

# GStreamer rescans when a library appears in a watched plugin folder.
mkdir -p "$WORK/late"
export GST_REGISTRY="$WORK/rescan-registry.bin"
before=$(KINORA_PLUGIN_PATH="$WORK/late" gst-inspect-1.0 kinora 2>&1)
cp "$plugins/liboutoftreefill.so" "$WORK/late/"
after=$(KINORA_PLUGIN_PATH="$WORK/late" gst-inspect-1.0 kinora 2>&1)
if ! contains "$before" kinoraoutoftreefill && contains "$after" kinoraoutoftreefill; then
  pass "a plugin copied into \$KINORA_PLUGIN_PATH appears without clearing the registry"
else
  fail "a plugin copied into \$KINORA_PLUGIN_PATH appears without clearing the registry" "before: $before
after: $after"
fi

export GST_REGISTRY="$WORK/installed-registry.bin"
inspected=$(gst-inspect-1.0 kinora 2>&1)
expect_contains "installed libgstkinora.so registers test-scene" "$inspected" "kinoratestscene: Kinora test scene"
expect_contains "installed libgstkinora.so registers the out-of-tree plugin" "$inspected" "kinoraoutoftreefill: Out-of-tree fill"
expect_contains "libgstkinora.so explains a refused library on stderr" "$inspected" "kinora: refused plugin $plugins/libwrong_abi.so was built for plugin ABI version 3"
expect_contains "the colour property of the out-of-tree element is documented" \
  "$(gst-inspect-1.0 kinoraoutoftreefill 2>&1)" "The fill colour as 0xRRGGBB"
failed=$(timeout 60 gst-launch-1.0 kinoracannotstart num-buffers=1 ! fakesink 2>&1)
expect_contains "a plugin that cannot run (missing model) fails the state change with its reason" "$failed" \
  "Kinora plugin 'cannot-start' cannot run: plugin 'cannot-start' failed: the model file weights.safetensors is missing (looked in '$prefix/share/kinora/models')"
expect_contains "and gst-launch reports the failed state change" "$failed" "Failed to set pipeline to PAUSED"
check "gst-launch runs the out-of-tree element" \
  gst-launch-1.0 -q kinoraoutoftreefill num-buffers=5 colour=0x336699 ! video/x-raw,format=RGB,width=32,height=16 \
  ! filesink location="$WORK/fill.rgb"
check "every pixel of 5 frames is the colour asked for" python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
assert len(data) == 5 * 32 * 16 * 3, len(data)
assert data == bytes([0x33, 0x66, 0x99]) * (5 * 32 * 16), "pixels differ"' "$WORK/fill.rgb"

# D-Bus activation through the installed service file: no kinorad running,
# the first call starts it.
cat > "$WORK/activation.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=$WORK</listen>
  <servicedir>$prefix/share/dbus-1/services</servicedir>
  <policy context="default"><allow send_destination="*"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
info=$(dbus-daemon --config-file="$WORK/activation.conf" --fork --print-address=1 --print-pid=1)
BUS_PID=$(printf '%s\n' "$info" | sed -n 2p)
activated=$(DBUS_SESSION_BUS_ADDRESS=$(printf '%s\n' "$info" | sed -n 1p) "$prefix/bin/kinora" plugins 2>&1)
expect_contains "the installed D-Bus service file activates kinorad on first call" "$activated" "test-scene  (source"
stop_private_bus

start_private_bus
if start_daemon "$prefix/libexec/kinorad"; then
  check "installed kinora generates with test-scene through installed kinorad" \
    "$prefix/bin/kinora" generate "installed" -o "$WORK/installed.mp4" --plugin test-scene --param duration=0.5
  expect_contains "that clip is a 0.5 s MP4" "$(gst-discoverer-1.0 "$WORK/installed.mp4" 2>&1)" "Duration: 0:00:00.500000000"
  check "installed kinora generates with text-to-video, the installed model and text encoder" \
    "$prefix/bin/kinora" generate "a red circle moving left on a black background" -o "$WORK/diffusion.mp4" \
    --plugin text-to-video --param duration=1 --param steps=2
  expect_contains "that clip is a 1 s MP4" "$(gst-discoverer-1.0 "$WORK/diffusion.mp4" 2>&1)" "Duration: 0:00:01.000000000"
  "$prefix/bin/kinora" generate x -o "$WORK/guidance.mp4" --plugin text-to-video --param guidance=15 > /dev/null 2> "$WORK/guidance.err"
  expect_contains "the installed model's guidance range is enforced through the daemon, naming the parameter" \
    "$(cat "$WORK/guidance.err")" "invalid value for 'guidance': 15.0 is outside 1.0…10.0"
  if [ -e "$WORK/guidance.mp4" ]; then fail "that refused job leaves no file"; else pass "that refused job leaves no file"; fi
  check "installed kinora generates with the out-of-tree plugin" \
    "$prefix/bin/kinora" generate "fill" -o "$WORK/fill.mp4" --plugin out-of-tree-fill --param colour=0x00ff00 --param duration=1
  expect_contains "the out-of-tree clip lasts 1 s at its default 10 fps" "$(gst-discoverer-1.0 "$WORK/fill.mp4" 2>&1)" "Frame rate: 10/1"
  "$prefix/bin/kinora" generate x -o "$WORK/cannot.mp4" --plugin cannot-start > /dev/null 2> "$WORK/cannot.err"
  expect_equal "generate with a plugin that cannot start exits 1" "$?" "1"
  expect_contains "and reports the plugin's reason" "$(cat "$WORK/cannot.err")" "the model file weights.safetensors is missing"
  "$prefix/bin/kinora" generate x -o "$WORK/produce.mp4" --plugin produce-fails > /dev/null 2> "$WORK/produce.err"
  expect_equal "generate with a plugin whose produce fails exits 1" "$?" "1"
  expect_contains "and reports the plugin's reason through the element" "$(cat "$WORK/produce.err")" \
    "Kinora plugin 'produce-fails' could not make frames: plugin 'produce-fails' failed: the sampler ran out of memory"
  if [ -e "$WORK/produce.mp4" ]; then fail "that failed job leaves no file"; else pass "that failed job leaves no file"; fi
  kill -TERM "$DAEMON_PID"
  wait "$DAEMON_PID"
  expect_equal "kinorad exits 0 on SIGTERM" "$?" "0"
  DAEMON_PID=
  expect_contains "kinorad logs its clean stop" "$(cat "$WORK/kinorad.log")" "kinorad: stopped"
fi
stop_private_bus
restore_build
trap cleanup EXIT
unset KINORA_PLUGIN_PATH GST_PLUGIN_PATH
