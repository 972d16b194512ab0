#!/usr/bin/env bash
# `make bench` for the engine: builds the release benchmark binary, makes sure the text
# encoder and the Python peers are there, and runs Benchmarks/engine/bench.py.
#
# Peers: PyTorch from Training/.venv or $KINORA_TORCH_VENV (made from Training/requirements.txt when missing: ~5 GB),
# and ONNX Runtime in its own venv, Benchmarks/engine/.venv-ort, which also sees the
# PyTorch venv's packages (a .pth line) so it can export the same module to ONNX.
# Extra arguments go to bench.py (e.g. --no-compile, --repeats 5).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

scripts/fetch-text-encoder.sh >/dev/null
if command -v flock >/dev/null; then LOCK=(flock /tmp/kinora-build.lock); else LOCK=(); fi
"${LOCK[@]}" swift build -c release --product kinora-bench-engine

TORCH_VENV="${KINORA_TORCH_VENV:-$ROOT/Training/.venv}"
if ! "$TORCH_VENV/bin/python" -c "import torch, sentence_transformers" 2>/dev/null; then
    python3 -m venv "$TORCH_VENV"
    "$TORCH_VENV/bin/pip" install -q -r Training/requirements.txt
fi

ORT_VENV="$HERE/.venv-ort"
PY="$TORCH_VENV/bin/python"
ORT_ARGS=()
if [ -x "$ORT_VENV/bin/python" ] || python3 -m venv "$ORT_VENV"; then
    if "$ORT_VENV/bin/python" -c "import onnx, onnxruntime" 2>/dev/null || "$ORT_VENV/bin/pip" install -q onnx onnxruntime; then
        SITE="$("$TORCH_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
        OWN="$("$ORT_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
        echo "$SITE" > "$OWN/kinora-torch-venv.pth"
        PY="$ORT_VENV/bin/python"
        ORT_ARGS=(--ort-python "$ORT_VENV/bin/python")
    fi
fi
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may pin OpenBLAS to older kernels machine-wide (here:
# AVX2 "Haswell" on an AVX-512 CPU, half the GEMM speed; PyTorch and ONNX Runtime bring their
# own kernels and are not affected). The benchmark lets OpenBLAS detect the CPU, as the
# machine notes advise for benchmarks, unless KINORA_BENCH_KEEP_OPENBLAS_ENV=1; the table
# prints which kernels ran. Tests and CI keep the machine's setting.
ENV_CMD=(env)
if [ "${KINORA_BENCH_KEEP_OPENBLAS_ENV:-0}" != 1 ]; then ENV_CMD=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE); fi
# The Training package on the path, so bench.py builds the real model definition.
PYTHONPATH="$ROOT/Training${PYTHONPATH:+:$PYTHONPATH}" "${ENV_CMD[@]}" "$PY" "$HERE/bench.py" "${ORT_ARGS[@]}" "$@"
