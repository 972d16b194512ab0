#!/usr/bin/env bash
# Lays out an installed Kinora tree (FHS) from a finished build.
#   scripts/install.sh BUILD_DIR PREFIX [DESTDIR]
# Everything installed finds its libraries relative to itself (rpaths set in
# Package.swift) and the Swift runtime either from the toolchain or from the
# copy installed in <prefix>/lib/kinora/swift-runtime: nothing refers to the
# build folder.
set -euo pipefail

build=${1:?build folder}
prefix=${2:?prefix}
destdir=${3:-}
root="$destdir$prefix"
here=$(cd "$(dirname "$0")/.." && pwd)

install -d "$root/bin" "$root/libexec" "$root/lib/gstreamer-1.0" "$root/lib/kinora/plugins" \
  "$root/lib/kinora/swift-runtime" "$root/include/kinora" "$root/lib/swift/kinora" \
  "$root/share/kinora/pipelines" "$root/share/kinora/models" \
  "$root/share/dbus-1/services" "$root/share/dbus-1/system.d" \
  "$root/lib/systemd/user" "$root/lib/systemd/system" \
  "$root/share/dbus-1/system-services" "$root/share/dbus-1/interfaces" "$root/share/polkit-1/actions" \
  "$root/share/man/man1" "$root/share/man/man8" "$root/share/bash-completion/completions" \
  "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d"

install -m 0755 "$build/kinora" "$root/bin/kinora"
install -m 0755 "$build/kinorad" "$root/libexec/kinorad"
install -m 0755 "$build/libgstkinora.so" "$root/lib/gstreamer-1.0/libgstkinora.so"
for plugin in "$build"/libkinora-*.so; do
  install -m 0755 "$plugin" "$root/lib/kinora/plugins/"
done

# The plugin SDK: library, Swift module and the C header of the ABI.
install -m 0755 "$build/libKinoraPluginSDK.so" "$root/lib/libKinoraPluginSDK.so"
install -m 0644 "$here/Sources/CKinoraPluginABI/include/kinora_plugin.h" \
  "$here/Sources/CKinoraPluginABI/include/module.modulemap" "$root/include/kinora/"
for file in "$build"/Modules/KinoraPluginSDK.swiftmodule "$build"/Modules/KinoraPluginSDK.swiftdoc; do
  [ -e "$file" ] && cp -r "$file" "$root/lib/swift/kinora/"
done

# The Swift runtime the binaries use, so the tree runs without the toolchain.
runtime_libs=$( (ldd "$build/kinorad"; ldd "$build/kinora"; ldd "$build/libgstkinora.so") \
  | awk '$3 ~ /\/swift\// || $3 ~ /swift-/ {print $3}' | sort -u)
for library in $runtime_libs; do
  install -m 0644 "$library" "$root/lib/kinora/swift-runtime/"
done

install -m 0644 "$here"/Pipelines/*.pipeline "$root/share/kinora/pipelines/"
cat > "$root/share/kinora/models/README" <<'TEXT'
Kinora's model weights are installed here, one folder per model (config.json,
*.safetensors, MODEL.md); plugins find them by name (kinora-shapes-v1).
TEXT
# The embedded model(s) from the source tree's Models/.
for model in "$here"/Models/*/; do
  [ -f "$model/config.json" ] || continue
  install -d "$root/share/kinora/models/$(basename "$model")"
  install -m 0644 "$model"/* "$root/share/kinora/models/$(basename "$model")/"
done
# The text encoder, beside the models: plugins look for <models>/../text-encoder/.
encoder="$here/.cache/text-encoder/all-MiniLM-L6-v2"
if [ -f "$encoder/model.safetensors" ]; then
  install -d "$root/share/kinora/text-encoder/all-MiniLM-L6-v2"
  install -m 0644 "$encoder"/* "$root/share/kinora/text-encoder/all-MiniLM-L6-v2/"
else
  echo "install: no text encoder in $encoder (run make text-encoder); the diffusion plugins will not start" >&2
fi

substitute() { sed "s|@LIBEXECDIR@|$prefix/libexec|g; s|@DATADIR@|$prefix/share|g" "$1" > "$2"; }
substitute "$here/systemd/org.kinora.Kinora1.service.in" "$root/share/dbus-1/services/org.kinora.Kinora1.service"
substitute "$here/systemd/kinorad.service.in" "$root/lib/systemd/user/kinorad.service"
substitute "$here/systemd/kinorad-system.service.in" "$root/lib/systemd/system/kinorad.service"
install -m 0644 "$here/systemd/org.kinora.Kinora1.conf" "$root/share/dbus-1/system.d/org.kinora.Kinora1.conf"
substitute "$here/systemd/org.kinora.Kinora1.system-service.in" \
  "$root/share/dbus-1/system-services/org.kinora.Kinora1.service"
install -m 0644 "$here/systemd/org.kinora.Kinora1.xml" "$root/share/dbus-1/interfaces/org.kinora.Kinora1.xml"
install -m 0644 "$here/systemd/org.kinora.Kinora1.policy" "$root/share/polkit-1/actions/org.kinora.Kinora1.policy"
install -d "$root/lib/sysusers.d"
install -m 0644 "$here/systemd/kinora.sysusers" "$root/lib/sysusers.d/kinora.conf"
# The configuration file with every default, commented out; an existing one is kept.
# /etc for PREFIX=/usr (where kinorad looks by default), else <prefix>/etc as autotools
# does, so a trial install never touches /etc (point kinorad at it with --config).
if [ "$prefix" = /usr ]; then default_sysconfdir=/etc; else default_sysconfdir=$prefix/etc; fi
sysconfdir=${SYSCONFDIR:-$default_sysconfdir}
install -d "$destdir$sysconfdir/kinora"
[ -e "$destdir$sysconfdir/kinora/kinorad.conf" ] || \
  install -m 0644 "$here/systemd/kinorad.conf" "$destdir$sysconfdir/kinora/kinorad.conf"

# Manual pages and shell completions, made from the same definitions as --help.
"$here/scripts/generate-docs.sh" "$build" "$root/share"

echo "installed Kinora into $root"
