"""Captions for shapes-world scenes, drawn from many phrasings and synonyms so that the
model learns English rather than one template. `EVAL_TEMPLATES` are never used in training:
the evaluator asks with them to measure how well prompting generalises."""
from __future__ import annotations

import numpy as np

from .world import Scene

COLOUR_WORDS = {
    "red": ["red", "red", "scarlet", "crimson"],
    "green": ["green", "green", "lime green", "bright green"],
    "blue": ["blue", "blue", "royal blue", "bright blue"],
    "yellow": ["yellow", "yellow", "golden yellow", "lemon yellow"],
    "purple": ["purple", "purple", "violet", "magenta-purple"],
    "orange": ["orange", "orange", "tangerine", "amber orange"],
    "white": ["white", "white", "snow white", "pale white"],
    "cyan": ["cyan", "cyan", "turquoise", "aqua"],
}
SHAPE_WORDS = {
    "circle": ["circle", "circle", "ball", "disc", "dot", "round shape"],
    "square": ["square", "square", "box", "block", "square shape"],
    "triangle": ["triangle", "triangle", "triangular shape", "upright triangle"],
}
BG_WORDS = {
    "black": ["black", "black", "dark", "pitch black"],
    "white": ["white", "white", "bright white", "plain white"],
    "gray": ["gray", "grey", "gray", "neutral gray"],
    "blue": ["blue", "dark blue", "navy", "deep blue"],
    "green": ["green", "dark green", "forest green", "green"],
}
BG_NOUNS = ["background", "background", "backdrop", "canvas", "screen"]
SIZE_WORDS = {
    "small": ["small", "small", "little", "tiny"],
    "medium": ["", "", "medium", "medium-sized"],
    "large": ["large", "large", "big", "huge"],
}
MOTION_PHRASES = {
    "left": ["moving left", "moving to the left", "sliding left", "drifting leftward", "travelling left", "heading left"],
    "right": ["moving right", "moving to the right", "sliding right", "drifting rightward", "travelling right", "heading right"],
    "up": ["moving up", "moving upward", "rising", "floating up", "travelling upward", "heading up"],
    "down": ["moving down", "moving downward", "falling", "sinking down", "travelling downward", "heading down"],
    "still": ["standing still", "not moving", "staying still", "motionless", "at rest", "resting in place"],
}
SPEED_WORDS = {
    "slow": ["slowly", "slowly", "gently", "at a slow pace"],
    "normal": ["", "", "", "steadily"],
    "fast": ["quickly", "quickly", "fast", "rapidly", "at high speed"],
}
STYLE_PHRASES = {
    "flat": ["", "", "", "flat style", "in a flat style", "solid fill"],
    "outline": ["outline style", "drawn as an outline", "hollow outline", "as a line drawing", "outlined, not filled"],
    "pixel": ["pixel style", "pixel art", "pixelated", "in blocky pixel art", "8-bit pixel style"],
    "glow": ["glow style", "glowing", "with a soft glow", "neon glow", "with a glowing halo"],
}
PILLAR_PHRASES = ["passing behind a pillar", "behind a brown pillar", "going behind a column",
                  "with a pillar in front", "hidden by a post in the middle"]

TRAIN_TEMPLATES = [
    "a {size}{colour} {shape} {motion}{speed} on a {bg} {bgn}{pillar}{style}",
    "{size}{colour} {shape} {motion}{speed}, {bg} {bgn}{pillar}{style}",
    "a {bg} {bgn} with a {size}{colour} {shape} {motion}{speed}{pillar}{style}",
    "on a {bg} {bgn}, a {size}{colour} {shape} is {motion}{speed}{pillar}{style}",
    "{style_pre}{size}{colour} {shape} {motion}{speed} against a {bg} {bgn}{pillar}",
    "there is a {size}{colour} {shape} {motion}{speed} over a {bg} {bgn}{pillar}{style}",
    "video of a {size}{colour} {shape} {motion}{speed} on {bg}{pillar}{style}",
    "the {colour} {shape} is {size_adj}{motion}{speed} in front of a {bg} {bgn}{pillar}{style}",
]

# Phrasings reserved for evaluation; no training caption is produced from them.
EVAL_TEMPLATES = [
    "please animate one {size}{colour} {shape} that keeps {motion_ing}{speed}; the scene behind it is {bg}{pillar}{style}",
    "I want to see a {colour} {shape} ({size_adj_plain}) {motion}{speed} across a {bg} field{pillar}{style}",
    "clip: {bg} scenery, {colour} {shape}, {motion}{speed}{pillar}{style}",
]


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _parts(scene: Scene, rng: np.random.Generator) -> dict[str, str]:
    size = _pick(rng, SIZE_WORDS[scene.size])
    motion = _pick(rng, MOTION_PHRASES[scene.motion])
    speed = "" if scene.motion == "still" else _pick(rng, SPEED_WORDS[scene.speed])
    style = _pick(rng, STYLE_PHRASES[scene.style])
    pillar = _pick(rng, PILLAR_PHRASES) if scene.pillar else ""
    return {
        "size": f"{size} " if size else "",
        "size_adj": f"{size}, " if size else "",
        "size_adj_plain": size or "medium",
        "colour": _pick(rng, COLOUR_WORDS[scene.colour]),
        "shape": _pick(rng, SHAPE_WORDS[scene.shape]),
        "bg": _pick(rng, BG_WORDS[scene.background]),
        "bgn": _pick(rng, BG_NOUNS),
        "motion": motion,
        "motion_ing": {"left": "going left", "right": "going right", "up": "going up",
                       "down": "going down", "still": "still"}[scene.motion],
        "speed": f" {speed}" if speed else "",
        "style": f", {style}" if style else "",
        "style_pre": f"{style}: " if style else "",
        "pillar": f", {pillar}" if pillar else "",
    }


def caption(scene: Scene, rng: np.random.Generator, templates: list[str] | None = None) -> str:
    """A random phrasing of the scene (training templates unless others are given)."""
    template = _pick(rng, templates or TRAIN_TEMPLATES)
    text = template.format(**_parts(scene, rng))
    return " ".join(text.split())


def reference_caption(scene: Scene) -> str:
    """The reference form of SHAPES_WORLD.md."""
    size = "" if scene.size == "medium" else f"{scene.size} "
    if scene.motion == "still":
        motion = "standing still"
    else:
        speed = {"slow": " slowly", "normal": "", "fast": " quickly"}[scene.speed]
        motion = f"moving {scene.motion}{speed}"
    text = f"a {size}{scene.colour} {scene.shape} {motion} on a {scene.background} background"
    if scene.pillar:
        text += ", passing behind a pillar"
    if scene.style != "flat":
        text += f", {scene.style} style"
    return text
