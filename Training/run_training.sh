#!/usr/bin/env bash
# Reproduce the shipped model from scratch (or resume): the autoencoder, then the denoiser.
# Runs niced in the background-friendly way; safe to kill and restart at any moment.
#   Training/run_training.sh [RUN_DIR] [DIT_STEPS]
set -euo pipefail
cd "$(dirname "$0")"
run=${1:-runs/main}
steps=${2:-1000000}
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt; }
mkdir -p "$run"
nice -n 10 .venv/bin/python -m kinora_train.train_ae "$run"
exec nice -n 10 .venv/bin/python -m kinora_train.train_dit "$run" --steps "$steps"
