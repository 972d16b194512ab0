"""Recently rendered and encoded training items, reused so that the frozen encoder and the
renderer cost a fraction of a step instead of a whole one. Items are tuples whose first four
fields are (pool index, latents [F, C, h, w], coverage cells [F, ...], velocities [F, 2]):
single clips (train_dit, train_distill) or a clip with its minimal-pair partner after them
(minimal_pairs). No PyTorch here: the pairs' tests run without it."""
from __future__ import annotations

import numpy as np


class Replay:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self.items: list[tuple] = []

    def full(self) -> bool:
        return len(self.items) >= self.capacity

    def add(self, rng: np.random.Generator, item: tuple) -> None:
        """Appended until full, then in place of a random item."""
        if not self.full():
            self.items.append(item)
        else:
            self.items[int(rng.integers(0, self.capacity))] = item

    def draw(self, rng: np.random.Generator, n: int, frames: int | None = None) -> list[tuple]:
        """n items at random, or when `frames` is given (single clips only), a random window
        of that many frames of each."""
        out = []
        for j in rng.integers(0, len(self.items), n):
            item = self.items[j]
            if frames is not None:
                i, lat, cells, vel = item
                a = int(rng.integers(0, lat.shape[0] - frames + 1))
                item = (i, lat[a:a + frames], cells[a:a + frames], vel[a:a + frames])
            out.append(item)
        return out
