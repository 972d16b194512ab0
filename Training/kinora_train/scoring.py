"""How one clip's reading scores against the scene its prompt asked for, and the rates over
a set of clips: the evaluator's arithmetic, kept apart from sampling so that it is tested
without PyTorch."""
from __future__ import annotations

import numpy as np

from .world import OPPOSITE

ATTRS = ("background", "colour", "shape", "size", "style", "motion")
MEASURES = ATTRS + ("speed", "identity", "axis", "reversed")


def score(reading, scene) -> dict:
    """True/False per measure, None where it does not apply (speed, axis and reversal of a
    still scene)."""
    r = {a: getattr(reading, a) == getattr(scene, a) for a in ATTRS}
    moving = scene.motion != "still"
    r["speed"] = reading.speed == scene.speed if moving else None
    # Motion splits into the axis (horizontal or vertical) and the sign along it: a model
    # can learn the first from "moving" words and not the second from "left"/"right".
    r["axis"] = reading.motion in (scene.motion, OPPOSITE[scene.motion]) if moving else None
    r["reversed"] = reading.motion == OPPOSITE[scene.motion] if moving else None
    r["identity"] = reading.identity_kept >= 0.9
    return r


def summarise(rows: list[dict], key=lambda r: True) -> dict:
    """The rate of each measure over the rows `key` selects, None where none applies."""
    sel = [r for r in rows if key(r)]
    out = {"n": len(sel)}
    for a in MEASURES:
        vals = [r["score"][a] for r in sel if r["score"][a] is not None]
        out[a] = round(float(np.mean(vals)), 3) if vals else None
    return out


def identity_where_readable(scores: list[dict], truth_scores: list[dict]) -> dict:
    """Identity kept over the prompts whose own truth, rendered exactly, reads as kept: a small
    pixel-style shape is 2 to 3 blocks wide and its truth changes shape from frame to frame as
    it crosses the block grid (22 % of such clips read as not kept), so there a model that
    draws the asked style loses identity that no drawing could keep. `n_unreadable` counts the
    prompts left out."""
    sel = [s["identity"] for s, t in zip(scores, truth_scores) if t["identity"]]
    return {"n": len(sel), "identity": round(float(np.mean(sel)), 3) if sel else None,
            "n_unreadable": len(scores) - len(sel)}


def sign_pairs(asked: list[str], drawn: list[str]) -> dict:
    """Prompts asked in pairs of opposite directions under the same noise (asked[2k] and
    asked[2k+1] = OPPOSITE[asked[2k]]) and the directions read from what was drawn: how many
    pairs moved opposite ways (the text chose the sign), the same way (the noise did), or
    otherwise (off the axis or still). A model that reads the sign scores 1 on "opposite"
    whatever the noise; one blind to it about 0, however often its motion is right by luck."""
    n = len(asked) // 2
    out = {"n": n, "opposite": 0, "same": 0, "other": 0}
    for k in range(n):
        a, b = drawn[2 * k], drawn[2 * k + 1]
        if a != "still" and b == OPPOSITE[a]:
            out["opposite"] += 1
        elif a == b and a in (asked[2 * k], asked[2 * k + 1]):
            out["same"] += 1
        else:
            out["other"] += 1
    return {k: (round(v / n, 3) if k != "n" and n else v) for k, v in out.items()}
