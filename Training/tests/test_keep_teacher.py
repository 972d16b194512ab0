"""A kept teacher round-trips: restore gives back the snapshot's weights (float16-rounded),
step and truth heads, in the files train_dit and train_distill read."""
import json
import os

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from kinora_train.checkpoint import read_checkpoint  # noqa: E402
from kinora_train.keep_teacher import restore, save  # noqa: E402


def make_run(run_dir, step=1500):
    os.makedirs(run_dir)
    g = torch.Generator().manual_seed(0)
    ema = {"blocks.0.weight": torch.randn(4, 3, generator=g), "out.bias": torch.randn(3, generator=g)}
    torch.save({"ema": ema, "step": step}, os.path.join(run_dir, f"ema_{step:06d}.pt"))
    torch.save({"model": ema, "ema": ema, "step": step + 20, "train_seconds": 99.0, "latent_scale": 1.3,
                "aux": {"head.weight": torch.ones(2, 2)}, "clip_motion": {"out.bias": torch.full((2,), 0.5)}},
               os.path.join(run_dir, "dit.pt"))
    with open(os.path.join(run_dir, "dit_log.csv"), "w") as f:
        f.write(f"{step - 10},0.2,0.5,80,0.5\n{step},0.2,0.5,90,0.5\n")
    return ema


def test_save_then_restore(tmp_path):
    ema = make_run(str(tmp_path / "old"))
    meta = save(str(tmp_path / "old"), "ema_001500.pt", str(tmp_path / "kept"), "test run")
    assert meta["step"] == 1500 and meta["train_seconds"] == 90.0 and meta["note"] == "test run"
    assert json.load(open(tmp_path / "kept" / "teacher.json"))["step"] == 1500
    model_folder = tmp_path / "model"
    model_folder.mkdir()
    restore(str(tmp_path / "kept"), str(tmp_path / "new"), str(model_folder))
    snap = torch.load(tmp_path / "new" / "ema_001500.pt", weights_only=False)
    run = read_checkpoint(str(tmp_path / "new" / "dit.pt"))
    for k, v in ema.items():
        assert torch.allclose(snap["ema"][k], v, atol=2e-3)
        assert torch.equal(run["model"][k], snap["ema"][k]) and torch.equal(run["ema"][k], snap["ema"][k])
    assert run["step"] == 1500 and "opt" not in run
    assert torch.equal(run["aux"]["head.weight"], torch.ones(2, 2))
    assert torch.equal(run["clip_motion"]["out.bias"], torch.full((2,), 0.5))
    assert open(tmp_path / "new" / "init-from").read().strip() == os.path.realpath(model_folder)


def test_restore_refuses_a_run_in_progress(tmp_path):
    make_run(str(tmp_path / "old"))
    save(str(tmp_path / "old"), "ema_001500.pt", str(tmp_path / "kept"), "")
    with pytest.raises(SystemExit, match="restore into an empty run folder"):
        restore(str(tmp_path / "kept"), str(tmp_path / "old"), str(tmp_path))


def test_a_student_is_not_kept_as_a_teacher(tmp_path):
    make_run(str(tmp_path / "old"))
    torch.save({"ema": {}, "step": 10, "distill": {"teacher_step": 1500}}, tmp_path / "old" / "student.pt")
    with pytest.raises(SystemExit, match="distilled student"):
        save(str(tmp_path / "old"), "student.pt", str(tmp_path / "kept"), "")


def test_the_run_as_it_stands_can_be_kept(tmp_path):
    ema = make_run(str(tmp_path / "old"))
    meta = save(str(tmp_path / "old"), "dit.pt", str(tmp_path / "kept"), "")
    assert meta["step"] == 1520
    restore(str(tmp_path / "kept"), str(tmp_path / "new"), str(tmp_path))
    snap = torch.load(tmp_path / "new" / "ema_001520.pt", weights_only=False)
    assert torch.allclose(snap["ema"]["out.bias"], ema["out.bias"], atol=2e-3)


def test_a_run_from_before_the_clip_motion_head_restores_without_it(tmp_path):
    make_run(str(tmp_path / "old"))
    run = torch.load(tmp_path / "old" / "dit.pt", weights_only=False)
    del run["clip_motion"]
    torch.save(run, tmp_path / "old" / "dit.pt")
    save(str(tmp_path / "old"), "ema_001500.pt", str(tmp_path / "kept"), "")
    restore(str(tmp_path / "kept"), str(tmp_path / "new"), str(tmp_path))
    restored = read_checkpoint(str(tmp_path / "new" / "dit.pt"))
    assert "aux" in restored and "clip_motion" not in restored


def test_a_rotary_teacher_comes_back_rotary(tmp_path):
    from kinora_train.model import DiT, DiTConfig, dit_from_state
    tiny = dict(latent_channels=4, latent_size=4, frames=3, patch=2, width=32, depth=2, heads=2, mlp_ratio=2,
                text_dim=24, time_freq_dim=16)
    dit = DiT(DiTConfig(**tiny, rotary=True))
    run = tmp_path / "old"
    run.mkdir()
    torch.save({"ema": dit.state_dict(), "step": 10}, run / "ema_000010.pt")
    torch.save({"model": dit.state_dict(), "ema": dit.state_dict(), "step": 10}, run / "dit.pt")
    save(str(run), "ema_000010.pt", str(tmp_path / "kept"), "")
    restore(str(tmp_path / "kept"), str(tmp_path / "new"), str(tmp_path))
    back = dit_from_state(torch.load(tmp_path / "new" / "ema_000010.pt", weights_only=False)["ema"], **tiny)
    assert back.cfg.rotary and torch.equal(back.rotary_freqs, dit.rotary_freqs)  # recomputed, not float16


def test_a_run_kept_online_resumes_from_its_online_weights(tmp_path):
    ema = make_run(str(tmp_path / "old"))
    run = torch.load(tmp_path / "old" / "dit.pt", weights_only=False)
    run["model"] = {k: v + 1.0 for k, v in ema.items()}  # the online weights run ahead of the EMA
    torch.save(run, tmp_path / "old" / "dit.pt")
    with pytest.raises(SystemExit, match="pass dit.pt"):
        save(str(tmp_path / "old"), "ema_001500.pt", str(tmp_path / "kept"), "", online=True)
    save(str(tmp_path / "old"), "dit.pt", str(tmp_path / "kept"), "", online=True)
    restore(str(tmp_path / "kept"), str(tmp_path / "new"), str(tmp_path))
    back = read_checkpoint(str(tmp_path / "new" / "dit.pt"))
    for k, v in ema.items():
        assert torch.allclose(back["model"][k], v + 1.0, atol=4e-3)
        assert torch.allclose(back["ema"][k], v, atol=2e-3)
    assert back["step"] == 1520 and "opt" not in back


def test_the_loss_log_is_kept_across_legs(tmp_path):
    make_run(str(tmp_path / "old"))  # rows at steps 1490 and 1500
    save(str(tmp_path / "old"), "ema_001500.pt", str(tmp_path / "kept"), "")
    restore(str(tmp_path / "kept"), str(tmp_path / "new"), str(tmp_path))
    with open(tmp_path / "new" / "dit_log.csv", "a") as f:  # the next leg, as train_dit appends
        f.write("1510,0.1,0.5,100,0.5\n1520,0.1,0.5,110,0.5\n")
    run = torch.load(tmp_path / "new" / "dit.pt", weights_only=False)
    torch.save({**run, "step": 1520}, tmp_path / "new" / "dit.pt")
    save(str(tmp_path / "new"), "dit.pt", str(tmp_path / "kept2"), "")  # kept elsewhere: nothing earlier there
    assert [r.split(",")[0] for r in open(tmp_path / "kept2" / "dit_log.csv")] == ["1490", "1500", "1510", "1520"]
    # a leg run on a machine that lost the log: the kept rows before it stay
    (tmp_path / "third").mkdir()
    torch.save(torch.load(tmp_path / "new" / "dit.pt", weights_only=False), tmp_path / "third" / "dit.pt")
    (tmp_path / "third" / "dit_log.csv").write_text(  # resumed at 1515 after a crash at 1520: 1520 logged twice
        "1515,0.3,0.5,105,0.5\n1520,0.9,0.5,110,0.5\n1520,0.3,0.5,110,0.5\n1530,9,9,9,9\n")
    save(str(tmp_path / "third"), "dit.pt", str(tmp_path / "kept2"), "")
    rows = [r.split(",")[:2] for r in open(tmp_path / "kept2" / "dit_log.csv")]
    assert rows == [["1490", "0.2"], ["1500", "0.2"], ["1510", "0.1"], ["1515", "0.3"], ["1520", "0.3"]]
