"""Pairs for a decoder that knows the denoiser (README item 35): the denoiser's own finished
latents and the truth they should decode to.

Through the autoencoder alone every large circle is read right; the shipped student's large
circles are read right in 7 of 14 (all five large glowing ones as squares), drawn lumpy. The
decoder was only ever trained on the encoder's latents; the denoiser's differ from them in
ways of its own, which a decoder fine-tuned on them can learn to draw as the world's shapes.
A finished latent needs a truth aligned with it: each clip here is a training caption's scene,
rendered, encoded, noised to t0 and sampled from there down (SDEdit, as probe_detail does), so
the object's place and path are the truth's and the detail is the denoiser's. Per frame the
overlap (IoU) of the decoded sample's drawn pixels with the truth's tells the frames where the
sample kept the object's place from those where it drew it elsewhere (train_decoder trains on
the first only: a decoder must redraw, never move).

  python -m kinora_train.sample_pairs RUN_DIR OUT.pt --model-dir ../Models/kinora-shapes-v1 [--n 1024]

Held-out combinations never appear (the denoiser's captions exclude them), so the evaluator's
held-out prompts stay unseen by the decoder as well."""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from .captions import caption
from .detect import DRAWN_DISTANCE
from .evaluate import load_denoiser
from .sampling import sample
from .text import TextEncoder
from .train_dit import decode_clips, encode_clips
from .world import random_scene, render


def drawn_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Clips uint8 [F, H, W, 3] -> per frame, the IoU of the pixels each draws off the
    background (the truth's corner pixel, farther than the detector's DRAWN_DISTANCE); 1 where
    neither draws anything."""
    bg = b[:, :1, :1].astype(np.float32)
    da = np.linalg.norm(a.astype(np.float32) - bg, axis=-1) > DRAWN_DISTANCE
    db = np.linalg.norm(b.astype(np.float32) - bg, axis=-1) > DRAWN_DISTANCE
    inter, union = (da & db).sum((1, 2)), (da | db).sum((1, 2))
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", help="a run folder (for an EMA snapshot) or any folder with --model-dir")
    ap.add_argument("out", help="the pairs file (.pt), written whole at the end and resumed from OUT.partial")
    ap.add_argument("--model-dir", default=None, help="an exported model folder (its denoiser and autoencoder)")
    ap.add_argument("--n", type=int, default=1024, help="clips (8..100000)")
    ap.add_argument("--t0", default="0.4,0.7", help="LOW,HIGH: each batch starts from the truth noised to t0 uniform in it")
    ap.add_argument("--guidance", type=float, default=7.0)
    ap.add_argument("--steps", type=int, default=8, help="the sampler's steps over the whole schedule")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seed", type=int, default=35)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    try:
        lo, hi = (float(x) for x in args.t0.split(","))
    except ValueError:
        ap.error(f"--t0 {args.t0!r}: LOW,HIGH, two numbers")
    if not 0.0 < lo <= hi <= 1.0:
        ap.error(f"--t0 {args.t0}: 0 < LOW <= HIGH <= 1")
    if not 8 <= args.n <= 100000 or not 1 <= args.batch <= 64 or not 1 <= args.steps <= 100:
        ap.error(f"--n {args.n} (8..100000), --batch {args.batch} (1..64), --steps {args.steps} (1..100)")
    torch.set_num_threads(args.threads)
    dit, ae, scale, _ = load_denoiser(args.run_dir, model_dir=args.model_dir)
    te = TextEncoder()
    null = te.encode([""])
    partial = args.out + ".partial"
    got = torch.load(partial, weights_only=False) if os.path.exists(partial) else \
        {"latents": [], "truth": [], "iou": [], "t0": [], "captions": []}
    f = dit.cfg.frames
    started = time.time()
    while len(got["captions"]) < args.n:
        done = len(got["captions"])
        rng = np.random.default_rng([args.seed, done])
        b = min(args.batch, args.n - done)
        scenes = [random_scene(rng, exclude_held_out=True) for _ in range(b)]
        texts = [caption(s, rng) for s in scenes]
        truth = np.stack([render(s, f)[0] for s in scenes])
        z0 = encode_clips(ae, scale, truth)
        t0 = float(rng.uniform(lo, hi))
        g = torch.Generator().manual_seed(args.seed * 100003 + done)
        noise = torch.randn(b, f, dit.cfg.state_channels, dit.cfg.latent_size, dit.cfg.latent_size, generator=g)
        nb = (null[0].expand(b, -1, -1), null[1].expand(b, -1), null[2].expand(b, -1))
        z = sample(dit, noise, torch.zeros_like(z0), torch.zeros(b, f), te.encode(texts), nb, steps=args.steps,
                   guidance=args.guidance, t_start=t0, start_latents=z0)
        decoded = decode_clips(ae, scale, z)
        got["latents"].append(z.half())
        got["truth"].append(torch.from_numpy(truth))
        got["iou"].append(torch.from_numpy(np.stack([drawn_iou(d, t) for d, t in zip(decoded, truth)])))
        got["t0"] += [t0] * b
        got["captions"] += texts
        if len(got["captions"]) % (8 * args.batch) == 0 or len(got["captions"]) >= args.n:
            torch.save(got, partial + ".tmp")
            os.replace(partial + ".tmp", partial)
            iou = torch.cat(got["iou"])
            print(f"{len(got['captions'])}/{args.n} clips, {time.time() - started:.0f} s; frames with IoU >= 0.5: "
                  f"{float((iou >= 0.5).float().mean()):.2f}", flush=True)
    out = {"latents": torch.cat(got["latents"]), "truth": torch.cat(got["truth"]), "iou": torch.cat(got["iou"]),
           "t0": torch.tensor(got["t0"]), "captions": got["captions"], "latent_scale": scale,
           "model": os.path.abspath(args.model_dir or args.run_dir), "guidance": args.guidance, "steps": args.steps}
    torch.save(out, args.out + ".tmp")
    os.replace(args.out + ".tmp", args.out)
    os.remove(partial)
    print(f"{args.out}: {len(out['captions'])} clips")


if __name__ == "__main__":
    main()
