"""Where in the noise the fine detail is lost: the evaluator's text-to-video prompts, each
started not from pure noise but from its own rendered truth noised to t0 (SDEdit, the sampler's
schedule from t0 down), read back with the evaluator's detector. Shape, size and style that
survive from t0 = 0.2 but not from 1 are decided wrongly at high noise (the layout, where the
text must steer); lost already from a low t0, the denoiser cannot draw them at all (detail).
The rows from t0 = 1 are the evaluator's own clips; the truth row is the detector's ceiling.

  python -m kinora_train.probe_detail RUN_DIR --model-dir ../Models/kinora-shapes-v1 [--n 48] [--t0 0.2 0.4 0.6 0.8 1]"""
from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from .detect import read_clip
from .eval_cases import cases
from .evaluate import denoiser_arguments, load_chosen, probe_sampler_arguments, run
from .text import TextEncoder
from .train_dit import encode_clips
from .world import render

ATTRIBUTES = ("shape", "size", "style")


def kept_shares(readings: list[dict], items: list[dict]) -> dict:
    """Per attribute, the share of clips read as asked; style also per asked style."""
    out = {a: round(float(np.mean([r[a] == getattr(c["scene"], a) for r, c in zip(readings, items)])), 3)
           for a in ATTRIBUTES}
    for style in sorted({c["scene"].style for c in items}):
        sel = [r["style"] == style for r, c in zip(readings, items) if c["scene"].style == style]
        out[f"style {style}"] = round(float(np.mean(sel)), 3)
    return out


def reading(clip: np.ndarray) -> dict:
    r = read_clip(clip)
    return {a: getattr(r, a) for a in ATTRIBUTES}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    denoiser_arguments(ap)
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--t0", type=float, nargs="+", default=[0.2, 0.4, 0.6, 0.8, 1.0])
    probe_sampler_arguments(ap)
    args = ap.parse_args()
    if not all(0.0 < t <= 1.0 for t in args.t0):
        ap.error(f"--t0 {args.t0}: each in (0, 1]")
    torch.set_num_threads(args.threads)
    dit, ae, scale, _ = load_chosen(args)
    te = TextEncoder()
    items = cases(args.n)
    truth = np.stack([render(c["scene"], dit.cfg.frames)[0] for c in items])
    report = {"truth": kept_shares([reading(c) for c in truth], items)}
    latents = encode_clips(ae, scale, truth)
    for t0 in args.t0:
        # The evaluator's sampling (its noise, the schedule's steps below t0), from the truth.
        rows = run(dit, ae, scale, te, items, steps=args.steps, guidance=args.guidance, t_start=t0,
                   start_latents=latents)
        report[f"t0 {t0:g}"] = kept_shares([reading(r["clip"]) for r in rows], items)
        print(f"t0 {t0:g}", json.dumps(report[f"t0 {t0:g}"]), flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
