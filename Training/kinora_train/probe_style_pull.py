"""How far does a style word pull the denoiser towards its style? (Training/README.md item 19.)

    .venv/bin/python -m kinora_train.probe_style_pull RUN_DIR --model-dir ../Models/kinora-shapes-v1

For each style S other than flat, the evaluator's first scenes (small ones made medium) are
rendered twice at the same place, in S and in flat, and encoded: x_S and x_flat. One of them
is noised to t; the denoiser predicts the clean clip from that one noisy clip under the scene's
caption with S and with flat (same noise, guidance input 7 for a guidance-distilled model).
The pull is the difference of the two predictions projected on x_S − x_flat, as a share of it:
1 when the word alone turns the prediction into the other style's latent, 0 when the word
changes nothing. Measured from the flat input (the word must change what the clip shows) and
from the S input. On the student shipped 2026-12-03, glow and outline pull 0.3–1.3 at
t ≥ 0.3; pixel at most 0.16 anywhere: the word "pixel" has nothing to pull towards (item 19)."""
from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import torch

from .captions import reference_caption
from .eval_cases import cases
from .evaluate import denoiser_arguments, load_chosen
from .text import TextEncoder
from .train_dit import encode_clips
from .world import STYLES, render


def style_pull(x_style: torch.Tensor, x_flat: torch.Tensor, pred_style: torch.Tensor,
               pred_flat: torch.Tensor) -> float:
    """Mean over clips of <pred_style − pred_flat, x_style − x_flat> / |x_style − x_flat|²."""
    d = (x_style - x_flat).flatten(1)
    dp = (pred_style - pred_flat).flatten(1)
    return float(((dp * d).sum(1) / d.pow(2).sum(1).clamp(min=1e-12)).mean())


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    denoiser_arguments(ap)
    ap.add_argument("--n", type=int, default=16, help="scenes per style")
    ap.add_argument("--levels", default="0.1,0.3,0.5,0.7,0.9", help="noise levels t, comma-separated")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    levels = [float(v) for v in args.levels.split(",")]
    if not all(0.0 < t < 1.0 for t in levels):
        raise SystemExit(f"--levels: each t must lie in (0, 1), got {args.levels}")
    if args.n < 1:
        raise SystemExit(f"--n {args.n}: a count from 1")
    torch.set_num_threads(args.threads)
    dit, ae, scale, _ = load_chosen(args)
    te = TextEncoder()
    f = dit.cfg.frames
    scenes = [dataclasses.replace(c["scene"], size="medium") if c["scene"].size == "small" else c["scene"]
              for c in cases(args.n)]
    b = len(scenes)
    guided = torch.full((b,), 7.0) if dit.cfg.guidance_embed else None
    print(f"pull of the style word (1: all the way to the style's latent), from the flat input / the style's input")
    for style in [s for s in STYLES if s != "flat"]:
        pair = {name: [dataclasses.replace(s, style=name) for s in scenes] for name in (style, "flat")}
        x = {name: encode_clips(ae, scale, np.stack([render(s, f)[0] for s in ss])) for name, ss in pair.items()}
        text = {name: te.encode([reference_caption(s) for s in ss]) for name, ss in pair.items()}
        row = []
        for t in levels:
            shares = []
            for start in ("flat", style):
                noise = torch.randn(x[start].shape, generator=torch.Generator().manual_seed(3))
                xt = (1 - t) * x[start] + t * noise
                tt = torch.full((b,), t)
                pred = {}
                for name in (style, "flat"):
                    kw = {"guidance": guided} if guided is not None else {}
                    v = dit(xt, torch.zeros(b, f), tt, *text[name], **kw)
                    pred[name] = xt - t * v
                shares.append(style_pull(x[style], x["flat"], pred[style], pred["flat"]))
            row.append(f"t {t}: {shares[0]:.2f} / {shares[1]:.2f}")
        print(f"{style:8s}", "   ".join(row), flush=True)


if __name__ == "__main__":
    main()
