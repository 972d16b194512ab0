"""Loss weights that put the object back into the denoising loss. The object covers a few of
a frame's 64 latent pixels (one to four for a small one); with every latent pixel weighted
alike, the flat background is most of the loss and the object's shape, the detail the model
gets wrong most, is a few per cent of it. The world's truth says where the object is (its
coverage cells, including behind the pillar), so the latent pixels it touches, and their
neighbours that the autoencoder's edges reach, weigh 1 + `extra` (foreground-weighted
losses as in mask-weighted subject fine-tuning)."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def edge_weights(x: torch.Tensor, edge: float, reach: int = 2) -> torch.Tensor:
    """Frames [N, 3, H, W] in [-1, 1] -> weights [N, 1, H, W]: 1 + edge within `reach`
    pixels of a pixel whose 3×3 neighbourhood is not one colour (object outlines, glow halos,
    block steps), where a pixel loss would otherwise be mostly flat background. Used by the
    decoder's fine-tunes (train_decoder, train_style_flag) and the outline term (outline_loss)."""
    spread = (F.max_pool2d(x, 3, 1, 1) + F.max_pool2d(-x, 3, 1, 1)).sum(1, keepdim=True)
    near = F.max_pool2d((spread > 0.02).float(), 2 * reach + 1, 1, reach)
    return 1 + edge * near


def latent_weights(cells_u8: torch.Tensor, latent_size: int, extra: float) -> torch.Tensor | None:
    """Coverage cells [B, F, G, G] uint8 -> per-latent-pixel weights [B, F, 1, L, L]:
    1 on background, 1 + extra where the object (dilated by one latent pixel) is; None (every
    latent pixel alike) when extra is 0."""
    if extra <= 0:
        return None
    b, f, g, _ = cells_u8.shape
    if g % latent_size:
        raise ValueError(f"coverage grid {g} is not a multiple of the latent size {latent_size}")
    k = g // latent_size
    touched = F.max_pool2d(cells_u8.float().view(b * f, 1, g, g), k)
    near = F.max_pool2d(touched, 3, stride=1, padding=1) > 0
    return (1 + extra * near.float()).view(b, f, 1, latent_size, latent_size)


def weighted_mse(v: torch.Tensor, target: torch.Tensor, given: torch.Tensor,
                 weights: torch.Tensor | None = None) -> torch.Tensor:
    """Mean squared error over the frames to generate (given frames excluded); with `weights`
    [B, F, 1, H, W], each frame's error is the weighted mean over its latent pixels."""
    err = (v.float() - target).pow(2)
    if weights is None:
        per_frame = err.mean(dim=(2, 3, 4))
    else:
        per_frame = (err * weights).sum(dim=(2, 3, 4)) / (weights.sum(dim=(2, 3, 4)) * err.shape[2])
    per_frame = per_frame * (1 - given)
    return per_frame.sum() / (1 - given).sum().clamp(min=1)
