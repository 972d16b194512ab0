"""--outline-weight: a decoded, outline-weighted term on the predicted clean clip."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kinora_train.model import AEConfig, AutoEncoder  # noqa: E402
from kinora_train.object_weight import edge_weights  # noqa: E402
from kinora_train.outline_loss import block_means, chosen_frames, left_out_clips, outline_loss, predicted_clean  # noqa: E402


def test_the_predicted_clean_clip_inverts_the_flow():
    x0, eps = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    t = torch.tensor([0.3, 0.9])
    xt = (1 - t.view(-1, 1, 1)) * x0 + t.view(-1, 1, 1) * eps
    assert torch.allclose(predicted_clean(xt, eps - x0, t), x0, atol=1e-6)


def test_edges_weigh_more_than_flat_areas():
    img = -torch.ones(1, 3, 16, 16)
    img[:, :, 4:12, 4:12] = 1  # a white square on black
    w = edge_weights(img, 4.0)
    assert w[0, 0, 0, 0] == 1 and w[0, 0, 8, 8] == 1  # background and the square's middle
    assert w[0, 0, 4, 8] >= 3 and w[0, 0, 8, 3] >= 3 and w.max() == 5  # its outline, inside and out; corners most


def test_only_generated_frames_of_low_noise_clips_are_chosen():
    given = torch.zeros(3, 16)
    given[1, :4] = 1
    chosen = chosen_frames(np.random.default_rng(0), torch.tensor([0.2, 0.3, 0.9]), given, 0.5, 4)
    assert sorted({b for b, _ in chosen}) == [0, 1] and len(chosen) == 8
    assert all(f >= 4 for b, f in chosen if b == 1)
    assert chosen_frames(np.random.default_rng(0), torch.tensor([0.6]), torch.zeros(1, 16), 0.5, 4) == []


def test_clips_left_out_get_no_frames_and_the_others_the_same_draw_as_without():
    t, given = torch.tensor([0.2, 0.3, 0.4]), torch.zeros(3, 16)
    chosen = chosen_frames(np.random.default_rng(0), t, given, 0.5, 4, np.array([False, True, False]))
    assert sorted({b for b, _ in chosen}) == [0, 2]
    assert chosen_frames(np.random.default_rng(0), t, given, 0.5, 4, np.zeros(3, bool)) == \
        chosen_frames(np.random.default_rng(0), t, given, 0.5, 4)


def test_clips_are_left_out_by_their_style_and_only_below_the_level():
    t = torch.tensor([0.3, 0.3, 0.8, 0.8])
    styles = ["pixel", "flat", "pixel", "glow"]
    assert left_out_clips(styles, t, ["pixel"], 1.0).tolist() == [True, False, True, False]
    assert left_out_clips(styles, t, ["pixel"], 0.6).tolist() == [True, False, False, False]
    assert left_out_clips(styles, t, [], 1.0).tolist() == [False] * 4


def test_the_loss_is_zero_at_the_truth_and_its_gradient_reaches_the_prediction_only():
    torch.manual_seed(0)
    decoder = AutoEncoder(AEConfig()).decoder.eval().requires_grad_(False)
    x0 = torch.randn(2, 4, 8, 8, 8)
    chosen = [(0, 1), (1, 3)]
    assert outline_loss(decoder, 1.3, x0.clone(), x0, chosen).item() == pytest.approx(0, abs=1e-7)
    x0_hat = (x0 + 0.5 * torch.randn_like(x0)).requires_grad_(True)
    loss = outline_loss(decoder, 1.3, x0_hat, x0, chosen)
    loss.backward()
    assert loss.item() > 0
    touched = x0_hat.grad.abs().sum(dim=(2, 3, 4)) > 0
    assert touched[0, 1] and touched[1, 3] and touched.sum() == 2
    assert all(p.grad is None for p in decoder.parameters())
    assert outline_loss(decoder, 1.3, x0_hat, x0, []).item() == 0


def test_a_clip_weight_scales_its_clips_error_and_the_unscaled_weights_divide():
    torch.manual_seed(0)
    decoder = AutoEncoder(AEConfig()).decoder.eval().requires_grad_(False)
    x0 = torch.randn(2, 4, 8, 8, 8)
    x0_hat = x0 + 0.5 * torch.randn_like(x0)
    both = outline_loss(decoder, 1.3, x0_hat, x0, [(0, 1)])
    assert outline_loss(decoder, 1.3, x0_hat, x0, [(0, 1)], clip_weight=np.array([0.25, 1.0])).item() == \
        pytest.approx(0.25 * both.item(), rel=1e-5)
    assert outline_loss(decoder, 1.3, x0_hat, x0, [(0, 1)], clip_weight=np.ones(2)).item() == \
        pytest.approx(both.item(), rel=1e-6)


def test_block_means_keep_a_block_aligned_picture_and_flatten_what_is_inside_a_block():
    blocks = torch.randn(1, 3, 4, 4).repeat_interleave(4, dim=-2).repeat_interleave(4, dim=-1)
    assert torch.allclose(block_means(blocks, 4), blocks)
    ramp = torch.arange(16.0).view(1, 1, 1, 16).expand(1, 3, 16, 16)
    assert torch.allclose(block_means(ramp, 4)[..., :4], torch.full((1, 3, 16, 4), 1.5))
    with pytest.raises(ValueError, match="block size 3"):
        block_means(ramp, 3)


def test_clips_compared_by_blocks_pay_nothing_for_what_is_inside_a_block_and_the_others_pay_in_full():
    torch.manual_seed(0)
    decoder = AutoEncoder(AEConfig()).decoder.eval().requires_grad_(False)
    x0 = torch.randn(2, 4, 8, 8, 8)
    x0_hat = x0 + 0.5 * torch.randn_like(x0)
    full = outline_loss(decoder, 1.3, x0_hat, x0, [(0, 1), (1, 2)])
    by_blocks = outline_loss(decoder, 1.3, x0_hat, x0, [(0, 1), (1, 2)], clip_blocks=(np.array([True, False]), 4))
    assert 0 < by_blocks.item() < full.item()
    assert outline_loss(decoder, 1.3, x0_hat, x0, [(1, 2)], clip_blocks=(np.array([True, False]), 4)).item() == \
        pytest.approx(outline_loss(decoder, 1.3, x0_hat, x0, [(1, 2)]).item(), rel=1e-6)
    assert outline_loss(decoder, 1.3, x0_hat, x0, [(0, 1)], clip_blocks=(np.array([True, True]), 1)).item() == \
        pytest.approx(outline_loss(decoder, 1.3, x0_hat, x0, [(0, 1)]).item(), rel=1e-6)
