"""Time-reversed partners (needs PyTorch: run with Training/.venv; skipped in `make test`)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kinora_train.detect import read_clip  # noqa: E402
from kinora_train.reverse_pairs import add_partners, partner_captions, reversible  # noqa: E402
from kinora_train.train_dit import noised_inputs, render_batch  # noqa: E402
from kinora_train.world import OPPOSITE, Scene  # noqa: E402


def pool_of(*motions):
    return {"scenes": [Scene("red", "square", "blue", "large", m, speed="slow", x0=0.5, y0=0.5) for m in motions]}


def test_a_clip_played_backwards_reads_as_the_opposite_motion():
    pool = pool_of(*(["left", "right", "up", "down"] * 4))
    idx = np.arange(16)
    frames, _, vel = render_batch(np.random.default_rng(0), pool, idx, 16)
    chosen = reversible(pool, idx, vel)
    assert len(chosen) >= 3
    for k in chosen:
        asked = pool["scenes"][k].motion
        assert read_clip(frames[k]).motion == asked
        assert read_clip(frames[k][::-1].copy()).motion == OPPOSITE[asked]


def test_only_clips_moving_the_captioned_way_throughout_are_reversed():
    pool = pool_of("right", "still", "right")
    vel = torch.zeros(3, 16, 2)
    vel[0, :, 0] = 1          # right all through
    vel[2, :8, 0] = 1         # bounces half-way
    vel[2, 8:, 0] = -1
    assert reversible(pool, np.arange(3), vel) == [0]


def test_partners_share_noise_and_timestep_and_carry_their_own_caption():
    pool = pool_of("right", "left", "still", "up")
    idx = np.arange(4)
    x0 = torch.randn(4, 16, 4, 8, 8)
    cells = torch.randint(0, 255, (4, 16, 16, 16), dtype=torch.uint8)
    vel = torch.zeros(4, 16, 2)
    vel[0, :, 0] = 1
    vel[1, :, 0] = -1
    source = x0[0].clone()
    pairs, texts = add_partners(np.random.default_rng(1), pool, idx, x0, cells, vel, 2)
    assert pairs == [(3, 0), (2, 1)] and len(texts) == 2
    assert torch.equal(x0[3], source.flip(0)) and torch.all(vel[3, :, 0] == -1)
    ctx, cmask, pooled = torch.zeros(4, 5, 6), torch.zeros(4, 5), torch.zeros(4, 6)
    encoded = (torch.ones(2, 5, 6), torch.ones(2, 5), torch.ones(2, 6))
    partner_captions(pairs, encoded, ctx, cmask, pooled)
    assert torch.all(ctx[3] == 1) and torch.all(ctx[0] == 0)
    given, t, noise, xt = noised_inputs(np.random.default_rng(2), pool, idx, x0, vel, 2.0, pairs)
    assert t[3] == t[0] and torch.equal(noise[3], noise[0]) and torch.equal(given[3], given[0])
    gm = given[3][:, None, None, None]
    assert torch.allclose(xt[3], gm * x0[3] + (1 - gm) * ((1 - t[0]) * x0[3] + t[0] * noise[0]))
    kept = given[3].bool()
    assert torch.equal(xt[3][kept], x0[3][kept])  # given frames are clean


def test_pairs_at_high_noise_can_share_one_noisy_clip_and_keep_valid_targets():
    pool = pool_of("right", "left", "still", "up")
    x0 = torch.randn(4, 16, 4, 8, 8)
    vel = torch.zeros(4, 16, 2)
    vel[0, :, 0] = 1
    pairs, _ = add_partners(np.random.default_rng(1), pool, np.arange(4), x0, torch.zeros(4, 16, 16, 16, dtype=torch.uint8),
                            vel, 1)
    assert pairs == [(3, 0)]
    shared = 0
    for seed in range(40):
        given, t, noise, xt = noised_inputs(np.random.default_rng(seed), pool, np.arange(4), x0, vel, 2.0, pairs,
                                            same_input_from=0.5)
        if t[0] >= 0.5 and not given[0].any():
            shared += 1
            assert torch.equal(xt[3], xt[0]) and not torch.equal(x0[3], x0[0])
            # Still x_t = (1 − t)·x0 + t·ε for the partner's own clean clip, so ε − x0 is its target.
            assert torch.allclose(xt[3], (1 - t[3]) * x0[3] + t[3] * noise[3], atol=1e-5)
        else:
            assert not torch.equal(xt[3], xt[0])
    assert shared >= 5
    # Off by default: the pair keeps its own inputs.
    given, t, noise, xt = noised_inputs(np.random.default_rng(0), pool, np.arange(4), x0, vel, 2.0, pairs)
    assert not torch.equal(xt[3], xt[0])


def test_forced_pairs_take_sources_anywhere_and_all_share_at_high_noise():
    # Reversible clips at the batch's end are sources too; partners overwrite the others.
    pool = pool_of("still", "still", "still", "right", "up", "left")
    x0 = torch.randn(6, 16, 4, 8, 8)
    vel = torch.zeros(6, 16, 2)
    vel[3, :, 0] = 1
    vel[4, :, 1] = -1
    vel[5, :, 0] = -1
    sources = x0[[3, 4, 5]].clone()
    pairs, texts = add_partners(np.random.default_rng(1), pool, np.arange(6), x0, torch.zeros(6, 16, 16, 16, dtype=torch.uint8),
                                vel, 3, anywhere=True)
    assert pairs == [(2, 3), (1, 4), (0, 5)] and len(texts) == 3
    assert torch.equal(x0[2], sources[0].flip(0)) and torch.equal(x0[5], sources[2])
    for seed in range(20):
        given, t, noise, xt = noised_inputs(np.random.default_rng(seed), pool, np.arange(6), x0, vel, 2.0, pairs,
                                            same_input_from=0.8, force_shared=True)
        for slot, src in pairs:
            assert 0.8 <= float(t[src]) <= 1.0 and not given[src].any() and not given[slot].any()
            assert torch.equal(xt[slot], xt[src])
            assert torch.allclose(xt[slot], (1 - t[slot]) * x0[slot] + t[slot] * noise[slot], atol=1e-5)


def test_forced_sharing_needs_a_threshold_below_one():
    pool = pool_of("right", "left")
    x0 = torch.randn(2, 16, 4, 8, 8)
    with pytest.raises(ValueError, match="same_input_from"):
        noised_inputs(np.random.default_rng(0), pool, np.arange(2), x0, torch.zeros(2, 16, 2), 2.0, [(1, 0)],
                      force_shared=True)


def test_extra_pairs_are_appended_and_leave_the_batch_alone():
    from kinora_train.replay import Replay
    from kinora_train.train_dit import append_pair_block, stack
    pool = pool_of("still", "right", "still", "left")
    replay = Replay(8)
    rng = np.random.default_rng(0)
    for i in range(4):
        v = torch.zeros(16, 2)
        v[:, 0] = {1: 1.0, 3: -1.0}.get(i, 0.0)
        replay.add(rng, (i, torch.randn(16, 4, 8, 8).half(), torch.zeros(16, 16, 16, dtype=torch.uint8), v))
    batch = stack(replay.draw(rng, 4))
    kept = batch[1].clone()
    idx, x0, cells, vel = append_pair_block(rng, pool, replay, batch, 2)
    assert len(idx) == 8 and x0.shape[0] == 8 and cells.shape[0] == 8 and vel.shape[0] == 8
    assert all(pool["scenes"][i].motion in ("right", "left") for i in idx[4:])
    pairs, texts = add_partners(rng, pool, idx, x0, cells, vel, 2, anywhere=True, first=4)
    assert pairs == [(7, 4), (6, 5)] and len(texts) == 2
    assert torch.equal(x0[:4], kept)  # the batch itself is untouched
    assert torch.equal(x0[7], x0[4].flip(0)) and torch.equal(vel[7], -vel[4].flip(0))
    with pytest.raises(RuntimeError, match="reversible"):
        append_pair_block(rng, pool_of("still", "still", "still", "still"), replay, batch, 2, tries=2)
