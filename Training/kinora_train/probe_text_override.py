"""Can the text overrule the direction a noisy clip shows? (Training/README.md item 14.)

    .venv/bin/python -m kinora_train.probe_text_override runs/main --ema-file ema_0NNNNN.pt

Item 14's diagnosis, measured in one denoiser call per clip instead of through whole
sampling chains: the evaluator's moving prompts (`eval_cases.sign_pair_cases`) are rendered
as their truth, encoded and noised to t; the denoiser predicts the clean clip from that one
noisy clip twice, under the asked caption and under the same scene asked the opposite way.
The decoded predictions' drift along the asked axis (`detect.axis_drift`) says who decided:
under the asked caption the clip and the text agree, and the prediction should move the
asked way ("agree"); under the opposite caption they disagree, and a denoiser whose text
outranks the noisy clip moves the prediction the other way ("text wins"). At low t the clip
is clear and should win; where sampling decides the sign (t ≈ 0.9–0.95, probe_sign_steps),
a denoiser that follows its text must show "text wins" high. Every clip gets its own noise,
shared by its two captions. Several hundred predictions per level make this finer than the
32 sampled sign pairs (about ±9 points) for judging a change to training."""
from __future__ import annotations

import argparse

import numpy as np
import torch

from .detect import axis_drift
from .eval_cases import sign_pair_cases
from .evaluate import denoiser_arguments, load_chosen, probe_sampler_arguments
from .sampling import sample
from .text import TextEncoder
from .train_dit import decode_clips, encode_clips
from .world import render


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    denoiser_arguments(ap)
    ap.add_argument("--pairs", type=int, default=64, help="moving prompts, each also asked the opposite way")
    ap.add_argument("--levels", default="0.95,0.9,0.8,0.7,0.5,0.3", help="noise levels t, comma-separated")
    probe_sampler_arguments(ap, steps=False)
    args = ap.parse_args()
    levels = [float(v) for v in args.levels.split(",")]
    if not all(0.0 < t < 1.0 for t in levels):
        raise SystemExit(f"--levels: each t must lie in (0, 1), got {args.levels}")
    torch.set_num_threads(args.threads)
    dit, ae, scale, step = load_chosen(args)
    cfg = dit.cfg
    te = TextEncoder()
    items = sign_pair_cases(args.pairs)
    truth = [render(c["scene"], cfg.frames)[0] for c in items[0::2]]
    # Only clips whose truth moves the asked way over the clip (no bounce turns it back).
    keep = [k for k, clip in enumerate(truth) if axis_drift(clip, items[2 * k]["scene"].motion) > 0]
    asked, flipped = [items[2 * k] for k in keep], [items[2 * k + 1] for k in keep]
    x0 = encode_clips(ae, scale, np.stack([truth[k] for k in keep]))
    print(f"step {step}: {len(asked)} moving prompts, their truth noised to t, one prediction under the asked "
          f"caption and one under the opposite, guidance {args.guidance}")
    print("t       agree (asked caption)   text wins (opposite caption)   drift asked / opposite")
    # The captions are the same at every level: encoded once per chunk of 8 prompts.
    chunks = range(0, len(asked), 8)
    conds = [te.encode([c["prompt"] for c in asked[i:i + 8] + flipped[i:i + 8]]) for i in chunks]
    empty = te.encode([""])
    for t in levels:
        agree, wins, drift_a, drift_o = [], [], [], []
        for i, cond in zip(chunks, conds):
            a = asked[i:i + 8]
            b = len(a)
            z0 = x0[i:i + b]
            noise = torch.randn(b, cfg.frames, cfg.state_channels, cfg.latent_size, cfg.latent_size,
                                generator=torch.Generator().manual_seed(1000 * i + int(t * 1000)))
            null = tuple(v.expand(2 * b, *v.shape[1:]) for v in empty)
            # One step from t to 0 returns the denoiser's prediction of the clean clip at t.
            pred = sample(dit, torch.cat([noise, noise]), torch.zeros_like(torch.cat([z0, z0])),
                          torch.zeros(2 * b, cfg.frames), cond, null, steps=1, guidance=args.guidance,
                          t_start=t, start_latents=torch.cat([z0, z0]))
            clips = decode_clips(ae, scale, pred)
            for k, c in enumerate(a):
                da = axis_drift(clips[k], c["scene"].motion)
                do = axis_drift(clips[b + k], c["scene"].motion)
                agree.append(da > 0)
                wins.append(do < 0)
                drift_a.append(da)
                drift_o.append(do)
        print(f"{t:<7.2f} {np.mean(agree):>21.2f} {np.mean(wins):>30.2f}   "
              f"{np.median(drift_a):+.3f} / {np.median(drift_o):+.3f}")


if __name__ == "__main__":
    main()
