# Sourced by the benchmarks: builds release (debug Swift is far too slow for per-pixel loops,
# quiet unless it fails) and points GStreamer at the release plugin, with a registry of its own.
# Expects $here (the source tree); leaves the shell in it.
cd "$here"
swift build -c release > /dev/null 2>&1 || swift build -c release
gst_dir="$here/.build/gstreamer-1.0-release"
mkdir -p "$gst_dir"
ln -sfn "$here/.build/release/libgstkinora.so" "$gst_dir/libgstkinora.so"
export GST_PLUGIN_PATH="$gst_dir" GST_REGISTRY="$gst_dir/registry.bin"
