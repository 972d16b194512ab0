"""A pixel-space term on the predicted clean clip, weighted at outlines (`--outline-weight`).

The denoising loss is a mean over latent pixels; an object's outline is a few of them, and a
prediction that is smooth there costs little. What comes out (Training/README items 16, 23):
squares stretched, triangles with spiky corners, circles lumpy, so that asked medium reads large
(the bounding box 1.28× the truth's while the area is 1.12×) and circles read square. Here the
flow's prediction of the clean clip, x̂0 = x_t − t·v, is decoded by the frozen decoder for a
few generated frames of the clips at low noise (t below `--outline-below`, where x̂0 is a
picture and not a mean of many), and compared with the decoded true latents, each pixel's
error weighted 1 + `edge` near the target's outlines (`object_weight.edge_weights`, the
decoder fine-tune's weighting). Gradients reach
the denoiser through the decoder; the decoder itself stays frozen. Sampling is unchanged."""
from __future__ import annotations

import argparse

import numpy as np
import torch
import torch.nn.functional as F

from .object_weight import edge_weights


def predicted_clean(xt: torch.Tensor, v: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """x̂0 of flow matching (x_t = (1 − t)·x0 + t·ε, v = ε − x0): x_t − t·v."""
    return xt - t.view(-1, *([1] * (xt.dim() - 1))) * v


def chosen_frames(rng: np.random.Generator, t: torch.Tensor, given: torch.Tensor, below: float,
                  per_clip: int, left_out: np.ndarray | None = None) -> list[tuple[int, int]]:
    """(clip, frame) pairs: up to `per_clip` generated frames, drawn at random, of each clip
    at t < `below` and not `left_out` (a boolean per clip)."""
    out = []
    eligible = t.numpy() < below
    if left_out is not None:
        eligible &= ~left_out
    for b in np.nonzero(eligible)[0]:
        free = np.nonzero(given[b].numpy() == 0)[0]
        for f in rng.permutation(free)[:per_clip]:
            out.append((int(b), int(f)))
    return out


def left_out_clips(styles: list[str], t: torch.Tensor, skipped: list[str], below: float) -> np.ndarray:
    """A boolean per clip: captioned in one of the `skipped` styles (each clip's style in
    `styles`) and at noise below `below` (`--outline-skip-style`, `--outline-skip-below`)."""
    return np.array([s in skipped for s in styles], bool) & (t.numpy() < below)


def block_means(img: torch.Tensor, k: int) -> torch.Tensor:
    """Each k×k block of [N, C, H, W] images replaced by its mean (H and W multiples of k)."""
    if img.shape[-1] % k or img.shape[-2] % k:
        raise ValueError(f"block size {k} does not divide the decoded frame {tuple(img.shape[-2:])}")
    return F.avg_pool2d(img, k).repeat_interleave(k, dim=-2).repeat_interleave(k, dim=-1)


def outline_loss(decoder, scale: float, x0_hat: torch.Tensor, x0: torch.Tensor, chosen: list[tuple[int, int]],
                 edge: float = 4.0, clip_weight: np.ndarray | None = None,
                 clip_blocks: tuple[np.ndarray, int] | None = None) -> torch.Tensor:
    """The edge-weighted mean absolute error between the decoded x̂0 and the decoded truth over
    the `chosen` (clip, frame) pairs of [B, F, C, h, w] scaled latents; 0 when none. With
    `clip_weight` (a factor per clip) each pair's error is scaled by its clip's factor and the
    mean still divided by the unscaled weights, so that a batch of lighter clips weighs less.
    With `clip_blocks` (a boolean per clip, a block size k) those clips' frames are compared by
    their k×k block means: where the object ends, at the resolution of the blocks, without a
    pull of each block's steps towards the mean (the weights stay the full-resolution ones)."""
    if not chosen:
        return torch.zeros(())
    b, f = zip(*chosen)
    b, f = torch.tensor(b), torch.tensor(f)
    with torch.no_grad():
        target = decoder(x0[b, f] / scale).float().clamp(-1, 1)
        w = edge_weights(target, edge)
    pred = decoder(x0_hat[b, f] / scale).float().clamp(-1, 1)
    if clip_blocks is not None and clip_blocks[1] > 1:
        blocky = torch.from_numpy(np.asarray(clip_blocks[0], bool))[b].view(-1, 1, 1, 1)
        target = torch.where(blocky, block_means(target, clip_blocks[1]), target)
        pred = torch.where(blocky, block_means(pred, clip_blocks[1]), pred)
    factor = 1.0 if clip_weight is None else \
        torch.from_numpy(np.asarray(clip_weight, np.float32))[b].view(-1, 1, 1, 1)
    return ((pred - target).abs() * w * factor).sum() / (w.sum() * 3)


def outline_term(decoder, scale: float, xt: torch.Tensor, v: torch.Tensor, t: torch.Tensor, x0: torch.Tensor,
                 given: torch.Tensor, rng: np.random.Generator, args: argparse.Namespace, latent_channels: int,
                 bf16: bool, clip_weight: np.ndarray | None = None,
                 clip_blocks: tuple[np.ndarray, int] | None = None) -> torch.Tensor:
    """The outline term of a training step as `--outline-*` ask for it: x̂0 of the latent
    channels from the velocity `v`, decoded at up to `--outline-frames` generated frames of
    the clips below `--outline-below` whose `clip_weight` (a factor per clip, default 1) is not
    0, each clip's error scaled by it, the clips of `clip_blocks` compared by block means;
    0 when `--outline-weight` is 0 (no decoder pass)."""
    if args.outline_weight <= 0:
        return torch.zeros(())
    c = latent_channels
    left_out = None if clip_weight is None else np.asarray(clip_weight) == 0
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        return outline_loss(decoder, scale, predicted_clean(xt[:, :, :c], v[:, :, :c], t), x0[:, :, :c],
                            chosen_frames(rng, t, given, args.outline_below, args.outline_frames, left_out),
                            clip_weight=clip_weight, clip_blocks=clip_blocks)


def add_outline_options(ap: argparse.ArgumentParser, below: float, whose: str) -> None:
    """`--outline-weight`, `--outline-below` (default `below`) and `--outline-frames`, shared by
    the teacher's and the student's training; `whose` names the prediction the term reads."""
    ap.add_argument("--outline-weight", type=float, default=0.0, metavar="W",
                    help=f"weight of the decoded, outline-weighted error of {whose} against the truth "
                         "(outline_loss.py; default 0: off)")
    ap.add_argument("--outline-below", type=float, default=below, metavar="T",
                    help=f"the noise level under which clips get the outline term (default {below})")
    ap.add_argument("--outline-frames", type=int, default=4, metavar="K",
                    help="generated frames decoded per such clip (the decoder's cost; default 4)")


def check_outline_options(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuses, by name and range, an outline option out of its range."""
    if args.outline_weight < 0:
        ap.error(f"--outline-weight {args.outline_weight}: a weight from 0")
    if not 0.0 < args.outline_below <= 1.0:
        ap.error(f"--outline-below {args.outline_below}: a noise level in (0, 1]")
    if args.outline_frames < 1:
        ap.error(f"--outline-frames {args.outline_frames}: a count from 1")
