"""The motion a denoiser with motion channels generates with the clip (DiTConfig.motion_channels;
Training/README.md item 13).

Found 2026-11-30/12-01: the model's paths are not physical. In 56 % of moving clips the
object turns in mid-air (`detect.midair_turns`; real renders never do), and same-noise
prompts asking for opposite directions draw nearly the same path. The denoising loss
weighs a path's continuity no more than any other pixel detail, and nothing in the
denoised state says where the object is heading. VideoJAM (arXiv 2502.02492) generates
optical flow jointly with the pixels, from one representation, and reports much more
coherent motion. The shapes world knows its flow exactly: the object's velocity on the
pixels it covers. Channel k of a frame's motion is the object's velocity along x (k = 0) or
y (k = 1), in units of the fastest speed, times `GAIN`, times the share of the latent pixel
the object covers (before the pillar hides it); zero elsewhere. A constant field over the
object's track that flips sign only at a wall: easy to denoise early, and then the clip
must follow it."""
from __future__ import annotations

import torch
import torch.nn.functional as F

CHANNELS = 2
# Velocity in units of the fastest speed is at most 1; the gain brings a covered latent
# pixel's value near the unit scale of the noise it is mixed with.
GAIN = 2.0


def given_channels(given: torch.Tensor, channels: int, kept: int) -> torch.Tensor:
    """Given-frame mask [B, F] -> [B, F, channels, 1, 1]: 1 on the first `kept` channels of a
    given frame (its latent), 0 on the rest (its motion, generated like any other frame's)."""
    return given[:, :, None, None, None] * (torch.arange(channels) < kept).float()[None, None, :, None, None]


FIELDS = ("object", "global")


def motion_latents(cells_u8: torch.Tensor, vel: torch.Tensor, latent_size: int, field: str = "object") -> torch.Tensor:
    """Coverage cells [B, F, G, G] uint8 and velocities [B, F, 2] (aux_heads.velocities) ->
    the motion channels [B, F, 2, L, L] at the latent's resolution.

    field "object": the velocity where the object is (GAIN × its coverage), zero elsewhere.
    Judged 2026-12-01 (README item 13): the first step's prediction heads the asked way in
    77 % of clips, but a few covered pixels carry too little against the noise, and later
    steps follow the noise. field "global": the velocity at every latent pixel, so that the
    noise's share of its mean over a clip is about 1/32 of the signal and the text's
    direction can survive the first steps."""
    if field == "global":
        size = latent_size
        return vel.float()[:, :, :, None, None].expand(*vel.shape, size, size).contiguous()
    if field != "object":
        raise ValueError(f"motion field {field!r}: one of {FIELDS}")
    b, f, g, _ = cells_u8.shape
    if g % latent_size:
        raise ValueError(f"coverage grid {g} is not a multiple of the latent size {latent_size}")
    cover = F.avg_pool2d(cells_u8.float().div(255).view(b * f, 1, g, g), g // latent_size)
    cover = cover.view(b, f, 1, latent_size, latent_size)
    return GAIN * cover * vel.float()[:, :, :, None, None]
