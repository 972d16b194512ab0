"""3D rotary positions (train_dit --rotary): attention scores depend on the offset between
tokens only, a rotary model is recognised from its weights, a run from before continues
with the same weights, and config.json describes the rotation the engine rebuilds."""
import pytest

torch = pytest.importorskip("torch")

from kinora_train.export import config_json, rotary_json  # noqa: E402
from kinora_train.model import (AEConfig, DiT, DiTConfig, dit_from_state, rotary_angles,  # noqa: E402
                                rotary_frequencies, rotate, with_rotary)


def test_scores_depend_on_the_offset_between_tokens_only():
    cfg = DiTConfig(rotary=True)
    freqs = rotary_frequencies(cfg)
    assert len(freqs) == cfg.width // cfg.heads // 4
    grid = cfg.latent_size // cfg.patch
    angles = rotary_angles(freqs, cfg.frames, grid)
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(2, 64, generator=g)
    tok = lambda f, i, j: (f * grid + i) * grid + j  # noqa: E731
    score = lambda a, b: rotate(q, angles[a]) @ rotate(k, angles[b])  # noqa: E731
    # The same offset (one frame later, one column right) from two places scores the same...
    assert torch.allclose(score(tok(2, 1, 0), tok(3, 1, 1)), score(tok(9, 2, 2), tok(10, 2, 3)), atol=1e-4)
    # ...another offset does not, and the unrotated half of the head is left alone.
    assert not torch.allclose(score(tok(2, 1, 0), tok(3, 1, 1)), score(tok(2, 1, 0), tok(3, 1, 2)), atol=1e-3)
    p = len(freqs)
    assert torch.equal(rotate(q, angles[tok(5, 3, 1)])[2 * p:], q[2 * p:])


def test_a_run_from_before_continues_with_its_weights_and_stays_rotary():
    torch.manual_seed(1)
    plain = DiT(DiTConfig())
    for layer in [blk.modulation for blk in plain.blocks] + [plain.patch_out]:  # adaLN-Zero starts silent
        torch.nn.init.normal_(layer.weight, std=0.05)
    rotary = DiT(DiTConfig(rotary=True))
    rotary.load_state_dict(with_rotary(plain.state_dict(), rotary))
    assert torch.equal(rotary.blocks[0].attn.qkv.weight, plain.blocks[0].attn.qkv.weight)
    again = dit_from_state({k: v.half() for k, v in rotary.state_dict().items()})
    assert again.cfg.rotary and not dit_from_state(plain.state_dict()).cfg.rotary
    assert torch.equal(again.rotary_freqs, rotary_frequencies(again.cfg))
    x = torch.randn(1, 16, 8, 8, 8)
    args = (torch.zeros(1, 16), torch.tensor([0.7]), torch.randn(1, 5, 384), torch.ones(1, 5), torch.randn(1, 384))
    with torch.no_grad():
        assert not torch.allclose(rotary(x, *args), plain(x, *args), atol=1e-4)  # the rotation acts


def test_config_json_describes_the_rotation():
    cfg = DiTConfig(rotary=True)
    section = config_json(AEConfig(), cfg, 1.0, {})["denoiser"]
    assert "rotary" not in config_json(AEConfig(), DiTConfig(), 1.0, {})["denoiser"]
    assert section["rotary"] == rotary_json(cfg) == {"axes": ["frame", "row", "column"], "pairs": [8, 4, 4],
                                                     "base": [16.0, 4.0, 4.0]}
    # The engine's rule (MODEL_FORMAT.md): pair k of an axis with n pairs turns base^(-k/n).
    rebuilt = [b ** (-k / n) for n, b in zip(section["rotary"]["pairs"], section["rotary"]["base"]) for k in range(n)]
    assert torch.allclose(torch.tensor(rebuilt), rotary_frequencies(cfg))
