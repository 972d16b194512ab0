"""A low-noise expert (README item 18): a copy of a guidance-distilled denoiser fine-tuned only
at t ≤ `--t-max`, on the rendered truth (flow matching, not its teacher's velocity), for the
sampler's last steps. Item 16 found the fine detail (pixel blocks, a small object's outline)
lost in the denoiser's own low-noise prediction, and there the shared model trains on few
examples (about 6 % of its timesteps fall below 0.2) and learns its teacher's smooth
prediction when distilled. An expert for the last steps (ensembles of expert denoisers,
arXiv 2211.01324) gets all of its capacity and steps there; the high-noise steps, where the
layout and the text's hold are decided, stay the distilled model's.

  python -m kinora_train.train_low_noise RUN_DIR --model-dir ../Models/kinora-shapes-v1 \
      [--t-max 0.55] [--steps 1500]

RUN_DIR gives the autoencoder and caption pool (train_dit's); the expert's snapshots go to
RUN_DIR/low-noise/ema_NNNNNN.pt (`--out` names another folder), its resumable state to
RUN_DIR/low-noise/expert.pt."""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from .checkpoint import save_checkpoint
from .evaluate import load_denoiser
from .optim_step import clipped_step, resumable_adamw, update_ema
from .object_weight import latent_weights, weighted_mse
from .precision import add_precision_option, chosen_bf16
from .replay import Replay
from .minimal_pairs import ATTRIBUTES, append_minimal_pairs
from .reverse_pairs import partner_captions
from .train_dit import (against_caption, build_pool, encode_clips, fresh_and_replayed,
                        give_frames_where_against, given_mask, share_inputs, text_inputs)


def low_noise_t(rng: np.random.Generator, b: int, t_max: float) -> torch.Tensor:
    """Uniform in (0, t_max]: every level the expert's steps visit, alike."""
    return torch.from_numpy(t_max * (1.0 - rng.random(b))).float().clamp(1e-4, t_max)


def noised(rng: np.random.Generator, pool: dict, idx: np.ndarray, x0: torch.Tensor, vel: torch.Tensor,
           t_max: float, text_pairs: list[tuple[int, int]] = (), share_from: float = 0.3):
    """(given, t, x_t, target velocity): the training's given-frame masks (text to video,
    animation, extension), the given frames kept clean. Each (partner, source) of
    `text_pairs` (minimal_pairs.py) is text to video at one level drawn uniformly in
    [`share_from`, `t_max`], and the partner gets its source's noisy clip itself
    (train_dit.share_inputs): one input, two captions, two targets, so that the pair's loss
    falls only by drawing what its own caption asks. Not below `share_from`: the shared
    target's velocity grows as (x0 − x0')/t."""
    b, f = x0.shape[:2]
    given = give_frames_where_against(rng, given_mask(rng, b, f), against_caption(pool, idx, vel))
    t = low_noise_t(rng, b, t_max)
    noise = torch.randn_like(x0)
    for slot, src in text_pairs:
        given[src] = given[slot] = 0
        t[src] = t[slot] = share_from + (t_max - share_from) * float(rng.random())
        noise[slot] = noise[src]
    g = given[:, :, None, None, None]
    tt = t[:, None, None, None, None]
    xt = g * x0 + (1 - g) * ((1 - tt) * x0 + tt * noise)
    share_inputs(text_pairs, given, t, t, tt, x0, noise, xt, share_from)
    return given, t, xt, noise - x0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir")
    ap.add_argument("--model-dir", required=True, help="the guidance-distilled model folder the expert starts from")
    ap.add_argument("--t-max", type=float, default=0.55, help="the highest noise level the expert trains at")
    ap.add_argument("--out", default="low-noise", help="the expert's folder in RUN_DIR (default: low-noise)")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--object-weight", type=float, default=3.0,
                    help="extra loss weight on the latent pixels the object covers: the detail is there")
    ap.add_argument("--caption-drop", type=float, default=0.1, help="share of empty prompts (guidance's other branch)")
    ap.add_argument("--max-guidance", type=float, default=10.0)
    ap.add_argument("--minimal-pairs", type=int, default=0, metavar="K",
                    help="K minimal pairs a step beside the batch, each sharing one noisy input under two "
                         "captions (minimal_pairs.py; default 0)")
    ap.add_argument("--pair-attributes", default="style",
                    help="what a minimal pair's counterpart changes, drawn uniformly per pair (default: style)")
    ap.add_argument("--share-from", type=float, default=0.3,
                    help="the lowest level at which a pair shares its input (pairs train in [this, --t-max])")
    ap.add_argument("--pool", type=int, default=16000)
    ap.add_argument("--threads", type=int, default=2)
    add_precision_option(ap)
    ap.add_argument("--no-compile", action="store_true", help="eager PyTorch (quick checks)")
    ap.add_argument("--save-every", type=float, default=240.0, help="seconds between checkpoints")
    args = ap.parse_args()
    if not 0.0 < args.t_max <= 1.0:
        ap.error(f"--t-max {args.t_max}: a noise level in (0, 1]")
    pair_attributes = tuple(a for a in args.pair_attributes.split(",") if a)
    if not pair_attributes or any(a not in ATTRIBUTES for a in pair_attributes):
        ap.error(f"--pair-attributes {args.pair_attributes}: a comma-separated subset of {','.join(ATTRIBUTES)}")
    if args.minimal_pairs < 0:
        ap.error(f"--minimal-pairs {args.minimal_pairs}: a count from 0")
    if not 0.0 < args.share_from < args.t_max:
        ap.error(f"--share-from {args.share_from}: a level in (0, --t-max)")
    if not 0.0 <= args.caption_drop < 1.0:
        ap.error(f"--caption-drop {args.caption_drop}: a share in [0, 1)")
    torch.set_num_threads(args.threads)
    bf16 = chosen_bf16(args)
    torch._dynamo.config.automatic_dynamic_shapes = False
    base, ae, scale, _ = load_denoiser(args.run_dir, model_dir=args.model_dir)
    if not base.cfg.guidance_embed:
        raise SystemExit(f"{args.model_dir}: the expert starts from a guidance-distilled denoiser")
    if base.cfg.motion_channels:
        raise SystemExit(f"{args.model_dir}: a denoiser with motion channels is not supported here")
    out_dir = os.path.join(args.run_dir, args.out)
    os.makedirs(out_dir, exist_ok=True)
    pool = build_pool(args.run_dir, args.pool)
    expert = base.train().requires_grad_(True)
    path = os.path.join(out_dir, "expert.pt")
    ema, opt, state = resumable_adamw(expert, args.lr, path)
    if state and state.get("t_max") != args.t_max:
        raise SystemExit(f"{path} trains t ≤ {state.get('t_max')}, not {args.t_max}")
    step = state.get("step", 0)
    start_step = step
    train_seconds = state.get("train_seconds", 0.0)
    expert_f = expert if args.no_compile else torch.compile(expert)
    rng = np.random.default_rng(9000 + step)
    log = open(os.path.join(out_dir, "log.csv"), "a")
    f = expert.cfg.frames
    replay = Replay(3000)
    pair_replay = Replay(600)
    if args.minimal_pairs:
        from .text import TextEncoder
        partner_encoder = TextEncoder()
    last_save = time.time()

    def save():
        save_checkpoint(path, expert, opt, {"step": step, "train_seconds": train_seconds, "t_max": args.t_max,
                                            "model_dir": args.model_dir}, ema)

    while step < args.steps:
        t0 = time.time()
        decay_from = 2 * args.steps // 3
        done = max(0.0, (step - decay_from) / max(1, args.steps - decay_from))
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step - start_step + 1) / 100, 1 - 0.95 * done)
        b = args.batch
        idx, x0, cells, vel = fresh_and_replayed(rng, pool, replay, ae, scale, b, f)
        text_pairs, pair_texts = [], []
        if args.minimal_pairs:
            # Only appearance attributes are accepted here, so no pair is an animation pair.
            (idx, x0, cells, vel), text_pairs, _, pair_texts = append_minimal_pairs(
                rng, pool, pair_replay, (idx, x0, cells, vel), args.minimal_pairs, f,
                lambda u8: encode_clips(ae, scale, u8), pair_attributes)
        ctx, cmask, pooled = text_inputs(rng, pool, idx, args.caption_drop)
        if text_pairs:
            partner_captions(text_pairs, partner_encoder.encode(pair_texts), ctx, cmask, pooled)
        given, t, xt, target = noised(rng, pool, idx, x0, vel, args.t_max, text_pairs, args.share_from)
        w = torch.from_numpy(rng.uniform(1.0, args.max_guidance, len(idx))).float()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            v = expert_f(xt, given, t, ctx, cmask, pooled, guidance=w)
        loss = weighted_mse(v, target, given, latent_weights(cells, expert.cfg.latent_size, args.object_weight))
        gn = clipped_step(loss, opt, expert.parameters())
        step += 1
        update_ema(ema, expert, step, 0.998)
        train_seconds += time.time() - t0
        if step % 10 == 0:
            log.write(f"{step},{loss.item():.5f},{gn.item():.3f},{train_seconds:.0f}\n")
            log.flush()
        if step % 50 == 0:
            print(f"low-noise step {step} loss {loss.item():.4f} gn {gn.item():.2f} {train_seconds / 60:.1f} min",
                  flush=True)
        if time.time() - last_save > args.save_every:
            save()
            last_save = time.time()
        if step % 250 == 0 or step == args.steps:
            torch.save({"ema": ema.state_dict(), "step": step,
                        "low_noise": {"t_max": args.t_max, "steps": step, "seconds": round(train_seconds),
                                      "model_dir": args.model_dir}},
                       os.path.join(out_dir, f"ema_{step:06d}.pt"))
    save()


if __name__ == "__main__":
    main()
