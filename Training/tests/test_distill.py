"""Guidance distillation's model side (needs PyTorch: run with Training/.venv; skipped in
`make test`, whose Python has no PyTorch — the Swift fixtures pin the same code there)."""
import dataclasses

import pytest

torch = pytest.importorskip("torch")

from kinora_train.model import DiT, DiTConfig, dit_from_state  # noqa: E402
from kinora_train.sampling import sample  # noqa: E402
from kinora_train.train_distill import distill_loss, student_of  # noqa: E402

TINY = dict(latent_channels=4, latent_size=4, frames=3, patch=2, width=32, depth=2, heads=2, mlp_ratio=2,
            text_dim=24, time_freq_dim=16)


def inputs(b=2):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(b, 3, 4, 4, 4, generator=g)
    ctx = torch.randn(b, 5, 24, generator=g)
    return x, torch.zeros(b, 3), torch.tensor([0.8, 0.3][:b]), ctx, torch.ones(b, 5), torch.randn(b, 24, generator=g)


def teacher(**extra):
    torch.manual_seed(0)
    t = DiT(DiTConfig(**TINY, **extra)).eval()
    with torch.no_grad():
        for p in t.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return t


@pytest.mark.parametrize("extra", [{}, {"rotary": True}, {"motion_channels": 2}])
def test_a_new_student_is_its_teachers_conditional_branch(extra):
    t = teacher(**extra)
    student = student_of(t).eval()
    assert student.cfg.guidance_embed and dataclasses.replace(student.cfg, guidance_embed=False) == t.cfg
    x, *rest = inputs()
    x = torch.cat([x, torch.randn(*x.shape[:2], t.cfg.motion_channels, *x.shape[3:])], 2)
    with torch.no_grad():
        assert torch.allclose(student(x, *rest, guidance=torch.tensor([7.0, 2.0])), t(x, *rest), atol=1e-6)


def test_the_distillation_loss_counts_a_given_frames_motion_but_not_its_latent():
    target = torch.zeros(1, 3, 6, 4, 4)
    given = torch.tensor([[1.0, 0.0, 0.0]])
    latent_off = target.clone()
    latent_off[0, 0, :4] = 1.0
    motion_off = target.clone()
    motion_off[0, 0, 4:] = 1.0
    assert distill_loss(latent_off, target, given, None, 4) == 0
    assert distill_loss(motion_off, target, given, None, 4) > 0
    assert distill_loss(motion_off[:, :, :4], target[:, :, :4], given, None, 4) == 0


def test_guidance_is_an_input_of_distilled_models_only():
    t = teacher()
    with pytest.raises(ValueError):
        t(*inputs(), guidance=torch.tensor([2.0, 2.0]))
    student = dit_from_state({**t.state_dict(), **{k: v for k, v in DiT(DiTConfig(**TINY, guidance_embed=True)).state_dict().items()
                                                   if k.startswith("guidance_")}}, **TINY)
    assert student.cfg.guidance_embed
    with pytest.raises(ValueError):
        student(*inputs())


def test_distilled_sampling_makes_one_call_a_step_and_three_with_a_negative_prompt():
    student = DiT(DiTConfig(**TINY, guidance_embed=True)).eval()
    batches = []
    real = student.forward
    student.forward = lambda x, *a, **k: (batches.append(x.shape[0]), real(x, *a, **k))[1]
    x, given, _, ctx, mask, pooled = inputs(1)
    cond, null = (ctx, mask, pooled), (ctx * 0, mask, pooled * 0)
    sample(student, x, torch.zeros_like(x), given, cond, null, steps=3, guidance=5.0)
    assert batches == [1, 1, 1]
    batches.clear()
    sample(student, x, torch.zeros_like(x), given, cond, null, steps=2, guidance=5.0, negative=(ctx.flip(1), mask, -pooled))
    assert batches == [3, 3]


def test_a_run_continues_from_a_distilled_model_folder(tmp_path):
    """--init-from the shipped (guidance-distilled) folder: the teacher's training goes on from
    the weights it shares with the student."""
    import os
    from kinora_train.train_dit import init_from_model_folder
    folder = os.path.join(os.path.dirname(__file__), "..", "..", "Models", "kinora-shapes-v1")
    (tmp_path / "init-from").write_text(os.path.realpath(folder))
    dit, ema = DiT(DiTConfig()), DiT(DiTConfig())
    state = init_from_model_folder(str(tmp_path), dit=dit, ema=ema)
    assert state["step"] > 0 and not dit.cfg.guidance_embed


def test_object_weights_cover_the_object_and_its_neighbours():
    from kinora_train.object_weight import latent_weights
    cells = torch.zeros(1, 2, 16, 16, dtype=torch.uint8)
    cells[0, 0, 6:8, 6:8] = 255  # one 8×8-pixel latent pixel: (3, 3) at latent size 8
    w = latent_weights(cells, 8, 3.0)
    assert w.shape == (1, 2, 1, 8, 8)
    assert torch.all(w[0, 0, 0, 2:5, 2:5] == 4.0)
    assert w[0, 0, 0].sum() == 64 + 3.0 * 9
    assert torch.all(w[0, 1] == 1.0)  # a frame without the object weighs every latent pixel alike


def test_weighted_mse_is_the_plain_mean_without_weights_and_favours_the_object_with_them():
    from kinora_train.object_weight import weighted_mse
    target = torch.zeros(1, 2, 4, 8, 8)
    v = torch.zeros_like(target)
    v[:, :, :, 0, 0] = 1.0  # an error on one latent pixel
    given = torch.tensor([[0.0, 1.0]])
    plain = weighted_mse(v, target, given)
    assert torch.isclose(plain, torch.tensor(1 / 64))
    w = torch.ones(1, 2, 1, 8, 8)
    assert torch.isclose(weighted_mse(v, target, given, w), plain)
    w[:, :, :, 0, 0] = 4.0
    assert torch.isclose(weighted_mse(v, target, given, w), torch.tensor(4 / 67))


def test_decoder_edge_weights_cover_outlines_and_leave_flat_areas_alone():
    from kinora_train.object_weight import edge_weights
    x = torch.full((1, 3, 16, 16), -0.5)
    x[:, :, 6:10, 6:10] = 0.8  # a 4×4 square on a flat background
    w = edge_weights(x, 4.0, reach=2)
    assert w.shape == (1, 1, 16, 16)
    assert w[0, 0, 8, 8] == 5.0 and w[0, 0, 3, 3] == 5.0  # inside it, and 2 pixels past its edge
    assert w[0, 0, 0, 0] == 1.0 and w[0, 0, 15, 15] == 1.0  # flat background far away


def test_a_student_can_start_from_the_shipped_guidance_mlp():
    """--guidance-from: the guidance MLP from a distilled folder, every other weight the teacher's."""
    import os
    from kinora_train.train_distill import guidance_weights
    folder = os.path.join(os.path.dirname(__file__), "..", "..", "Models", "kinora-shapes-v1")
    g = guidance_weights(folder)
    assert sorted(g) == ["guidance_in.bias", "guidance_in.weight", "guidance_out.bias", "guidance_out.weight"]
    assert g["guidance_out.weight"].abs().sum() > 0  # trained, not the zero start
    teacher_state = DiT(DiTConfig()).state_dict()
    student = DiT(DiTConfig(guidance_embed=True))
    student.load_state_dict(teacher_state, strict=False)
    student.load_state_dict(g, strict=False)
    s = student.state_dict()
    assert torch.equal(s["guidance_out.weight"], g["guidance_out.weight"])
    assert all(torch.equal(s[k], v) for k, v in teacher_state.items())


def test_guidance_from_refuses_an_undistilled_folder(tmp_path):
    import json
    from safetensors.torch import save_file
    from kinora_train.train_distill import guidance_weights
    (tmp_path / "config.json").write_text(json.dumps({"denoiser": {"file": "d.safetensors"}}))
    save_file({"x": torch.zeros(1)}, str(tmp_path / "d.safetensors"))
    with pytest.raises(SystemExit, match="not guidance-distilled"):
        guidance_weights(str(tmp_path))


def test_the_exported_training_record_names_the_autoencoders_style_flag(tmp_path):
    """A run whose autoencoder came from a folder with a style-flag fine-tune (item 19) says so
    in the exported config.json, and a folder exported that way passes it on again."""
    import json
    from kinora_train.export import training_record
    from kinora_train.model import AutoEncoder, AEConfig
    from kinora_train.train_dit import init_from_model_folder
    from safetensors.torch import save_file
    (tmp_path / "init-from").write_text(str(tmp_path))
    save_file(AutoEncoder(AEConfig()).state_dict(), str(tmp_path / "autoencoder.safetensors"))
    flag = {"direction": [1.0] + [0.0] * 7, "strength": 1.5, "steps": 1700}
    (tmp_path / "config.json").write_text(json.dumps({"autoencoder": {"latent_scale": 1.3}, "training": {
        "autoencoder_steps": 2500, "decoder_finetune_steps": 6000, "style_flag": flag}}))
    state = init_from_model_folder(str(tmp_path), ae=AutoEncoder(AEConfig()))
    record = training_record({"step": 35700, "train_seconds": 7e4}, state, None)
    assert record["autoencoder_style_flag"] == {"steps": 1700, "strength": 1.5}
    assert "guidance_distillation" not in record and record["decoder_finetune_steps"] == 6000
    (tmp_path / "config.json").write_text(json.dumps({"autoencoder": {"latent_scale": 1.3}, "training": record}))
    again = init_from_model_folder(str(tmp_path), ae=AutoEncoder(AEConfig()))
    assert training_record({}, again, None)["autoencoder_style_flag"] == {"steps": 1700, "strength": 1.5}
    plain = training_record({}, {"step": 2500}, {"teacher_step": 1})
    assert "autoencoder_style_flag" not in plain and plain["guidance_distillation"] == {"teacher_step": 1}


@pytest.mark.parametrize("bad, named", [(["--outline-weight", "-1"], "--outline-weight -1.0: a weight from 0"),
                                        (["--outline-below", "0"], "--outline-below 0.0: a noise level in (0, 1]"),
                                        (["--outline-frames", "0"], "--outline-frames 0: a count from 1"),
                                        (["--outline-skip-style", "sepia"], "--outline-skip-style: invalid choice: 'sepia'"),
                                        (["--outline-skip-below", "1.5"], "--outline-skip-below 1.5: a noise level in (0, 1]"),
                                        (["--outline-skip-share", "1.5"], "--outline-skip-share 1.5: a share in [0, 1]"),
                                        (["--outline-skip-blocks", "0"], "--outline-skip-blocks 0: a block size from 1"),
                                        (["--outline-skip-share", "0.5", "--outline-skip-blocks", "4"],
                                         "--outline-skip-share, --outline-skip-blocks: they act on the clips of "
                                         "--outline-skip-style, and none is given"),
                                        (["--outline-skip-style", "pixel", "--outline-skip-blocks", "4"],
                                         "--outline-skip-blocks 4: it compares the skipped clips, which "
                                         "--outline-skip-share 0 leaves out")])
def test_the_outline_options_are_refused_out_of_range_with_their_name(bad, named, tmp_path):
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "kinora_train.train_distill", str(tmp_path), "--teacher", "x.pt", *bad],
                         capture_output=True, text=True)
    assert run.returncode == 2 and named in run.stderr
