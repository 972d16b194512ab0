"""Sample the denoiser through the evaluator: prompt adherence (held-out combinations and
phrasings never used in training reported separately), identity, smoothness, animation.

Usage: python -m kinora_train.evaluate RUN_DIR [--ema-file F] [--n 48] [--grid out.png]"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch

from .detect import midair_turns, read_clip, through_pillar
from .images import grid, save_png
from .model import dit_from_state
from .sampling import sample
from .text import TextEncoder
from .train_dit import decode_clips, encode_clips, load_ae
from .eval_cases import cases, pillar_cases, sign_pair_cases
from .scoring import ATTRS, identity_where_readable, score, sign_pairs, summarise
from .world import render


@torch.no_grad()
def run(dit, ae, scale, te, items, given_frames: int = 0, steps=16, guidance=4.0, shift=3.0, seed=0, batch=8,
        interval=(0.0, 1.0), paired_noise: bool = False, motion_lead: float = 0.0, t_start: float = 1.0,
        start_latents=None):
    """With `paired_noise`, items 2k and 2k+1 start from the same noise (batch must be even).
    With `t_start` < 1, each item starts from its row of `start_latents` [N,F,C,h,w] noised to
    t_start (SDEdit; probe_detail)."""
    f = dit.cfg.frames
    results = []
    null = te.encode([""])
    for i in range(0, len(items), batch):
        chunk = items[i:i + batch]
        b = len(chunk)
        cond = te.encode([c["prompt"] for c in chunk])
        g = torch.Generator().manual_seed(seed + i)
        noise = torch.randn(b, f, dit.cfg.state_channels, dit.cfg.latent_size, dit.cfg.latent_size, generator=g)
        if paired_noise:
            noise[1::2] = noise[0::2]
        given = torch.zeros(b, f)
        given_lat = torch.zeros_like(noise)
        truth = None
        if given_frames:
            truth = np.stack([render(c["scene"], f)[0] for c in chunk])
            given_lat = encode_clips(ae, scale, truth)
            given[:, :given_frames] = 1
        nb = (null[0].expand(b, -1, -1), null[1].expand(b, -1), null[2].expand(b, -1))
        start = None if t_start >= 1.0 else start_latents[i:i + b]
        z = sample(dit, noise, given_lat, given, cond, nb, steps=steps, guidance=guidance, shift=shift,
                   guidance_interval=interval, motion_lead=motion_lead, t_start=t_start, start_latents=start)
        clips = decode_clips(ae, scale, z)
        for k, c in enumerate(chunk):
            results.append({**c, "clip": clips[k], "truth": None if truth is None else truth[k]})
    return results


@torch.no_grad()
def ceiling(ae, scale, items, frames: int) -> dict:
    """What the detectors read from the prompts' own truth, rendered and through the
    autoencoder alone: the most a denoiser can score on these prompts (a small pixel-style
    shape is drawn at 2.4 pixels, and no detector can tell it from another)."""
    truth = np.stack([render(c["scene"], frames)[0] for c in items])
    decoded = decode_clips(ae, scale, encode_clips(ae, scale, truth))
    out, per_item = {}, {}
    for name, clips in (("rendered", truth), ("autoencoder", decoded)):
        rows = [{"score": score(read_clip(clip, c["scene"].pillar), c["scene"])} for c, clip in zip(items, clips)]
        out[name] = summarise(rows)
        per_item[name] = [r["score"] for r in rows]
    return out, per_item


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))


def model_motion_lead(model_dir: str | None) -> float:
    """The motion clock a model folder's config.json asks for (0 without one)."""
    if not model_dir:
        return 0.0
    with open(os.path.join(model_dir, "config.json")) as f:
        return float(json.load(f)["sampler"].get("motion_lead", 0.0))


def load_denoiser(run_dir: str, ema_file: str | None = None, model_dir: str | None = None,
                  online: bool = False, expert: str | None = None, expert_below: float = 0.55,
                  expert_guidance: float = 1.0):
    """(denoiser in eval mode, autoencoder, latent scale, training step) from an exported model
    folder, an EMA snapshot in a run, or the run's dit.pt (its EMA weights, or with `online`
    the weights being trained, which a short experiment changes before its EMA does). With a
    low-noise expert (`expert`, a train_low_noise snapshot, or the folder's own), a
    LowNoiseSwitch of the two."""
    expert_state = None
    if model_dir:
        from safetensors.torch import load_file
        from .model import AEConfig, AutoEncoder
        cfg = json.load(open(os.path.join(model_dir, "config.json")))
        ae = AutoEncoder(AEConfig()).eval().requires_grad_(False)
        ae.load_state_dict(load_file(os.path.join(model_dir, "autoencoder.safetensors")))
        scale = cfg["autoencoder"]["latent_scale"]
        dit = dit_from_state(load_file(os.path.join(model_dir, cfg["denoiser"]["file"])))
        step = cfg["training"]["denoiser_steps"]
        low = cfg["denoiser"].get("low_noise_expert")
        if low and not expert:
            expert_state = load_file(os.path.join(model_dir, low["file"]))
            expert_below = low["below"]
    else:
        ae, scale = load_ae(run_dir)
        e = torch.load(os.path.join(run_dir, ema_file or "dit.pt"), map_location="cpu", weights_only=False)
        dit = dit_from_state(e["model" if online else "ema"])
        step = e.get("step")
    if expert:
        expert_state = torch.load(expert, map_location="cpu", weights_only=False)["ema"]
    if expert_state is not None:
        from .experts import LowNoiseSwitch
        # The expert's own guidance needs the empty prompt's encoding; the text encoder loads only then.
        null = TextEncoder().encode([""]) if expert_guidance != 1.0 else None
        dit = LowNoiseSwitch(dit.eval(), dit_from_state(expert_state).eval(), expert_below, expert_guidance, null)
    return dit.eval(), ae, scale, step


def load_chosen(args):
    """load_denoiser for the denoiser that `denoiser_arguments` picked."""
    return load_denoiser(args.run_dir, args.ema_file, args.model_dir, args.online, args.expert, args.expert_below,
                         args.expert_guidance)


def denoiser_arguments(ap: argparse.ArgumentParser) -> None:
    """The arguments that pick a denoiser for `load_denoiser`, shared by the evaluator and probes."""
    ap.add_argument("run_dir")
    ap.add_argument("--ema-file", default=None, help="an EMA snapshot in RUN_DIR (default: dit.pt's EMA)")
    ap.add_argument("--model-dir", default=None, help="an exported model folder instead")
    ap.add_argument("--online", action="store_true",
                    help="dit.pt's weights being trained instead of its EMA (a short run's annealed weights, "
                         "which its EMA still mixes with those it started from)")
    ap.add_argument("--expert", default=None, metavar="FILE",
                    help="a low-noise expert's snapshot (train_low_noise.py) for the steps below --expert-below")
    ap.add_argument("--expert-below", type=float, default=0.55, metavar="T",
                    help="the noise level under which the expert takes the steps")
    ap.add_argument("--expert-guidance", type=float, default=1.0, metavar="W",
                    help="classifier-free guidance of the expert's own two branches (1: one call, its conditional)")


def case_record(r: dict) -> dict:
    """One evaluated prompt as the JSON keeps it: what was asked, what was read, the score."""
    return {"held_out": r["held_out"], "phrasing": r["phrasing"],
            "asked": {a: getattr(r["scene"], a) for a in ATTRS + ("speed",)},
            "read": {**{a: getattr(r["reading"], a) for a in ATTRS + ("speed",)},
                     "identity_kept": round(float(r["reading"].identity_kept), 3)},
            "score": {k: None if v is None else bool(v) for k, v in r["score"].items()}}


def probe_sampler_arguments(ap: argparse.ArgumentParser, steps: bool = True) -> None:
    """The probes' sampler: the shipped model's defaults (8 steps, guidance 7) on 2 threads."""
    if steps:
        ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--guidance", type=float, default=7.0)
    ap.add_argument("--threads", type=int, default=2)


def sample_evaluator_prompts(doc: str):
    """A probe's command line over the evaluator's text-to-video prompts (RUN_DIR, the denoiser
    options, --n, the probes' sampler), and those prompts sampled as `main` samples them:
    (the chosen denoiser, the prompts, the sampled rows)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    denoiser_arguments(ap)
    ap.add_argument("--n", type=int, default=96)
    probe_sampler_arguments(ap)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dit, ae, scale, _ = load_chosen(args)
    items = cases(args.n)
    return dit, items, run(dit, ae, scale, TextEncoder(), items, steps=args.steps, guidance=args.guidance)


def main():
    ap = argparse.ArgumentParser()
    denoiser_arguments(ap)
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--guidance", type=float, default=4.0)
    ap.add_argument("--shift", type=float, default=3.0)
    ap.add_argument("--guidance-interval", default="0,1", help="guide only at t in LO,HI")
    ap.add_argument("--motion-lead", type=float, default=None,
                    help="a motion-channel model's motion clock (sampling.motion_clock): its motion is "
                         "finished when the clip's noise reaches this level; 0 keeps one clock "
                         "(default: a model folder's config.json sampler.motion_lead, else 0)")
    ap.add_argument("--animation", type=int, default=None, metavar="N",
                    help="image-animation prompts (frame 0 rendered and given; default: as many as --n, at "
                         "least 8). Until 2026-12-03 a third of --n: 32 were too few to judge a release by")
    ap.add_argument("--pillar", type=int, default=16, help="clips that pass behind the pillar")
    ap.add_argument("--sign-pairs", type=int, default=32,
                    help="moving prompts also asked the opposite way under the same noise (scoring.sign_pairs); "
                         "on one teacher 16 pairs read 38 %% where 32 read 25 %%: fewer are mostly noise")
    ap.add_argument("--grid", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if args.animation is not None and args.animation < 1:
        ap.error(f"--animation {args.animation}: a number of prompts, at least 1")
    torch.set_num_threads(args.threads)
    dit, ae, scale, step = load_chosen(args)
    if args.motion_lead is None:
        args.motion_lead = model_motion_lead(args.model_dir)
    te = TextEncoder()
    t0 = time.time()
    interval = tuple(float(v) for v in args.guidance_interval.split(","))
    items = cases(args.n)
    rows = run(dit, ae, scale, te, items, steps=args.steps, guidance=args.guidance, shift=args.shift,
               interval=interval, motion_lead=args.motion_lead)
    for r in rows:
        reading = read_clip(r["clip"], r["scene"].pillar)
        r["score"] = score(reading, r["scene"])
        r["reading"] = reading
    anim_items = cases(max(8, args.n) if args.animation is None else args.animation, seed=91)
    anim = run(dit, ae, scale, te, anim_items, given_frames=1, steps=args.steps, guidance=args.guidance, shift=args.shift,
               interval=interval, motion_lead=args.motion_lead)
    for r in anim:
        r["reading"] = read_clip(r["clip"], r["scene"].pillar)
        r["score"] = score(r["reading"], r["scene"])
        r["psnr0"] = psnr(r["clip"][0], r["truth"][0])
    pillar = run(dit, ae, scale, te, pillar_cases(args.pillar), steps=args.steps, guidance=args.guidance, shift=args.shift,
               interval=interval, motion_lead=args.motion_lead)
    through = [through_pillar(read_clip(r["clip"], True)) for r in pillar]
    ceilings, truth_scores = ceiling(ae, scale, items, dit.cfg.frames)
    pair_items = sign_pair_cases(args.sign_pairs)
    paired = run(dit, ae, scale, te, pair_items, steps=args.steps, guidance=args.guidance, shift=args.shift,
                 interval=interval, paired_noise=True, motion_lead=args.motion_lead)
    report = {
        "step": step,
        "sampler": {"steps": args.steps, "guidance": args.guidance, "motion_lead": args.motion_lead},
        "text_to_video": {
            "all": summarise(rows),
            "held_out": summarise(rows, lambda r: r["held_out"]),
            "trained_combinations": summarise(rows, lambda r: not r["held_out"]),
            "unseen_phrasings": summarise(rows, lambda r: r["phrasing"] == "unseen"),
            "identity_where_truth_reads_kept": identity_where_readable([r["score"] for r in rows],
                                                                       truth_scores["rendered"]),
        },
        "image_animation": {**summarise(anim), "frame0_psnr_db": round(float(np.mean([r["psnr0"] for r in anim])), 2)},
        "pillar": {"n": len(through),
                   "passed_behind": round(float(np.mean([p["passed"] for p in through])), 3) if through else None,
                   "identity_kept": round(float(np.mean([p["kept"] for p in through])), 3) if through else None},
        # Moving clips whose path turns away from every edge (the truth never does).
        "midair_turns": round(float(np.mean([midair_turns(r["reading"]) > 0 for r in rows
                                             if r["scene"].motion != "still"])), 3),
        "sign_pairs": sign_pairs([c["scene"].motion for c in pair_items],
                                 [read_clip(r["clip"], False).motion for r in paired]),
        "ceiling": ceilings,
        "seconds": round(time.time() - t0, 1),
        # Each text-to-video prompt's asked and read attributes, for confusion tables
        # (report.py --confusion) that say which values a weak attribute loses to.
        "cases": [case_record(r) for r in rows],
        # The same for image animation, so that report --against pairs it prompt by prompt too.
        "image_animation_cases": [case_record(r) for r in anim],
    }
    print(json.dumps(report, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    if args.grid:
        save_png(args.grid, grid([r["clip"] for r in rows[:10]], every=2, scale=2))
        for r in rows[:10]:
            print(("H " if r["held_out"] else "  ") + r["prompt"], "->", {a: getattr(r["reading"], a) for a in ATTRS})


if __name__ == "__main__":
    main()
