"""What finer tokens would cost: one denoiser call (batch 1, 16 frames, eager PyTorch, float32)
of the shipped architecture against variants with more tokens per frame, timed in one run so
that the ratios hold on a noisy machine. The shipped DiT sees a 64×64 frame as 4×4 tokens of
16×16 pixels; a small object (10 px) lives inside one token, and its shape in that token's
32 output values (Training/README.md, "What is tried next", item 15).

  python -m kinora_train.probe_token_cost [--threads 2] [--repeats 5]"""
from __future__ import annotations

import argparse
import time

import torch

from .model import DiT, DiTConfig

VARIANTS = {
    "shipped: latent 8x8, patch 2 (16 tokens a frame)": dict(latent_size=8, patch=2),
    "patch 1 (64 tokens a frame)": dict(latent_size=8, patch=1),
    "patch 1, width 192, 6 blocks": dict(latent_size=8, patch=1, width=192, depth=6, heads=4),
    "latent 16x16 (autoencoder /4), patch 2 (64 tokens)": dict(latent_size=16, patch=2),
}


def time_call(cfg: DiTConfig, repeats: int) -> float:
    dit = DiT(cfg).eval()
    f, c, s = cfg.frames, cfg.latent_channels, cfg.latent_size
    args = (torch.randn(1, f, c, s, s), torch.zeros(1, f), torch.full((1,), 0.5), torch.randn(1, 40, cfg.text_dim),
            torch.ones(1, 40), torch.randn(1, cfg.text_dim))
    with torch.inference_mode():
        dit(*args)
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            dit(*args)
            best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    base = None
    print("| denoiser | parameters | one call (best of %d) | against the shipped |" % args.repeats)
    print("| --- | --- | --- | --- |")
    for name, over in VARIANTS.items():
        cfg = DiTConfig(**over)
        seconds = time_call(cfg, args.repeats)
        base = base or seconds
        params = sum(p.numel() for p in DiT(cfg).parameters())
        print(f"| {name} | {params / 1e6:.1f} M | {1000 * seconds:.0f} ms | {seconds / base:.1f}x |")


if __name__ == "__main__":
    main()
