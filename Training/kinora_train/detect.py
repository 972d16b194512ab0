"""Ground-truth-aware detectors: read a clip (uint8 [F, H, W, 3], resampled to 64x64) back
into shapes-world attributes. They know the world's palette and geometry, never the model."""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy import ndimage

from .world import (BACKGROUNDS, COLOURS, MOTIONS, PILLAR_RGB, PILLAR_WIDTH, SIZES, SPEEDS, _sdf)

SIZE = 64
# A pixel is drawn (object, not background) when its colour lies farther than this from the
# background's (RGB distance, 0..441).
DRAWN_DISTANCE = 60


# Pixel style when more than this fraction of the 4×4 blocks the body touches are filled:
# 1.0 on true renders, 0.93 or more in 9 of 10 decoded ones; other styles at most 0.75.
PIXEL_BLOCKS = 0.85


def resample(clip: np.ndarray) -> np.ndarray:
    """Nearest/box resampling of any square clip to 64x64 (the evaluation size)."""
    f, h, w, _ = clip.shape
    if h == SIZE and w == SIZE:
        return clip
    if h % SIZE == 0 and w % SIZE == 0:
        k = h // SIZE
        return clip.reshape(f, SIZE, k, SIZE, k, 3).mean(axis=(2, 4)).round().astype(np.uint8)
    ys = (np.arange(SIZE) + 0.5) * h / SIZE
    xs = (np.arange(SIZE) + 0.5) * w / SIZE
    return clip[:, ys.astype(int)][:, :, xs.astype(int)]


def nearest(rgb: np.ndarray, palette: dict) -> str:
    names = list(palette)
    d = [np.linalg.norm(rgb - np.array(palette[n], np.float32)) for n in names]
    return names[int(np.argmin(d))]


@dataclasses.dataclass
class FrameReading:
    present: bool
    colour: str | None = None
    shape: str | None = None
    extent: float = 0.0          # bbox side of the body (at least half the object's colour), canvas units
    cx: float = float("nan")     # centroid, canvas units
    cy: float = float("nan")
    area: int = 0
    outline_ratio: float = 0.0   # drawn pixels / filled silhouette
    halo_ratio: float = 0.0      # partial-colour ring pixels / drawn pixels
    block_ratio: float = 0.0     # touched 4x4 blocks the body fills (13 of 16 pixels or more)
    touches_pillar: bool = False


@dataclasses.dataclass
class ClipReading:
    background: str
    frames: list
    colour: str | None
    shape: str | None
    size: str | None
    style: str | None
    motion: str | None
    speed: str | None
    identity_kept: float       # fraction of visible frames agreeing with the clip's colour+shape
    present_frames: float
    flicker: float             # mean |frame-to-frame change| of background pixels, 0..255
    jitter: float              # mean |second difference| of the centroid, pixels


def _background(clip: np.ndarray, pillar: bool) -> tuple[str, np.ndarray]:
    border = np.concatenate([clip[:, 0, :], clip[:, -1, :], clip[:, :, 0], clip[:, :, -1]], axis=1)
    px = border.reshape(-1, 3).astype(np.float32)
    if pillar:
        px = px[np.linalg.norm(px - np.array(PILLAR_RGB, np.float32), axis=1) > 40]
    if len(px) == 0:
        px = clip.reshape(-1, 3).astype(np.float32)
    med = np.median(px, axis=0)
    return nearest(med, BACKGROUNDS), med


def _fit(filled: np.ndarray, cx: float, cy: float, pixel: bool, hidden_cols: np.ndarray):
    """Shape and size by synthesis: the world's own silhouette (at the detected centre, with
    small offsets) that best overlaps the observed one, ignoring columns the pillar hides."""
    seen = ~hidden_cols[None, :]
    obs = filled & seen
    best, best_iou = ("circle", "medium"), -1.0
    grid = (np.arange(16) + 0.5) / 16 if pixel else (np.arange(SIZE) + 0.5) / SIZE
    step = (1 / 16 if pixel else 1 / SIZE) / 2
    for shape in ("circle", "square", "triangle"):
        for size, diameter in SIZES.items():
            for ox in (-step, 0.0, step):
                for oy in (-step, 0.0, step):
                    sil = _sdf(shape, grid[None, :], grid[:, None], cx + ox, cy + oy, diameter / 2) <= 0
                    if pixel:
                        sil = np.repeat(np.repeat(sil, 4, axis=0), 4, axis=1)
                    sil = sil & seen
                    iou = (sil & obs).sum() / max(1, (sil | obs).sum())
                    if iou > best_iou:
                        best, best_iou = (shape, size), iou
    return best


def read_frame(frame: np.ndarray, bg_rgb: np.ndarray, pillar: bool) -> FrameReading:
    f = frame.astype(np.float32)
    dist = np.linalg.norm(f - bg_rgb, axis=-1)
    cols = (np.arange(SIZE) + 0.5) / SIZE
    pillar_cols = np.abs(cols - 0.5) < PILLAR_WIDTH / 2 + 1.5 / SIZE
    drawn = dist > DRAWN_DISTANCE
    if pillar:
        drawn[:, pillar_cols] = False
    labels, n = ndimage.label(drawn)
    if n == 0:
        return FrameReading(False)
    sizes = ndimage.sum(drawn, labels, range(1, n + 1))
    if sizes.max() < 4:
        return FrameReading(False)
    # An occluded object may be split in two by the pillar: keep both halves.
    keep = np.argsort(sizes)[::-1][: 2 if pillar else 1] + 1
    keep = [k for k in keep if sizes[k - 1] >= max(4, 0.25 * sizes.max())]
    obj = np.isin(labels, keep)
    strong = obj & (dist >= np.percentile(dist[obj], 50))
    colour = nearest(np.median(f[strong], axis=0), COLOURS)
    filled = ndimage.binary_fill_holes(obj)
    if pillar:
        filled = ndimage.binary_closing(filled, np.ones((1, 13), bool)) | filled
        filled = ndimage.binary_fill_holes(filled)
    ys, xs = np.nonzero(filled)
    ext = max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1) / SIZE
    # Glow: pixels blended between background and object colour two or more pixels away
    # from the solid body (anti-aliasing stays within one pixel, a halo reaches further).
    fg = np.array(COLOURS[colour], np.float32)
    span = fg - bg_rgb
    alpha = ((f - bg_rgb) @ span) / max(1.0, float(span @ span))
    body = alpha > 0.85
    near = ndimage.binary_dilation(body, iterations=1)
    ring = ndimage.binary_dilation(body, iterations=4) & ~near & (alpha > 0.08) & (alpha < 0.7)
    if pillar:
        ring[:, pillar_cols] = False
    edge_len = (ndimage.binary_dilation(body) & ~body).sum()
    halo = ring.sum() / max(1, edge_len)
    # Pixel style: the body fills whole 4×4 blocks. Read on the body (at least half the
    # object's colour), a block counting as filled from 13 of its 16 pixels, so that a decoder's
    # soft block edge is still a block (through the autoencoder the exact test found 4 of 13).
    half = (alpha > 0.5) & ndimage.binary_dilation(obj, iterations=1)
    body_px = half.copy()
    if pillar:
        body_px[:, pillar_cols] = False
    cnt = body_px.reshape(16, 4, 16, 4).sum(axis=(1, 3))
    touched = cnt > 2
    uniform = (cnt >= 13)[touched].mean() if touched.any() else 0.0
    touches = bool(pillar and (filled[:, pillar_cols].any() or
                               np.abs((xs.mean() + 0.5) / SIZE - 0.5) < PILLAR_WIDTH / 2 + ext / 2))
    pixel = uniform > PIXEL_BLOCKS
    # The silhouette for shape fitting: at least half the object's colour (a halo is not).
    sil = ndimage.binary_fill_holes(half)
    if pillar:
        sil = ndimage.binary_fill_holes(ndimage.binary_closing(sil, np.ones((1, 13), bool)) | sil)
    if sil.sum() >= 4:
        ys, xs = np.nonzero(sil)
    else:
        sil = filled
    body_ext = max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1) / SIZE
    shape, size_name = _fit(sil, float((xs.min() + xs.max() + 1) / 2 / SIZE),
                            float((ys.min() + ys.max() + 1) / 2 / SIZE),
                            bool(pixel), pillar_cols if pillar else np.zeros(SIZE, bool))
    return FrameReading(True, colour, shape, float(body_ext), float((xs.mean() + 0.5) / SIZE),
                        float((ys.mean() + 0.5) / SIZE), int(obj.sum()),
                        float(obj.sum() / max(1, filled.sum())), float(halo), float(uniform), touches)


def _majority(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    names, counts = np.unique(values, return_counts=True)
    return str(names[np.argmax(counts)])


def read_clip(clip: np.ndarray, pillar: bool = False, fps: float = 8.0) -> ClipReading:
    clip = resample(clip)
    bg, bg_rgb = _background(clip, pillar)
    frames = [read_frame(fr, bg_rgb, pillar) for fr in clip]
    present = [r for r in frames if r.present]
    unoccluded = [r for r in present if not r.touches_pillar] or present
    colour = _majority([r.colour for r in present])
    shape = _majority([r.shape for r in unoccluded])
    size = style = motion = speed = None
    if unoccluded:
        # Size from the body, not from everything that differs from the background: a halo,
        # the world's glow or an autoencoder's soft edge, widens the latter and is no size.
        ext = float(np.median([r.extent for r in unoccluded]))
        outline = float(np.median([r.outline_ratio for r in unoccluded]))
        halo = float(np.median([r.halo_ratio for r in unoccluded]))
        block = float(np.median([r.block_ratio for r in unoccluded]))
        if outline < 0.85:
            style = "outline"
        elif block > PIXEL_BLOCKS:
            style = "pixel"
        elif halo > 0.5:
            style = "glow"
        else:
            style = "flat"
        size = min(SIZES, key=lambda s: abs(SIZES[s] - ext))
    cx = np.array([r.cx for r in frames])
    cy = np.array([r.cy for r in frames])
    ok = ~np.isnan(cx)
    jitter = 0.0
    if ok.sum() >= 3:
        idx = np.nonzero(ok)[0]
        dx = np.diff(cx[idx]) / np.diff(idx)
        dy = np.diff(cy[idx]) / np.diff(idx)
        mdx, mdy = np.mean(np.abs(dx)), np.mean(np.abs(dy))
        per_s = max(mdx, mdy) * fps
        if per_s < 0.06:
            motion = "still"
        else:
            axis = dx if mdx >= mdy else dy
            # Direction before the first bounce: the first clear steps.
            clear = axis[np.abs(axis) > 0.3 * max(mdx, mdy)]
            sign = np.sign(np.sum(np.sign(clear[:2]))) or np.sign(clear[0])
            if mdx >= mdy:
                motion = "right" if sign >= 0 else "left"
            else:
                motion = "down" if sign >= 0 else "up"
            speed = min(SPEEDS, key=lambda s: abs(np.log(SPEEDS[s] / per_s)))
        if len(idx) >= 3:
            jitter = float(np.mean(np.abs(np.diff(cx[idx], 2)) + np.abs(np.diff(cy[idx], 2))) * SIZE)
    agree = [r.colour == colour and (r.touches_pillar or r.shape == shape) for r in present]
    identity = float(np.mean(agree)) if agree else 0.0
    bgmask = np.linalg.norm(clip.astype(np.float32) - bg_rgb, axis=-1).max(0) < 30
    flicker = float(np.abs(np.diff(clip.astype(np.float32), axis=0))[:, bgmask].mean()) if bgmask.any() and len(clip) > 1 else 0.0
    return ClipReading(bg, frames, colour, shape, size, style, motion, speed, identity,
                       len(present) / len(frames), flicker, jitter)


def through_pillar(reading: ClipReading) -> dict:
    """Object permanence: the object is seen clear of the pillar before it touches it and again
    after it leaves it, with the same colour and shape on both sides. `passed` is whether it
    went behind at all (a clip where it never reaches the pillar proves nothing)."""
    frames = reading.frames
    touching = [i for i, r in enumerate(frames) if r.present and r.touches_pillar]
    if not touching:
        return {"passed": False, "kept": False, "before": None, "after": None}
    first = touching[0]
    before = [r for r in frames[:first] if r.present]
    # After: the clear frames from the first one past the pillar until it touches again (a
    # bounce off the edge can bring it back).
    i, n = first, len(frames)
    while i < n and not (frames[i].present and not frames[i].touches_pillar):
        i += 1
    after = []
    while i < n and not (frames[i].present and frames[i].touches_pillar):
        if frames[i].present:
            after.append(frames[i])
        i += 1
    b = (_majority([r.colour for r in before]), _majority([r.shape for r in before])) if before else None
    a = (_majority([r.colour for r in after]), _majority([r.shape for r in after])) if after else None
    return {"passed": True, "kept": b is not None and a == b, "before": b, "after": a}


def read_long(clip: np.ndarray, fps: float = 8.0, window: int = 16) -> dict:
    """A long video (minutes) read in windows of `window` frames: the object's colour and
    shape per window, the background's drift from the first window (RGB distance), the
    object's path on its dominant axis, and the direction reversals on it with the distance
    from the nearer edge where each happened (a physical bounce happens at an edge)."""
    clip = resample(clip)
    starts = range(0, len(clip) - window + 1, window)
    readings = [read_clip(clip[s:s + window], False, fps) for s in starts]
    bg_rgb = [_background(clip[s:s + window], False)[1] for s in starts]
    drift = max(float(np.linalg.norm(rgb - bg_rgb[0])) for rgb in bg_rgb)
    frames = [f for r in readings for f in r.frames]
    cx = np.array([f.cx for f in frames])
    cy = np.array([f.cy for f in frames])
    ok = ~np.isnan(cx)
    reversals: list[dict] = []
    axis = None
    if ok.sum() >= 8:
        idx = np.nonzero(ok)[0]
        xs, ys = np.interp(np.arange(len(cx)), idx, cx[idx]), np.interp(np.arange(len(cy)), idx, cy[idx])
        axis = "x" if np.abs(np.diff(xs)).sum() >= np.abs(np.diff(ys)).sum() else "y"
        p = xs if axis == "x" else ys
        # Velocity over half a second, and a direction only where it clearly moves.
        k = max(1, int(round(fps / 4)))
        v = (np.roll(p, -k) - np.roll(p, k))[k:-k]
        moving = np.abs(v) > 0.02
        sign = np.sign(v[moving])
        where = np.nonzero(moving)[0] + k
        for j in np.nonzero(np.diff(sign))[0]:
            # The turning point: the extreme position between the last step one way and the first the other.
            a, b = where[j], where[j + 1]
            seg = p[a:b + 1]
            turn = a + int(np.argmax(seg) if sign[j] > 0 else np.argmin(seg))
            reversals.append({"frame": int(turn), "edge_distance": float(min(p[turn], 1 - p[turn]))})
    return {"windows": [(r.background, r.colour, r.shape, r.size) for r in readings],
            "background_drift": drift, "present": float(ok.mean()), "axis": axis,
            "reversals": reversals}


def axis_drift(clip: np.ndarray, motion: str) -> float:
    """Slope (pixels per frame) of the contrast-weighted centroid along `motion`'s axis,
    signed so that positive is the way `motion` points; 0 when nothing stands out in some
    frame. Unlike `read_clip` it needs no object, so it also reads the faint blur a denoiser
    predicts at high noise (probe_sign_steps)."""
    f, h, w, _ = clip.shape
    x = clip.astype(np.float32)
    bg = np.median(x.reshape(f, -1, 3), axis=1)[:, None, None, :]
    d = np.linalg.norm(x - bg, axis=-1)
    weight = np.maximum(d - np.median(d.reshape(f, -1), axis=1)[:, None, None] - 8.0, 0.0)
    mass = weight.sum(axis=(1, 2))
    if (mass <= 1e-6).any():
        return 0.0
    dx, dy = MOTIONS[motion]
    coord = np.arange(w)[None, None, :] if dx else np.arange(h)[None, :, None]
    centroid = (weight * coord).sum(axis=(1, 2)) / mass
    slope = np.polyfit(np.arange(f), centroid, 1)[0]
    return float(slope * (dx or dy))


def opening_drift(clip: np.ndarray, motion: str) -> float:
    """`axis_drift` over the first quarter of the frames (at least 3): the way the object sets
    off. The world's objects bounce, so a whole clip's slope reads the asked way in only about
    60 % of true clips asked a direction (`eval_cases.sign_pair_cases`), and its first quarter in
    about 95 %; the direction a prompt asks for is the one the clip starts with, as the
    evaluator reads it."""
    return axis_drift(clip[:max(3, clip.shape[0] // 4)], motion)


def midair_turns(reading: ClipReading, margin: float = 0.1) -> int:
    """Turns of the object's path farther than `margin` (canvas units) from every edge. The
    world's objects turn only where they meet an edge, so a true clip has none; a model that
    has not learnt the physics turns in mid-air, and the evaluator, which reads the direction
    from the first clear steps, then reads a direction the rest of the clip contradicts.
    Frames where the object is missing or touches the pillar are skipped."""
    seen = [(i, r) for i, r in enumerate(reading.frames) if r.present and not r.touches_pillar]
    if len(seen) < 3:
        return 0
    idx = np.array([i for i, _ in seen])
    cx, cy = (np.array([getattr(r, a) for _, r in seen]) for a in ("cx", "cy"))
    radius = float(np.median([r.extent for _, r in seen])) / 2
    vx, vy = np.diff(cx) / np.diff(idx), np.diff(cy) / np.diff(idx)
    p, v = (cx, vx) if np.mean(np.abs(vx)) >= np.mean(np.abs(vy)) else (cy, vy)
    clear = np.nonzero(np.abs(v) > 0.3 * np.mean(np.abs(v)))[0]
    turns = 0
    for a, b in zip(clear[:-1], clear[1:]):
        if np.sign(v[a]) != np.sign(v[b]):
            turn = p[a + 1:b + 1].max() if v[a] > 0 else p[a + 1:b + 1].min()
            if min(turn - radius, 1 - radius - turn) > margin:
                turns += 1
    return turns
