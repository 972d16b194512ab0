"""The shapes world renders what it claims, and the evaluator's detectors read it back.
Needs only numpy and scipy (no PyTorch): it runs in `make test`."""
import numpy as np
import pytest
from scipy import ndimage

from kinora_train.captions import EVAL_TEMPLATES, TRAIN_TEMPLATES, caption, reference_caption
from kinora_train.detect import axis_drift, midair_turns, opening_drift, read_clip
from kinora_train.eval_cases import sign_pair_cases
from kinora_train.world import (BACKGROUNDS, COLOURS, HELD_OUT, OPPOSITE, PILLAR_RGB, SIZES, Scene,
                                random_scene, render)


def test_pixels_have_the_palette_colours():
    s = Scene("red", "square", "blue", "large", "still", style="flat", x0=0.5, y0=0.5)
    clip, truth = render(s, 4)
    assert clip.shape == (4, 64, 64, 3)
    assert tuple(clip[0, 32, 32]) == COLOURS["red"]
    assert tuple(clip[0, 1, 1]) == BACKGROUNDS["blue"]
    assert truth["mask"][0, 32, 32] == 1.0 and truth["mask"][0, 1, 1] == 0.0


def test_pillar_is_in_front_and_hides_the_object():
    s = Scene("yellow", "circle", "black", "medium", "still", pillar=True, x0=0.5, y0=0.5)
    clip, truth = render(s, 1)
    assert tuple(clip[0, 32, 32]) == PILLAR_RGB
    assert truth["mask"][0, 32, 32] == 1.0 and truth["visible"][0, 32, 32] == 0.0


@pytest.mark.parametrize("motion,axis,sign", [("right", "cx", 1), ("left", "cx", -1), ("down", "cy", 1), ("up", "cy", -1)])
def test_motion_moves_at_the_asked_speed_and_bounces(motion, axis, sign):
    s = Scene("green", "square", "black", "small", motion, "fast", x0=0.5, y0=0.5)
    _, truth = render(s, 80, fps=8)
    c = truth[axis]
    assert np.sign(c[1] - c[0]) == sign
    assert abs(abs(c[1] - c[0]) - 0.5 / 8) < 1e-9  # fast = 0.5 canvas widths per second
    r = SIZES["small"] / 2
    assert c.min() >= r - 1e-9 and c.max() <= 1 - r + 1e-9
    assert (np.diff(np.sign(np.diff(c))) != 0).any()  # it bounced within 10 s


def test_random_scenes_respect_the_world_rules():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        s = random_scene(rng)
        assert s.colour != s.background
        assert (s.colour, s.shape, s.background) not in HELD_OUT
        r = s.radius
        assert r <= s.x0 <= 1 - r and r <= s.y0 <= 1 - r


def test_captions_name_the_attributes_and_eval_phrasings_differ():
    rng = np.random.default_rng(1)
    s = Scene("purple", "triangle", "gray", "large", "left", "fast", "outline", True)
    assert reference_caption(s) == "a large purple triangle moving left quickly on a gray background, passing behind a pillar, outline style"
    texts = {caption(s, rng) for _ in range(200)}
    assert len(texts) > 50
    assert not set(EVAL_TEMPLATES) & set(TRAIN_TEMPLATES)


def test_detectors_read_rendered_truth():
    """The evaluator's ceiling: on real renders each attribute is read back correctly."""
    rng = np.random.default_rng(3)
    n = 150
    hits = {a: 0 for a in ("background", "colour", "shape", "size", "style", "motion")}
    for _ in range(n):
        s = random_scene(rng, exclude_held_out=False)
        r = read_clip(render(s, 16)[0], s.pillar)
        for a in hits:
            hits[a] += getattr(r, a) == getattr(s, a)
    acc = {a: h / n for a, h in hits.items()}
    assert acc["background"] == 1.0 and acc["colour"] >= 0.99, acc
    assert min(acc.values()) >= 0.9, acc


@pytest.mark.parametrize("size", sorted(SIZES))
def test_size_is_read_from_the_body_so_a_soft_edge_does_not_change_it(size):
    """An autoencoder's decoded edge is a pixel or two of blend, which the halo test may call
    glow; the size must not follow (it was read from everything unlike the background, minus
    a glow allowance, and flat large objects came back medium)."""
    from scipy import ndimage
    s = Scene(colour="yellow", shape="circle", size=size, background="blue", motion="still")
    clip = render(s, 4)[0].astype(np.float32)
    soft = ndimage.gaussian_filter(clip, sigma=(0, 1.2, 1.2, 0)).round().astype(np.uint8)
    assert read_clip(render(s, 4)[0]).size == size
    assert read_clip(soft).size == size


@pytest.mark.parametrize("shape", ["circle", "square", "triangle"])
def test_pixel_style_is_read_through_soft_block_edges(shape):
    """A decoder softens the pixel style's block edges by a pixel; the blocks are still there
    (the exact all-or-nothing block test read 4 of 13 decoded pixel-style clips as pixel)."""
    from scipy import ndimage
    s = Scene(colour="red", shape=shape, size="large", background="white", style="pixel", motion="still")
    clip = render(s, 4)[0]
    soft = ndimage.gaussian_filter(clip.astype(np.float32), sigma=(0, 0.6, 0.6, 0)).round().astype(np.uint8)
    assert read_clip(clip).style == "pixel"
    assert read_clip(soft).style == "pixel"
    flat = render(Scene(colour="red", shape=shape, size="large", background="white", motion="still"), 4)[0]
    assert read_clip(ndimage.gaussian_filter(flat.astype(np.float32), sigma=(0, 0.6, 0.6, 0)).round().astype(np.uint8)).style != "pixel"


def test_pillar_cases_pass_behind_and_the_detector_sees_identity_kept_or_lost():
    from kinora_train.detect import through_pillar
    from kinora_train.eval_cases import pillar_cases
    readings = [through_pillar(read_clip(render(c["scene"], 16)[0], True)) for c in pillar_cases(24)]
    assert all(r["passed"] for r in readings)
    assert np.mean([r["kept"] for r in readings]) >= 0.9
    # A circle that comes out from behind the pillar as a square is not kept.
    circle = render(Scene("red", "circle", "black", "small", "right", "normal", "flat", True, 0.27, 0.5), 16)[0]
    square = render(Scene("red", "square", "black", "small", "right", "normal", "flat", True, 0.27, 0.5), 16)[0]
    swapped = through_pillar(read_clip(np.concatenate([circle[:6], square[6:]]), True))
    assert swapped["passed"] and not swapped["kept"]
    # One that never reaches the pillar proves nothing.
    far = render(Scene("red", "circle", "black", "small", "up", "normal", "flat", True, 0.15, 0.5), 16)[0]
    assert not through_pillar(read_clip(far, True))["passed"]


def test_long_reading_finds_bounces_at_edges_and_no_drift_in_a_true_minute():
    from kinora_train.detect import read_long
    scene = Scene("yellow", "square", "blue", "medium", "right", "fast", "flat", False, 0.3, 0.4)
    reading = read_long(render(scene, 480)[0])
    assert reading["axis"] == "x" and reading["present"] == 1.0
    assert reading["background_drift"] < 1.0
    assert all(w == ("blue", "yellow", "square", "medium") for w in reading["windows"])
    # 60 s at 0.5 canvas/s over a 0.75 span: 40 bounces, each where the square meets an edge.
    assert 38 <= len(reading["reversals"]) <= 41
    assert all(r["edge_distance"] < scene.radius + 0.05 for r in reading["reversals"])


@pytest.mark.parametrize("motion", ["left", "right", "up", "down"])
def test_axis_drift_reads_the_sign_of_a_clip_and_of_its_faint_blur(motion):
    """probe_sign_steps reads the denoiser's blurred early predictions with axis_drift: it must
    give a clip's own direction positive and the opposite negative, sharp or faint."""
    s = Scene("red", "circle", "blue", "medium", motion, x0=0.5, y0=0.5)
    clip = render(s, 16)[0].astype(np.float32)
    bg = np.array(BACKGROUNDS["blue"], np.float32)
    faint = bg + 0.15 * (ndimage.gaussian_filter(clip, sigma=(0, 4, 4, 0)) - bg)
    for c in (clip, faint):
        assert axis_drift(c, motion) > 0.3
        assert axis_drift(c, OPPOSITE[motion]) < -0.3
    assert axis_drift(np.broadcast_to(bg, clip.shape), motion) == 0.0


def test_opening_drift_reads_the_way_a_clip_sets_off_before_a_bounce_turns_it():
    """A fast object starting near the wall it heads for bounces early: the whole clip's slope
    reads the way back, the first quarter the way asked (probe_sign_steps relies on this)."""
    s = Scene("red", "circle", "blue", "medium", "right", speed="fast", x0=0.75, y0=0.5)
    clip = render(s, 16)[0]
    assert axis_drift(clip, "right") < 0
    assert opening_drift(clip, "right") > 0.3
    # Over the evaluator's sign pairs the truth sets off the asked way almost always.
    items = sign_pair_cases(32)
    asked = [opening_drift(render(c["scene"], 16)[0], c["scene"].motion) > 0 for c in items]
    assert np.mean(asked) >= 0.9


def test_true_clips_turn_only_at_an_edge_and_a_midair_turn_is_counted():
    rng = np.random.default_rng(11)
    for _ in range(120):
        s = random_scene(rng, exclude_held_out=False, speed="fast")
        assert midair_turns(read_clip(render(s, 16)[0], s.pillar)) == 0, s
    s = Scene("red", "circle", "blue", "medium", "right", speed="fast", x0=0.3, y0=0.5)
    forward = render(s, 8)[0]
    turned = np.concatenate([forward, forward[::-1]])  # back from x ≈ 0.74, far from the edge
    assert midair_turns(read_clip(turned)) == 1
