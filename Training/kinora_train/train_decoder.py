"""Fine-tune the autoencoder's decoder with its encoder frozen (resumable).

The latent space stays exactly what the denoiser was trained on, so a better decoder improves
every clip the model makes without retraining the denoiser. The first autoencoder stopped at
2,500 steps; read back by the evaluator, its decoded *truth* puts a faint ring round flat
objects (read as glow) and loses most of the glow's halo and the pixel style's block edges
(style 29 % on the evaluator's prompts), although the latents differ between the styles. The
loss weighs the pixels near any edge (object outlines, glow halos, block steps) 1 + `edge`,
where the flat background would otherwise dominate it.

Usage: python -m kinora_train.train_decoder RUN_DIR [--steps 1500]
Writes RUN_DIR/decoder.pt while it runs and, when done, RUN_DIR/ae.pt (the autoencoder that
`evaluate`, `export` and the trainers load)."""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .checkpoint import load_checkpoint, save_checkpoint
from .data import frame_batch
from .object_weight import edge_weights
from .train_dit import load_ae_with_state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--edge", type=float, default=4.0, help="extra loss weight near edges")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ae, state = load_ae_with_state(args.run_dir)
    scale, first, finetuned = state["latent_scale"], int(state.get("step", 0)), int(state.get("decoder_steps", 0))
    path = os.path.join(args.run_dir, "decoder.pt")
    if finetuned >= args.steps and not os.path.exists(path):
        print(f"the decoder was fine-tuned for {finetuned} steps already (ae.pt or the committed model)")
        return
    ae.decoder.requires_grad_(True).train()
    opt = torch.optim.AdamW(ae.decoder.parameters(), lr=args.lr, weight_decay=0.0)
    state = load_checkpoint(path, ae, opt)
    step = state.get("step", 0)
    rng = np.random.default_rng(3000 + step)
    log = open(os.path.join(args.run_dir, "decoder_log.csv"), "a")
    last_save = time.time()
    while step < args.steps:
        done = step / args.steps
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 50) * (1.0 if done < 0.7 else 0.1)
        x = frame_batch(rng, args.batch)
        with torch.no_grad():
            z = ae.encoder(x)
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
    save_checkpoint(os.path.join(args.run_dir, "ae.pt"), ae, opt,
                    {"step": first, "decoder_steps": step, "latent_scale": scale, "done": True})
    print(f"decoder fine-tuned for {step} steps; {args.run_dir}/ae.pt written")


if __name__ == "__main__":
    main()
