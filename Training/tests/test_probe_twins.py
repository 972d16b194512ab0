"""probe_twins counts a second object in the frames that show one, and none in the world's own."""
import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("scipy")

from kinora_train.probe_twins import twin_frames  # noqa: E402
from kinora_train.world import Scene, render  # noqa: E402


def test_a_rendered_clip_has_no_twin_and_a_pasted_copy_is_one():
    clip = render(Scene("red", "square", "black", size="small", motion="still", x0=0.25, y0=0.5), 16)[0]
    assert twin_frames(clip) == 0
    twin = clip.copy()
    twin[8:, :, 32:] = clip[8:, :, :32]  # the left half's object copied to the right half from frame 8
    assert twin_frames(twin) == 8
