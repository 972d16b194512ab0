"""Export a trained run to a Kinora model folder: config.json + safetensors, the format the
Swift engine loads (see Training/MODEL_FORMAT.md).

Usage: python -m kinora_train.export RUN_DIR OUT_DIR [--ema-file ema_XXXXXX.pt]"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os

import torch
from safetensors.torch import save_file

from .checkpoint import read_checkpoint
from .model import AEConfig, DiTConfig, dit_from_state, rotary_axes
from .text import MAX_TOKENS
from .train_dit import load_ae_with_state

NAME = "kinora-shapes-v1"


def rotary_json(dit_cfg: DiTConfig) -> dict:
    """config.json's `rotary`: pairs and base per axis (frame, row, column), as model.rotary_axes."""
    axes = rotary_axes(dit_cfg)
    return {"axes": ["frame", "row", "column"], "pairs": [n for n, _ in axes], "base": [float(b) for _, b in axes]}


def refiner_json(dit_cfg: DiTConfig) -> dict:
    """config.json's `refiner` (model.RefinerBlock): its blocks' width, depth and heads, and
    where they attend (within a frame)."""
    return {"width": dit_cfg.refiner_width, "depth": dit_cfg.refiner_depth, "heads": dit_cfg.refiner_heads,
            "attention": "frame"}


def config_json(ae_cfg: AEConfig, dit_cfg: DiTConfig, latent_scale: float, extra: dict, guidance: float = 4.0,
                steps: int = 16, guidance_range: tuple[float, float] = (1.0, 10.0), motion_lead: float = 0.0) -> dict:
    return {
        "format": "kinora-video-model",
        "format_version": 1,
        "name": NAME,
        "native": {"width": 64, "height": 64, "fps": 8, "frames": dit_cfg.frames},
        "text_encoder": {"name": "all-MiniLM-L6-v2", "dim": dit_cfg.text_dim, "max_tokens": MAX_TOKENS,
                         "null_prompt": ""},
        "autoencoder": {"file": "autoencoder.safetensors", "type": "conv2d-per-frame",
                        "channels": list(ae_cfg.channels), "latent_channels": ae_cfg.latent_channels,
                        "groups": ae_cfg.groups, "group_norm_eps": 1e-5, "downsample": ae_cfg.downsample,
                        "latent_scale": latent_scale, "pixel_range": [-1.0, 1.0]},
        "denoiser": {"file": "denoiser.safetensors", "type": "dit", "prediction": "flow-velocity",
                     **{k: v for k, v in dataclasses.asdict(dit_cfg).items() if k not in ("rotary", "motion_channels") and not k.startswith("refiner_")}, "layer_norm_eps": 1e-6, "gelu": "tanh",
                     "input_channels": "latent + motion + given-frame mask" if dit_cfg.motion_channels
                     else "latent + given-frame mask",
                     **({"motion_channels": dit_cfg.motion_channels} if dit_cfg.motion_channels else {}),
                     **({"guidance_range": list(guidance_range)} if dit_cfg.guidance_embed else {}),
                     **({"rotary": rotary_json(dit_cfg)} if dit_cfg.rotary else {}),
                     **({"refiner": refiner_json(dit_cfg)} if dit_cfg.refiner_depth else {})},
        "sampler": {"name": "flow-euler", "steps": steps, "shift": 3.0, "guidance": guidance,
                    **({"motion_lead": motion_lead} if motion_lead else {})},
        "chunk": {"overlap_frames": 4},
        **extra,
    }


EXPERT_FILE = "denoiser-low-noise.safetensors"


def train_seconds_at(run_dir: str, step: int, default: float) -> float:
    """The denoiser's training seconds at `step`, from the run's log (step,loss,gn,seconds)."""
    try:
        with open(os.path.join(run_dir, "dit_log.csv")) as f:
            rows = [line.split(",") for line in f if line.strip()]
        return float(min(rows, key=lambda r: abs(int(r[0]) - step))[3])
    except (OSError, ValueError, IndexError):
        return default


def training_record(st: dict, ae_state: dict, distill: dict | None) -> dict:
    """config.json's "training": the denoiser's steps and seconds, the autoencoder's steps, its
    decoder fine-tune and its style-flag fine-tune (train_style_flag.py) if it had one, and the
    guidance distillation if the weights are a student's."""
    flag = ae_state.get("style_flag")
    return {"denoiser_steps": int(st.get("step", 0)),
            "denoiser_train_seconds": float(st.get("train_seconds", 0.0)),
            "autoencoder_steps": int(ae_state.get("step", 0)),
            "decoder_finetune_steps": int(ae_state.get("decoder_steps", 0)),
            **({"autoencoder_style_flag": {"steps": int(flag["steps"]), "strength": float(flag["strength"])}}
               if flag else {}),
            **({"guidance_distillation": distill} if distill else {})}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--ema-file", default=None)
    ap.add_argument("--guidance", type=float, default=4.0, help="the sampler's default guidance scale")
    ap.add_argument("--steps", type=int, default=16, help="the sampler's default step count")
    ap.add_argument("--motion-lead", type=float, default=0.0,
                    help="the sampler's motion clock (sampling.motion_clock) for a denoiser trained with --motion-lead")
    ap.add_argument("--low-noise-expert", default=None, metavar="FILE",
                    help="a low-noise expert's snapshot (train_low_noise.py, RUN_DIR/low-noise/ema_NNNNNN.pt) for the "
                         "steps below --expert-below")
    ap.add_argument("--expert-below", type=float, default=0.55, metavar="T",
                    help="the flow time under which the expert takes the step (default: 0.55)")
    args = ap.parse_args()
    if not 0.0 < args.expert_below <= 1.0:
        ap.error(f"--expert-below {args.expert_below}: a flow time in (0, 1]")
    ae_cfg = AEConfig()
    # ae.pt, or (a run continued with --init-from) the committed folder's autoencoder.
    ae, ae_state = load_ae_with_state(args.run_dir)
    # The run's checkpoint: its step, training time and EMA weights (read, not loaded into a model).
    st = read_checkpoint(os.path.join(args.run_dir, "dit.pt"))
    if st is None:
        raise SystemExit(f"no dit.pt in {args.run_dir}")
    weights = st.pop("ema")
    distill = None
    if args.ema_file:
        # A run's EMA snapshot, or a guidance-distilled student's (train_distill.py, e.g.
        # distill-ema_014000/ema_001500.pt), which records its teacher's step.
        e = torch.load(os.path.join(args.run_dir, args.ema_file), map_location="cpu", weights_only=False)
        weights = e["ema"]
        distill = e.get("distill")
        st["step"] = distill["teacher_step"] if distill else e["step"]
        st["train_seconds"] = train_seconds_at(args.run_dir, st["step"], st.get("train_seconds", 0.0))
    ema = dit_from_state(weights)
    dit_cfg = ema.cfg
    os.makedirs(args.out_dir, exist_ok=True)
    save_file({k: v.contiguous() for k, v in ae.state_dict().items()},
              os.path.join(args.out_dir, "autoencoder.safetensors"), metadata={"format": "pt"})
    save_file({k: v.half().contiguous() for k, v in ema.state_dict().items()},
              os.path.join(args.out_dir, "denoiser.safetensors"), metadata={"format": "pt"})
    cfg = config_json(ae_cfg, dit_cfg, float(ae_state["latent_scale"]),
                      {"training": training_record(st, ae_state, distill)},
                      guidance=args.guidance, steps=args.steps, motion_lead=args.motion_lead,
                      guidance_range=(1.0, distill["max_guidance"]) if distill else (1.0, 10.0))
    names = ["autoencoder.safetensors", "denoiser.safetensors", "config.json"]
    if args.low_noise_expert:
        e = torch.load(args.low_noise_expert, map_location="cpu", weights_only=False)
        expert = dit_from_state(e["ema"])
        if expert.cfg != dit_cfg:
            raise SystemExit(f"{args.low_noise_expert}: its architecture differs from the denoiser's")
        save_file({k: v.half().contiguous() for k, v in expert.state_dict().items()},
                  os.path.join(args.out_dir, EXPERT_FILE), metadata={"format": "pt"})
        cfg["denoiser"]["low_noise_expert"] = {"file": EXPERT_FILE, "below": args.expert_below}
        cfg["training"]["low_noise_expert"] = e["low_noise"]
        names.append(EXPERT_FILE)
    with open(os.path.join(args.out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    for name in names:
        os.chmod(os.path.join(args.out_dir, name), 0o644)
    print("exported", args.out_dir, "step", st.get("step"))


if __name__ == "__main__":
    main()
