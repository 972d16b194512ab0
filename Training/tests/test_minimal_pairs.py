"""Minimal pairs for size, shape and style. The pairs themselves need only numpy (in `make
test`); the batch they make needs PyTorch (Training/.venv; skipped without it)."""
import dataclasses

import numpy as np
import pytest

from kinora_train.detect import read_clip
from kinora_train.minimal_pairs import ATTRIBUTES, counterpart, fresh_pairs, pair_block
from kinora_train.replay import Replay
from kinora_train.world import HELD_OUT, Scene, random_scene, render


@pytest.mark.parametrize("attribute", ATTRIBUTES)
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


@pytest.mark.parametrize("attribute", ATTRIBUTES)
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
    (idx, x0, cells, vel), offsets, texts = pair_block(rng, replay, 2)
    assert offsets == [(2, 0), (3, 1)] and len(texts) == 2 and len(idx) == 4
    assert list(idx[:2]) == list(idx[2:])
    x0 = x0 + torch.randn_like(x0)  # distinct clips
    for seed in range(20):
        given, t, noise, xt = noised_inputs(np.random.default_rng(seed), pool, idx, x0, vel, 2.0,
                                            text_pairs=offsets, same_input_from=0.5)
        for slot, src in offsets:
            assert not given[src].any() and not given[slot].any()
            assert t[slot] == t[src] and torch.equal(noise[slot] if t[src] < 0.5 else xt[slot],
                                                     noise[src] if t[src] < 0.5 else xt[src])
