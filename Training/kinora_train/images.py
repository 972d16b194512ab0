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
