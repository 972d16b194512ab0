"""Minimal PNG writing and frame grids, so no imaging library is needed."""
from __future__ import annotations

import struct
import zlib

import numpy as np


def save_png(path: str, rgb: np.ndarray) -> None:
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def grid(clips: list[np.ndarray], every: int = 1, pad: int = 2, scale: int = 1) -> np.ndarray:
    """One row per clip ([F, H, W, 3] uint8), frames left to right."""
    rows = []
    for c in clips:
        c = c[::every]
        if scale > 1:
            c = np.repeat(np.repeat(c, scale, axis=1), scale, axis=2)
        f, h, w, _ = c.shape
        row = np.full((h, f * (w + pad), 3), 60, np.uint8)
        for i in range(f):
            row[:, i * (w + pad): i * (w + pad) + w] = c[i]
        rows.append(row)
    width = max(r.shape[1] for r in rows)
    out = np.full((sum(r.shape[0] + pad for r in rows), width, 3), 60, np.uint8)
    y = 0
    for r in rows:
        out[y:y + r.shape[0], :r.shape[1]] = r
        y += r.shape[0] + pad
    return out


def line_plot(xs: np.ndarray, ys: np.ndarray, width: int = 480, height: int = 200, log_y: bool = True) -> np.ndarray:
    """A bare line plot (white background, axes, blue line), for loss curves in MODEL.md."""
    img = np.full((height, width, 3), 255, np.uint8)
    m = 20
    ys = np.log10(np.maximum(ys, 1e-6)) if log_y else ys
    x0, x1 = float(xs.min()), float(xs.max()) or 1.0
    y0, y1 = float(ys.min()), float(ys.max())
    px = (m + (xs - x0) / max(x1 - x0, 1e-9) * (width - 2 * m)).astype(int)
    py = (height - m - (ys - y0) / max(y1 - y0, 1e-9) * (height - 2 * m)).astype(int)
    img[height - m, m:width - m] = 0
    img[m:height - m, m] = 0
    for i in range(len(px) - 1):
        n = max(abs(px[i + 1] - px[i]), abs(py[i + 1] - py[i]), 1)
        for k in range(n + 1):
            x = px[i] + (px[i + 1] - px[i]) * k // n
            y = py[i] + (py[i + 1] - py[i]) * k // n
            img[max(0, y - 1):y + 1, x] = (30, 80, 200)
    return img
