"""At which sampling step is the sign of motion decided, and does the text decide it?
(Training/README.md, "What is tried next", item 11.)

    .venv/bin/python -m kinora_train.probe_sign_steps runs/main --ema-file ema_0NNNNN.pt
    .venv/bin/python -m kinora_train.probe_sign_steps runs/main --model-dir ../Models/kinora-shapes-v1

Samples the evaluator's same-noise sign pairs (`eval_cases.sign_pair_cases`: a moving prompt
and the same scene asked the opposite way, from one noise) and, at every step, decodes the
denoiser's prediction of the clean clip, x − t·v. Its drift along the asked axis is the
slope of a contrast-weighted centroid over the first quarter of the frames
(`detect.opening_drift`), a measure that still reads the faint, blurred object of the first
steps and, unlike the whole clip's slope, is not turned by a bounce; the truth's own row,
printed first, is the ceiling (the probe read whole clips until 2026-12-02, whose truth
reads as asked in only about 60 %). Per step it prints how often the two members of a pair
drift opposite ways (the text chose the sign) and how often each drifts the way it was
asked. A model that reads the sign from the text shows "opposite" high from the first
steps; one whose noise chooses shows it low at every step. Last, the finished clips as the
evaluator reads them (`scoring.sign_pairs`) and how far apart the two members' tracks lie
(median over frames of the centroid's distance along the asked axis, canvas units): the truth
of a pair, one clip and its mirror in time from the same start, lies about as far apart as
the object travels, a model blind to the sign draws the same track twice; and how many
clips turn in mid-air (`detect.midair_turns`; the world's objects turn only at an edge).
For a denoiser with motion channels (item 13) it also reads, per step, the heading of the
predicted motion channels over the first quarter of the frames, and how often the clip's
drift goes the way its own motion channels head: whether the clip follows the motion it
generates."""
from __future__ import annotations

import argparse

import numpy as np
import torch

from .detect import midair_turns, opening_drift, read_clip
from .world import MOTIONS, render
from .eval_cases import sign_pair_cases
from .evaluate import denoiser_arguments, load_chosen, model_motion_lead, probe_sampler_arguments
from .scoring import sign_pairs
from .sampling import sample
from .text import TextEncoder
from .train_dit import decode_clips


def motion_heading(state: torch.Tensor, latent_channels: int, motion: str) -> float:
    """A clip's predicted state [F, S, h, w] -> the sum of its motion channels (x, y velocity)
    over the first quarter of the frames, along `motion`'s axis, positive the way it points."""
    q = max(1, state.shape[0] // 4)
    vx, vy = state[:q, latent_channels:latent_channels + 2].sum(dim=(0, 2, 3)).tolist()
    dx, dy = MOTIONS[motion]
    return vx * dx + vy * dy


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    denoiser_arguments(ap)
    ap.add_argument("--pairs", type=int, default=32)
    probe_sampler_arguments(ap)
    ap.add_argument("--motion-lead", type=float, default=None,
                    help="the motion clock (sampling.motion_clock; default: a model folder's, else 0)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dit, ae, scale, _ = load_chosen(args)
    if args.motion_lead is None:
        args.motion_lead = model_motion_lead(args.model_dir)
    te = TextEncoder()
    items = sign_pair_cases(args.pairs)
    null = te.encode([""])
    cfg = dit.cfg
    drifts: dict[float, list[float]] = {}
    headings: dict[float, list[float]] = {}
    c = cfg.latent_channels
    readings = []
    for i in range(0, len(items), 8):
        chunk = items[i:i + 8]
        b = len(chunk)
        noise = torch.randn(b, cfg.frames, cfg.state_channels, cfg.latent_size, cfg.latent_size,
                            generator=torch.Generator().manual_seed(i))
        noise[1::2] = noise[0::2]
        asked = [c["scene"].motion for c in chunk]

        def trace(t, x0_hat):
            clips = decode_clips(ae, scale, x0_hat[:, :, :c])
            drifts.setdefault(t, []).extend(opening_drift(clip, m) for clip, m in zip(clips, asked))
            if x0_hat.shape[2] > c:
                headings.setdefault(t, []).extend(motion_heading(s, c, m) for s, m in zip(x0_hat, asked))

        nb = tuple(v.expand(b, *v.shape[1:]) for v in null)
        z = sample(dit, noise, torch.zeros_like(noise), torch.zeros(b, cfg.frames), te.encode([c["prompt"] for c in chunk]),
                   nb, steps=args.steps, guidance=args.guidance, trace=trace, motion_lead=args.motion_lead)
        trace(0.0, z)
        readings += [read_clip(c, False) for c in decode_clips(ae, scale, z)]
    print(f"{args.pairs} same-noise pairs, {args.steps} steps, guidance {args.guidance}, motion lead {args.motion_lead}")
    print("t       pairs drifting opposite ways   first member as asked   second as asked"
          + ("   motion channels: pairs opposite, as asked, clip follows them" if headings else ""))
    truth = np.array([opening_drift(render(c["scene"], cfg.frames)[0], c["scene"].motion) for c in items])
    rows = [("truth", None, truth)] + [(f"{t:.3f}", t, np.array(drifts[t])) for t in sorted(drifts, reverse=True)]
    for label, t, d in rows:
        first, second = d[0::2], d[1::2]
        # The second member asks the opposite way, so opposite drifts mean equal signs here.
        opposite = np.mean(np.sign(first) * np.sign(second) > 0)
        line = f"{label:<7} {opposite:>26.2f} {np.mean(first > 0):>23.2f} {np.mean(second > 0):>17.2f}"
        if t in headings:
            h = np.array(headings[t])
            line += (f"   {np.mean(np.sign(h[0::2]) * np.sign(h[1::2]) > 0):>24.2f} {np.mean(h > 0):>8.2f}"
                     f" {np.mean(np.sign(h) == np.sign(d)):>17.2f}")
        print(line)
    asked = [c["scene"].motion for c in items]
    print("finished clips as the evaluator reads them:", sign_pairs(asked, [r.motion for r in readings]))
    apart = []
    for k in range(0, len(items), 2):
        axis = "cx" if asked[k] in ("left", "right") else "cy"
        a, b = (np.array([getattr(f, axis) for f in readings[k + j].frames]) for j in (0, 1))
        both = ~(np.isnan(a) | np.isnan(b))
        if both.any():
            apart.append(float(np.median(np.abs(a - b)[both])))
    print(f"pair tracks apart along the asked axis: median {np.median(apart):.3f}, "
          f"{np.mean(np.array(apart) < 0.05):.0%} of pairs within 0.05 (canvas units)")
    print(f"clips whose path turns away from every edge: {np.mean([midair_turns(r) > 0 for r in readings]):.0%}")


if __name__ == "__main__":
    main()
