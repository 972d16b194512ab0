#!/usr/bin/env python3
"""Quality of the four elements, read back with the shapes world's evaluator.

Each element runs through gst-launch-1.0 with the built GStreamer plugin and the embedded model
(found by name in the model search path), its output is decoded to raw RGB and read by
Training/kinora_train/detect.py (`read_clip`, numpy and scipy only). Prints one table row per
case and, where FLOORS below are set, fails when a score is under its floor.

    make eval-elements            (builds first; KINORA_MODEL_PATH may point at another export)
    python3 Tests/Evaluation/eval_elements.py [--steps N] [--seeds K]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Training"))
from kinora_train.detect import read_clip  # noqa: E402

SIZE = 64
FRAME = SIZE * SIZE * 3

# Floors per score (fraction of cases right), None until the shipped weights exist.
FLOORS = {
    "text colour": None, "text shape": None, "text background": None, "text motion": None,
    "animate frame 0 exact": 1.0, "animate motion": None,
    "extend passthrough exact": 1.0, "extend seam ratio": None,
    "style colour": None, "style content kept": None,
}

# (prompt, expected attributes)
TEXT_CASES = [
    ("a red circle moving left on a black background", dict(colour="red", shape="circle", motion="left", background="black")),
    ("a blue square moving up on a white background", dict(colour="blue", shape="square", motion="up", background="white")),
    ("a yellow triangle moving right on a gray background", dict(colour="yellow", shape="triangle", motion="right", background="gray")),
    ("a green circle moving down on a black background", dict(colour="green", shape="circle", motion="down", background="black")),
]


def launch(description: str, env: dict) -> None:
    subprocess.run(["gst-launch-1.0", "-q"] + description.split(" "), check=True, env=env, timeout=900,
                   stdout=subprocess.DEVNULL)


def read_rgb(path: str) -> np.ndarray:
    data = np.fromfile(path, np.uint8)
    return data[: len(data) // FRAME * FRAME].reshape(-1, SIZE, SIZE, 3)


def environment() -> dict:
    env = dict(os.environ)
    env["GST_PLUGIN_PATH"] = os.path.join(ROOT, ".build", "gstreamer-1.0")
    env.setdefault("GST_REGISTRY", os.path.join(tempfile.gettempdir(), "kinora-eval-registry.bin"))
    return env


def render_reference(work: str, prompt: str, env: dict) -> str:
    """A clip to animate, extend and restyle: the evaluator's own world, drawn by videotestsrc's ball."""
    path = os.path.join(work, "reference.rgb")
    launch(f"videotestsrc pattern=ball num-buffers=24 background-color=0xff000000 foreground-color=0xffe61e1e ! "
           f"video/x-raw,width={SIZE},height={SIZE},framerate=8/1 ! videoconvert ! video/x-raw,format=RGB ! "
           f"filesink location={path}", env)
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=0, help="denoising steps (0: the model's default)")
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    env = environment()
    scores: dict[str, list[float]] = {k: [] for k in FLOORS}
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for prompt, expected in TEXT_CASES:
            for seed in range(args.seeds):
                out = os.path.join(work, "text.rgb")
                launch(f"kinoragensrc prompt=\"{prompt}\" seed={seed} steps={args.steps} duration=2 watermark=false ! "
                       f"video/x-raw,format=RGB,width={SIZE},height={SIZE},framerate=8/1 ! filesink location={out}"
                       .replace(' prompt="' + prompt + '"', " prompt=" + prompt.replace(" ", "\\ ")), env)
                r = read_clip(read_rgb(out))
                got = dict(colour=r.colour, shape=r.shape, motion=r.motion, background=r.background)
                for key in expected:
                    scores[f"text {key}"].append(float(got[key] == expected[key]))
                rows.append(("kinoragensrc", prompt, seed, got))

        reference = render_reference(work, "", env)
        clip = read_rgb(reference)
        # Animate: frame 0 exact, then motion read back.
        still_png = os.path.join(work, "still.png")
        launch(f"filesrc location={reference} blocksize={FRAME} num-buffers=1 ! "
               f"video/x-raw,format=RGB,width={SIZE},height={SIZE},framerate=8/1 ! videoconvert ! pngenc ! filesink location={still_png}", env)
        animated = os.path.join(work, "animated.rgb")
        launch(f"filesrc location={still_png} ! pngdec ! videoconvert ! video/x-raw,format=RGB ! "
               f"kinoraanimate prompt=the\\ red\\ circle\\ moves\\ right steps={args.steps} duration=2 ! "
               f"video/x-raw,framerate=8/1 ! filesink location={animated}", env)
        a = read_rgb(animated)
        scores["animate frame 0 exact"].append(float(np.array_equal(a[0], clip[0])))
        ra = read_clip(a)
        scores["animate motion"].append(float(ra.motion == "right"))
        rows.append(("kinoraanimate", "the red circle moves right", 0, dict(frame0_exact=bool(np.array_equal(a[0], clip[0])), motion=ra.motion)))

        # Extend: passthrough exact; the seam (last input → first new frame) no larger than the
        # typical frame-to-frame change inside the continuation.
        extended = os.path.join(work, "extended.rgb")
        launch(f"filesrc location={reference} blocksize={FRAME} ! video/x-raw,format=RGB,width={SIZE},height={SIZE},framerate=8/1 ! "
               f"kinoraextend steps={args.steps} duration=2 watermark=false ! filesink location={extended}", env)
        e = read_rgb(extended).astype(np.float32)
        n = len(clip)
        scores["extend passthrough exact"].append(float(np.array_equal(e[:n].astype(np.uint8), clip)))
        steps_diff = np.abs(np.diff(e[n:], axis=0)).mean(axis=(1, 2, 3))
        seam = np.abs(e[n] - e[n - 1]).mean()
        ratio = float(seam / max(np.median(steps_diff), 1e-3))
        scores["extend seam ratio"].append(float(ratio <= 2.0))
        rows.append(("kinoraextend", "(no prompt)", 0, dict(passthrough=bool(np.array_equal(e[:n].astype(np.uint8), clip)), seam_ratio=round(ratio, 2))))

        # Style: a blue restyle of the red ball keeps its motion.
        styled = os.path.join(work, "styled.rgb")
        launch(f"filesrc location={reference} blocksize={FRAME} ! video/x-raw,format=RGB,width={SIZE},height={SIZE},framerate=8/1 ! "
               f"kinorastyle prompt=a\\ blue\\ circle\\ on\\ a\\ black\\ background strength=0.6 steps={args.steps} watermark=false ! "
               f"filesink location={styled}", env)
        s = read_clip(read_rgb(styled))
        ref = read_clip(clip)
        scores["style colour"].append(float(s.colour == "blue"))
        scores["style content kept"].append(float(s.motion == ref.motion and s.shape == ref.shape))
        rows.append(("kinorastyle", "a blue circle on a black background", 0, dict(colour=s.colour, shape=s.shape, motion=s.motion, reference_motion=ref.motion)))

    print("| element | prompt | seed | read back |")
    print("| --- | --- | --- | --- |")
    for element, prompt, seed, got in rows:
        print(f"| {element} | {prompt} | {seed} | {got} |")
    print()
    print("| score | value | floor |")
    print("| --- | --- | --- |")
    failed = False
    for key, values in scores.items():
        value = sum(values) / len(values) if values else float("nan")
        floor = FLOORS[key]
        print(f"| {key} | {value:.2f} | {'-' if floor is None else floor} |")
        if floor is not None and not value >= floor:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
