"""The decoder fine-tune's focus (train_decoder.py, README item 35)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kinora_train.train_decoder import focused_frames, focused_scenes  # noqa: E402
from kinora_train.world import parse_focus  # noqa: E402


def test_focus_names_the_attribute_or_value_that_is_not_the_worlds():
    assert parse_focus("style=glow, size=small") == {"style": "glow", "size": "small"}
    assert parse_focus("") == {}
    with pytest.raises(ValueError, match="size is one of small, medium, large"):
        parse_focus("size=huge")
    with pytest.raises(ValueError, match="ATTRIBUTE=VALUE"):
        parse_focus("speed=fast")
    with pytest.raises(ValueError, match="ATTRIBUTE=VALUE"):
        parse_focus("glow")


def test_the_focus_share_of_scenes_has_the_focus_and_the_rest_the_whole_world():
    focus = {"style": "glow", "size": "small"}
    scenes = focused_scenes(np.random.default_rng(1), 40, focus, 0.25)
    assert all(s.style == "glow" and s.size == "small" for s in scenes[:10])
    rest = scenes[10:]
    assert sum(s.style == "glow" and s.size == "small" for s in rest) < 10
    assert {s.style for s in rest} == {"flat", "outline", "pixel", "glow"} and {s.size for s in rest} == {"small", "medium", "large"}
    assert all(s.style != "glow" for s in focused_scenes(np.random.default_rng(1), 8, {"style": "flat"}, 1.0))
    assert focused_scenes(np.random.default_rng(1), 8, {}, 1.0) != []


def test_focused_frames_are_one_frame_of_each_scene():
    frames = focused_frames(np.random.default_rng(2), 6, {"style": "glow"}, 0.5)
    assert frames.shape == (6, 64, 64, 3) and frames.dtype == np.uint8
    assert all(len(np.unique(f.reshape(-1, 3), axis=0)) > 1 for f in frames)


def test_sample_frames_are_the_ones_that_overlap_their_truth_in_raw_units(tmp_path):
    from kinora_train.train_decoder import load_samples
    latents = torch.full((2, 3, 8, 8, 8), 2.0).half()
    truth = torch.zeros(2, 3, 64, 64, 3, dtype=torch.uint8)
    iou = torch.tensor([[0.9, 0.2, 0.5], [0.0, 0.7, 0.49]])
    path = tmp_path / "pairs.pt"
    torch.save({"latents": latents, "truth": truth, "iou": iou, "latent_scale": 2.0}, path)
    got = load_samples(str(path), 2.0, 0.5)
    assert got["where"].tolist() == [[0, 0], [0, 2], [1, 1]]
    assert float(got["latents"].float().mean()) == pytest.approx(1.0)
    with pytest.raises(SystemExit, match="latent scale 2.0"):
        load_samples(str(path), 1.5, 0.5)
    with pytest.raises(SystemExit, match="--sample-iou"):
        load_samples(str(path), 2.0, 0.95)


def test_drawn_overlap_is_one_for_the_same_object_and_falls_as_it_moves():
    from kinora_train.sample_pairs import drawn_iou
    from kinora_train.world import Scene, render
    s = Scene("red", "circle", "black", size="large", motion="right")
    clip, _ = render(s, 4)
    assert np.allclose(drawn_iou(clip, clip), 1.0)
    moved, _ = render(Scene("red", "circle", "black", size="large", motion="right", x0=0.6), 4)
    iou = drawn_iou(moved, clip)
    assert (iou < 0.8).all() and (iou > 0.2).all()
    empty = np.zeros_like(clip)
    assert np.allclose(drawn_iou(empty, empty), 1.0)
