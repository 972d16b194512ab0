"""The optimiser step every trainer takes: backward, clip the gradient norm to 1, step, then
move the EMA copy towards the weights with a decay that warms up from 0.9 to its cap."""
from __future__ import annotations

import copy

import torch


def clipped_step(loss: torch.Tensor, opt: torch.optim.Optimizer, params) -> torch.Tensor:
    """Backward and one step; returns the gradient norm before clipping."""
    params = list(params)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    gn = torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    return gn


@torch.no_grad()
def update_ema(ema: torch.nn.Module, model: torch.nn.Module, step: int, cap: float) -> None:
    """`step` is the number of steps taken, this one included."""
    decay = min(cap, (1 + step) / (10 + step))
    for pe, p in zip(ema.parameters(), model.parameters()):
        pe.lerp_(p, 1 - decay)


def resumable_adamw(model: torch.nn.Module, lr: float, path: str):
    """(EMA copy, AdamW, checkpoint state) for a fine-tune that resumes from `path` when it
    exists (its weights, optimiser and EMA loaded into these; state {} otherwise)."""
    from .checkpoint import apply_checkpoint, read_checkpoint
    ema = copy.deepcopy(model).requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.99), weight_decay=0.0)
    return ema, opt, apply_checkpoint(read_checkpoint(path), model, opt, ema)
