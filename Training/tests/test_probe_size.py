"""probe_size tells an object drawn bigger from one drawn out of shape."""
import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("scipy")

from kinora_train.probe_size import size_ratios  # noqa: E402
from kinora_train.world import Scene, render  # noqa: E402


def test_the_truth_is_its_own_size_and_a_stretched_copy_reads_wider_than_its_area():
    scene = Scene("red", "square", "black", size="medium", motion="still", x0=0.5, y0=0.5)
    clip = render(scene, 4)[0]
    assert size_ratios(clip, clip) == (1.0, 1.0)
    bigger = render(Scene("red", "square", "black", size="large", motion="still", x0=0.5, y0=0.5), 4)[0]
    box, area = size_ratios(bigger, clip)
    assert box > 1.2 and area > 1.2  # bigger both ways
    stretched = clip.copy()
    stretched[:, :, 8:56] = clip[:, :, 20:44].repeat(2, axis=2)  # twice as wide, as tall as before
    box, area = size_ratios(stretched, clip)
    assert box > 1.6 and area < box - 0.2
