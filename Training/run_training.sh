#!/usr/bin/env bash
# Reproduce the shipped model from scratch, or resume: the autoencoder, its decoder's
# fine-tuning (encoder frozen), then the denoiser.
# Safe to kill and restart at any moment: both stages checkpoint into RUN_DIR and resume.
#   Training/run_training.sh [RUN_DIR] [DIT_STEPS] [--init-from MODEL_DIR]
# --init-from continues from committed weights when RUN_DIR was lost (a new machine).
set -euo pipefail
cd "$(dirname "$0")"
run=${1:-runs/main}
steps=${2:-1000000}
if [ "${3:-}" = "--init-from" ]; then
    mkdir -p "$run"
    realpath "${4:?--init-from needs a model folder}" > "$run/init-from"
fi
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt; }
mkdir -p "$run"
nice -n 10 .venv/bin/python -m kinora_train.train_ae "$run"
nice -n 10 .venv/bin/python -m kinora_train.train_decoder "$run" --steps 6000
exec nice -n 10 .venv/bin/python -m kinora_train.train_dit "$run" --steps "$steps"
