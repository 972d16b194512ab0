#!/usr/bin/env bash
# docs/gallery/<capability>.png: each element's output with the model found in the model
# search path, as the evaluator reads it (Tests/Evaluation/eval_elements.py --gallery: every
# second frame of 2 s at 8 fps, 64x64 shown 2x; inputs in the row above the outputs).
#   scripts/make-gallery.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$here/Tests/Evaluation/eval_elements.py" --gallery "$here/docs/gallery" "$@"
