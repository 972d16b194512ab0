"""Atomic checkpoints: a run can be killed at any moment and resumed."""
from __future__ import annotations

import os

import torch


def save_checkpoint(path: str, model, opt, extra: dict, ema=None) -> None:
    data = {"model": model.state_dict(), "opt": opt.state_dict(), **extra}
    if ema is not None:
        data["ema"] = ema.state_dict()
    tmp = path + ".tmp"
    torch.save(data, tmp)
    os.replace(tmp, path)


def read_checkpoint(path: str) -> dict | None:
    """The checkpoint's contents, or None when there is none yet."""
    if not os.path.exists(path):
        return None
    return torch.load(path, map_location="cpu", weights_only=False)


def apply_checkpoint(data: dict | None, model, opt=None, ema=None) -> dict:
    """Loads what `read_checkpoint` returned into the modules; returns the other entries."""
    if data is None:
        return {}
    model.load_state_dict(data["model"])
    if opt is not None and "opt" in data:
        opt.load_state_dict(data["opt"])
    if ema is not None and "ema" in data:
        ema.load_state_dict(data["ema"])
    return {k: v for k, v in data.items() if k not in ("model", "opt", "ema")}


def load_checkpoint(path: str, model, opt=None, ema=None) -> dict:
    return apply_checkpoint(read_checkpoint(path), model, opt, ema)
