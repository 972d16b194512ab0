"""Batches of rendered clips with captions, for the autoencoder and the denoiser."""
from __future__ import annotations

import numpy as np
import torch

from .captions import caption, reference_caption
from .world import Scene, random_scene, render


def to_tensor(frames_u8: np.ndarray) -> torch.Tensor:
    """uint8 [..., H, W, 3] -> float [..., 3, H, W] in [-1, 1]."""
    x = torch.from_numpy(frames_u8).float().div(127.5).sub(1.0)
    return x.movedim(-1, -3).contiguous()


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """float [..., 3, H, W] in [-1, 1] -> uint8 [..., H, W, 3]."""
    return x.movedim(-3, -1).add(1.0).mul(127.5).round().clamp(0, 255).to(torch.uint8).numpy()


def frame_batch(rng: np.random.Generator, n: int, size: int = 64) -> torch.Tensor:
    """n single frames from random scenes at random times (held-out combinations included:
    the autoencoder must represent every scene; only the denoiser's captions hold out)."""
    out = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        s = random_scene(rng, exclude_held_out=False)
        t0 = float(rng.uniform(0, 8))
        out[i] = render(s, 1, size=size, t0=t0)[0][0]
    return to_tensor(out)


def scene_with_position(rng: np.random.Generator, s: Scene) -> Scene:
    r = s.radius
    return Scene(s.colour, s.shape, s.background, s.size, s.motion, s.speed, s.style, s.pillar,
                 float(rng.uniform(r, 1 - r)), float(rng.uniform(r, 1 - r)))


def caption_pool(rng: np.random.Generator, n: int) -> tuple[list[Scene], list[str]]:
    scenes, texts = [], []
    for _ in range(n):
        s = random_scene(rng, exclude_held_out=True)
        texts.append(reference_caption(s) if rng.random() < 0.15 else caption(s, rng))
        scenes.append(s)
    return scenes, texts
