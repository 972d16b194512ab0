"""What the evaluator reads back through an autoencoder alone, per shape, style and size: the
ceiling a denoiser on its latents cannot pass (README item 35).

  python -m kinora_train.probe_ae RUN_DIR [RUN_DIR ...] [--n 12] [--frames 16]

Each RUN_DIR's autoencoder (its ae.pt or init-from) encodes and decodes the same rendered
clips (no pillar, so that the shape is always whole); a line per shape and style gives, per
size, how many of the clips the evaluator reads with the right shape (the truth itself is
read right in every cell, `--truth` prints it)."""
from __future__ import annotations

import argparse

import numpy as np
import torch

from .detect import read_clip
from .train_dit import decode_clips, encode_clips, load_ae
from .world import SHAPES, SIZES, STYLES, random_scene, render


def read_back(ae, scale: float, clip: np.ndarray) -> np.ndarray:
    """A clip uint8 [F, H, W, 3] through the autoencoder and back."""
    with torch.no_grad():
        return decode_clips(ae, scale, encode_clips(ae, scale, clip[None]))[0]


def cells(n: int, frames: int, seed: int = 3):
    """(shape, style, size, clips) for every cell, the same clips for every autoencoder."""
    rng = np.random.default_rng(seed)
    for shape in SHAPES:
        for style in STYLES:
            for size in SIZES:
                clips = [render(random_scene(rng, shape=shape, style=style, size=size, pillar=False), frames)[0]
                         for _ in range(n)]
                yield shape, style, size, clips


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dirs", nargs="+")
    ap.add_argument("--n", type=int, default=12, help="clips a cell (1..200)")
    ap.add_argument("--frames", type=int, default=16, help="frames a clip (1..64)")
    ap.add_argument("--truth", action="store_true", help="also read the rendered clips themselves")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if not 1 <= args.n <= 200 or not 1 <= args.frames <= 64:
        ap.error(f"--n {args.n} (1..200), --frames {args.frames} (1..64)")
    torch.set_num_threads(args.threads)
    aes = [load_ae(d) for d in args.run_dirs]
    totals = [0] * len(aes)
    print("shape read right of", args.n, "per size (small/medium/large); columns:",
          ("truth, " if args.truth else "") + ", ".join(args.run_dirs))
    for shape, style, size, clips in cells(args.n, args.frames):
        counts = [sum(read_clip(read_back(ae, scale, c)).shape == shape for c in clips) for ae, scale in aes]
        totals = [t + c for t, c in zip(totals, counts)]
        truth = [f"{sum(read_clip(c).shape == shape for c in clips):2d}"] if args.truth else []
        print(f"{shape:8s} {style:7s} {size:6s} " + "  ".join(truth + [f"{c:2d}" for c in counts]), flush=True)
    cases = args.n * len(SHAPES) * len(STYLES) * len(SIZES)
    print("all      " + " " * 15 + "  ".join(f"{t}/{cases}" for t in totals))


if __name__ == "__main__":
    main()
