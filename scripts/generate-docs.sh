#!/usr/bin/env bash
# Manual pages and shell completions for kinora and kinorad, made from the
# same swift-argument-parser definitions as their --help:
#   scripts/generate-docs.sh BUILD_DIR SHARE_DIR
# writes SHARE_DIR/man/man1/kinora.1, man/man8/kinorad.8 and the bash, zsh and
# fish completions of kinora.
set -euo pipefail
build=${1:?build folder}
share=${2:?share folder}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$share/man/man1" "$share/man/man8" "$share/bash-completion/completions" \
  "$share/zsh/site-functions" "$share/fish/vendor_completions.d"
"$build/kinora" --experimental-dump-help | python3 "$here/help-to-man.py" 1 > "$share/man/man1/kinora.1"
"$build/kinorad" --experimental-dump-help | python3 "$here/help-to-man.py" 8 > "$share/man/man8/kinorad.8"
"$build/kinora" --generate-completion-script bash > "$share/bash-completion/completions/kinora"
"$build/kinora" --generate-completion-script zsh > "$share/zsh/site-functions/_kinora"
"$build/kinora" --generate-completion-script fish > "$share/fish/vendor_completions.d/kinora.fish"
