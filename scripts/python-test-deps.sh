#!/usr/bin/env bash
# The Python tests (Training/tests) need numpy, scipy and pytest, never PyTorch. Installs
# whichever is missing with pip (user site unless root). Idempotent.
set -euo pipefail
missing=()
for m in numpy scipy pytest; do
  python3 -c "import $m" 2>/dev/null || missing+=("$m")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "python-test-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  python3 -m pip install -q "${missing[@]}" || python3 -m pip install -q --break-system-packages "${missing[@]}"
else
  python3 -m pip install -q --user "${missing[@]}" || python3 -m pip install -q --user --break-system-packages "${missing[@]}"
fi
