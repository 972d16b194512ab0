"""The evaluator's arithmetic: a reading scored against the asked scene. Needs only numpy."""
from types import SimpleNamespace

from kinora_train.scoring import identity_where_readable, score, sign_pairs, summarise
from kinora_train.world import Scene


def reading(motion, speed="normal", identity=1.0):
    return SimpleNamespace(background="blue", colour="red", shape="square", size="large", style="flat",
                           motion=motion, speed=speed, identity_kept=identity)


def scene(motion):
    return Scene("red", "square", "blue", "large", motion, style="flat", x0=0.5, y0=0.5)


def test_motion_splits_into_axis_and_sign():
    same = score(reading("left"), scene("left"))
    assert same["motion"] and same["axis"] and not same["reversed"]
    flipped = score(reading("right"), scene("left"))
    assert not flipped["motion"] and flipped["axis"] and flipped["reversed"]
    crossed = score(reading("up"), scene("left"))
    assert not crossed["motion"] and not crossed["axis"] and not crossed["reversed"]
    stood = score(reading("still"), scene("left"))
    assert not stood["axis"] and not stood["reversed"]


def test_still_scenes_have_no_axis_speed_or_reversal():
    s = score(reading("still", speed=None), scene("still"))
    assert s["motion"] and s["axis"] is None and s["speed"] is None and s["reversed"] is None


def test_rates_skip_measures_that_do_not_apply():
    rows = [{"score": score(reading("right"), scene("left"))},
            {"score": score(reading("left"), scene("left"))},
            {"score": score(reading("still", speed=None), scene("still"))}]
    out = summarise(rows)
    assert out["n"] == 3 and out["motion"] == round(2 / 3, 3)
    assert out["axis"] == 1.0 and out["reversed"] == 0.5
    assert summarise(rows, lambda r: False)["axis"] is None


def test_sign_pairs_count_which_of_text_and_noise_chose_the_sign():
    asked = ["up", "down", "left", "right", "right", "left", "down", "up"]
    drawn = ["up", "down", "right", "right", "up", "up", "down", "still"]
    r = sign_pairs(asked, drawn)
    assert r == {"n": 4, "opposite": 0.25, "same": 0.25, "other": 0.5}
    # a reversed pair still moves opposite ways: the text was read, backwards
    assert sign_pairs(["left", "right"], ["right", "left"])["opposite"] == 1.0


def test_identity_where_readable_leaves_out_prompts_whose_own_truth_loses_identity():
    kept, lost = score(reading("left"), scene("left")), score(reading("left", identity=0.5), scene("left"))
    # The model lost identity on prompts 1 and 2; the truth of prompt 2 itself reads as lost.
    out = identity_where_readable([kept, lost, lost], [kept, kept, lost])
    assert out == {"n": 2, "identity": 0.5, "n_unreadable": 1}
    assert identity_where_readable([lost], [lost]) == {"n": 0, "identity": None, "n_unreadable": 1}
