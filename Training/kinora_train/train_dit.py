"""Train the spacetime denoiser with flow matching on the frozen autoencoder's latents
(resumable: checkpoints with optimiser and EMA state every few minutes).

Usage: python -m kinora_train.train_dit RUN_DIR [--steps N]"""
from __future__ import annotations

import argparse
import copy
import os
import time

import numpy as np
import torch

from .aux_heads import AuxHeads, render_with_truth, targets
from .clip_motion import ClipMotionHead
from .precision import add_precision_option, chosen_bf16
from .object_weight import latent_weights, weighted_mse
from .outline_loss import add_outline_options, check_outline_options, outline_term
from .optim_step import clipped_step, update_ema
from .minimal_pairs import ATTRIBUTES, PAIR_ATTRIBUTES, append_minimal_pairs
from .reverse_pairs import add_partners, partner_captions, reversible
from .checkpoint import apply_checkpoint, load_checkpoint, read_checkpoint, save_checkpoint
from .data import caption_pool, scene_with_position, to_tensor, to_uint8
from .model import (AEConfig, AutoEncoder, DiT, DiTConfig, motion_channels_of, refiner_of, with_motion, with_refiner,
                    with_rotary)
from .motion_channels import CHANNELS as MOTION_CHANNELS, FIELDS as MOTION_FIELDS, given_channels, motion_latents
from .replay import Replay
from .world import FPS, parse_focus


def load_ae(run_dir: str):
    """The run's finished autoencoder (frozen) and its latent scale."""
    ae, state = load_ae_with_state(run_dir)
    return ae, float(state["latent_scale"])


def load_ae_with_state(run_dir: str):
    """The run's finished autoencoder (frozen) and what its checkpoint records: latent_scale,
    step, decoder_steps (ae.pt, or the committed model the run continued from)."""
    ae = AutoEncoder(AEConfig())
    state = load_checkpoint(os.path.join(run_dir, "ae.pt"), ae)
    if not state:
        state = init_from_model_folder(run_dir, ae=ae)
    if not state.get("done"):
        raise SystemExit("the autoencoder has not finished training in " + run_dir)
    ae.eval().requires_grad_(False)
    return ae, state


def init_from_model_folder(run_dir: str, ae=None, dit=None, ema=None) -> dict:
    """Where the run folder was lost, continue from the committed model (`--init-from`,
    recorded in RUN_DIR/init-from): the autoencoder exactly, the denoiser from its EMA
    weights (F16-rounded) with a fresh optimiser."""
    marker = os.path.join(run_dir, "init-from")
    if not os.path.exists(marker):
        return {}
    import json
    from safetensors.torch import load_file
    folder = open(marker).read().strip()
    cfg = json.load(open(os.path.join(folder, "config.json")))
    if ae is not None:
        ae.load_state_dict(load_file(os.path.join(folder, "autoencoder.safetensors")))
        training = cfg["training"]
        # A kept teacher's folder records it as train_style_flag's ae.pt does, an exported
        # model as export.training_record writes it.
        flag = training.get("style_flag") or training.get("autoencoder_style_flag")
        return {"done": True, "latent_scale": cfg["autoencoder"]["latent_scale"],
                "step": training["autoencoder_steps"], "decoder_steps": training.get("decoder_finetune_steps", 0),
                **({"style_flag": flag} if flag else {})}
    # A guidance-distilled folder's denoiser is its teacher fine-tuned plus the guidance MLP;
    # the teacher's training continues from the shared weights.
    weights = {k: v.float() for k, v in load_file(os.path.join(folder, "denoiser.safetensors")).items()
               if not k.startswith("guidance_")}
    weights = with_refiner(with_motion(with_rotary(weights, dit), dit), dit)
    dit.load_state_dict(weights)
    ema.load_state_dict(weights)
    return {"step": cfg["training"]["denoiser_steps"], "train_seconds": cfg["training"]["denoiser_train_seconds"]}


def build_pool(run_dir: str, n: int):
    """Captions with their scenes and MiniLM encodings, computed once and cached."""
    path = os.path.join(run_dir, f"pool{n}.pt")
    if os.path.exists(path):
        return torch.load(path, weights_only=False)
    from .text import TextEncoder
    te = TextEncoder()
    scenes, texts = caption_pool(np.random.default_rng(2024), n)
    states, masks, pooled = [], [], []
    for i in range(0, n, 256):
        s, m, p = te.encode(texts[i:i + 256])
        states.append(s.half()); masks.append(m.bool()); pooled.append(p)
        print(f"pool {i + 256}/{n}", flush=True)
    s, m, p = te.encode([""])
    pool = {"scenes": scenes, "texts": texts, "states": torch.cat(states), "masks": torch.cat(masks),
            "pooled": torch.cat(pooled), "null": (s.half(), m.bool(), p)}
    torch.save(pool, path + ".tmp")
    os.replace(path + ".tmp", path)
    return pool


def given_mask(rng: np.random.Generator, b: int, f: int) -> torch.Tensor:
    """No frame given (text to video), frame 0 (animation) or the first k (extension)."""
    g = torch.zeros(b, f)
    for i in range(b):
        u = rng.random()
        if u < 0.35:
            continue
        k = 1 if u < 0.65 else int(rng.integers(1, f // 2 + 1))
        g[i, :k] = 1
    return g


def sample_t(rng: np.random.Generator, b: int, shift: float = 1.0) -> torch.Tensor:
    """Half uniform, half logit-normal leaning to high noise, where the layout is decided;
    then shifted towards noise as the sampler's schedule is (t' = s·t / (1 + (s−1)·t)): 16
    nearly identical frames keep their content through more noise than one image does, so the
    object's place and path are decided at higher t than a per-image schedule trains."""
    u = rng.random(b)
    ln = 1 / (1 + np.exp(-rng.normal(0.5, 1.0, b)))
    t = np.where(rng.random(b) < 0.5, u, ln)
    t = shift * t / (1 + (shift - 1) * t)
    return torch.from_numpy(t).float().clamp(1e-4, 1.0)


@torch.no_grad()
def encode_clips(ae, scale: float, frames_u8: np.ndarray) -> torch.Tensor:
    b, f = frames_u8.shape[:2]
    x = to_tensor(frames_u8.reshape(b * f, *frames_u8.shape[2:]))
    z = torch.cat([ae.encoder(x[i:i + 128]) for i in range(0, b * f, 128)])
    return (z * scale).view(b, f, *z.shape[1:])


def decode_clips(ae, scale: float, z: torch.Tensor) -> np.ndarray:
    """Scaled latents [B, F, C, h, w] -> uint8 frames [B, F, H, W, 3]: encode_clips' inverse."""
    b, f = z.shape[:2]
    x = ae.decoder((z / scale).flatten(0, 1)).clamp(-1, 1)
    return to_uint8(x).reshape(b, f, *x.shape[2:], 3)


def middle_block(cfg: DiTConfig) -> int:
    """The block whose tokens the training-only heads read (aux_heads, clip_motion)."""
    return cfg.depth // 2 - 1


def render_batch(rng: np.random.Generator, pool: dict, idx: np.ndarray, frames: int):
    """Fresh clips for the captions `idx`: uint8 frames and the aux heads' truth. Half start at
    t = 0 (moving the captioned way), half at a random time, often after bounces (what a long
    video continues from); `against_caption` keeps the latter from teaching text to video."""
    shots = []
    for i in idx:
        scene = scene_with_position(rng, pool["scenes"][i])
        shots.append((scene, 0.0 if rng.random() < 0.5 else float(rng.uniform(0, 6))))
    return render_with_truth(shots, frames, FPS)


def against_caption(pool: dict, idx: np.ndarray, vel: torch.Tensor) -> np.ndarray:
    """Clips whose first frame moves against the captioned direction (the object bounced
    before the clip starts): true per clip. A caption names the direction at t = 0."""
    return np.array([pool["scenes"][i].along(vel[k, 0].float().numpy()) < 0 for k, i in enumerate(idx)], bool)


def give_frames_where_against(rng: np.random.Generator, given: torch.Tensor, against: np.ndarray) -> torch.Tensor:
    """A clip moving against its caption is trained only as a continuation: its direction
    comes from given frames (as in a long video under one prompt), never from the text. Until
    2026-11-30 such clips were also text-to-video examples, 57 % of those with a moving
    object, and the model learned the axis of motion but not its sign."""
    f = given.shape[1]
    for k in np.nonzero(against & (given.sum(1).numpy() == 0))[0]:
        given[k, :int(rng.integers(1, max(1, f // 2) + 1))] = 1
    return given


def fresh_and_replayed(rng: np.random.Generator, pool: dict, replay: Replay, ae, scale: float, batch: int,
                       frames: int):
    """A batch of 16-frame clips: a quarter rendered and encoded fresh (all of it until the
    replay is full), the rest replayed; (idx, latents, cells, velocities)."""
    fresh = batch if not replay.full() else max(1, batch // 4)
    new_idx = rng.integers(0, len(pool["texts"]), fresh)
    clips, cells, vel = render_batch(rng, pool, new_idx, frames)
    lat = encode_clips(ae, scale, clips)
    new = [(int(new_idx[k]), lat[k].half(), cells[k], vel[k]) for k in range(fresh)]
    old = replay.draw(rng, batch - fresh) if batch > fresh else []
    for item in new:
        replay.add(rng, item)
    return stack(new + old)


def append_pair_block(rng: np.random.Generator, pool: dict, replay: Replay, batch, k: int, tries: int = 64):
    """The batch with 2k clips appended: k reversible clips drawn from the replay, each twice,
    so that add_partners(first=len(batch)) turns the second copies into their reversed
    partners. The pairs then add to the batch instead of overwriting 7 of its 16 clips; that
    was tested as the cause of the forced runs' lost identity and ruled out (`runs/extra`,
    README item 14). The block's size is fixed, so a compiled model sees one batch shape."""
    found = []
    for _ in range(tries):
        drawn = replay.draw(rng, 4 * k)
        # Only the captions and velocities decide; the latents are stacked once, for the k kept.
        ways = reversible(pool, np.array([it[0] for it in drawn]), torch.stack([it[3] for it in drawn]))
        found += [drawn[j] for j in ways]
        if len(found) >= k:
            break
    if len(found) < k:
        raise RuntimeError(f"append_pair_block: {len(found)} reversible clips in {tries * 4 * k} drawn, need {k}")
    return appended(batch, stack(found[:k] * 2))


def appended(batch, extra):
    """(idx, latents, cells, velocities) with another such block's clips after its own."""
    return tuple(np.concatenate([a, e]) if isinstance(a, np.ndarray) else torch.cat([a, e])
                 for a, e in zip(batch, extra))


def text_inputs(rng: np.random.Generator, pool: dict, idx: np.ndarray, drop: float):
    """The captions' encodings (ctx, mask, pooled), a fraction `drop` replaced by the empty
    prompt's: the unconditional branch of guidance."""
    null_s, null_m, null_p = pool["null"]
    ctx = pool["states"][idx].float()
    cmask = pool["masks"][idx].float()
    pooled = pool["pooled"][idx].clone()
    dropped = torch.from_numpy(rng.random(len(idx)) < drop)
    ctx[dropped] = null_s.float()
    cmask[dropped] = null_m.float()
    pooled[dropped] = null_p
    return ctx, cmask, pooled


def motion_levels(rng: np.random.Generator, t: torch.Tensor, lead: float) -> torch.Tensor:
    """The motion channels' noise level per clip: the clip's t, or for a share `lead` of the
    clips a lower one, t·u with u uniform, a quarter of them 0 (the motion given clean). The
    sampler's `motion_clock` decides the motion first and takes the clip's last steps with it
    known; these levels teach both halves, and that a clip follows the motion it is given."""
    if lead == 0:
        return t.clone()  # draws nothing: a run without it keeps its data stream
    u = np.where(rng.random(len(t)) < 0.25, 0.0, rng.random(len(t)))
    return torch.where(torch.from_numpy(rng.random(len(t)) < lead), t * torch.from_numpy(u).float(), t)


def noised_inputs(rng: np.random.Generator, pool: dict, idx: np.ndarray, x0: torch.Tensor, vel: torch.Tensor,
                  t_shift: float, pairs: list[tuple[int, int]] = (), kept_channels: int | None = None,
                  motion_lead: float = 0.0, same_input_from: float = 2.0, force_shared: bool = False,
                  text_pairs: list[tuple[int, int]] = (), given_noise: float = 0.0,
                  animation_pairs: list[tuple[int, int]] = ()):
    """Given-frame masks, timesteps, noise and the noised clips (given frames kept clean: their
    first `kept_channels` channels, all by default; the other channels, motion, are noised
    everywhere, at `motion_levels`). Each (slot, source) of `pairs` gets its source's given
    frames, timesteps and noise; a pair without given frames at t ≥ `same_input_from` gets
    its source's noisy clip itself (`share_inputs`). With `force_shared`, every pair's source
    is made text to video at t uniform in [`same_input_from`, 1], so that every pair shares.
    `text_pairs` (minimal_pairs.py) are pairs too, their sources always text to video at the
    usual timesteps and never forced; `animation_pairs` (minimal_pairs.py's motion pairs)
    likewise, but image animation (frame 0 given, the same frame for both), sharing their
    source's noisy clip at t ≥ `same_input_from` too. With `given_noise` S > 0 the given
    frames are shown perturbed (`perturb_given`; a pair's partner sees its source's), the
    loss still against the clean clip."""
    b, frames = x0.shape[:2]
    kept = x0.shape[2] if kept_channels is None else kept_channels
    given = give_frames_where_against(rng, given_mask(rng, b, frames), against_caption(pool, idx, vel))
    t = sample_t(rng, b, t_shift)
    tm = motion_levels(rng, t, motion_lead)
    noise = torch.randn_like(x0)
    if force_shared:
        force_high_noise(rng, pairs, given, t, tm, same_input_from)
    for _, src in text_pairs:
        given[src] = 0
    for _, src in animation_pairs:
        given[src] = 0
        given[src, 0] = 1
    pairs = list(pairs) + list(text_pairs) + list(animation_pairs)
    for slot, src in pairs:
        given[slot], t[slot], tm[slot], noise[slot] = given[src], t[src], tm[src], noise[src]
    tt = torch.where((torch.arange(x0.shape[2]) < kept)[None, :, None, None], t[:, None, None, None],
                     tm[:, None, None, None])[:, None]
    gm = given_channels(given, x0.shape[2], kept)
    xt = gm * x0 + (1 - gm) * ((1 - tt) * x0 + tt * noise)
    share_inputs(pairs, given, t, tm, tt, x0, noise, xt, same_input_from)
    share_inputs(animation_pairs, given, t, tm, tt, x0, noise, xt, same_input_from, with_given=True)
    if given_noise > 0:
        xt = perturb_given(rng, xt, gm, given_noise)
        for slot, src in animation_pairs:
            xt[slot] = gm[src] * xt[src] + (1 - gm[src]) * xt[slot]
    return given, t, noise, xt


def given_noise_level(text: str) -> float:
    """argparse type of --given-noise (train_dit and train_distill): a standard deviation in
    the denoiser's latent units, in [0, 1]."""
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text}: a standard deviation in latent units, in [0, 1]")
    return value


def perturb_given(rng: np.random.Generator, xt: torch.Tensor, gm: torch.Tensor, scale: float) -> torch.Tensor:
    """Given frames plus Gaussian noise of a standard deviation drawn per clip, uniform in
    [0, `scale`] (in the denoiser's unit-variance latent units). In a long video the given
    frames are the model's own last frames, never an encoder's: a denoiser that saw only exact
    encodings copies their small errors and adds its own at each of the 40 chunks of a minute
    (README item 21). Seen perturbed, the given frames are evidence to continue, not a latent
    to reproduce; sampling still gives them clean (σ = 0 is in the trained range)."""
    sigma = torch.from_numpy(rng.random(xt.shape[0]) * scale).float()[:, None, None, None, None]
    return xt + gm * sigma * torch.randn_like(xt)


def force_high_noise(rng: np.random.Generator, pairs, given, t, tm, t_from: float) -> None:
    """Each pair's source without given frames, on one clock, at t uniform in [t_from, 1]
    (in place): where sampling decides the sign of motion (t ≈ 0.9–0.95, README item 14).
    Left to chance (given frames in 65 % of clips, t ≥ 0.8 in under half), 0.4 of the 1.9
    pairs a batch shared an input (counted on rendered batches, README item 14)."""
    if not 0.0 <= t_from < 1.0:
        raise ValueError(f"force_shared needs same_input_from in [0, 1), got {t_from}")
    for _, src in pairs:
        given[src] = 0
        t[src] = t_from + (1.0 - t_from) * float(rng.random())
        tm[src] = t[src]


def share_inputs(pairs, given, t, tm, tt, x0, noise, xt, t_from: float, with_given: bool = False) -> None:
    """The same noisy clip asked both ways (in place). A time-reversed pair (reverse_pairs.py)
    at high noise, without given frames and on one clock, gets its source's x_t, and the noise
    that makes it a valid x_t of its own clip, ε' = (x_t − (1 − t)·x0)/t (so the target
    ε' − x0 still points from x_t to its clean clip). Found 2026-12-01 (README item 14): at
    sampling the noisy clip suggests a path of its own, which the text must overrule, but in
    training the two always agree, and the denoiser learned to follow the clip's evidence;
    with one input and two captions, only the text can lower the pair's loss. `with_given`:
    pairs whose given frames are the same (a motion pair's frame 0) share too; the noise
    computed on a given frame is never a target (weighted_mse leaves given frames out)."""
    for slot, src in pairs:
        if t[src] >= t_from and (with_given or not given[src].any()) and tm[src] == t[src]:
            xt[slot] = xt[src]
            noise[slot] = (xt[src] - (1 - tt[slot]) * x0[slot]) / tt[slot]


def stack(items):
    idx = np.array([it[0] for it in items], np.int64)
    return (idx, torch.stack([it[1].float() for it in items]), torch.stack([it[2] for it in items]),
            torch.stack([it[3] for it in items]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--pool", type=int, default=16000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--replay", type=int, default=3000, help="encoded clips kept for reuse")
    add_precision_option(ap)
    ap.add_argument("--no-compile", action="store_true",
                    help="eager PyTorch (default: torch.compile, ~70 s to compile, then about 1.3x faster)")
    ap.add_argument("--t-shift", type=float, default=2.0,
                    help="shift of the training timesteps towards noise (the sampler uses 3)")
    ap.add_argument("--aux-weight", type=float, default=0.5,
                    help="weight of the training-only truth heads (aux_heads.py); 0 turns them off")
    ap.add_argument("--clip-motion-weight", type=float, default=0.0,
                    help="weight of the training-only head that predicts the clip's mean velocity from the "
                         "middle tokens (clip_motion.py): the sign of motion from the text; 0 turns it off")
    ap.add_argument("--reverse-pairs", type=int, default=0, metavar="K",
                    help="per 16-frame batch, up to K clips replaced by time-reversed partners of others "
                         "under the opposite direction's caption, same noise and timestep (reverse_pairs.py)")
    ap.add_argument("--same-input-from", type=float, default=2.0, metavar="T",
                    help="reverse pairs at t >= T without given frames share one noisy clip, so that only "
                         "the caption tells them apart (share_inputs); above 1 turns it off")
    ap.add_argument("--force-shared", action="store_true",
                    help="every reverse pair shares one noisy input: its source anywhere in the batch, made text "
                         "to video at t uniform in [--same-input-from, 1] (force_high_noise; README item 14)")
    ap.add_argument("--extra-pairs", action="store_true",
                    help="the K reverse pairs are appended to the batch (16 + 2K clips, drawn from the replay) "
                         "instead of overwriting clips of it (append_pair_block; README item 14)")
    ap.add_argument("--minimal-pairs", type=int, default=0, metavar="K",
                    help="per 16-frame batch, K text-to-video clips and their counterparts with another size, shape "
                         "or style under their own caption, same noise and timestep, appended (minimal_pairs.py; "
                         "README item 17)")
    ap.add_argument("--pair-attributes", default=",".join(ATTRIBUTES), metavar="A,B",
                    help="what a minimal pair's counterpart changes, drawn uniformly per pair (a name may repeat "
                         "to weight it): size, shape, style, or motion (the other direction from the same "
                         "frame 0, trained as image animation)")
    ap.add_argument("--pair-focus", default="", metavar="ATTRIBUTE=VALUE,...",
                    help="a share of the minimal pairs' sources (--pair-focus-share) drawn from pool scenes with "
                         "these attributes, e.g. size=large,style=glow (minimal_pairs.pair_sources; README item 35)")
    ap.add_argument("--pair-focus-share", type=float, default=0.5, metavar="P",
                    help="probability, 0..1, that a fresh minimal pair's source comes from --pair-focus")
    ap.add_argument("--given-noise", type=given_noise_level, default=0.0, metavar="S",
                    help="given frames shown with Gaussian noise of a standard deviation uniform in [0, S] per "
                         "clip (perturb_given; README item 21): a long video's chunks are given the model's own "
                         "frames; 0 shows them exact")
    add_outline_options(ap, 0.5, "the predicted clean clip")
    ap.add_argument("--short-every", type=int, default=3,
                    help="every Nth step trains on 4-frame windows, four times as many clips for the "
                         "same tokens (appearance is learned per clip); 0 turns it off")
    ap.add_argument("--save-every", type=float, default=240.0, help="seconds between checkpoints")
    ap.add_argument("--anneal", type=str, default=None, metavar="FROM,TO",
                    help="decay the learning rate linearly from --lr at step FROM to --lr-end at step TO "
                         "and stop there (a run's last phase: the weights settle instead of bouncing)")
    ap.add_argument("--lr-end", type=float, default=2e-5)
    ap.add_argument("--rotary", action="store_true",
                    help="3D rotary positions in self-attention (model.rotate; Training/README.md item 12): a run "
                         "without them continues with the same weights and the rotation added; a rotary run stays "
                         "rotary (exported as config.json's `rotary`, which the Swift engine runs)")
    ap.add_argument("--motion-channels", action="store_true",
                    help="generate the object's motion with the clip, in channels of its own (motion_channels.py; "
                         "Training/README.md item 13): a run without them continues with the same weights and the "
                         "new inputs zero; a run with them keeps them (config.json `motion_channels`, which the "
                         "Swift engine runs)")
    ap.add_argument("--motion-field", choices=MOTION_FIELDS, default="object",
                    help="what the motion channels hold (motion_channels.motion_latents): the velocity where the "
                         "object is, or everywhere; give it again when resuming")
    ap.add_argument("--motion-lead", type=float, default=0.0, metavar="P",
                    help="share of clips whose motion channels are less noisy than the clip (motion_levels), "
                         "for the sampler's motion clock (sampling.motion_clock); 0 keeps one noise level")
    ap.add_argument("--motion-weight", type=float, default=1.0,
                    help="weight of the motion channels' denoising loss (with --motion-channels)")
    ap.add_argument("--refiner", type=str, default=None, metavar="WIDTH,DEPTH",
                    help="grow a refiner on the denoiser (model.RefinerBlock; Training/README.md item 16): DEPTH "
                         "blocks of width WIDTH over one token per latent pixel, attending within a frame; a run "
                         "without one continues with the same weights and the refiner adding nothing at first; a run "
                         "with one keeps it (config.json `refiner`, which the Swift engine runs)")
    ap.add_argument("--object-weight", type=float, default=0.0,
                    help="extra loss weight on the latent pixels the object covers (object_weight.py); "
                         "0 weighs every latent pixel alike")
    args = ap.parse_args()
    if args.force_shared and not (args.reverse_pairs and 0.0 <= args.same_input_from < 1.0):
        ap.error("--force-shared needs --reverse-pairs K and --same-input-from T in [0, 1)")
    if args.extra_pairs and not args.reverse_pairs:
        ap.error("--extra-pairs needs --reverse-pairs K")
    pair_attributes = tuple(a for a in args.pair_attributes.split(",") if a)
    if not pair_attributes or any(a not in PAIR_ATTRIBUTES for a in pair_attributes):
        ap.error(f"--pair-attributes {args.pair_attributes}: comma-separated names from {','.join(PAIR_ATTRIBUTES)}")
    try:
        pair_focus = parse_focus(args.pair_focus, "--pair-focus")
    except ValueError as e:
        ap.error(str(e))
    if not 0.0 <= args.pair_focus_share <= 1.0:
        ap.error(f"--pair-focus-share {args.pair_focus_share}: a probability from 0 to 1")
    if pair_focus and not args.minimal_pairs:
        ap.error("--pair-focus needs --minimal-pairs K")
    if args.minimal_pairs < 0:
        ap.error(f"--minimal-pairs {args.minimal_pairs}: a count from 0")
    check_outline_options(ap, args)
    if not 0.0 <= args.motion_lead <= 1.0:
        ap.error(f"--motion-lead {args.motion_lead}: a share of clips, in [0, 1]")
    torch.set_num_threads(args.threads)
    bf16 = chosen_bf16(args)
    # Two batch shapes (16-frame and 4-frame clips): two static graphs, not one dynamic one.
    torch._dynamo.config.automatic_dynamic_shapes = False
    ae, scale = load_ae(args.run_dir)
    pool = build_pool(args.run_dir, args.pool)
    saved = read_checkpoint(os.path.join(args.run_dir, "dit.pt"))
    # A rotary run stays rotary when resumed without the flag; with it, a run from before
    # continues with the same weights and rotary positions added.
    rotary = args.rotary or (saved is not None and "rotary_freqs" in saved["model"])
    # Likewise motion channels: kept once a run has them, added by the flag.
    had_motion = saved is not None and motion_channels_of(saved["model"], DiTConfig()) > 0
    # Likewise the refiner.
    had_refiner = saved is not None and "refiner_in.weight" in saved["model"]
    refiner = refiner_of(saved["model"]) if had_refiner else {}
    if args.refiner and not had_refiner:
        try:
            width, depth = (int(x) for x in args.refiner.split(","))
        except ValueError:
            ap.error(f"--refiner {args.refiner}: WIDTH,DEPTH, two integers")
        if width < 8 or width % 4 or depth < 1:
            ap.error(f"--refiner {args.refiner}: WIDTH a multiple of 4 from 8, DEPTH from 1")
        refiner = {"refiner_width": width, "refiner_depth": depth}
    cfg = DiTConfig(rotary=rotary, motion_channels=MOTION_CHANNELS if args.motion_channels or had_motion else 0,
                    **refiner)
    if args.motion_lead and not cfg.motion_channels:
        ap.error("--motion-lead needs motion channels (--motion-channels, or a run that has them)")
    torch.manual_seed(2)
    dit = DiT(cfg)
    if saved is not None:
        for key in ("model", "ema"):
            if key in saved:
                saved[key] = with_refiner(with_motion(with_rotary(saved[key], dit), dit), dit)
        if (args.motion_channels and not had_motion) or (args.refiner and not had_refiner):
            saved.pop("opt", None)  # its moments do not fit the grown layers: a fresh optimiser
        if had_motion and saved.get("motion_field", "object") != args.motion_field:
            raise SystemExit(f"{args.run_dir}/dit.pt was trained with --motion-field {saved.get('motion_field', 'object')}, "
                             f"not {args.motion_field}")
    ema = copy.deepcopy(dit).requires_grad_(False)
    aux = AuxHeads(cfg.width)
    clip_head = ClipMotionHead(cfg.width)
    opt = torch.optim.AdamW(dit.parameters(), lr=args.lr, betas=(0.9, 0.99), weight_decay=0.0)
    path = os.path.join(args.run_dir, "dit.pt")
    # The heads' parameters are the optimiser's second and third groups; a checkpoint from
    # before a head existed lacks its group, so that group is added after loading it.
    heads = [("aux", aux), ("clip_motion", clip_head)]
    had = {name: saved is not None and name in saved for name, _ in heads}
    for name, head in heads:
        if had[name]:
            opt.add_param_group({"params": list(head.parameters())})
    state = apply_checkpoint(saved, dit, opt, ema) or init_from_model_folder(args.run_dir, dit=dit, ema=ema)
    del saved
    for name, head in heads:
        if had[name]:
            head.load_state_dict(state.pop(name))
        else:
            opt.add_param_group({"params": list(head.parameters()), "lr": args.lr})
    trained = list(dit.parameters()) + [p for _, head in heads for p in head.parameters()]
    step = state.get("step", 0)
    start_step = step
    anneal = tuple(int(x) for x in args.anneal.split(",")) if args.anneal else None
    if anneal is not None:
        if not anneal[0] < anneal[1]:
            ap.error(f"--anneal FROM,TO needs FROM < TO, got {args.anneal}")
        args.steps = min(args.steps, anneal[1])
    tap = middle_block(cfg)
    # The compiled module shares its parameters with `dit`, whose state_dict (without the
    # compiler's prefixes) is what checkpoints and exports keep.
    forward = dit if args.no_compile else torch.compile(dit)
    train_seconds = state.get("train_seconds", 0.0)
    rng = np.random.default_rng(5000 + step)
    log = open(os.path.join(args.run_dir, "dit_log.csv"), "a")
    last_save = time.time()
    f = cfg.frames
    replay = Replay(args.replay)
    pair_replay = Replay(600)
    if args.reverse_pairs or args.minimal_pairs:
        from .text import TextEncoder
        partner_encoder = TextEncoder()
    long_loss = None

    def save():
        save_checkpoint(path, dit, opt, {"step": step, "train_seconds": train_seconds, "latent_scale": scale,
                                         **({"motion_field": args.motion_field} if cfg.motion_channels else {}),
                                         **{name: head.state_dict() for name, head in heads}}, ema)

    while step < args.steps:
        t_start = time.time()
        for g in opt.param_groups:
            # Warm up from wherever the run (re)starts: a resumed optimiser, or a fresh one
            # over committed weights, must not take full-size steps on unsettled moments.
            g["lr"] = args.lr * min(1.0, (step - start_step + 1) / 300)
            if anneal is not None and step >= anneal[0]:
                done = (step - anneal[0]) / (anneal[1] - anneal[0])
                g["lr"] = min(g["lr"], args.lr + (args.lr_end - args.lr) * done)
        short = args.short_every > 0 and replay.full() and step % args.short_every == args.short_every - 1
        if short:
            idx, x0, cells, vel = stack(replay.draw(rng, args.batch * 4, 4))
        else:
            idx, x0, cells, vel = fresh_and_replayed(rng, pool, replay, ae, scale, args.batch, f)
        first = 0
        if args.extra_pairs and not short:
            first = len(idx)
            idx, x0, cells, vel = append_pair_block(rng, pool, replay, (idx, x0, cells, vel), args.reverse_pairs)
        pairs, partner_texts = ([], []) if short or not args.reverse_pairs else \
            add_partners(rng, pool, idx, x0, cells, vel, args.reverse_pairs, anywhere=args.force_shared,
                         first=first)
        text_pairs, animation_pairs, pair_texts = [], [], []
        if args.minimal_pairs and not short:
            (idx, x0, cells, vel), text_pairs, animation_pairs, pair_texts = append_minimal_pairs(
                rng, pool, pair_replay, (idx, x0, cells, vel), args.minimal_pairs, f,
                lambda u8: encode_clips(ae, scale, u8), pair_attributes, pair_focus, args.pair_focus_share)
        ctx, cmask, pooled = text_inputs(rng, pool, idx, 0.1)
        if pairs or text_pairs or animation_pairs:
            partner_captions(pairs + text_pairs + animation_pairs, partner_encoder.encode(partner_texts + pair_texts),
                             ctx, cmask, pooled)
        c = cfg.latent_channels
        if cfg.motion_channels:
            x0 = torch.cat([x0, motion_latents(cells, vel, cfg.latent_size, args.motion_field)], dim=2)
        given, t, noise, xt = noised_inputs(rng, pool, idx, x0, vel, args.t_shift, pairs, kept_channels=c,
                                              motion_lead=args.motion_lead, same_input_from=args.same_input_from,
                                              force_shared=args.force_shared, text_pairs=text_pairs,
                                              given_noise=args.given_noise, animation_pairs=animation_pairs)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            v, mid = forward(xt, given, t, ctx, cmask, pooled, tap=tap)
            aux_pred = aux(mid) if args.aux_weight > 0 else None
            clip_pred = clip_head(mid) if args.clip_motion_weight > 0 else None
        weights = latent_weights(cells, cfg.latent_size, args.object_weight)
        loss = weighted_mse(v[:, :, :c], (noise - x0)[:, :, :c], given, weights)
        # The motion of every frame is generated, given frames' included.
        motion_loss = weighted_mse(v[:, :, c:], (noise - x0)[:, :, c:], torch.zeros_like(given), weights) \
            if cfg.motion_channels else torch.zeros(())
        aux_loss = AuxHeads.loss(aux_pred, targets(cells, vel)) if aux_pred is not None else torch.zeros(())
        outline = outline_term(ae.decoder, scale, xt, v, t, x0, given, rng, args, c, bf16)
        clip_loss = ClipMotionHead.loss(clip_pred, vel) if clip_pred is not None else torch.zeros(())
        gn = clipped_step(loss + args.aux_weight * aux_loss + args.clip_motion_weight * clip_loss
                          + args.motion_weight * motion_loss + args.outline_weight * outline, opt, trained)
        step += 1
        update_ema(ema, dit, step, 0.999)
        train_seconds += time.time() - t_start
        if not short:
            long_loss = loss.item()  # the logged curve stays the 16-frame loss it always was
        if step % 10 == 0 and long_loss is not None:
            log.write(f"{step},{long_loss:.5f},{gn.item():.3f},{train_seconds:.0f},{aux_loss.item():.5f}\n")
            log.flush()
        if step % 50 == 0:
            print(f"step {step} loss {long_loss or 0:.4f} aux {aux_loss.item():.4f} clip {clip_loss.item():.4f} "
                  f"motion {motion_loss.item():.4f} "
                  + (f"outline {outline.item():.4f} " if args.outline_weight > 0 else "")
                  + f"gn {gn.item():.2f} {train_seconds / 60:.1f} min", flush=True)
        if time.time() - last_save > args.save_every:
            save()
            last_save = time.time()
        if step % 500 == 0 or step == args.steps:  # the last step of an --anneal is the one to judge
            torch.save({"ema": ema.state_dict(), "step": step}, os.path.join(args.run_dir, f"ema_{step:06d}.pt"))
    save()


if __name__ == "__main__":
    main()
