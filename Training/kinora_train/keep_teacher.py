"""Keep the teacher across machines: the run folder (runs/, ignored by git) does not survive a
new machine or session, so a teacher snapshot worth continuing is committed in a compact form
and restored into a run folder later.

  python -m kinora_train.keep_teacher save RUN_DIR ema_019500.pt checkpoints/teacher
  python -m kinora_train.keep_teacher restore checkpoints/teacher RUN_DIR --autoencoder ../Models/kinora-shapes-v1

`save` writes teacher.safetensors (the EMA weights and the training-only truth heads, float16,
about 25 MB) and teacher.json (step, training seconds, how it was trained). `restore` writes
RUN_DIR/ema_<step>.pt (what train_distill and evaluate read) and RUN_DIR/dit.pt holding the
same weights with no optimiser state, so that train_dit resumes from that step with a fresh
optimiser and its warm-up; the autoencoder comes from the committed model folder (init-from).

A run that spans sessions is kept with `save RUN_DIR dit.pt OUT --online`: the online weights
go in too (about 50 MB), and `restore` resumes from them with the EMA as it stood, instead of
restarting both from the EMA, which would drop the last ~1,000 steps the EMA lags behind.

The run's loss log goes with it: `save` keeps dit_log.csv (its rows up to the kept step,
after the rows of earlier legs already kept in OUT) and `restore` puts it back, so that
plot_loss draws every leg and not only the last machine's."""
from __future__ import annotations

import argparse
import json
import os

import torch
from safetensors.torch import load_file, save_file

from .checkpoint import read_checkpoint


LOG = "dit_log.csv"


def log_rows(path: str) -> list[str]:
    try:
        with open(path) as f:
            return [line for line in f if line.strip()]
    except FileNotFoundError:
        return []


def kept_log(run_dir: str, out_dir: str, step: int) -> list[str]:
    """The kept legs' rows before this run's first, then this run's rows up to `step`. A run
    resumed from a checkpoint logs the steps since it again; the later row of a step wins."""
    latest = {int(r.split(",")[0]): r for r in log_rows(os.path.join(run_dir, LOG))}
    run = [latest[k] for k in sorted(latest) if k <= step]
    first = int(run[0].split(",")[0]) if run else step + 1
    return [r for r in log_rows(os.path.join(out_dir, LOG)) if int(r.split(",")[0]) < first] + run


def write_atomically(path: str, lines: list[str]) -> None:
    with open(path + ".tmp", "w") as f:
        f.writelines(lines)
    os.replace(path + ".tmp", path)


# The training-only heads kept with a teacher: checkpoint entry -> tensor-name prefix.
HEADS = {"aux": "aux", "clip_motion": "clip"}


def save(run_dir: str, ema_file: str, out_dir: str, note: str, online: bool = False) -> dict:
    run = read_checkpoint(os.path.join(run_dir, "dit.pt")) or {}
    if online and ema_file != "dit.pt":
        raise SystemExit(f"--online keeps the run as it stands: pass dit.pt, not {ema_file}")
    # dit.pt itself is a snapshot too (its EMA at its step): a run stopped between the
    # every-500-steps ema_*.pt files is kept as it stands.
    snap = run if ema_file == "dit.pt" else \
        torch.load(os.path.join(run_dir, ema_file), map_location="cpu", weights_only=False)
    if "distill" in snap:
        raise SystemExit(f"{ema_file} is a distilled student; keep the teacher it was distilled from")
    tensors = {f"ema.{k}": v.half().contiguous() for k, v in snap["ema"].items()}
    if online:
        tensors.update({f"model.{k}": v.half().contiguous() for k, v in run["model"].items()})
    for name, prefix in HEADS.items():
        tensors.update({f"{prefix}.{k}": v.half().contiguous() for k, v in run.get(name, {}).items()})
    from .export import train_seconds_at
    meta = {"step": int(snap["step"]),
            "train_seconds": train_seconds_at(run_dir, int(snap["step"]), float(run.get("train_seconds", 0.0))),
            "latent_scale": run.get("latent_scale"), "note": note}
    os.makedirs(out_dir, exist_ok=True)
    weights = os.path.join(out_dir, "teacher.safetensors")
    save_file(tensors, weights + ".tmp")
    os.replace(weights + ".tmp", weights)
    with open(os.path.join(out_dir, "teacher.json.tmp"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    os.replace(os.path.join(out_dir, "teacher.json.tmp"), os.path.join(out_dir, "teacher.json"))
    write_atomically(os.path.join(out_dir, LOG), kept_log(run_dir, out_dir, meta["step"]))
    return meta


def read_kept(kept_dir: str) -> tuple[dict, dict, dict | None, dict]:
    """(meta, ema state_dict, the online weights when they were kept with --online or None,
    {head: state_dict} of the heads it holds) in float32."""
    meta = json.load(open(os.path.join(kept_dir, "teacher.json")))
    tensors = load_file(os.path.join(kept_dir, "teacher.safetensors"))

    def under(prefix: str) -> dict:
        return {k[len(prefix) + 1:]: v.float() for k, v in tensors.items() if k.startswith(prefix + ".")}
    ema = under("ema")
    if not ema:
        raise SystemExit(f"{kept_dir}/teacher.safetensors holds no ema.* weights")
    heads = {name: under(prefix) for name, prefix in HEADS.items()}
    return meta, ema, under("model") or None, {name: state for name, state in heads.items() if state}


def restore(kept_dir: str, run_dir: str, autoencoder_folder: str) -> dict:
    meta, ema, online, heads = read_kept(kept_dir)
    os.makedirs(run_dir, exist_ok=True)
    dit_pt = os.path.join(run_dir, "dit.pt")
    if os.path.exists(dit_pt):
        raise SystemExit(f"{dit_pt} exists: restore into an empty run folder")
    step = int(meta["step"])
    torch.save({"ema": ema, "step": step}, os.path.join(run_dir, f"ema_{step:06d}.pt"))
    data = {"model": online or ema, "ema": ema, "step": step, "train_seconds": meta["train_seconds"],
            "latent_scale": meta.get("latent_scale")}
    data.update(heads)
    torch.save(data, dit_pt + ".tmp")
    os.replace(dit_pt + ".tmp", dit_pt)
    with open(os.path.join(run_dir, "init-from"), "w") as f:
        f.write(os.path.realpath(autoencoder_folder) + "\n")
    log = [r for r in log_rows(os.path.join(kept_dir, LOG)) if int(r.split(",")[0]) <= step]
    if log:  # train_dit appends to it
        write_atomically(os.path.join(run_dir, LOG), log)
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("save", help="commit-sized copy of a run's EMA snapshot")
    s.add_argument("run_dir")
    s.add_argument("ema_file", help="an EMA snapshot in RUN_DIR, e.g. ema_019500.pt, or dit.pt (the run as it stands)")
    s.add_argument("out_dir")
    s.add_argument("--note", default="", help="how the snapshot was trained (kept in teacher.json)")
    s.add_argument("--online", action="store_true",
                   help="with dit.pt: keep the online weights too, so that a run spanning sessions resumes as it stood")
    r = sub.add_parser("restore", help="recreate a run folder from a kept teacher")
    r.add_argument("kept_dir")
    r.add_argument("run_dir")
    r.add_argument("--autoencoder", required=True, help="the committed model folder whose autoencoder the run uses")
    args = ap.parse_args()
    if args.cmd == "save":
        print(json.dumps(save(args.run_dir, args.ema_file, args.out_dir, args.note, args.online)))
    else:
        print(json.dumps(restore(args.kept_dir, args.run_dir, args.autoencoder)))


if __name__ == "__main__":
    main()
