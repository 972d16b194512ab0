"""The clip-motion head's target is the clip's mean velocity, whose sign a time-reversed
partner flips, and its loss vanishes only on that target."""
import pytest

torch = pytest.importorskip("torch")

from kinora_train.clip_motion import ClipMotionHead  # noqa: E402


def test_target_is_the_mean_velocity_and_reversal_negates_it():
    vel = torch.tensor([[[0.5, 0.0]] * 8 + [[-0.5, 0.0]] * 4 + [[0.5, 0.0]] * 4]).half()
    assert torch.allclose(ClipMotionHead.target(vel), torch.tensor([[0.25, 0.0]]))
    reversed_partner = -vel.flip(1)  # what reverse_pairs.add_partners writes
    assert torch.allclose(ClipMotionHead.target(reversed_partner), torch.tensor([[-0.25, 0.0]]))


def test_head_reads_tokens_and_loss_vanishes_only_at_the_target():
    head = ClipMotionHead(width=16)
    tokens = torch.randn(3, 64, 16)
    assert head(tokens).shape == (3, 2)
    vel = torch.tensor([[[0.0, -1.0]] * 16, [[0.3, 0.0]] * 16, [[0.0, 0.0]] * 16])
    assert ClipMotionHead.loss(ClipMotionHead.target(vel), vel).item() == 0.0
    assert ClipMotionHead.loss(-ClipMotionHead.target(vel), vel).item() == pytest.approx((4 * 1.0 + 4 * 0.09) / 3)
