"""Does the teacher's middle carry the sign of motion from the text? (Training/README.md,
"What is tried next", item 11.)

    .venv/bin/python -m kinora_train.probe_clip_motion runs/main      (from Training/, ~2 min)

Reads a run's dit.pt (the online weights and the clip-motion head trained with them):
clips moving the captioned way from t = 0 are noised to several levels and the head's
predicted mean velocity is compared, along the clip's axis, with the truth, once under the
true caption and once under the caption asking the opposite direction. At high noise the
noisy clip hardly shows its path, so a head that follows the flipped caption there reads the
sign from the text; one that keeps the truth's sign at low noise reads it from the frames."""
from __future__ import annotations

import argparse
import dataclasses
import os

import numpy as np
import torch

from .captions import caption
from .checkpoint import read_checkpoint
from .clip_motion import ClipMotionHead
from .data import scene_with_position
from .model import dit_from_state
from .text import TextEncoder
from .train_dit import encode_clips, load_ae, middle_block
from .aux_heads import render_with_truth
from .world import FPS, OPPOSITE, random_scene


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    saved = read_checkpoint(os.path.join(args.run_dir, "dit.pt"))
    if saved is None or "clip_motion" not in saved:
        raise SystemExit(f"{args.run_dir}/dit.pt has no clip-motion head (train_dit --clip-motion-weight)")
    dit = dit_from_state(saved["model"]).eval()
    cfg = dit.cfg
    head = ClipMotionHead(cfg.width).eval()
    head.load_state_dict(saved["clip_motion"])
    ae, scale = load_ae(args.run_dir)
    rng = np.random.default_rng(3)
    scenes = []
    while len(scenes) < args.n:
        s = random_scene(rng, pillar=False)
        if s.motion in OPPOSITE:
            scenes.append(scene_with_position(rng, s))
    clips, _, vel = render_with_truth([(s, 0.0) for s in scenes], cfg.frames, FPS)
    truth = ClipMotionHead.target(vel)  # zero off the clip's axis
    x0 = encode_clips(ae, scale, clips)
    te = TextEncoder()
    texts = {"true": [caption(s, rng) for s in scenes],
             "flipped": [caption(dataclasses.replace(s, motion=OPPOSITE[s.motion]), rng) for s in scenes]}
    enc = {k: te.encode(v) for k, v in texts.items()}
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(4))
    given = torch.zeros(x0.shape[:2])
    print("t      caption   head's sign = truth's   = flipped caption's")
    for t in (0.3, 0.6, 0.8, 0.9, 0.95, 0.99):
        xt = (1 - t) * x0 + t * noise
        for name in ("true", "flipped"):
            preds = []
            for i in range(0, args.n, 8):
                sl = slice(i, i + 8)
                ctx, cmask, pooled = (e[sl] for e in enc[name])
                _, mid = dit(xt[sl], given[sl], torch.full((xt[sl].shape[0],), t), ctx, cmask, pooled,
                             tap=middle_block(cfg))
                preds.append(head(mid))
            along = ((torch.cat(preds) * truth).sum(-1) > 0).float().mean().item()
            print(f"{t:<6} {name:<9} {along:>6.2f}   {1 - along:>22.2f}")


if __name__ == "__main__":
    main()
