"""The pixel-style flag (train_style_flag.py, README item 19) and the probe that found it
needed (probe_style_pull.py)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kinora_train.probe_style_pull import style_pull  # noqa: E402
from kinora_train.train_style_flag import cell_coverage, flag_direction, mixed_frames, pixel_twins  # noqa: E402
from kinora_train.detect import read_clip  # noqa: E402


def test_the_pull_is_one_when_the_word_alone_makes_the_other_style_and_zero_when_it_changes_nothing():
    g = torch.Generator().manual_seed(0)
    xs, xf = torch.randn(3, 2, 4, 4, 4, generator=g), torch.randn(3, 2, 4, 4, 4, generator=g)
    assert style_pull(xs, xf, xs, xf) == pytest.approx(1.0)
    assert style_pull(xs, xf, xf, xf) == pytest.approx(0.0)
    assert style_pull(xs, xf, 0.5 * (xs + xf) + 0.25 * (xs - xf), 0.5 * (xs + xf)) == pytest.approx(0.25)


def test_twins_are_the_same_object_at_the_same_place_in_pixel_and_flat_style():
    pix, flat, vis = pixel_twins(np.random.default_rng(3), 4)
    for p, f, v in zip(pix, flat, vis):
        assert read_clip(p[None]).style == "pixel" and read_clip(f[None]).style == "flat"
        assert read_clip(p[None]).colour == read_clip(f[None]).colour
        assert v.sum() > 0 and abs(v.mean() - (np.abs(f.astype(int) - f[0, 0]).sum(-1) > 60).mean()) < 0.05


def test_the_flag_weight_is_the_visible_coverage_of_pixel_objects_only():
    frames, weight, styles, cover = mixed_frames(np.random.default_rng(5), 24)
    pixel = [s == "pixel" for s in styles]
    assert any(pixel) and not all(pixel)
    for is_pixel, w, c, f in zip(pixel, weight, cover, frames):
        assert (w.sum() > 0) == is_pixel
        assert np.array_equal(w, c if is_pixel else np.zeros_like(c)) and c.sum() > 0
        if is_pixel:
            assert read_clip(f[None]).style == "pixel"
    cells = cell_coverage(weight)
    assert cells.shape == (24, 1, 8, 8) and float(cells.max()) <= 1.0


class ColourMeans(torch.nn.Module):
    """Latent channel c of every cell: the frame's mean of colour channel c, times scales[c]."""
    def __init__(self, scales):
        super().__init__()
        self.scales = torch.tensor(scales)

    def forward(self, x):
        return (x.mean(dim=(2, 3)) * self.scales)[:, :, None, None].expand(-1, -1, 8, 8)


def test_the_flag_takes_the_direction_the_latents_vary_least_along():
    u = flag_direction(ColourMeans([3.0, 2.0, 0.01]), 1.0, np.random.default_rng(0), n=64)
    assert float(u.norm()) == pytest.approx(1.0, abs=1e-5)
    assert abs(float(u[2])) > 0.99
