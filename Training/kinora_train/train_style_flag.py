"""A pixel-style flag in the latent (README item 19): fine-tune the autoencoder so that a
pixel-style object's latent cells carry a fixed direction, which the decoder draws as blocks.

Why: the style words pull the denoiser's prediction of the clean clip towards their style
(glow and outline by 0.3–1.3 of the difference between the two styles' latents at t ≥ 0.3,
`probe_style_pull`), except pixel (≤ 0.08 at any level). Glow's halo and the outline's hollow
are smooth in the latent; the pixel style is not: through the committed autoencoder a pixel
object's latent differs from the same flat object's by a pattern tied to where the 4-pixel
block edges fall (its mean over the object is 0.1 of its size, and adding that mean to a flat
object's latent decodes flat in 23 of 24). A denoiser trained by squared error predicts the
mean over the positions it cannot pin down, in which those patterns cancel, so the word has
nothing to pull towards. Here the encoder learns to add `--strength` × a fixed unit vector,
weighted by the object's visible coverage of each latent cell, to a pixel object's latent
(its target: the committed encoder's latent plus that flag), and the decoder learns to draw
the blocks from the flag, including on a flat object's latent at the same place (the
denoiser's smooth prediction plus the flag). Everything else in the latent stays as it was, so
the denoiser needs only a short leg on the new latents to learn the flag.

  python -m kinora_train.train_style_flag RUN_DIR OUT_DIR [--steps 1500]

RUN_DIR gives the autoencoder it starts from (its ae.pt or init-from); OUT_DIR/ae.pt is the
result (train_dit, evaluate and export read it from a run folder), OUT_DIR/style_flag.pt the
resumable state."""
from __future__ import annotations

import argparse
import dataclasses
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .checkpoint import load_checkpoint, save_checkpoint
from .data import to_tensor, to_uint8
from .object_weight import edge_weights
from .train_dit import load_ae_with_state
from .world import random_scene, render

LATENT_CELL = 8  # pixels per latent cell side (64×64 frames, 8×8 latents)


def flag_direction(encoder, scale: float, rng: np.random.Generator, n: int = 256) -> torch.Tensor:
    """The unit vector along which the committed latents vary least (their last principal
    axis over the channels): the flag disturbs what the denoiser already learned the least."""
    frames = [render(random_scene(rng, exclude_held_out=False), 1, t0=float(rng.uniform(0, 8)))[0][0]
              for _ in range(n)]
    with torch.no_grad():
        z = encoder(to_tensor(np.stack(frames))) * scale
    flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
    _, vecs = torch.linalg.eigh(torch.cov(flat.T))
    return vecs[:, 0].contiguous()


def cell_coverage(visible: np.ndarray) -> torch.Tensor:
    """Visible coverage [N, 64, 64] -> the share of each latent cell the object covers [N, 1, 8, 8]."""
    return F.avg_pool2d(torch.from_numpy(visible).float()[:, None], LATENT_CELL)


def pixel_twins(rng: np.random.Generator, n: int):
    """n frames of pixel-style objects and the same frames in flat style (same scene, place and
    time): uint8 [n, 64, 64, 3] each, and the pixel frames' visible coverage [n, 64, 64]."""
    pix, flat, vis = [], [], []
    for _ in range(n):
        s = random_scene(rng, exclude_held_out=False, style="pixel")
        t0 = float(rng.uniform(0, 8))
        p, truth = render(s, 1, t0=t0)
        pix.append(p[0])
        vis.append(truth["visible"][0])
        flat.append(render(dataclasses.replace(s, style="flat"), 1, t0=t0)[0][0])
    return np.stack(pix), np.stack(flat), np.stack(vis)


def mixed_frames(rng: np.random.Generator, n: int):
    """n frames of random scenes (every style, held-out combinations included: the autoencoder
    represents every scene), uint8; per frame the visible coverage where the style is pixel
    (zero elsewhere), the flag's weight; the frames' styles; and every object's visible coverage."""
    frames, weight, styles, cover = [], [], [], []
    for _ in range(n):
        s = random_scene(rng, exclude_held_out=False)
        f, truth = render(s, 1, t0=float(rng.uniform(0, 8)))
        frames.append(f[0])
        weight.append(truth["visible"][0] * (s.style == "pixel"))
        styles.append(str(s.style))
        cover.append(truth["visible"][0])
    return np.stack(frames), np.stack(weight), styles, np.stack(cover)


def recon_loss(y: torch.Tensor, x: torch.Tensor, edge: float) -> torch.Tensor:
    w = edge_weights(x, edge)
    return (((y - x).abs() + (y - x).pow(2)) * w).sum() / (w.sum() * x.shape[1])


@torch.no_grad()
def check(run_dir: str, out_dir: str, n: int = 48) -> None:
    """The new autoencoder against the one it started from, on frames neither trained on:
    PSNR on random frames, the style read back from decoded pixel frames, and from flat frames
    with the flag added at their place (what the denoiser's smooth prediction plus the flag
    would give)."""
    from .detect import read_clip
    from .evaluate import psnr
    from .train_dit import load_ae
    old, scale = load_ae(run_dir)
    new, _ = load_ae(out_dir)
    saved = torch.load(os.path.join(out_dir, "ae.pt"), map_location="cpu", weights_only=False)["style_flag"]
    u = torch.tensor(saved["direction"])[None, :, None, None]
    flag = (saved["strength"] / scale) * u
    rng = np.random.default_rng(999)
    frames, _, _, _ = mixed_frames(rng, n)
    pix, flat, vis = pixel_twins(rng, n)

    def decoded(ae, x):
        return to_uint8(ae.decoder(ae.encoder(to_tensor(x))).clamp(-1, 1))

    def styles(clips):
        read = [read_clip(c[None]).style for c in clips]
        return {s: read.count(s) for s in sorted(set(read))}

    for name, ae in (("committed", old), ("flagged", new)):
        print(f"{name}: PSNR {np.mean([psnr(a, b) for a, b in zip(decoded(ae, frames), frames)]):.1f} dB on random "
              f"frames; pixel frames read {styles(decoded(ae, pix))}; flat frames read {styles(decoded(ae, flat))}")
    w = cell_coverage(vis)
    zf = new.encoder(to_tensor(flat))
    print(f"flagged: flat frames with the flag added read {styles(to_uint8(new.decoder(zf + flag * w).clamp(-1, 1)))}")
    along = ((new.encoder(to_tensor(pix)) - zf) * scale * u).sum(1, keepdim=True)
    print(f"flagged: pixel minus flat latent along the flag, in covered cells: "
          f"{float((along * w).sum() / w.pow(2).sum()):.2f} of strength {saved['strength']}")

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", help="the run whose autoencoder to start from")
    ap.add_argument("out_dir", help="where ae.pt (the result) and style_flag.pt (resumable state) go")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=32, help="random frames a step")
    ap.add_argument("--twins", type=int, default=16, help="pixel/flat frame twins a step")
    ap.add_argument("--strength", type=float, default=1.5,
                    help="the flag's length in a fully covered cell, in the denoiser's (scaled) latent units")
    ap.add_argument("--encoder-weight", type=float, default=1.0,
                    help="weight of the encoder's squared error to its target in the cells objects cover, "
                         "flagged or not (besides its error everywhere): they are a few per cent of the latent, and averaged "
                         "with the rest the encoder learned 0.16 of the flag in 600 steps")
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--decay-from", type=int, default=None,
                    help="the step from which the rate is a tenth (default: 70 %% of --steps)")
    ap.add_argument("--edge", type=float, default=4.0, help="extra reconstruction weight near edges")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--check", action="store_true", help="compare OUT_DIR's finished autoencoder with RUN_DIR's")
    args = ap.parse_args()
    if args.check:
        torch.set_num_threads(args.threads)
        check(args.run_dir, args.out_dir)
        return
    if args.strength <= 0:
        ap.error(f"--strength {args.strength}: a length above 0")
    if args.steps < 1 or args.batch < 1 or args.twins < 1:
        ap.error("--steps, --batch and --twins: counts from 1")
    torch.set_num_threads(args.threads)
    ae, state = load_ae_with_state(args.run_dir)
    old, _ = load_ae_with_state(args.run_dir)
    old.requires_grad_(False).eval()
    scale = float(state["latent_scale"])
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, "style_flag.pt")
    ae.requires_grad_(True).train()
    opt = torch.optim.AdamW(ae.parameters(), lr=args.lr, weight_decay=0.0)
    saved = load_checkpoint(path, ae, opt)
    step = saved.get("step", 0)
    if "direction" in saved:
        u = torch.tensor(saved["direction"])
    else:
        u = flag_direction(old.encoder, scale, np.random.default_rng(41))
    rng = np.random.default_rng(4100 + step)
    log = open(os.path.join(args.out_dir, "style_flag_log.csv"), "a")
    last_save = time.time()

    def save(p, extra):
        save_checkpoint(p, ae, opt, {"direction": u.tolist(), "strength": args.strength, **extra})

    decay_from = args.decay_from if args.decay_from is not None else int(0.7 * args.steps)
    flag = (args.strength / scale) * u[None, :, None, None]  # in the encoder's raw units
    while step < args.steps:
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 50) * (1.0 if step < decay_from else 0.1)
        frames, weight, _, cover = mixed_frames(rng, args.batch)
        pix, flat, vis = pixel_twins(rng, args.twins)
        # The flat twins are encoded too, with no flag: the encoder learns the difference from
        # the same object at the same place (without them it flagged flat objects at 0.8 of a
        # pixel one's strength after 870 steps).
        x = to_tensor(np.concatenate([frames, pix, flat]))
        w = cell_coverage(np.concatenate([weight, vis, np.zeros_like(vis)]))
        twin_w = cell_coverage(vis)
        objects = cell_coverage(np.concatenate([cover, vis, vis]))  # where the extra weight goes
        with torch.no_grad():
            target = old.encoder(x) + flag * w
            flat_flagged = target[-args.twins:] + flag * twin_w
        z = ae.encoder(x)
        err = (z * scale - target * scale).pow(2)
        enc_loss = err.mean() + args.encoder_weight * (err * objects).sum() / (objects.sum() * z.shape[1]).clamp(min=1.0)
        # As in train_decoder: noise on the latents keeps the decoder forgiving of sampled ones.
        zin = torch.cat([z.detach(), flat_flagged])
        zin = zin + 0.1 * zin.std() * torch.randn_like(zin)
        y = ae.decoder(zin)
        pix_x = x[args.batch:args.batch + args.twins]
        dec_loss = recon_loss(y, torch.cat([x, pix_x]), args.edge)
        loss = dec_loss + enc_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        # Apart: the decoder's gradient would otherwise set the scale of the encoder's.
        torch.nn.utils.clip_grad_norm_(ae.encoder.parameters(), 1.0)
        torch.nn.utils.clip_grad_norm_(ae.decoder.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 20 == 0:
            log.write(f"{step},{dec_loss.item():.5f},{enc_loss.item():.5f}\n")
            log.flush()
            print(f"style flag step {step} decoder {dec_loss.item():.4f} encoder {enc_loss.item():.4f}", flush=True)
        if time.time() - last_save > 120 or step == args.steps:
            save(path, {"step": step})
            last_save = time.time()
    save_checkpoint(os.path.join(args.out_dir, "ae.pt"), ae, opt,
                    {"step": int(state.get("step", 0)), "decoder_steps": int(state.get("decoder_steps", 0)),
                     "style_flag": {"direction": u.tolist(), "strength": args.strength, "steps": step},
                     "latent_scale": scale, "done": True})
    print(f"style flag trained for {step} steps; {args.out_dir}/ae.pt written")


if __name__ == "__main__":
    main()
