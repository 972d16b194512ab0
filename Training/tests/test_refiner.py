"""The per-pixel refiner (train_dit --refiner, model.RefinerBlock): a trained trunk grows one
without changing its velocity, the refiner learns from the first step, attends within a frame
only, and its size survives a state_dict and config.json."""
import pytest

torch = pytest.importorskip("torch")

from kinora_train.export import config_json  # noqa: E402
from kinora_train.model import AEConfig, DiT, DiTConfig, dit_from_state, refiner_of, with_refiner  # noqa: E402

TINY = dict(latent_channels=4, latent_size=4, frames=3, patch=2, width=32, depth=2, heads=2, mlp_ratio=2,
            text_dim=24, time_freq_dim=16)
REFINER = dict(refiner_width=16, refiner_depth=2, refiner_heads=2)


def perturbed(cfg: DiTConfig, seed: int) -> DiT:
    torch.manual_seed(seed)
    dit = DiT(cfg).eval()
    with torch.no_grad():
        for p in dit.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return dit


def inputs():
    g = torch.Generator().manual_seed(1)
    return (torch.randn(2, 3, 4, 4, 4, generator=g), torch.tensor([[1.0, 0, 0], [0, 0, 0]]), torch.tensor([0.8, 0.3]),
            torch.randn(2, 5, 24, generator=g), torch.ones(2, 5), torch.randn(2, 24, generator=g))


def test_a_trunk_grows_a_refiner_and_keeps_its_velocity():
    trunk = perturbed(DiTConfig(**TINY), 0)
    grown = DiT(DiTConfig(**TINY, **REFINER)).eval()
    grown.load_state_dict(with_refiner(trunk.state_dict(), grown))
    with torch.no_grad():
        assert torch.equal(grown(*inputs()), trunk(*inputs()))
    # Not a saddle: the zero output layer is the only zero on the path, so it learns at once.
    grown.train()
    grown(*inputs()).square().mean().backward()
    assert grown.refiner_out.weight.grad.abs().sum() > 0
    kept = grown.state_dict()
    assert with_refiner(kept, grown) is kept  # a state that has one keeps its own
    assert refiner_of(grown.state_dict()) == {"refiner_width": 16, "refiner_depth": 2}
    assert refiner_of(trunk.state_dict()) == {"refiner_width": 0, "refiner_depth": 0}
    again = dit_from_state(grown.state_dict(), **TINY)
    assert (again.cfg.refiner_width, again.cfg.refiner_depth) == (16, 2)


def test_the_refiner_attends_within_a_frame():
    """Changing frame 2's input moves the refiner's output in frame 2 and, through the trunk's
    spacetime attention only, elsewhere; with the trunk's output tokens held fixed, the
    refiner's correction for frames 0 and 1 does not move."""
    dit = perturbed(DiTConfig(**TINY, **REFINER), 2)
    x, given, t, ctx, mask, pooled = inputs()
    b, f = x.shape[:2]
    m = given[:, :, None, None, None].expand(b, f, 1, 4, 4)
    c = dit.conditioning(t, pooled)
    head = torch.randn(b, f * 4, 32)
    x2 = x.clone()
    x2[:, 2] += 1.0
    with torch.no_grad():
        a = dit.refine(torch.cat([x, m], 2), head, c, f)
        z = dit.refine(torch.cat([x2, m], 2), head, c, f)
    assert torch.equal(a[:, :2], z[:, :2])
    assert not torch.allclose(a[:, 2], z[:, 2])


def test_config_json_names_the_refiner():
    cfg = DiTConfig(**TINY, **REFINER)
    denoiser = config_json(AEConfig(channels=(8, 16, 16), latent_channels=4, groups=4), cfg, 1.0, {})["denoiser"]
    assert denoiser["refiner"] == {"width": 16, "depth": 2, "heads": 2, "attention": "frame"}
    assert not any(k.startswith("refiner_") for k in denoiser)
    plain = config_json(AEConfig(), DiTConfig(), 1.0, {})["denoiser"]
    assert "refiner" not in plain
