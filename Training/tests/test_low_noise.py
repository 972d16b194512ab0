"""The low-noise expert (train_low_noise.py, README item 18): it trains only at t ≤ t_max, on
the truth's velocity, with given frames kept clean; the sampler's switch hands it exactly the
steps below its level and refuses a mismatched expert or a mixed batch."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kinora_train.experts import LowNoiseSwitch  # noqa: E402
from kinora_train.model import DiT, DiTConfig  # noqa: E402
from kinora_train.sampling import sample  # noqa: E402
from kinora_train.train_low_noise import low_noise_t, noised  # noqa: E402
from kinora_train.world import random_scene  # noqa: E402

TINY = dict(latent_channels=4, latent_size=4, frames=3, patch=2, width=32, depth=2, heads=2, mlp_ratio=2,
            text_dim=24, time_freq_dim=16, guidance_embed=True)


def test_timesteps_stay_at_or_below_the_experts_level():
    t = low_noise_t(np.random.default_rng(0), 10000, 0.55)
    assert float(t.max()) <= 0.55 and float(t.min()) > 0
    # Uniform: each half of the range gets about half of the steps.
    assert abs(float((t < 0.275).float().mean()) - 0.5) < 0.03


def test_a_minimal_pair_shares_one_noisy_input_between_its_own_two_targets():
    rng = np.random.default_rng(1)
    pool = {"scenes": [random_scene(rng) for _ in range(6)]}
    x0 = torch.randn(6, 3, 4, 4, 4)
    vel = torch.zeros(6, 3, 2)
    pairs = [(4, 0), (5, 1)]
    given, t, xt, target = noised(rng, pool, np.arange(6), x0, vel, 0.55, pairs, share_from=0.3)
    for slot, src in pairs:
        assert not given[slot].any() and not given[src].any()
        assert 0.3 <= float(t[src]) <= 0.55 and t[slot] == t[src]
        assert torch.equal(xt[slot], xt[src])
        # Each target still points from the shared input to its own clean clip.
        for k in (slot, src):
            assert torch.allclose(xt[k] - float(t[k]) * target[k], x0[k], atol=1e-5)
    # Unpaired clips keep their own noise.
    assert not torch.equal(xt[2], xt[3])


class Recorder(torch.nn.Module):
    def __init__(self, cfg, value):
        super().__init__()
        self.cfg, self.value, self.seen = cfg, value, []

    def forward(self, x, given, t, *text, **kw):
        self.seen.append(float(t[0]))
        return torch.full_like(x, self.value)


def test_the_switch_gives_the_expert_the_steps_below_its_level():
    cfg = DiTConfig(**TINY)
    dit, expert = Recorder(cfg, 0.0), Recorder(cfg, 1.0)
    switch = LowNoiseSwitch(dit, expert, 0.55)
    noise = torch.zeros(1, 3, 4, 4, 4)
    text = (torch.zeros(1, 5, 24), torch.ones(1, 5), torch.zeros(1, 24))
    sample(switch, noise, torch.zeros_like(noise), torch.zeros(1, 3), text, text, steps=8, guidance=7.0)
    assert dit.seen and all(t >= 0.55 for t in dit.seen)
    assert expert.seen and all(t < 0.55 for t in expert.seen)
    assert len(dit.seen) + len(expert.seen) == 8


def test_the_switch_refuses_a_mismatched_expert_and_a_mixed_batch():
    a = DiT(DiTConfig(**TINY)).eval()
    with pytest.raises(ValueError, match="architecture"):
        LowNoiseSwitch(a, DiT(DiTConfig(**{**TINY, "depth": 1})), 0.55)
    with pytest.raises(ValueError, match="noise level"):
        LowNoiseSwitch(a, a, 1.5)
    switch = LowNoiseSwitch(a, DiT(DiTConfig(**TINY)).eval(), 0.55)
    x = torch.zeros(2, 3, 4, 4, 4)
    with pytest.raises(ValueError, match="both sides"):
        switch(x, torch.zeros(2, 3), torch.tensor([0.9, 0.2]), torch.zeros(2, 5, 24), torch.ones(2, 5),
               torch.zeros(2, 24), guidance=torch.ones(2))


class ByText(torch.nn.Module):
    """Velocity = the pooled text's first feature everywhere: 2 for the prompt, 1 for the null."""
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg

    def forward(self, x, given, t, ctx, mask, pooled, guidance=None):
        return pooled[:, :1, None, None, None].expand_as(x).clone()


def test_the_expert_can_be_guided_by_its_own_two_branches():
    cfg = DiTConfig(**TINY)
    with pytest.raises(ValueError, match="empty prompt"):
        LowNoiseSwitch(ByText(cfg), ByText(cfg), 0.55, guidance=3.0)
    switch = LowNoiseSwitch(ByText(cfg), ByText(cfg), 0.55, guidance=3.0,
                            null=(torch.zeros(1, 5, 24), torch.ones(1, 5), torch.ones(1, 24)))
    x = torch.zeros(2, 3, 4, 4, 4)
    text = (torch.zeros(2, 5, 24), torch.ones(2, 5), torch.full((2, 24), 2.0))
    v = switch(x, torch.zeros(2, 3), torch.tensor([0.3, 0.3]), *text, guidance=torch.full((2,), 7.0))
    assert torch.allclose(v, torch.full_like(x, 1 + 3 * (2 - 1)))
    # Above the switch the denoiser answers alone, its own guidance input untouched.
    v = switch(x, torch.zeros(2, 3), torch.tensor([0.9, 0.9]), *text, guidance=torch.full((2,), 7.0))
    assert torch.allclose(v, torch.full_like(x, 2.0))
