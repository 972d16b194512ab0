#!/usr/bin/env python3
"""Checks raw RGB frames of the test-scene plugin against its documented picture.

In frame n the square (side height // 4, vertically centred) starts at column
floor(n * speed) mod (width - side + 1), in the square colour, on the
background colour. Exit 0 when every frame matches; prints what differs.
Used on the element's raw output (exact) and on H.264 decoded back (with a
tolerance, sampling away from the square's edges).
"""
import argparse
import math
import sys


def colour(text):
    value = int(text, 0)
    return ((value >> 16) & 255, (value >> 8) & 255, value & 255)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("raw")
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--height", type=int, required=True)
    parser.add_argument("--frames", type=int, required=True)
    parser.add_argument("--speed", type=float, default=4.0)
    parser.add_argument("--background", type=colour, default=colour("0x203040"))
    parser.add_argument("--square", type=colour, default=colour("0xf0c020"))
    parser.add_argument("--tolerance", type=int, default=0)
    args = parser.parse_args()

    width, height = args.width, args.height
    stride = (width * 3 + 3) // 4 * 4
    frame_size = stride * height
    data = open(args.raw, "rb").read()
    if len(data) != frame_size * args.frames:
        print(f"expected {args.frames} frames of {frame_size} bytes, got {len(data)} bytes "
              f"({len(data) / frame_size:.2f} frames)")
        return 1

    side = max(1, height // 4)
    top = (height - side) // 2
    problems = []

    def pixel(frame, x, y):
        offset = frame * frame_size + y * stride + x * 3
        return tuple(data[offset:offset + 3])

    def close(actual, expected):
        return all(abs(a - e) <= args.tolerance for a, e in zip(actual, expected))

    for n in range(args.frames):
        left = int(math.floor(n * args.speed)) % (width - side + 1)
        samples = [((left + side // 2, top + side // 2), args.square),
                   ((width // 2, 1), args.background),
                   ((width // 2, height - 2), args.background)]
        if args.tolerance == 0:  # exact: the square's corners and the pixels beside it
            samples += [((left, top), args.square), ((left + side - 1, top + side - 1), args.square)]
            if left > 0:
                samples.append(((left - 1, top), args.background))
            if left + side < width:
                samples.append(((left + side, top + side - 1), args.background))
        for (x, y), expected in samples:
            actual = pixel(n, x, y)
            if not close(actual, expected):
                problems.append(f"frame {n} pixel ({x},{y}) is {actual}, expected {expected}")
    if problems:
        print("\n".join(problems[:20]))
        return 1
    print(f"{args.frames} frames of {width}x{height} match the test scene")
    return 0


if __name__ == "__main__":
    sys.exit(main())
