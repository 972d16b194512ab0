"""Guidance distillation (Meng et al. 2023, "On distillation of guided diffusion models"; the
guidance embedding of FLUX.1-dev): a student that takes the guidance scale w as an input learns
to give in one call what its frozen teacher gives with two, u + w·(c − u). Sampling then costs
half the denoiser calls at the same guidance.

The student starts as the teacher plus a guidance MLP whose output layer is zero (so at first
it is the teacher's conditional branch). Inputs are noised training clips exactly as in
train_dit.py (text to video, animation and extension masks, the same timestep law); w is drawn
uniformly from [1, --max-guidance] per clip. Resumable: RUN_DIR/distill-<teacher>/student.pt
holds the optimiser and EMA; EMA snapshots every 250 steps
(`distill-ema_014000/ema_XXXXXX.pt`, which `export --ema-file distill-ema_014000/ema_XXXXXX.pt`
ships).

`--outline-weight W` adds train_dit's outline term (outline_loss.py) to the student's loss: its
guided prediction of the clean clip at noise below `--outline-below`, decoded and compared with
the decoded truth, outlines weighted. The teacher's shapes are what the student copies; this
term lets the truth correct them where the distillation already looks (Training/README item 28).
`--outline-skip-style pixel` leaves pixel-style clips out of it (item 30), with
`--outline-skip-below T` only at noise below T (item 31), with `--outline-skip-share F` at F
times the weight instead of none (item 32), with `--outline-skip-blocks K` compared by K×K block
means instead of pixel by pixel (item 33).

Usage: python -m kinora_train.train_distill RUN_DIR --teacher ema_014000.pt [--steps 1500]"""
from __future__ import annotations

import argparse
import dataclasses
import os
import time

import numpy as np
import torch

from .checkpoint import save_checkpoint
from .model import DiT, dit_from_state
from .motion_channels import FIELDS as MOTION_FIELDS, motion_latents
from .replay import Replay
from .train_dit import build_pool, fresh_and_replayed, given_noise_level, load_ae, noised_inputs, text_inputs
from .optim_step import clipped_step, resumable_adamw, update_ema
from .object_weight import latent_weights, weighted_mse
from .outline_loss import add_outline_options, check_outline_options, left_out_clips, outline_term
from .precision import add_precision_option, chosen_bf16
from .world import STYLES


def guidance_weights(model_dir: str) -> dict:
    """The guidance MLP (guidance_* tensors, float32) of a distilled model folder's denoiser."""
    import json
    from safetensors.torch import load_file
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    weights = load_file(os.path.join(model_dir, cfg["denoiser"]["file"]))
    g = {k: v.float() for k, v in weights.items() if k.startswith("guidance_")}
    if not g:
        raise SystemExit(f"{model_dir}: its denoiser is not guidance-distilled (no guidance_* weights)")
    return g


def student_of(teacher: DiT) -> DiT:
    """A new student: the teacher's architecture (rotary positions and motion channels
    included) and weights, plus the guidance MLP, whose zero output layer makes it the
    teacher's conditional branch."""
    student = DiT(dataclasses.replace(teacher.cfg, guidance_embed=True))
    result = student.load_state_dict(teacher.state_dict(), strict=False)
    if sorted(result.missing_keys) != sorted(k for k in student.state_dict() if k.startswith("guidance_")) \
            or result.unexpected_keys:
        raise SystemExit(f"the teacher's weights do not fit its student: {result}")
    return student


def distill_loss(v: torch.Tensor, target: torch.Tensor, given: torch.Tensor, weights, latent_channels: int):
    """The student's error against its teacher's guided velocity: on the latent of the frames
    to generate, and, for a denoiser with motion channels, on the motion of every frame (a
    given frame's motion is generated like the rest)."""
    c = latent_channels
    loss = weighted_mse(v[:, :, :c], target[:, :, :c], given, weights)
    if v.shape[2] > c:
        loss = loss + weighted_mse(v[:, :, c:], target[:, :, c:], torch.zeros_like(given), weights)
    return loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir", help="the teacher's run folder (its autoencoder, caption pool and EMA snapshots)")
    ap.add_argument("--teacher", required=True, help="the teacher's EMA snapshot in RUN_DIR, e.g. ema_014000.pt")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--decay-from", type=int, default=None,
                    help="decay the learning rate linearly from this step to a twentieth at --steps "
                         "(default: two thirds of --steps)")
    ap.add_argument("--max-guidance", type=float, default=10.0)
    ap.add_argument("--pool", type=int, default=16000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--t-shift", type=float, default=2.0)
    ap.add_argument("--object-weight", type=float, default=0.0,
                    help="extra loss weight on the latent pixels the object covers (object_weight.py)")
    ap.add_argument("--guidance-from", default=None, metavar="MODEL_DIR",
                    help="start the guidance MLP from a distilled model folder's (e.g. the shipped one) "
                         "instead of a zero output layer: a teacher continued from that model's weights "
                         "then needs fewer distillation steps")
    ap.add_argument("--motion-field", choices=MOTION_FIELDS, default="object",
                    help="the teacher's --motion-field (a denoiser with motion channels)")
    ap.add_argument("--motion-lead", type=float, default=0.0, metavar="P",
                    help="the teacher's --motion-lead: the same share of states with the motion less noisy "
                         "than the clip, which the sampler's motion clock visits")
    ap.add_argument("--given-noise", type=given_noise_level, default=0.0, metavar="S",
                    help="the teacher's --given-noise: teacher and student see the same perturbed given frames")
    add_outline_options(ap, 0.9, "the student's guided clean clip")
    ap.add_argument("--outline-skip-style", action="append", default=[], choices=STYLES, metavar="STYLE",
                    help="leave clips captioned in STYLE out of the outline term (repeatable; one of "
                         f"{', '.join(STYLES)}): pixel style's blocks are outlines everywhere, and the term "
                         "smooths them (Training/README item 30)")
    ap.add_argument("--outline-skip-below", type=float, default=1.0, metavar="T",
                    help="leave those clips out only at noise below T, so that they keep the term where "
                         "the layout (the size) is made (default 1: at every noise level; item 31)")
    ap.add_argument("--outline-skip-share", type=float, default=0.0, metavar="F",
                    help="give those clips the term at F times its weight instead of leaving them out "
                         "(a share in [0, 1]; default 0: left out; item 32)")
    ap.add_argument("--outline-skip-blocks", type=int, default=1, metavar="K",
                    help="compare those clips' decoded frames by their K×K block means, not pixel by pixel "
                         "(K from 1 and dividing the frame side; 4 is pixel style's block at 64×64; "
                         "default 1; item 33)")
    add_precision_option(ap)
    ap.add_argument("--no-compile", action="store_true", help="eager PyTorch (quick checks)")
    ap.add_argument("--save-every", type=float, default=240.0, help="seconds between checkpoints")
    args = ap.parse_args()
    if not args.max_guidance >= 1:
        ap.error(f"--max-guidance must be at least 1, got {args.max_guidance}")
    if not 0.0 <= args.motion_lead <= 1.0:
        ap.error(f"--motion-lead {args.motion_lead}: a share of states, in [0, 1]")
    check_outline_options(ap, args)
    if not 0.0 < args.outline_skip_below <= 1.0:
        ap.error(f"--outline-skip-below {args.outline_skip_below}: a noise level in (0, 1]")
    if not 0.0 <= args.outline_skip_share <= 1.0:
        ap.error(f"--outline-skip-share {args.outline_skip_share}: a share in [0, 1]")
    if args.outline_skip_blocks < 1:
        ap.error(f"--outline-skip-blocks {args.outline_skip_blocks}: a block size from 1")
    # Options that would silently do nothing are refused, so that a run is what its command says.
    tuned = [f"--outline-skip-{name}" for name in ("below", "share", "blocks")
             if getattr(args, f"outline_skip_{name}") != ap.get_default(f"outline_skip_{name}")]
    if tuned and not args.outline_skip_style:
        ap.error(f"{', '.join(tuned)}: they act on the clips of --outline-skip-style, and none is given")
    if args.outline_skip_blocks > 1 and args.outline_skip_share == 0:
        ap.error(f"--outline-skip-blocks {args.outline_skip_blocks}: it compares the skipped clips, which "
                 "--outline-skip-share 0 leaves out of the term; give a share above 0 (1: the full weight)")
    torch.set_num_threads(args.threads)
    bf16 = chosen_bf16(args)
    torch._dynamo.config.automatic_dynamic_shapes = False
    # One folder per teacher, so that distilling a later snapshot starts afresh.
    out_dir = os.path.join(args.run_dir, "distill-" + os.path.splitext(os.path.basename(args.teacher))[0])
    os.makedirs(out_dir, exist_ok=True)
    ae, scale = load_ae(args.run_dir)
    pool = build_pool(args.run_dir, args.pool)
    snapshot = torch.load(os.path.join(args.run_dir, args.teacher), map_location="cpu", weights_only=False)
    teacher = dit_from_state(snapshot["ema"]).eval().requires_grad_(False)
    if teacher.cfg.guidance_embed:
        raise SystemExit(f"{args.teacher} is already guidance-distilled; its teacher must be a guided model")
    torch.manual_seed(3)
    student = student_of(teacher)
    side = teacher.cfg.latent_size * ae.cfg.downsample
    if side % args.outline_skip_blocks:
        ap.error(f"--outline-skip-blocks {args.outline_skip_blocks}: a block size that divides the frame side {side}")
    if args.guidance_from:
        student.load_state_dict(guidance_weights(args.guidance_from), strict=False)
    path = os.path.join(out_dir, "student.pt")
    ema, opt, state = resumable_adamw(student, args.lr, path)
    if state and state.get("teacher") != args.teacher:
        raise SystemExit(f"{path} distils {state.get('teacher')}, not {args.teacher}")
    step = state.get("step", 0)
    start_step = step
    train_seconds = state.get("train_seconds", 0.0)
    teacher_f = teacher if args.no_compile else torch.compile(teacher)
    student_f = student if args.no_compile else torch.compile(student)
    rng = np.random.default_rng(7000 + step)
    # Its own stream, so that the batches are those of a distillation without the term.
    outline_rng = np.random.default_rng(9000 + step)
    log = open(os.path.join(out_dir, "distill_log.csv"), "a")
    null_s, null_m, null_p = pool["null"]
    f = student.cfg.frames
    replay = Replay(3000)
    last_save = time.time()

    def save():
        save_checkpoint(path, student, opt, {"step": step, "train_seconds": train_seconds, "teacher": args.teacher}, ema)

    while step < args.steps:
        t0 = time.time()
        decay_from = args.decay_from if args.decay_from is not None else 2 * args.steps // 3
        done = max(0.0, (step - decay_from) / max(1, args.steps - decay_from))
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step - start_step + 1) / 100, 1 - 0.95 * done)
        b = args.batch
        idx, x0, cells, vel = fresh_and_replayed(rng, pool, replay, ae, scale, b, f)
        # A few empty prompts, so that the student keeps its teacher's unconditional output.
        ctx, cmask, pooled = text_inputs(rng, pool, idx, 0.05)
        c = student.cfg.latent_channels
        if student.cfg.motion_channels:
            x0 = torch.cat([x0, motion_latents(cells, vel, student.cfg.latent_size, args.motion_field)], dim=2)
        given, t, _, xt = noised_inputs(rng, pool, idx, x0, vel, args.t_shift, kept_channels=c,
                                        motion_lead=args.motion_lead, given_noise=args.given_noise)
        w = torch.from_numpy(rng.uniform(1.0, args.max_guidance, b)).float()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            both = teacher_f(torch.cat([xt, xt]), torch.cat([given, given]), torch.cat([t, t]),
                             torch.cat([ctx, null_s.float().expand_as(ctx)]),
                             torch.cat([cmask, null_m.float().expand_as(cmask)]),
                             torch.cat([pooled, null_p.expand_as(pooled)])).float()
        vc, vu = both.chunk(2)
        target = vu + w[:, None, None, None, None] * (vc - vu)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            v = student_f(xt, given, t, ctx, cmask, pooled, guidance=w)
        loss = distill_loss(v, target, given, latent_weights(cells, student.cfg.latent_size, args.object_weight), c)
        skipped = left_out_clips([pool["scenes"][i].style for i in idx.tolist()], t, args.outline_skip_style,
                                 args.outline_skip_below)
        outline = outline_term(ae.decoder, scale, xt, v, t, x0, given, outline_rng, args, c, bf16,
                               np.where(skipped, args.outline_skip_share, 1.0), (skipped, args.outline_skip_blocks))
        gn = clipped_step(loss + args.outline_weight * outline, opt, student.parameters())
        step += 1
        update_ema(ema, student, step, 0.998)
        train_seconds += time.time() - t0
        if step % 10 == 0:
            log.write(f"{step},{loss.item():.5f},{gn.item():.3f},{train_seconds:.0f}\n")
            log.flush()
        if step % 50 == 0:
            print(f"distill step {step} loss {loss.item():.4f} "
                  + (f"outline {outline.item():.4f} " if args.outline_weight > 0 else "")
                  + f"gn {gn.item():.2f} {train_seconds / 60:.1f} min", flush=True)
        if time.time() - last_save > args.save_every:
            save()
            last_save = time.time()
        if step % 250 == 0 or step == args.steps:
            torch.save({"ema": ema.state_dict(), "step": step,
                        "distill": {"teacher": args.teacher, "teacher_step": int(snapshot["step"]), "steps": step,
                                    "seconds": round(train_seconds), "max_guidance": args.max_guidance,
                                    "outline_weight": args.outline_weight,
                                    "outline_skip_style": args.outline_skip_style,
                                    "outline_skip_below": args.outline_skip_below,
                                    "outline_skip_share": args.outline_skip_share,
                                    "outline_skip_blocks": args.outline_skip_blocks}},
                       os.path.join(out_dir, f"ema_{step:06d}.pt"))
    save()


if __name__ == "__main__":
    main()
