"""The denoiser's training clips agree with their captions (needs PyTorch: run with
Training/.venv; skipped in `make test`)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from kinora_train.detect import read_clip  # noqa: E402
from kinora_train.train_dit import against_caption, give_frames_where_against, render_batch  # noqa: E402
from kinora_train.world import random_scene  # noqa: E402

OPPOSITE = {"up": "down", "down": "up", "left": "right", "right": "left"}


def test_text_to_video_clips_move_the_captioned_way_and_the_others_are_continuations():
    rng = np.random.default_rng(3)
    scenes = [random_scene(rng, pillar=False) for _ in range(120)]
    pool = {"scenes": scenes}
    idx = np.arange(len(scenes))
    clips, _, vel = render_batch(rng, pool, idx, 16)
    against = against_caption(pool, idx, vel)
    moving = [k for k in idx if scenes[k].motion in OPPOSITE]
    read = {k: read_clip(clips[k]).motion for k in moving}
    kept = [read[k] == scenes[k].motion for k in moving if not against[k]]
    flagged = [read[k] == OPPOSITE[scenes[k].motion] for k in moving if against[k]]
    assert len(flagged) > 10 and np.mean(kept) >= 0.9 and np.mean(flagged) >= 0.9
    given = give_frames_where_against(rng, torch.zeros(len(idx), 16), against)
    assert bool((given[against].sum(1) > 0).all()) and bool((given[~against].sum(1) == 0).all())
