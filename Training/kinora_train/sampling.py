"""Flow-matching sampling with masked-frame conditioning and classifier-free guidance:
the reference the Swift engine reproduces."""
from __future__ import annotations

import torch

from .motion_channels import given_channels


def shifted_schedule(steps: int, shift: float) -> torch.Tensor:
    """t from 1 to 0 in `steps` Euler steps, bent towards high noise by `shift`."""
    t = torch.linspace(1.0, 0.0, steps + 1)
    return shift * t / (1 + (shift - 1) * t)


def motion_clock(ts: torch.Tensor, lead: float) -> torch.Tensor:
    """The motion channels' noise level at each of the clip's levels `ts`: 1 when the clip's is,
    0 once the clip reaches `lead` (train_dit --motion-lead; 0 keeps them on the clip's clock).
    The motion is decided first, while the clip is still mostly noise, and the clip's last
    steps are taken with its motion known."""
    if not 0.0 <= lead < 1.0:
        raise ValueError(f"motion lead {lead}: must lie in [0, 1)")
    return ((ts - lead) / (1 - lead)).clamp(0.0, 1.0)


@torch.no_grad()
def sample(dit, noise, given_latents, given, cond, null, steps=16, guidance=4.0, shift=3.0,
           t_start: float = 1.0, start_latents=None, guidance_interval=(0.0, 1.0), negative=None, trace=None,
           motion_lead: float = 0.0):
    """noise: [B,F,S,h,w] with S = dit.cfg.state_channels (the latent's C, and the motion
    channels of a model that has them); given_latents [B,F,C,h,w]: the clean frames where
    given[b,f] = 1 (their latent channels are kept; motion is generated everywhere). Returns
    the latent clip [B,F,C,h,w], without the motion channels.
    cond/null: (ctx, ctx_mask, pooled) for the prompt and the empty prompt.
    With t_start < 1 (SDEdit restyle) the chain starts from start_latents noised to t_start.
    Guidance applies at steps whose t lies in `guidance_interval` (arXiv 2404.07724); the
    others call the model once, conditionally. `trace(t, x0_hat)`, if given, sees each step's
    prediction of the clean state, x − t·v, motion channels included (probe_sign_steps). A guidance-distilled model (`guidance_embed`)
    is called once at every step with the scale as its input; with a `negative` prompt other
    than its null prompt (`null`), n + w(c − n) = D(c, w) + (w − 1)(D(null, 1) − D(n, 1)).
    With `motion_lead` > 0 the motion channels run on `motion_clock`; SDEdit ignores it (the
    input clip's motion is unknown, and a still object's known motion would freeze it)."""
    ts = shifted_schedule(steps, shift)
    if noise.shape[2] != dit.cfg.state_channels:
        raise ValueError(f"noise has {noise.shape[2]} channels a frame; this denoiser's state has {dit.cfg.state_channels}")
    c = dit.cfg.latent_channels
    if motion_lead and not dit.cfg.motion_channels:
        raise ValueError("motion lead needs a denoiser with motion channels")
    if t_start < 1.0:
        ts = ts[ts <= t_start]
        ts = torch.cat([torch.tensor([t_start]), ts]) if ts[0] < t_start else ts
        # The input clip's motion is unknown: its channels start from a still object's, zero.
        x = (1 - t_start) * pad_channels(start_latents, noise.shape[2]) + t_start * noise
    else:
        x = noise.clone()
    gm = given_channels(given, noise.shape[2], c)
    given_latents = pad_channels(given_latents, noise.shape[2])
    b = x.shape[0]
    # Per-channel noise levels: the latent's t, the motion's on its own clock.
    tms = motion_clock(ts, motion_lead if t_start >= 1.0 else 0.0)
    latent = (torch.arange(noise.shape[2]) < c)[None, None, :, None, None]
    for i in range(len(ts) - 1):
        t, t_next = ts[i], ts[i + 1]
        level = torch.where(latent, t, tms[i])
        level_next = torch.where(latent, t_next, tms[i + 1])
        x = gm * given_latents + (1 - gm) * x
        tb = torch.full((b,), float(t))
        if dit.cfg.guidance_embed and negative is not None and guidance != 1.0:
            three = [torch.cat([cond[k], null[k], negative[k]]) for k in range(3)]
            vv = dit(torch.cat([x, x, x]), torch.cat([given] * 3), torch.cat([tb] * 3), *three,
                     guidance=torch.tensor([float(guidance)] * b + [1.0] * 2 * b))
            vw, vu, vn = vv.chunk(3)
            v = vw + (guidance - 1) * (vu - vn)
        elif dit.cfg.guidance_embed:
            v = dit(x, given, tb, *cond, guidance=torch.full((b,), float(guidance)))
        elif guidance == 1.0 or not (guidance_interval[0] <= float(t) <= guidance_interval[1]):
            v = dit(x, given, tb, *cond)
        else:
            xx = torch.cat([x, x])
            ctx = torch.cat([cond[0], null[0]])
            cm = torch.cat([cond[1], null[1]])
            po = torch.cat([cond[2], null[2]])
            vv = dit(xx, torch.cat([given, given]), torch.cat([tb, tb]), ctx, cm, po)
            vc, vu = vv.chunk(2)
            v = vu + guidance * (vc - vu)
        if trace is not None:
            trace(float(t), gm * given_latents + (1 - gm) * (x - level * v))
        x = x + (level_next - level) * v
    return (gm * given_latents + (1 - gm) * x)[:, :, :c]


def pad_channels(x: torch.Tensor, channels: int) -> torch.Tensor:
    """[B,F,C,h,w] with zero channels appended up to `channels`."""
    extra = channels - x.shape[2]
    return x if extra == 0 else torch.cat([x, x.new_zeros(*x.shape[:2], extra, *x.shape[3:])], dim=2)
