"""The shapes world of ../shared/SHAPES_WORLD.md, rendered with exact ground truth.

Positions and sizes are in canvas units (0..1), time in seconds, so a clip can be rendered
at any native size and frame rate and still describe the same scene.
"""
from __future__ import annotations

import dataclasses
import numpy as np

BACKGROUNDS = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "gray": (128, 128, 128),
    "blue": (20, 40, 120),
    "green": (20, 100, 40),
}
COLOURS = {
    "red": (230, 30, 30),
    "green": (40, 200, 60),
    "blue": (40, 90, 240),
    "yellow": (250, 220, 30),
    "purple": (150, 50, 200),
    "orange": (250, 140, 20),
    "white": (245, 245, 245),
    "cyan": (30, 210, 220),
}
SHAPES = ("circle", "square", "triangle")
SIZES = {"small": 0.15, "medium": 0.25, "large": 0.35}
MOTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0), "still": (0.0, 0.0)}
OPPOSITE = {"up": "down", "down": "up", "left": "right", "right": "left"}
SPEEDS = {"slow": 0.125, "normal": 0.25, "fast": 0.5}
FPS = 8.0  # the world's native frame rate: speeds above are canvas widths a second
STYLES = ("flat", "outline", "pixel", "glow")
PILLAR_RGB = (110, 70, 30)
PILLAR_WIDTH = 0.15
OUTLINE_WIDTH = 0.03
GLOW_RADIUS = 0.08

# One (colour, shape, background) per colour never appears in training (SHAPES_WORLD.md,
# "Reserved for evaluation"); the evaluator reports them separately.
HELD_OUT = (
    ("red", "circle", "gray"),
    ("green", "square", "black"),
    ("blue", "triangle", "white"),
    ("yellow", "circle", "blue"),
    ("purple", "square", "white"),
    ("orange", "triangle", "green"),
    ("white", "circle", "gray"),
    ("cyan", "triangle", "black"),
)


def allowed(colour: str, background: str) -> bool:
    """An object's colour never shares its background's name (blue on blue excluded too)."""
    return colour != background


@dataclasses.dataclass(frozen=True)
class Scene:
    colour: str
    shape: str
    background: str
    size: str = "medium"
    motion: str = "still"
    speed: str = "normal"
    style: str = "flat"
    pillar: bool = False
    x0: float = 0.5  # centre at t = 0, canvas units
    y0: float = 0.5

    @property
    def radius(self) -> float:
        return SIZES[self.size] / 2

    def velocity(self) -> tuple[float, float]:
        dx, dy = MOTIONS[self.motion]
        s = SPEEDS[self.speed]
        return dx * s, dy * s

    def along(self, v) -> float:
        """Velocity v's component along the captioned motion: positive the captioned way,
        negative against it (after a bounce), zero for a still scene."""
        vx, vy = self.velocity()
        return float(vx * v[0] + vy * v[1])

    def centre(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre at times t (seconds), bouncing off the canvas edges."""
        vx, vy = self.velocity()
        r = self.radius
        return _bounce(self.x0 + vx * t, r, 1 - r), _bounce(self.y0 + vy * t, r, 1 - r)

    def direction_at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Signed velocity (canvas units / s) at times t, after bounces."""
        vx, vy = self.velocity()
        r = self.radius
        return vx * _bounce_sign(self.x0 + vx * t, r, 1 - r), vy * _bounce_sign(self.y0 + vy * t, r, 1 - r)


def _bounce(p: np.ndarray, lo: float, hi: float) -> np.ndarray:
    span = hi - lo
    q = np.mod(p - lo, 2 * span)
    return lo + np.where(q > span, 2 * span - q, q)


def _bounce_sign(p: np.ndarray, lo: float, hi: float) -> np.ndarray:
    span = hi - lo
    q = np.mod(p - lo, 2 * span)
    return np.where(q > span, -1.0, 1.0)


def random_scene(rng: np.random.Generator, exclude_held_out: bool = True, **fixed) -> Scene:
    """A scene with every attribute drawn uniformly, except those given in `fixed`."""
    while True:
        colour = fixed.get("colour") or rng.choice(list(COLOURS))
        shape = fixed.get("shape") or rng.choice(SHAPES)
        background = fixed.get("background") or rng.choice(list(BACKGROUNDS))
        if not allowed(colour, background):
            if "colour" in fixed and "background" in fixed:
                raise ValueError(f"colour {colour} is not allowed on background {background}")
            continue
        if exclude_held_out and (colour, shape, background) in HELD_OUT:
            if all(k in fixed for k in ("colour", "shape", "background")):
                break
            continue
        break
    size = fixed.get("size") or rng.choice(list(SIZES))
    motion = fixed.get("motion") or rng.choice(list(MOTIONS))
    speed = fixed.get("speed") or rng.choice(list(SPEEDS))
    style = fixed.get("style") or (rng.choice(STYLES) if rng.random() < 0.5 else "flat")
    pillar = fixed.get("pillar")
    if pillar is None:
        pillar = bool(rng.random() < 0.2)
    r = SIZES[size] / 2
    x0 = float(rng.uniform(r, 1 - r))
    y0 = float(rng.uniform(r, 1 - r))
    return Scene(str(colour), str(shape), str(background), str(size), str(motion), str(speed),
                 str(style), bool(pillar), x0, y0)


def _sdf(shape: str, px: np.ndarray, py: np.ndarray, cx, cy, r: float) -> np.ndarray:
    """Signed distance (canvas units, negative inside) to the shape centred at (cx, cy)."""
    dx = px - cx
    dy = py - cy
    if shape == "circle":
        return np.sqrt(dx * dx + dy * dy) - r
    if shape == "square":
        return np.maximum(np.abs(dx), np.abs(dy)) - r
    # Upright triangle inscribed in the 2r box: apex at the top centre, base at the bottom.
    # The distance to each edge's half-plane; their maximum is negative exactly inside.
    base = dy - r
    n = np.hypot(2.0, 1.0)  # edges run from (0,-r) to (±r, r): slope 2
    left = (-2.0 * dx - dy - r) / n
    right = (2.0 * dx - dy - r) / n
    return np.maximum(base, np.maximum(left, right))


def render(scene: Scene, frames: int, fps: float = FPS, size: int = 64, t0: float = 0.0):
    """Render a clip: uint8 [frames, size, size, 3] and per-frame truth
    (object coverage mask before occlusion, visible mask, centre in canvas units)."""
    t = t0 + np.arange(frames) / fps
    cx, cy = scene.centre(t)
    cx = cx[:, None, None]
    cy = cy[:, None, None]
    r = scene.radius
    px1 = (np.arange(size) + 0.5) / size
    px = px1[None, None, :]
    py = px1[None, :, None]
    aa = 1.0 / size  # one pixel of anti-aliasing

    if scene.style == "pixel":
        small = size // 4
        s1 = (np.arange(small) + 0.5) / small
        d = _sdf(scene.shape, s1[None, None, :], s1[None, :, None], cx, cy, r)
        cov_small = (d <= 0).astype(np.float32)
        cov = np.repeat(np.repeat(cov_small, 4, axis=1), 4, axis=2)
        alpha = cov
    else:
        d = _sdf(scene.shape, px, py, cx, cy, r)
        fill = np.clip(0.5 - d / aa, 0.0, 1.0)
        if scene.style == "outline":
            w = OUTLINE_WIDTH
            alpha = fill * np.clip(0.5 + (d + w) / aa, 0.0, 1.0)
            cov = fill
        else:
            alpha = fill
            cov = fill
            if scene.style == "glow":
                halo = np.where(d > 0, 0.6 * np.clip(1.0 - d / GLOW_RADIUS, 0.0, 1.0) ** 2, 0.0)
                alpha = np.maximum(alpha, halo)

    bg = np.array(BACKGROUNDS[scene.background], np.float32)
    fg = np.array(COLOURS[scene.colour], np.float32)
    img = bg[None, None, None, :] * (1 - alpha[..., None]) + fg * alpha[..., None]
    visible = cov.copy()
    if scene.pillar:
        lo = 0.5 - PILLAR_WIDTH / 2
        hi = 0.5 + PILLAR_WIDTH / 2
        pil = np.clip(np.minimum(px1 - lo, hi - px1) / aa + 0.5, 0, 1)[None, None, :]
        pil = np.broadcast_to(pil, img.shape[:3])
        img = img * (1 - pil[..., None]) + np.array(PILLAR_RGB, np.float32) * pil[..., None]
        visible = visible * (1 - pil)
    frames_u8 = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    truth = {"mask": cov.astype(np.float32), "visible": visible.astype(np.float32),
             "cx": np.asarray(cx[:, 0, 0]), "cy": np.asarray(cy[:, 0, 0])}
    return frames_u8, truth


FOCUS_VALUES = {"colour": tuple(COLOURS), "shape": SHAPES, "background": tuple(BACKGROUNDS),
                "size": tuple(SIZES), "motion": tuple(MOTIONS), "style": STYLES}


def parse_focus(text: str, option: str = "--focus") -> dict:
    """'style=glow,size=small' -> {'style': 'glow', 'size': 'small'}: the scenes a trainer's
    `option` gives more of; ValueError naming the attribute or value that is not the world's."""
    focus = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key not in FOCUS_VALUES:
            raise ValueError(f"{option} {part!r}: ATTRIBUTE=VALUE with ATTRIBUTE one of {', '.join(FOCUS_VALUES)}")
        if value not in FOCUS_VALUES[key]:
            raise ValueError(f"{option} {key}={value}: {key} is one of {', '.join(FOCUS_VALUES[key])}")
        focus[key] = value
    return focus
