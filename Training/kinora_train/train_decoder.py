"""Fine-tune the autoencoder's decoder with its encoder frozen (resumable).

The latent space stays exactly what the denoiser was trained on, so a better decoder improves
every clip the model makes without retraining the denoiser. The first autoencoder stopped at
2,500 steps; read back by the evaluator, its decoded *truth* puts a faint ring round flat
objects (read as glow) and loses most of the glow's halo and the pixel style's block edges
(style 29 % on the evaluator's prompts), although the latents differ between the styles. The
loss weighs the pixels near any edge (object outlines, glow halos, block steps) 1 + `edge`,
where the flat background would otherwise dominate it.

An autoencoder with the pixel-style flag (train_style_flag, README item 19) keeps it: each step
also decodes flat twins of pixel objects with the flag added at their place and asks for the
pixel frame, as train_style_flag taught it, so the blocks the denoiser's smooth prediction
plus the flag draws are not forgotten.

`--focus style=glow,size=small` draws `--focus-share` of the random frames from scenes with
those attributes: a kind of object the evaluator reads wrong through the decoder alone
(`ceiling` in evaluate's JSON) gets more of the steps than its share of the world.

Usage: python -m kinora_train.train_decoder RUN_DIR [--steps 1500] [--out OUT_DIR]
Writes OUT_DIR/decoder.pt while it runs and, when done, OUT_DIR/ae.pt (the autoencoder that
`evaluate`, `export` and the trainers load). OUT_DIR is RUN_DIR unless given; with another
folder, RUN_DIR's autoencoder is where it starts and `--steps` counts the steps of this
fine-tune (recorded as decoder steps on top of the ones it had)."""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .checkpoint import load_checkpoint, save_checkpoint
from .data import to_tensor
from .object_weight import edge_weights
from .train_dit import load_ae_with_state
from .train_style_flag import cell_coverage, pixel_twins
from .world import parse_focus, random_scene, render

def focused_scenes(rng: np.random.Generator, n: int, focus: dict, share: float) -> list:
    """n random scenes, held-out combinations included (the autoencoder represents every
    scene); the first round(share × n) of them with the `focus` attributes."""
    k = int(round(share * n)) if focus else 0
    return [random_scene(rng, exclude_held_out=False, **(focus if i < k else {})) for i in range(n)]


def focused_frames(rng: np.random.Generator, n: int, focus: dict, share: float) -> np.ndarray:
    """A frame (uint8) of each of `focused_scenes` at a random time."""
    if n == 0:
        return np.zeros((0, 64, 64, 3), np.uint8)
    return np.stack([render(s, 1, t0=float(rng.uniform(0, 8)))[0][0]
                     for s in focused_scenes(rng, n, focus, share)])


def load_samples(path: str, scale: float, min_iou: float) -> dict:
    """A sample_pairs file as the decoder's inputs: latents in the encoder's raw units (the
    file's are the denoiser's, scaled by the same latent_scale), truth frames uint8, and the
    (clip, frame) indices [K, 2] of the frames whose decoded sample overlaps the truth by
    `min_iou`. SystemExit naming the file when it was made with another latent scale or none
    of its frames qualify."""
    got = torch.load(path, map_location="cpu", weights_only=False)
    if abs(float(got["latent_scale"]) - scale) > 1e-6 * scale:
        raise SystemExit(f"{path}: made with latent scale {got['latent_scale']}, this autoencoder's is {scale}")
    where = torch.nonzero(got["iou"] >= min_iou).numpy()
    if len(where) == 0:
        raise SystemExit(f"{path}: no frame overlaps its truth by IoU {min_iou} (--sample-iou)")
    print(f"{path}: {len(where)} of {got['iou'].numel()} frames at IoU >= {min_iou}", flush=True)
    return {"latents": got["latents"] / scale, "truth": got["truth"], "where": where}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", help="the run whose autoencoder to start from (its ae.pt or init-from)")
    ap.add_argument("--out", default=None, help="where decoder.pt and ae.pt go (default: RUN_DIR)")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=32, help="random frames a step")
    ap.add_argument("--twins", type=int, default=16,
                    help="flat twins of pixel objects, flag added, a step (only for a flagged autoencoder)")
    ap.add_argument("--focus", default="", help="ATTRIBUTE=VALUE,... of the scenes --focus-share of the frames show")
    ap.add_argument("--focus-share", type=float, default=0.25, help="share of the random frames from --focus, 0..1")
    ap.add_argument("--samples", default=None,
                    help="a sample_pairs file: the denoiser's finished latents and their truth (item 35)")
    ap.add_argument("--sample-share", type=float, default=0.5,
                    help="share of the random frames replaced by --samples frames, 0..1")
    ap.add_argument("--sample-iou", type=float, default=0.5,
                    help="only --samples frames whose decoded sample overlaps the truth by this IoU (0..1): "
                         "the decoder learns to redraw the denoiser's objects, never to move them")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--edge", type=float, default=4.0, help="extra loss weight near edges")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    try:
        focus = parse_focus(args.focus)
    except ValueError as e:
        ap.error(str(e))
    if not 0.0 <= args.focus_share <= 1.0:
        ap.error(f"--focus-share {args.focus_share}: a share from 0 to 1")
    if not 0.0 <= args.sample_share <= 1.0 or not 0.0 <= args.sample_iou <= 1.0:
        ap.error(f"--sample-share {args.sample_share}, --sample-iou {args.sample_iou}: shares from 0 to 1")
    if args.steps < 1 or args.batch < 1 or args.twins < 0:
        ap.error("--steps and --batch: counts from 1; --twins: from 0")
    torch.set_num_threads(args.threads)
    out_dir = args.out or args.run_dir
    os.makedirs(out_dir, exist_ok=True)
    ae, state = load_ae_with_state(args.run_dir)
    scale, finetuned = float(state["latent_scale"]), int(state.get("decoder_steps", 0))
    path = os.path.join(out_dir, "decoder.pt")
    # In place (the first fine-tune), --steps is the decoder's total; into another folder, this one's.
    base = finetuned if out_dir != args.run_dir else 0
    if not base and finetuned >= args.steps and not os.path.exists(path):
        print(f"the decoder was fine-tuned for {finetuned} steps already (ae.pt or the committed model)")
        return
    flag_state = state.get("style_flag")
    twins = args.twins if flag_state and "direction" in flag_state else 0
    flag = None
    if twins:
        u = torch.tensor(flag_state["direction"], dtype=torch.float32)
        flag = (float(flag_state["strength"]) / scale) * u[None, :, None, None]  # in the encoder's raw units
    samples = load_samples(args.samples, scale, args.sample_iou) if args.samples else None
    k_samples = int(round(args.sample_share * args.batch)) if samples else 0
    ae.decoder.requires_grad_(True).train()
    opt = torch.optim.AdamW(ae.decoder.parameters(), lr=args.lr, weight_decay=0.0)
    saved = load_checkpoint(path, ae, opt)
    step = saved.get("step", 0)
    rng = np.random.default_rng(3000 + step)
    log = open(os.path.join(out_dir, "decoder_log.csv"), "a")
    last_save = time.time()
    while step < args.steps:
        done = step / args.steps
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 50) * (1.0 if done < 0.7 else 0.1)
        x = to_tensor(focused_frames(rng, args.batch - k_samples, focus, args.focus_share))
        with torch.no_grad():
            z = ae.encoder(x)
            if k_samples:
                pick = samples["where"][rng.integers(0, len(samples["where"]), k_samples)]
                z = torch.cat([z, samples["latents"][pick[:, 0], pick[:, 1]].float()])
                x = torch.cat([x, to_tensor(samples["truth"][pick[:, 0], pick[:, 1]].numpy())])
            if twins:
                pix, flat, vis = pixel_twins(rng, twins)
                z = torch.cat([z, ae.encoder(to_tensor(flat)) + flag * cell_coverage(vis)])
                x = torch.cat([x, to_tensor(pix)])
            # As in train_ae: noise on the latents keeps the decoder forgiving of sampled latents.
            z = z + 0.1 * z.std() * torch.randn_like(z)
        y = ae.decoder(z)
        w = edge_weights(x, args.edge)
        err = (y - x).abs() + (y - x).pow(2)
        loss = (err * w).sum() / (w.sum() * x.shape[1])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ae.decoder.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 20 == 0:
            plain = (F.l1_loss(y, x) + F.mse_loss(y, x)).item()
            log.write(f"{step},{loss.item():.5f},{plain:.5f}\n")
            log.flush()
            print(f"decoder step {step} weighted {loss.item():.4f} plain {plain:.4f}", flush=True)
        if time.time() - last_save > 120 or step == args.steps:
            save_checkpoint(path, ae, opt, {"step": step})
            last_save = time.time()
    # Everything the autoencoder's record held (the flag, the encoder's steps) carries over.
    save_checkpoint(os.path.join(out_dir, "ae.pt"), ae, opt,
                    {**state, "step": int(state.get("step", 0)), "decoder_steps": base + step,
                     "latent_scale": scale, "done": True,
                     **({"decoder_focus": {"focus": focus, "share": args.focus_share, "steps": step}} if focus else {}),
                     **({"decoder_samples": {"file": os.path.abspath(args.samples), "share": args.sample_share,
                                             "min_iou": args.sample_iou, "steps": step}} if samples else {})})
    print(f"decoder fine-tuned for {step} steps; {out_dir}/ae.pt written")


if __name__ == "__main__":
    main()
