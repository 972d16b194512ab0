"""Long videos by chunked extension, as the elements make them, read by the evaluator.

Chunk 0 is text to video; every later chunk is given the last `overlap` latents of the one
before (the model config's `chunk.overlap_frames`) and makes the rest, with seed + chunk
index and Philox noise: the same chunks Kinora's ChunkedGenerator (Swift) makes for the same
seed. Each video is read in 2-s windows (`detect.read_long`): is the object the same in every
window (as the video's most frequent colour and shape), does the background drift, does it bounce at the edges?

Usage: python -m kinora_train.evaluate_long --model-dir ../Models/kinora-shapes-v1 [--seconds 60] [--seeds 7,11,23] [--json F]"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch

import kinora_rng

from .detect import read_long
from .evaluate import load_denoiser
from .sampling import sample
from .text import TextEncoder
from .train_dit import decode_clips
from .world import Scene

# Moving objects, one per direction, at the speeds that bounce most often in a minute.
SCENES = (
    Scene("yellow", "square", "blue", "medium", "right", "fast", "flat", False, 0.3, 0.4),
    Scene("red", "circle", "black", "medium", "left", "fast", "flat", False, 0.6, 0.5),
    Scene("cyan", "triangle", "gray", "large", "down", "normal", "flat", False, 0.5, 0.3),
    Scene("white", "square", "green", "small", "up", "fast", "flat", False, 0.4, 0.7),
)


@torch.no_grad()
def chunked(dit, ae, scale, te, prompts, frames_total, seed, overlap, steps, guidance, shift, motion_lead=0.0,
            extend_guidance=None):
    """The long videos, one per prompt. `extend_guidance` is the guidance of every chunk after
    the first (default: `guidance`): those are given the frames they continue, which already
    carry the object. A measurement: on the flag teacher's student it kept the object more often
    and bounced less at the edges, and did not cure its drift (Training/README item 20)."""
    f, c, s = dit.cfg.frames, dit.cfg.state_channels, dit.cfg.latent_size
    b = len(prompts)
    cond = te.encode(prompts)
    null = te.encode([""])
    null = (null[0].expand(b, -1, -1), null[1].expand(b, -1), null[2].expand(b, -1))
    out = [[] for _ in range(b)]
    carried = None
    made, chunk = 0, 0
    while made < frames_total:
        noise = torch.from_numpy(kinora_rng.PhiloxGenerator(seed=seed + chunk).normal_tensor([f, c, s, s]))
        noise = noise[None].expand(b, -1, -1, -1, -1).contiguous()
        given = torch.zeros(b, f)
        given_lat = torch.zeros(b, f, dit.cfg.latent_channels, s, s)
        k = 0 if carried is None else carried.shape[1]
        if k:
            given[:, :k] = 1
            given_lat[:, :k] = carried
        w = guidance if k == 0 or extend_guidance is None else extend_guidance
        z = sample(dit, noise, given_lat, given, cond, null, steps=steps, guidance=w, shift=shift,
                   motion_lead=motion_lead)
        new = z[:, k:]
        clips = decode_clips(ae, scale, new)
        for i in range(b):
            out[i].append(clips[i])
        carried = z[:, f - overlap:]
        made += f - k
        chunk += 1
    return [np.concatenate(o)[:frames_total] for o in out]


def score(reading: dict, scene: Scene, seconds: float) -> dict:
    windows = reading["windows"]
    # The video's own object: the colour and shape most windows show (the first window may be
    # the misread one).
    kinds = [w[1:3] for w in windows]
    own = max(set(kinds), key=kinds.count)
    axis = "x" if scene.motion in ("left", "right") else "y"
    revs = reading["reversals"]
    at_edges = [r for r in revs if r["edge_distance"] < scene.radius + 0.08]
    vx, vy = scene.velocity()
    expected = seconds * abs(vx or vy) / (1 - 2 * scene.radius)  # one per crossing of the span
    return {
        "identity_kept": float(np.mean([k == own for k in kinds])),
        "as_asked": float(np.mean([w[1:3] == (scene.colour, scene.shape) for w in windows])),
        "background_as_asked": float(np.mean([w[0] == scene.background for w in windows])),
        "background_drift_rgb": round(reading["background_drift"], 1),
        "present": round(reading["present"], 3),
        "axis_kept": reading["axis"] == axis,
        "reversals": len(revs), "reversals_expected": round(expected, 1),
        "reversals_at_edges": round(len(at_edges) / len(revs), 3) if revs else None,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seeds", "--seed", default="7", metavar="S[,S…]",
                    help="one video per prompt and seed; one seed's four minutes are a noisy reading "
                         "(one prompt kept its object in 57 %% of the windows on one seed, 100 %% on another), "
                         "so compare models on several")
    ap.add_argument("--steps", type=int, default=None, help="default: the model's sampler steps")
    ap.add_argument("--guidance", type=float, default=None)
    ap.add_argument("--extend-guidance", type=float, default=None,
                    help="the guidance of the chunks after the first, which continue given frames "
                         "(default: --guidance; a measurement only, the elements guide every chunk alike)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", default=None)
    ap.add_argument("--strip", default=None, help="a PNG of every 24th frame of each video")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = json.load(open(os.path.join(args.model_dir, "config.json")))
    # The model folder's denoiser (with its low-noise expert, if it has one) and autoencoder.
    dit, ae, scale, _ = load_denoiser("", model_dir=args.model_dir)
    from .captions import reference_caption
    prompts = [reference_caption(s) for s in SCENES]
    fps = cfg["native"]["fps"]
    try:
        seeds = [int(x) for x in args.seeds.split(",")]
    except ValueError:
        ap.error(f"--seeds takes integers separated by commas, got {args.seeds!r}")
    t0 = time.time()
    te = TextEncoder(cfg["text_encoder"]["max_tokens"])
    rows = []
    for seed in seeds:
        videos = chunked(dit, ae, scale, te, prompts,
                         int(args.seconds * fps), seed, cfg["chunk"]["overlap_frames"],
                         args.steps or cfg["sampler"]["steps"], args.guidance or cfg["sampler"]["guidance"],
                         cfg["sampler"]["shift"], cfg["sampler"].get("motion_lead", 0.0),
                         args.extend_guidance)
        if seed == seeds[0]:
            strip_videos = videos  # the strip shows the first seed's
        for scene, prompt, video in zip(SCENES, prompts, videos):
            r = score(read_long(video, fps), scene, len(video) / fps)
            rows.append({"prompt": prompt, "seed": seed, **r})
            print(json.dumps(rows[-1]))
    keys = ("identity_kept", "as_asked", "background_as_asked", "background_drift_rgb",
            "present", "axis_kept", "reversals_at_edges")

    def means(subset):
        return {k: round(float(np.mean([r[k] for r in subset if r[k] is not None])), 3) for k in keys}

    summary = means(rows)
    report = {"seconds_of_video": args.seconds, "seeds": seeds,
              "extend_guidance": args.extend_guidance,
              "videos": rows, "mean": summary,
              "per_seed": {str(s): means([r for r in rows if r["seed"] == s]) for s in seeds},
              "wall_seconds": round(time.time() - t0, 1)}
    print(json.dumps(report["mean"]), report["wall_seconds"], "s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    if args.strip:
        from .images import grid, save_png
        save_png(args.strip, grid([v[::24] for v in strip_videos], every=1, scale=1))


if __name__ == "__main__":
    main()
