"""Training-only heads that make the denoiser's middle tokens say what the world's truth is
(REPA, arXiv 2410.06940; VideoJAM, arXiv 2502.02492): per token, the object's coverage of
each 4×4-pixel cell of the token's 16×16 pixels, including where the pillar hides it, and the
object's velocity weighted by how much of the token it covers. The denoising loss hears
about the object only through a few latent pixels among many of background; these targets
speak of its shape, place, motion and permanence directly. Not exported: the shipped
denoiser is the DiT alone."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .world import SPEEDS, Scene, render

CELL = 4  # pixels per side of a coverage cell at 64×64
TOKEN_PIXELS = 16  # pixels per side of a token: autoencoder downsampling 8 × patch 2
CELLS = (TOKEN_PIXELS // CELL) ** 2
OUTPUTS = CELLS + 2
MAX_SPEED = max(SPEEDS.values())


def coverage_cells(mask: np.ndarray) -> np.ndarray:
    """Object coverage [F, 64, 64] (before occlusion) -> uint8 [F, 16, 16] of 4×4 cells."""
    f, h, w = mask.shape
    cells = mask.reshape(f, h // CELL, CELL, w // CELL, CELL).mean(axis=(2, 4))
    return np.rint(cells * 255).astype(np.uint8)


def velocities(scene: Scene, frames: int, fps: float, t0: float) -> np.ndarray:
    """The object's signed velocity per frame, float16 [F, 2], in units of the fastest speed."""
    t = t0 + np.arange(frames) / fps
    vx, vy = scene.direction_at(t)
    return (np.stack([np.broadcast_to(vx, t.shape), np.broadcast_to(vy, t.shape)], -1) / MAX_SPEED).astype(np.float16)


def render_with_truth(shots: list[tuple[Scene, float]], frames: int, fps: float):
    """Each (scene, start time) rendered: uint8 clips [B, F, H, W, 3], and the heads' truth for
    them, coverage cells and velocities, as tensors."""
    clips, cells, vel = [], [], []
    for scene, t0 in shots:
        frames_u8, truth = render(scene, frames, fps, t0=t0)
        clips.append(frames_u8)
        cells.append(coverage_cells(truth["mask"]))
        vel.append(velocities(scene, frames, fps, t0))
    return np.stack(clips), torch.from_numpy(np.stack(cells)), torch.from_numpy(np.stack(vel))


def targets(cells_u8: torch.Tensor, vel: torch.Tensor) -> torch.Tensor:
    """cells [B, F, 16, 16] uint8, velocity [B, F, 2] -> per-token targets [B, F*16, OUTPUTS]
    in the DiT's token order (frame, row, column); cells within a token in (dy, dx) order."""
    b, f = cells_u8.shape[:2]
    g = cells_u8.shape[2] // (TOKEN_PIXELS // CELL)
    c = cells_u8.float().div(255).view(b, f, g, TOKEN_PIXELS // CELL, g, TOKEN_PIXELS // CELL)
    c = c.permute(0, 1, 2, 4, 3, 5).reshape(b, f * g * g, CELLS)
    occupancy = c.mean(dim=-1, keepdim=True)
    v = vel.float()[:, :, None, :].expand(b, f, g * g, 2).reshape(b, f * g * g, 2)
    return torch.cat([c, v * occupancy], dim=-1)


class AuxHeads(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.norm = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.hidden = nn.Linear(width, width)
        self.out = nn.Linear(width, OUTPUTS)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.out(F.silu(self.hidden(self.norm(tokens))))

    @staticmethod
    def loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Cross-entropy on the coverage cells (rare positives get their due), squared error
        on the occupancy-weighted velocity."""
        pred = pred.float()
        cover = F.binary_cross_entropy_with_logits(pred[..., :CELLS], target[..., :CELLS])
        motion = (pred[..., CELLS:] - target[..., CELLS:]).pow(2).mean()
        return cover + motion
