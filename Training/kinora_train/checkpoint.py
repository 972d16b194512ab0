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


def load_checkpoint(path: str, model, opt=None, ema=None) -> dict:
    if not os.path.exists(path):
        return {}
    data = torch.load(path, map_location="cpu", weights_only=False)
    model.load_state_dict(data["model"])
    if opt is not None and "opt" in data:
        opt.load_state_dict(data["opt"])
    if ema is not None and "ema" in data:
        ema.load_state_dict(data["ema"])
    return {k: v for k, v in data.items() if k not in ("model", "opt", "ema")}
