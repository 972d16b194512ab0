"""Time-reversed partners: minimal pairs for the sign of motion.

The model learned the axis of motion from the captions but hardly its sign: 2026-11-30, on
96 prompts, 95 % of moving clips moved on the asked axis and 40 % of them the opposite way,
with data that agrees with its captions in 97 % of text-to-video clips (diagnose_motion).
A clip of the world played backwards is another clip of the world (the motion is uniform
and the bounces are mirror-symmetric in time) moving the other way over the same places.
Putting it in the same batch with the same noise and timestep, under its own caption (the
opposite direction word, any phrasing), makes a pair whose denoising targets differ only
in the order of the frames, and whose inputs differ only in that order and in the
direction word: the loss of the pair can fall only by reading the sign from the text."""
from __future__ import annotations

import dataclasses

import numpy as np
import torch

from .captions import caption
from .world import OPPOSITE


def reversible(pool: dict, idx: np.ndarray, vel: torch.Tensor) -> list[int]:
    """Clips that move the captioned way from their first frame to their last (no bounce in
    the clip), so that played backwards they move the opposite way throughout."""
    out = []
    for k, i in enumerate(idx):
        scene = pool["scenes"][i]
        if scene.along(vel[k, 0].float().numpy()) > 0 and scene.along(vel[k, -1].float().numpy()) > 0:
            out.append(k)
    return out


def add_partners(rng: np.random.Generator, pool: dict, idx: np.ndarray, x0: torch.Tensor, cells: torch.Tensor,
                 vel: torch.Tensor, k: int, anywhere: bool = False,
                 first: int = 0) -> tuple[list[tuple[int, int]], list[str]]:
    """Overwrite up to k clips at the batch's end with time-reversed copies of reversible
    clips before them (latents, coverage cells, velocities, in place). With `anywhere`, the
    sources are the first k reversible clips wherever they lie and the partners overwrite the
    last clips that are not sources: about 4 pairs in a batch of 16 instead of 2, since only
    a quarter of the clips are reversible. Only clips from index `first` on take part (the
    block that train_dit.append_pair_block adds). Returns the (slot, source) pairs and the
    partners' captions."""
    b = len(idx)
    k = min(k, (b - first) // 2)
    found = [j for j in reversible(pool, idx, vel) if j >= first]
    sources = (found if anywhere else [j for j in found if j < b - k])[:k]
    # Without `anywhere` every source lies before the last k clips, so these are b−1, b−2, …
    slots = [j for j in range(b - 1, first - 1, -1) if j not in sources]
    pairs, texts = [], []
    for slot, src in zip(slots, sources):
        x0[slot] = x0[src].flip(0)
        cells[slot] = cells[src].flip(0)
        vel[slot] = -vel[src].flip(0)
        scene = pool["scenes"][idx[src]]
        texts.append(caption(dataclasses.replace(scene, motion=OPPOSITE[scene.motion]), rng))
        pairs.append((slot, src))
    return pairs, texts


def partner_captions(pairs: list[tuple[int, int]], encoded, ctx: torch.Tensor, cmask: torch.Tensor,
                     pooled: torch.Tensor) -> None:
    """Each partner's own caption encoding (never dropped), in place of its slot's text
    inputs. `encoded` is the text encoder's (states, mask, pooled) of add_partners' captions;
    the source's given frames, timestep and noise come from train_dit.noised_inputs(pairs=)."""
    states, masks, pooled_new = encoded
    for m, (slot, _) in enumerate(pairs):
        ctx[slot], cmask[slot], pooled[slot] = states[m], masks[m], pooled_new[m]
