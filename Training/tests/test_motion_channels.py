"""Motion channels (train_dit --motion-channels): the motion target is the object's velocity
where it is, a run from before grows into them without changing its clip, and sampling
generates them with the clip and returns the clip alone."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kinora_train.model import DiT, DiTConfig, dit_from_state, with_motion  # noqa: E402
from kinora_train.motion_channels import GAIN, motion_latents  # noqa: E402
from kinora_train.sampling import sample  # noqa: E402
from kinora_train.train_dit import noised_inputs  # noqa: E402

TINY = dict(latent_channels=4, latent_size=4, frames=3, patch=2, width=32, depth=2, heads=2, mlp_ratio=2,
            text_dim=24, time_freq_dim=16)


# noised_inputs asks each clip's scene how far its velocity runs along the caption's direction;
# every clip here agrees with its caption.
ONE_SCENE_POOL = {"scenes": [type("S", (), {"along": lambda self, v: 1.0})()]}


def test_motion_is_the_velocity_where_the_object_is():
    cells = torch.zeros(1, 2, 16, 16, dtype=torch.uint8)
    cells[0, 0, 4:8, 8:12] = 255  # frame 0 covers latent pixel (1, 2) of 4x4 wholly
    cells[0, 1, 4:6, 8:12] = 255  # frame 1 half of it
    vel = torch.tensor([[[0.5, -0.25], [0.5, -0.25]]])
    m = motion_latents(cells, vel, 4)
    assert m.shape == (1, 2, 2, 4, 4)
    assert torch.allclose(m[0, 0, :, 1, 2], torch.tensor([GAIN * 0.5, -GAIN * 0.25]))
    assert torch.allclose(m[0, 1, :, 1, 2], torch.tensor([GAIN * 0.25, -GAIN * 0.125]))
    m[0, :, :, 1, 2] = 0
    assert not m.any()


def plain_teacher():
    torch.manual_seed(0)
    t = DiT(DiTConfig(**TINY)).eval()
    with torch.no_grad():
        for p in t.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return t


def inputs(b=2, channels=4):
    g = torch.Generator().manual_seed(1)
    return (torch.randn(b, 3, channels, 4, 4, generator=g), torch.tensor([[1.0, 0, 0], [0, 0, 0]])[:b],
            torch.tensor([0.8, 0.3])[:b], torch.randn(b, 5, 24, generator=g), torch.ones(b, 5), torch.randn(b, 24, generator=g))


def test_a_run_from_before_grows_motion_channels_and_keeps_its_clip():
    plain = plain_teacher()
    grown = DiT(DiTConfig(**TINY, motion_channels=2)).eval()
    grown.load_state_dict(with_motion(plain.state_dict(), grown))
    x, given, t, ctx, mask, pooled = inputs()
    motion = torch.randn(2, 3, 2, 4, 4)
    with torch.no_grad():
        before = plain(x, given, t, ctx, mask, pooled)
        after = grown(torch.cat([x, motion], 2), given, t, ctx, mask, pooled)
    assert after.shape == (2, 3, 6, 4, 4)
    assert torch.allclose(after[:, :, :4], before, atol=1e-6)  # the motion inputs start unheard
    with torch.no_grad():
        other = grown(torch.cat([x, -motion], 2), given, t, ctx, mask, pooled)
    assert torch.equal(other, after)  # whatever motion goes in
    # Not a saddle: the motion outputs speak, so the motion inputs' columns learn from step one.
    assert after[:, :, 4:].abs().mean() > 1e-3
    grown.train()
    loss = (grown(torch.cat([x, motion], 2), given, t, ctx, mask, pooled)[:, :, 4:] - motion).square().mean()
    loss.backward()
    motion_columns = grown.patch_in.weight.grad.view(grown.patch_in.weight.shape[0], 7, -1)[:, 4:6]
    assert motion_columns.abs().sum() > 0
    again = dit_from_state(grown.state_dict(), **TINY)
    assert again.cfg.motion_channels == 2 and dit_from_state(plain.state_dict(), **TINY).cfg.motion_channels == 0
    with pytest.raises(ValueError, match="fit neither"):
        with_motion({**plain.state_dict(), "patch_out.weight": torch.zeros(5, 32)}, grown)


def test_given_frames_keep_their_latent_but_not_their_motion():
    x0 = torch.randn(4, 3, 6, 4, 4)
    idx = np.zeros(4, np.int64)
    pool = ONE_SCENE_POOL
    vel = torch.ones(4, 3, 2)
    for seed in range(5):
        given, t, noise, xt = noised_inputs(np.random.default_rng(seed), pool, idx, x0, vel, 1.0, kept_channels=4)
        for b in range(4):
            for f in range(3):
                if given[b, f]:
                    assert torch.equal(xt[b, f, :4], x0[b, f, :4])
                    assert not torch.allclose(xt[b, f, 4:], x0[b, f, 4:])


def random_motion_sampling_inputs():
    """A tiny motion-channel denoiser with every weight perturbed, and what sample() needs."""
    torch.manual_seed(3)
    dit = DiT(DiTConfig(**TINY, motion_channels=2)).eval()
    with torch.no_grad():
        for p in dit.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    x, given, _, ctx, mask, pooled = inputs(1)
    return dit, x, given, (ctx, mask, pooled), (ctx * 0, mask, pooled * 0), torch.randn(1, 3, 6, 4, 4)


def test_sampling_generates_motion_and_returns_the_clip():
    dit, x, given, cond, null, noise = random_motion_sampling_inputs()
    z = sample(dit, noise, x, given, cond, null, steps=3, guidance=3.0)
    assert z.shape == (1, 3, 4, 4, 4)
    assert torch.equal(z[0, 0], x[0, 0])  # the given frame
    restyled = sample(dit, noise, x, torch.zeros(1, 3), cond, null, steps=3, guidance=3.0, t_start=0.5, start_latents=x)
    assert restyled.shape == (1, 3, 4, 4, 4)
    with pytest.raises(ValueError, match="6"):
        sample(dit, noise[:, :, :4], x, given, cond, null, steps=2)


def test_the_probe_reads_the_heading_of_a_clips_motion_channels():
    from kinora_train.probe_sign_steps import motion_heading
    from kinora_train.aux_heads import velocities
    from kinora_train.world import Scene
    # A clip moving right, as the training targets encode it: the probe reads it heading right.
    cells = torch.zeros(1, 8, 16, 16, dtype=torch.uint8)
    cells[:, :, 4:8, 2:6] = 255
    scene = Scene("red", "circle", "white", motion="right", x0=0.3)
    vel = torch.from_numpy(velocities(scene, 8, 8.0, 0.0))[None]
    state = torch.cat([torch.zeros(1, 8, 4, 8, 8), motion_latents(cells, vel, 8)], 2)[0]
    assert motion_heading(state, 4, "right") > 0 > motion_heading(state, 4, "left")
    assert motion_heading(state, 4, "up") == 0


def test_a_global_motion_field_holds_the_velocity_everywhere():
    cells = torch.zeros(1, 2, 16, 16, dtype=torch.uint8)
    vel = torch.tensor([[[0.5, 0.0], [-0.5, 0.25]]])
    field = motion_latents(cells, vel, 8, "global")
    assert field.shape == (1, 2, 2, 8, 8)
    assert torch.equal(field[0, 1, :, 3, 5], torch.tensor([-0.5, 0.25]))
    assert not motion_latents(cells, vel, 8).any()  # the object field: nothing covered, nothing moves
    with pytest.raises(ValueError, match="motion field"):
        motion_latents(cells, vel, 8, "flow")


def test_a_motion_lead_noises_some_clips_motion_less_than_their_latent():
    from kinora_train.train_dit import motion_levels
    t = torch.full((4000,), 0.8)
    assert torch.equal(motion_levels(np.random.default_rng(0), t, 0.0), t)
    tm = motion_levels(np.random.default_rng(0), t, 0.5)
    assert (tm <= t).all()
    assert 0.4 < (tm < t).float().mean() < 0.6  # the share asked for
    assert 0.08 < (tm == 0).float().mean() < 0.17  # a quarter of those: the motion given clean
    # In the noised clip, the motion channels carry the lower level and the latent the clip's.
    x0, noise_free = torch.ones(64, 2, 6, 4, 4), np.zeros(64, np.int64)
    pool = ONE_SCENE_POOL
    _, t, noise, xt = noised_inputs(np.random.default_rng(1), pool, noise_free, x0, torch.ones(64, 2, 2), 1.0,
                                    kept_channels=4, motion_lead=1.0)
    level = (xt - x0) / (noise - x0)  # x_t = (1 − s)·x0 + s·noise, per channel
    ungiven = level[:, -1]
    assert torch.allclose(ungiven[:, :4].mean(dim=(1, 2, 3)), t, atol=1e-4)
    assert (ungiven[:, 4:].mean(dim=(1, 2, 3)) <= t + 1e-4).all()
    assert (ungiven[:, 4:].mean(dim=(1, 2, 3)) < t - 1e-3).float().mean() > 0.5


def test_the_motion_clock_finishes_the_motion_first():
    from kinora_train.sampling import motion_clock, shifted_schedule
    ts = shifted_schedule(8, 3.0)
    assert torch.equal(motion_clock(ts, 0.0), ts)
    tm = motion_clock(ts, 0.5)
    assert tm[0] == 1 and (tm <= ts).all() and (tm[ts <= 0.5] == 0).all()
    with pytest.raises(ValueError, match="motion lead"):
        motion_clock(ts, 1.0)


def test_sampling_with_a_motion_lead_takes_the_clips_last_steps_with_its_motion_fixed():
    dit, x, _, cond, null, noise = random_motion_sampling_inputs()
    seen = []
    sample(dit, noise, x, torch.zeros(1, 3), cond, null, steps=6, guidance=3.0, motion_lead=0.8,
           trace=lambda t, x0: seen.append((t, x0[:, :, 4:].clone())))
    late = [m for t, m in seen if t <= 0.8]
    assert len(late) >= 2 and all(torch.equal(m, late[0]) for m in late)  # the motion no longer moves
    plain = []
    sample(dit, noise, x, torch.zeros(1, 3), cond, null, steps=4, guidance=3.0,
           trace=lambda t, x0: plain.append(x0[:, :, 4:].clone()))
    assert not torch.equal(plain[-1], plain[-2])
    with pytest.raises(ValueError, match="motion channels"):
        sample(DiT(DiTConfig(**TINY)).eval(), noise[:, :, :4], x, torch.zeros(1, 3), cond, null, steps=2,
               motion_lead=0.5)


def test_given_noise_perturbs_only_the_given_frames_latent_channels():
    x0 = torch.randn(6, 4, 6, 4, 4)
    idx = np.zeros(6, np.int64)
    pool = ONE_SCENE_POOL
    vel = torch.ones(6, 4, 2)
    torch.manual_seed(0)
    given, t, noise, exact = noised_inputs(np.random.default_rng(7), pool, idx, x0, vel, 1.0, kept_channels=4)
    torch.manual_seed(0)
    _, _, _, xt = noised_inputs(np.random.default_rng(7), pool, idx, x0, vel, 1.0, kept_channels=4,
                                given_noise=0.2)
    assert given.any()
    moved = 0
    for b in range(6):
        for f in range(4):
            if given[b, f]:
                d = xt[b, f, :4] - x0[b, f, :4]
                assert d.std() < 0.3
                moved += int(d.abs().max() > 0)
            else:
                assert torch.equal(xt[b, f, :4], exact[b, f, :4])
            assert torch.equal(xt[b, f, 4:], exact[b, f, 4:])
    assert moved > 0
