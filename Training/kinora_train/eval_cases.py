"""The evaluator's prompts and scenes (numpy only, so that tests without PyTorch use them)."""
from __future__ import annotations

import dataclasses

import numpy as np

from .captions import EVAL_TEMPLATES, caption, reference_caption
from .world import HELD_OUT, OPPOSITE, Scene, random_scene


def cases(n: int, seed: int = 77):
    """Half held-out combinations, half trained ones; a third of each in unseen phrasings."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        held = i % 2 == 0
        if held:
            c, s, b = HELD_OUT[(i // 2) % len(HELD_OUT)]
            scene = random_scene(rng, exclude_held_out=False, colour=c, shape=s, background=b, pillar=False)
        else:
            scene = random_scene(rng, pillar=False)
        kind = i % 3
        if kind == 0:
            prompt, phr = caption(scene, rng, EVAL_TEMPLATES), "unseen"
        elif kind == 1:
            prompt, phr = reference_caption(scene), "reference"
        else:
            prompt, phr = caption(scene, rng), "train"
        out.append({"scene": scene, "prompt": prompt, "held_out": held, "phrasing": phr})
    return out


def pillar_cases(n: int, seed: int = 55):
    """Objects that pass behind the pillar within the clip and are seen on both sides of it:
    small ones at normal speed from 0.23 off the centre, medium ones (wider than the pillar,
    never hidden whole) fast from 0.3 off; left or right."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        small = (i // 4) % 2 == 0
        base = random_scene(rng, exclude_held_out=False, pillar=True, size="small" if small else "medium",
                            motion=["left", "right"][(i // 2) % 2], speed="normal" if small else "fast",
                            style="flat")
        off = 0.23 if small else 0.3
        x0 = 0.5 + (off if base.motion == "left" else -off)
        scene = Scene(base.colour, base.shape, base.background, base.size, base.motion, base.speed, base.style,
                      True, x0, float(rng.uniform(0.3, 0.7)))
        out.append({"scene": scene, "prompt": reference_caption(scene) if i % 2 else caption(scene, rng),
                    "held_out": False, "phrasing": "reference" if i % 2 else "train"})
    return out


def sign_pair_cases(n: int) -> list[dict]:
    """n moving prompts of the evaluator's set, each followed by the same scene asked the
    opposite way, in the reference phrasing."""
    out = []
    for c in [c for c in cases(4 * n) if c["scene"].motion != "still"][:n]:
        flipped = dataclasses.replace(c["scene"], motion=OPPOSITE[c["scene"].motion])
        out += [{**c, "prompt": reference_caption(c["scene"])}, {**c, "scene": flipped, "prompt": reference_caption(flipped)}]
    return out
