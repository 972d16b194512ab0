"""How strongly each of the denoiser's two text paths tells captions apart that differ in one
word: the direction's sign, its axis, the colour, the shape. (Training/README.md, "What is
tried next", item 12.)

    .venv/bin/python -m kinora_train.probe_text_paths checkpoints/teacher/teacher.safetensors
    .venv/bin/python -m kinora_train.probe_text_paths ../Models/kinora-shapes-v1/denoiser.safetensors

adaLN: the relative difference of each block's modulation (shift, scale, gate) between the
two captions, at three noise levels. Cross-attention: the largest difference between the two
captions' projected token states (the token of the changed word) against their mean norm.
Seconds on one core; reads the weights only."""
from __future__ import annotations

import argparse

import torch
from safetensors.torch import load_file

from .model import dit_from_state
from .text import TextEncoder

BASE = "a red circle moving up on a blue background"
CONTRASTS = {"sign (up/down)": BASE.replace("up", "down"),
             "axis (up/left)": BASE.replace("up", "left"),
             "colour (red/green)": BASE.replace("red", "green"),
             "shape (circle/square)": BASE.replace("circle", "square")}


def load(path: str):
    state = load_file(path)
    if any(k.startswith("ema.") for k in state):  # a kept teacher: EMA weights beside its heads
        state = {k[4:]: v for k, v in state.items() if k.startswith("ema.")}
    return dit_from_state(state).eval()


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("weights", help="a denoiser.safetensors or a kept teacher's teacher.safetensors")
    args = ap.parse_args()
    torch.set_num_threads(1)
    dit = load(args.weights)
    ctx, mask, pooled = TextEncoder().encode([BASE, *CONTRASTS.values()])
    guidance = torch.full((1,), 7.0) if dit.cfg.guidance_embed else None
    print("adaLN: modulation differs by (mean over blocks, relative)")
    for t in (0.3, 0.9, 0.99):
        c = dit.conditioning(torch.full((len(pooled),), t), pooled,
                             None if guidance is None else guidance.expand(len(pooled)))
        mods = [blk.modulation(c) for blk in dit.blocks]
        row = [float(torch.stack([(m[0] - m[j]).norm() / m[0].norm() for m in mods]).mean())
               for j in range(1, len(CONTRASTS) + 1)]
        print(f"  t = {t:<5} " + "  ".join(f"{name} {v:.3f}" for name, v in zip(CONTRASTS, row)))
    projected = dit.text_ctx(ctx)
    norm = float(projected[0][mask[0] > 0].norm(dim=-1).mean())
    print(f"cross-attention: the changed word's token state differs by (token states average {norm:.1f})")
    for j, name in enumerate(CONTRASTS, start=1):
        both = (mask[0] > 0) & (mask[j] > 0)
        print(f"  {name:<22} {float((projected[0] - projected[j]).norm(dim=-1)[both].max()):.1f}")


if __name__ == "__main__":
    main()
