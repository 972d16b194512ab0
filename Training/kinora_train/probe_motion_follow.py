"""Does the clip follow the motion it is given? (Training/README.md item 13.)

    .venv/bin/python -m kinora_train.probe_motion_follow runs/motion-lead --ema-file ema_022400.pt

For a denoiser with motion channels: N moving prompts, each sampled three times from one
noise — as usual, and with the motion channels held at a clean field (the global field,
`motion_channels.motion_latents`) of the asked scene's own velocity, then of the opposite
direction's. The clip is read by the evaluator's detector. A denoiser that ties its clip to
its motion follows the field it is given, whatever the text says; one that ignores the
channels moves the same way in all three. Held clean, the field is what the sampler's motion
clock gives the clip's last steps (`sampling.motion_clock`), so this is the clip's half of
the motion lead, apart from whether the motion itself comes out right."""
from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import torch

from .aux_heads import velocities
from .detect import read_clip
from .evaluate import denoiser_arguments, load_chosen, probe_sampler_arguments
from .eval_cases import cases
from .motion_channels import motion_latents
from .sampling import sample
from .text import TextEncoder
from .train_dit import decode_clips
from .world import FPS, OPPOSITE


class HeldMotion(torch.nn.Module):
    """The denoiser, its motion-channel inputs replaced by `field` [B, F, M, h, w] at every call."""

    def __init__(self, dit, field: torch.Tensor):
        super().__init__()
        self.dit, self.field, self.cfg = dit, field, dit.cfg

    def forward(self, x, given, t, *text, **kw):
        c = self.cfg.latent_channels
        reps = x.shape[0] // self.field.shape[0]
        return self.dit(torch.cat([x[:, :, :c], self.field.repeat(reps, 1, 1, 1, 1)], 2), given, t, *text, **kw)


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    denoiser_arguments(ap)
    ap.add_argument("--n", type=int, default=32)
    probe_sampler_arguments(ap)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dit, ae, scale, _ = load_chosen(args)
    cfg = dit.cfg
    if not cfg.motion_channels:
        raise SystemExit("this denoiser has no motion channels")
    te = TextEncoder()
    items = [c for c in cases(4 * args.n) if c["scene"].motion != "still"][:args.n]
    null = te.encode([""])
    moved: dict[str, list[bool]] = {"free": [], "asked": [], "opposite": []}
    for i in range(0, len(items), 8):
        chunk = items[i:i + 8]
        b = len(chunk)
        noise = torch.randn(b, cfg.frames, cfg.state_channels, cfg.latent_size, cfg.latent_size,
                            generator=torch.Generator().manual_seed(i))
        cond = te.encode([c["prompt"] for c in chunk])
        nb = tuple(v.expand(b, *v.shape[1:]) for v in null)
        for name in moved:
            model = dit
            if name != "free":
                scenes = [c["scene"] if name == "asked" else dataclasses.replace(c["scene"], motion=OPPOSITE[c["scene"].motion])
                          for c in chunk]
                vel = torch.from_numpy(np.stack([velocities(s, cfg.frames, FPS, 0.0) for s in scenes]))
                model = HeldMotion(dit, motion_latents(None, vel, cfg.latent_size, "global"))
            z = sample(model, noise, torch.zeros_like(noise), torch.zeros(b, cfg.frames), cond, nb,
                       steps=args.steps, guidance=args.guidance)
            for c, clip in zip(chunk, decode_clips(ae, scale, z)):
                moved[name].append(read_clip(clip, False).motion == c["scene"].motion)
    print(f"{args.n} moving prompts, {args.steps} steps, guidance {args.guidance}: clips moving the asked way")
    for name, label in (("free", "motion generated"), ("asked", "held at the asked motion"),
                        ("opposite", "held at the opposite motion")):
        print(f"  {label:<30} {np.mean(moved[name]):.0%}")


if __name__ == "__main__":
    main()
