"""A training-only head that makes the denoiser's middle tokens carry the clip's direction
of motion from the text, at every noise level.

Found 2026-12-01 (`evaluate` and a same-noise probe on the teacher at step 19,500): given
one noise and the prompts "… moving up" and "… moving down", the teacher drew the same
direction for both in 11 of 16 pairs; the noise, not the text, picks the sign. The
denoising loss barely asks for it: at high noise the best prediction is an average over
the object's unknown places, which has no direction, and by the noise level where the
place is decided the noisy clip shows the path as well, so the text's sign is never needed
(the per-token velocity of aux_heads.py is weighted by the object's coverage, unknown at
high noise, and says as little). This head reads the mean of the middle tokens and
predicts the clip's mean velocity: at high noise only the text can tell it, so the tokens
must carry the sign for the layers after them to use. Not exported."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class ClipMotionHead(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.norm = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.hidden = nn.Linear(width, width)
        self.out = nn.Linear(width, 2)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Middle tokens [B, N, width] -> the clip's mean velocity [B, 2]."""
        return self.out(F.silu(self.hidden(self.norm(tokens).mean(dim=1))))

    @staticmethod
    def target(vel: torch.Tensor) -> torch.Tensor:
        """Per-frame velocities [B, F, 2] (aux_heads.velocities' units) -> their mean [B, 2]."""
        return vel.float().mean(dim=1)

    @staticmethod
    def loss(pred: torch.Tensor, vel: torch.Tensor) -> torch.Tensor:
        return (pred.float() - ClipMotionHead.target(vel)).pow(2).sum(-1).mean()
