"""Why asked sizes read a size too big: how much larger than its truth a clip's object is
drawn, measured two ways. The evaluator reads size from the body's bounding-box side
(`FrameReading.extent`), so a shape drawn stretched or with spiky corners reads bigger even
when it covers the truth's area; the square root of the body's pixel count against the
truth's separates the object drawn bigger from the object drawn out of shape. Per asked size,
flat-style prompts only (glow, outline and pixel change what the body is), the medians of the
two ratios over the evaluator's text-to-video prompts, sampled as `evaluate` samples them.

  python -m kinora_train.probe_size RUN_DIR --model-dir ../Models/kinora-shapes-v1 [--n 96]"""
from __future__ import annotations

import json

import numpy as np

from .detect import read_clip
from .evaluate import sample_evaluator_prompts
from .world import SIZES, render


def drawn_size(clip: np.ndarray) -> tuple[float, float]:
    """(median bounding-box side, median body pixel count) over the frames showing the object."""
    shown = [f for f in read_clip(clip, False).frames if f.present]
    if not shown:
        return float("nan"), float("nan")
    return float(np.median([f.extent for f in shown])), float(np.median([f.area for f in shown]))


def size_ratios(clip: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(bounding-box side ratio, square-root-of-area ratio) of `clip`'s object to `truth`'s."""
    (e, a), (te, ta) = drawn_size(clip), drawn_size(truth)
    return e / te, float(np.sqrt(a / ta))


def summary(clips, items) -> dict:
    out = {}
    for size in SIZES:
        pairs = [size_ratios(c, render(i["scene"], len(c))[0]) for c, i in zip(clips, items)
                 if i["scene"].size == size and i["scene"].style == "flat"]
        if pairs:
            box, area = np.array(pairs).T
            out[size] = {"n": len(pairs), "box_side_ratio": round(float(np.nanmedian(box)), 3),
                         "sqrt_area_ratio": round(float(np.nanmedian(area)), 3)}
    return out


def main():
    _, items, rows = sample_evaluator_prompts(__doc__)
    print(json.dumps(summary([r["clip"] for r in rows], items), indent=1))


if __name__ == "__main__":
    main()
