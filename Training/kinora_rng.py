"""Kinora's reproducible random numbers: the Python twin of the Swift engine's
`PhiloxGenerator` (Sources/KinoraEngine/Random/PhiloxGenerator.swift).

Philox 4x32-10 (Salmon et al., SC 2011), counter-based:
- key = (seed mod 2^32, seed >> 32); block i's counter = (i mod 2^32, i >> 32, stream mod 2^32, stream >> 32).
- uniforms: word w -> (w >> 8) * 2^-24, in [0, 1).
- normals: per block, Box-Muller on (w0, w1) and (w2, w3): u1 = ((w0 >> 8) + 1) * 2^-24,
  u2 = (w1 >> 8) * 2^-24, r = sqrt(-2 ln u1), (r cos 2 pi u2, r sin 2 pi u2) in float64 -> float32.
- n values consume ceil(n / 4) blocks; leftover words are dropped.
The same seed gives the same noise (uniforms bit for bit, normals within 1e-6) in both.
"""
from __future__ import annotations

import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = np.uint32(0x9E3779B9), np.uint32(0xBB67AE85)
_MASK = np.uint64(0xFFFFFFFF)


def philox_blocks(counters: np.ndarray, key: tuple[int, int]) -> np.ndarray:
    """Philox 4x32-10 of counters [N, 4] (uint32) under key (k0, k1) -> [N, 4] uint32."""
    c = counters.astype(np.uint64)
    c0, c1, c2, c3 = c[:, 0], c[:, 1], c[:, 2], c[:, 3]
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    for r in range(10):
        if r > 0:
            k0 = (k0 + np.uint64(_W0)) & _MASK
            k1 = (k1 + np.uint64(_W1)) & _MASK
        p0 = _M0 * c0
        p1 = _M1 * c2
        hi0, lo0 = p0 >> np.uint64(32), p0 & _MASK
        hi1, lo1 = p1 >> np.uint64(32), p1 & _MASK
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.uint32)


class PhiloxGenerator:
    """Draws uniforms and normals from one (seed, stream), block after block."""

    def __init__(self, seed: int, stream: int = 0):
        self.seed = seed & 0xFFFFFFFFFFFFFFFF
        self.stream = stream & 0xFFFFFFFFFFFFFFFF
        self.block_index = 0

    def _blocks(self, n: int) -> np.ndarray:
        idx = np.arange(self.block_index, self.block_index + n, dtype=np.uint64)
        self.block_index += n
        counters = np.stack([idx & _MASK, idx >> np.uint64(32),
                             np.full(n, self.stream & 0xFFFFFFFF, dtype=np.uint64),
                             np.full(n, self.stream >> 32, dtype=np.uint64)], axis=1)
        return philox_blocks(counters, (self.seed & 0xFFFFFFFF, self.seed >> 32))

    def words(self, count: int) -> np.ndarray:
        return self._blocks((count + 3) // 4).reshape(-1)[:count]

    def uniforms(self, count: int) -> np.ndarray:
        return ((self.words(count) >> np.uint32(8)).astype(np.float32) * np.float32(2.0 ** -24))

    def normals(self, count: int) -> np.ndarray:
        b = self._blocks((count + 3) // 4)
        def box_muller(a, c):
            u1 = ((a >> np.uint32(8)).astype(np.float64) + 1.0) * 2.0 ** -24
            u2 = (c >> np.uint32(8)).astype(np.float64) * 2.0 ** -24
            r = np.sqrt(-2.0 * np.log(u1))
            return r * np.cos(2.0 * np.pi * u2), r * np.sin(2.0 * np.pi * u2)
        z0, z1 = box_muller(b[:, 0], b[:, 1])
        z2, z3 = box_muller(b[:, 2], b[:, 3])
        return np.stack([z0, z1, z2, z3], axis=1).reshape(-1)[:count].astype(np.float32)

    def normal_tensor(self, shape) -> np.ndarray:
        n = int(np.prod(shape))
        return self.normals(n).reshape(shape)


if __name__ == "__main__":
    # Known-answer tests from the Random123 distribution (kat_vectors, philox4x32_10).
    kats = [((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
            ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
            ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
             (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1))]
    for ctr, key, want in kats:
        got = tuple(int(x) for x in philox_blocks(np.array([ctr], dtype=np.uint32), key)[0])
        assert got == want, (hex(got[0]), want)
    print("philox known-answer tests passed")
