"""Minimal pairs for size, shape, style and (as image animation) motion. The pairs themselves need only numpy (in `make
test`); the batch they make needs PyTorch (Training/.venv; skipped without it)."""
import dataclasses

import numpy as np
import pytest

from kinora_train.detect import read_clip
from kinora_train.minimal_pairs import (ATTRIBUTES, PAIR_ATTRIBUTES, append_minimal_pairs, counterpart, fresh_pairs,
                                       pair_block)
from kinora_train.replay import Replay
from kinora_train.world import HELD_OUT, Scene, random_scene, render


@pytest.mark.parametrize("attribute", PAIR_ATTRIBUTES)
def test_a_counterpart_changes_one_attribute_and_both_fit_the_canvas(attribute):
    rng = np.random.default_rng(3)
    for _ in range(200):
        scene = random_scene(rng)
        source, partner = counterpart(rng, scene, attribute)
        assert getattr(partner, attribute) != getattr(scene, attribute)
        assert dataclasses.replace(partner, **{attribute: getattr(scene, attribute)}) == source
        assert dataclasses.replace(source, x0=scene.x0, y0=scene.y0) == scene
        assert (partner.colour, partner.shape, partner.background) not in HELD_OUT
        for s in (source, partner):
            assert s.radius <= s.x0 <= 1 - s.radius and s.radius <= s.y0 <= 1 - s.radius


def test_an_unknown_attribute_is_refused_by_name():
    with pytest.raises(ValueError, match="colour"):
        counterpart(np.random.default_rng(0), random_scene(np.random.default_rng(0)), "colour")


@pytest.mark.parametrize("attribute", PAIR_ATTRIBUTES)
def test_the_rendered_partner_reads_as_its_own_attribute(attribute):
    rng = np.random.default_rng(4)
    scene = Scene("yellow", "circle", "black", "small", "right", "slow", "flat", False, 0.5, 0.5)
    source, partner = counterpart(rng, scene, attribute)
    for s in (source, partner):
        assert getattr(read_clip(render(s, 16)[0]), attribute) == getattr(s, attribute)


def test_a_block_puts_sources_first_and_partners_share_noise_timestep_and_no_given_frames():
    torch = pytest.importorskip("torch")
    from kinora_train.train_dit import noised_inputs
    rng = np.random.default_rng(5)
    pool = {"scenes": [random_scene(rng) for _ in range(8)]}
    replay = Replay(10)
    encode = lambda u8: torch.from_numpy(u8[..., :8, :8, :1].transpose(0, 1, 4, 2, 3).astype(np.float32))  # noqa: E731
    for item in fresh_pairs(rng, pool, 3, 16, encode):
        replay.add(rng, item)
    assert len(replay.items) == 3
    (idx, x0, cells, vel), offsets, texts, animated = pair_block(rng, replay, 2)
    assert offsets == [(2, 0), (3, 1)] and len(texts) == 2 and len(idx) == 4 and animated == [False, False]
    assert list(idx[:2]) == list(idx[2:])
    x0 = x0 + torch.randn_like(x0)  # distinct clips
    for seed in range(20):
        given, t, noise, xt = noised_inputs(np.random.default_rng(seed), pool, idx, x0, vel, 2.0,
                                            text_pairs=offsets, same_input_from=0.5)
        for slot, src in offsets:
            assert not given[src].any() and not given[slot].any()
            assert t[slot] == t[src] and torch.equal(noise[slot] if t[src] < 0.5 else xt[slot],
                                                     noise[src] if t[src] < 0.5 else xt[src])


def test_a_motion_counterpart_moves_the_other_way_from_the_same_first_frame():
    rng = np.random.default_rng(6)
    for motion, expected in (("left", {"right"}), ("up", {"down"}), ("still", {"left", "right", "up", "down"})):
        scene = Scene("red", "square", "white", "medium", motion, "normal", "pixel", False, 0.4, 0.6)
        source, partner = counterpart(rng, scene, "motion")
        assert partner.motion in expected
        a, b = render(source, 16)[0], render(partner, 16)[0]
        assert np.array_equal(a[0], b[0]) and not np.array_equal(a[8], b[8])


def fake_encode(u8):
    """8×8-pixel block means: a stand-in encoder that still sees the object move."""
    torch = pytest.importorskip("torch")
    b, f, h, w, c = u8.shape
    blocks = u8.astype(np.float32).reshape(b, f, h // 8, 8, w // 8, 8, c).mean(axis=(3, 5))
    return torch.from_numpy(blocks.transpose(0, 1, 4, 2, 3).copy())


def test_motion_pairs_are_image_animation_sharing_frame_0_noise_timestep_and_input():
    torch = pytest.importorskip("torch")
    from kinora_train.train_dit import noised_inputs
    rng = np.random.default_rng(7)
    pool = {"scenes": [random_scene(rng) for _ in range(8)]}
    replay = Replay(10)
    for item in fresh_pairs(rng, pool, 4, 16, fake_encode, ("size", "motion")):
        replay.add(rng, item)
    batch = (np.arange(3), torch.randn(3, 16, 3, 8, 8), torch.zeros(3, 16, 16, 16), torch.zeros(3, 16, 2))
    (idx, x0, cells, vel), text_pairs, animation_pairs, texts = append_minimal_pairs(
        rng, pool, replay, batch, 4, 16, fake_encode, ("size", "motion"))
    assert len(idx) == 11 and len(text_pairs) + len(animation_pairs) == 4 == len(texts)
    assert animation_pairs, "seed 7 draws at least one motion pair"
    for slot, src in animation_pairs:
        assert torch.equal(x0[slot, 0], x0[src, 0]) and not torch.equal(x0[slot], x0[src])
    shared = 0
    for seed in range(20):
        given, t, noise, xt = noised_inputs(np.random.default_rng(seed), pool, idx, x0, vel, 2.0,
                                            text_pairs=text_pairs, animation_pairs=animation_pairs,
                                            same_input_from=0.5, given_noise=0.2)
        for slot, src in animation_pairs:
            assert given[src].tolist() == given[slot].tolist() == [1.0] + [0.0] * 15
            assert t[slot] == t[src]
            assert torch.equal(xt[slot, 0], xt[src, 0])  # the same frame 0, perturbed alike
            if t[src] >= 0.5:
                assert torch.equal(xt[slot], xt[src])
                # The partner's target still leads from the shared input to its own clip.
                assert torch.allclose(xt[slot, 1:], (1 - t[slot]) * x0[slot, 1:] + t[slot] * noise[slot, 1:],
                                      atol=1e-5)
                shared += 1
            else:
                assert torch.equal(noise[slot], noise[src]) and not torch.equal(xt[slot], xt[src])
        for _, src in text_pairs:
            assert not given[src].any()
    assert shared > 0


def test_focused_pair_sources_come_from_the_focus_at_its_share_and_an_empty_focus_is_refused():
    from kinora_train.minimal_pairs import pair_sources
    rng = np.random.default_rng(5)
    pool = {"scenes": [random_scene(rng) for _ in range(400)]}
    focus = {"size": "large", "style": "glow"}
    idx = pair_sources(np.random.default_rng(1), pool, 2000, focus, 0.5)
    hit = np.mean([all(getattr(pool["scenes"][i], k) == v for k, v in focus.items()) for i in idx])
    assert 0.5 < hit < 0.6   # half from the focus, and 1 in 12 of the rest by chance
    plain = pair_sources(np.random.default_rng(1), pool, 2000)
    assert np.mean([pool["scenes"][i].size == "large" and pool["scenes"][i].style == "glow" for i in plain]) < 0.15
    assert np.array_equal(pair_sources(np.random.default_rng(1), pool, 50, focus, 0.0),
                          pair_sources(np.random.default_rng(1), pool, 50))
    with pytest.raises(ValueError, match="no caption in the pool"):
        pair_sources(rng, {"scenes": [Scene("red", "circle", "black")]}, 4, {"style": "glow"}, 0.5)
