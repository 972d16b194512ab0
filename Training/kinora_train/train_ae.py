"""Train the per-frame autoencoder (resumable). Usage: python -m kinora_train.train_ae RUN_DIR"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .data import frame_batch
from .model import AEConfig, AutoEncoder
from .checkpoint import load_checkpoint, save_checkpoint


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.run_dir, exist_ok=True)
    path = os.path.join(args.run_dir, "ae.pt")
    torch.manual_seed(1)
    ae = AutoEncoder(AEConfig())
    opt = torch.optim.AdamW(ae.parameters(), lr=args.lr, weight_decay=0.0)
    state = load_checkpoint(path, ae, opt)
    if not state and os.path.exists(os.path.join(args.run_dir, "init-from")):
        print("autoencoder taken from the committed model (init-from)")
        return
    step = state.get("step", 0)
    rng = np.random.default_rng(1000 + step)
    log = open(os.path.join(args.run_dir, "ae_log.csv"), "a")
    last_save = time.time()
    while step < args.steps:
        lr = args.lr * min(1.0, (step + 1) / 100) * (0.1 if step > 0.8 * args.steps else 1.0)
        for g in opt.param_groups:
            g["lr"] = lr
        x = frame_batch(rng, args.batch)
        z = ae.encoder(x)
        # Noise on the latents makes the decoder forgiving of imperfect denoiser samples.
        zn = z + 0.1 * z.detach().std() * torch.randn_like(z)
        y = ae.decoder(zn)
        rec = F.l1_loss(y, x) + F.mse_loss(y, x)
        loss = rec + 1e-4 * z.pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ae.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 20 == 0:
            log.write(f"{step},{rec.item():.5f},{z.std().item():.4f}\n")
            log.flush()
            print(f"ae step {step} rec {rec.item():.4f} zstd {z.std().item():.3f}", flush=True)
        if time.time() - last_save > 120 or step == args.steps:
            save_checkpoint(path, ae, opt, {"step": step})
            last_save = time.time()
    # The latent scale makes the denoiser's latents unit-variance.
    with torch.no_grad():
        zs = torch.cat([ae.encoder(frame_batch(np.random.default_rng(7), 64)) for _ in range(8)])
        scale = 1.0 / zs.std().item()
    save_checkpoint(path, ae, opt, {"step": step, "latent_scale": scale, "done": True})
    print(f"ae done, latent scale {scale:.4f}")


if __name__ == "__main__":
    main()
