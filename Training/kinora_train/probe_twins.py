"""How often a clip draws a second object: the evaluator's text-to-video prompts sampled as
`evaluate` samples them, each frame's drawn regions (farther than 60 from the background
colour, as `detect.read_frame` reads them) labelled, and a frame counted as a twin frame when
a second region holds at least a quarter of the largest's pixels (and 6 pixels). A clip has a
twin when 4 of its 16 frames or more are twin frames. The same count on the prompts' own
rendered truth is the floor (an outline that breaks into strokes counts as a twin too).

  python -m kinora_train.probe_twins RUN_DIR --model-dir ../Models/kinora-shapes-v1 [--n 96]"""
from __future__ import annotations

import json

import numpy as np
from scipy import ndimage

from .detect import DRAWN_DISTANCE, _background, resample
from .evaluate import sample_evaluator_prompts
from .world import render

TWIN_FRAMES = 4


def twin_frames(clip: np.ndarray) -> int:
    clip = resample(clip)
    _, bg_rgb = _background(clip, False)
    count = 0
    for frame in clip:
        drawn = np.linalg.norm(frame.astype(np.float32) - bg_rgb, axis=-1) > DRAWN_DISTANCE
        labels, n = ndimage.label(drawn)
        if n < 2:
            continue
        sizes = np.sort(ndimage.sum(drawn, labels, range(1, n + 1)))[::-1]
        count += bool(sizes[1] >= max(6, 0.25 * sizes[0]))
    return count


def summary(clips, items) -> dict:
    twins = [twin_frames(c) >= TWIN_FRAMES for c in clips]
    flat = [t for t, c in zip(twins, items) if c["scene"].style != "outline"]
    return {"n": len(twins), "clips_with_a_twin": round(float(np.mean(twins)), 3),
            "without_outline_prompts": round(float(np.mean(flat)), 3) if flat else None}


def main():
    dit, items, rows = sample_evaluator_prompts(__doc__)
    truth = [render(c["scene"], dit.cfg.frames)[0] for c in items]
    print(json.dumps({"model": summary([r["clip"] for r in rows], items), "truth": summary(truth, items)}))


if __name__ == "__main__":
    main()
