"""Kinora's video model: a per-frame convolutional autoencoder and a spacetime DiT denoiser
trained with flow matching. Only plain ops that the Swift engine implements are used:
conv2d (3x3, stride 1/2; 1x1), GroupNorm, SiLU, nearest upsampling, Linear, LayerNorm,
multi-head attention (self and cross with a key mask), GELU (tanh), sinusoidal embeddings.

Tensor layouts (the engine follows them exactly):
- frames: [N, 3, H, W] in [-1, 1]; latents: [N, C, h, w], scaled by `latent_scale` for the DiT.
- DiT input: latent clip [B, F, C, h, w] and a given-frame mask [B, F] (1 = a clean frame
  the model must continue from). Channels per frame are [latent (C), mask (1)].
- patchify (p): token index = f*(h/p)*(w/p) + i*(w/p) + j, token vector index = c*p*p + dy*p + dx.
- positions: fixed sinusoids, D/2 dims for the frame index, D/4 for the row, the rest for
  the column, concatenated; each `sincos(pos, d) = [sin(pos*w_k), cos(pos*w_k)]`,
  w_k = 10000^(-k/(d/2)), k = 0..d/2-1.
- the timestep t in [0, 1] (1 = pure noise) is embedded as sincos(1000*t, 256) then an MLP.
- velocity target: v = noise - x0, with x_t = (1 - t) * x0 + t * noise.
- a guidance-distilled denoiser (`guidance_embed`) also embeds its guidance scale g as
  sincos(100*g, time_freq_dim) then an MLP of its own, added to the timestep's embedding.
- a denoiser with `motion_channels` M > 0 denoises a state of C + M channels per frame:
  the latent clip and, after it, M motion channels (motion_channels.py) generated jointly
  with it and dropped before decoding; the input channels are [latent (C), motion (M),
  mask (1)], the output [latent (C), motion (M)]. Given frames keep their latent channels
  clean; their motion channels are generated like the rest.
"""
from __future__ import annotations

import dataclasses
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclasses.dataclass
class AEConfig:
    channels: tuple[int, ...] = (32, 64, 128, 128)  # width at 64, 32, 16, 8 pixels
    latent_channels: int = 8
    groups: int = 8

    @property
    def downsample(self) -> int:
        """Pixels per latent pixel along a side: each level after the first halves the frame."""
        return 2 ** (len(self.channels) - 1)


@dataclasses.dataclass
class DiTConfig:
    latent_channels: int = 8
    latent_size: int = 8
    frames: int = 16
    patch: int = 2
    width: int = 256
    depth: int = 8
    heads: int = 4
    mlp_ratio: int = 4
    text_dim: int = 384
    time_freq_dim: int = 256
    # A guidance-distilled student (train_distill.py) takes the guidance scale as an input and
    # makes in one call what classifier-free guidance makes with two.
    guidance_embed: bool = False
    # 3D rotary positions in self-attention (train_dit --rotary; Training/README.md, "What is
    # tried next", item 12): half of each head's width is rotated by the token's frame, row and
    # column, so scores depend on the offset between tokens (config.json `rotary`).
    rotary: bool = False
    # Motion channels generated with the clip (train_dit --motion-channels; Training/README.md
    # item 13): the object's velocity where it is, as VideoJAM (arXiv 2502.02492) generates
    # optical flow jointly with the pixels. 0: the latent clip alone.
    motion_channels: int = 0
    # A refiner (train_dit --refiner; Training/README.md item 16): `refiner_depth` blocks of
    # width `refiner_width` over one token per latent pixel, attending within a frame, that add
    # a correction to the patch tokens' velocity. The patch tokens see a 64×64 frame as 4×4
    # tokens; the refiner gives each latent pixel a token of its own, at a quarter of the cost
    # of patch 1 everywhere (the trunk's spacetime attention stays on the coarse tokens).
    refiner_width: int = 0
    refiner_depth: int = 0
    refiner_heads: int = 2

    @property
    def state_channels(self) -> int:
        """Channels per frame of what the sampler denoises: the latent clip and its motion."""
        return self.latent_channels + self.motion_channels


def rotary_axes(cfg: DiTConfig) -> list[tuple[int, int]]:
    """(pairs, base) for the frame, row and column: half of the rotated pairs for the frame
    (base = frames: from 1 radian a frame down to about a tenth), a quarter each for row and
    column (base = the token grid's side); the pairs are half of the head's width. export.py
    writes these to config.json (`rotary`), from which the engine rebuilds the same angles."""
    pairs = cfg.width // cfg.heads // 4
    grid = cfg.latent_size // cfg.patch
    return [(pairs // 2, cfg.frames), (pairs // 4, grid), (pairs - pairs // 2 - pairs // 4, grid)]


def rotary_frequencies(cfg: DiTConfig) -> torch.Tensor:
    """[pairs] angular frequencies of the rotated feature pairs of a head, axis after axis:
    pair k of an axis with n pairs turns base^(−k/n) radians per step along it."""
    return torch.cat([torch.tensor([float(base) ** (-k / n) for k in range(n)]) for n, base in rotary_axes(cfg)])


def rotary_angles(freqs: torch.Tensor, frames: int, grid: int) -> torch.Tensor:
    """[frames·grid², pairs] rotation angle of each token's pairs, tokens in patchify order."""
    half, quarter = len(freqs) // 2, len(freqs) // 4
    f = torch.arange(frames).repeat_interleave(grid * grid).float()
    i = torch.arange(grid).repeat_interleave(grid).repeat(frames).float()
    j = torch.arange(grid).repeat(grid * frames).float()
    pos = torch.stack([f] * half + [i] * quarter + [j] * (len(freqs) - half - quarter), dim=-1)
    return pos * freqs


def rotate(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """x [..., N, D] with angles [N, P]: features k and P + k (k < P) of the first 2P rotated
    by angle k (the "rotate half" layout of the engine's RotaryEmbedding), the rest kept."""
    p = angles.shape[-1]
    a, b, rest = x[..., :p], x[..., p:2 * p], x[..., 2 * p:]
    c, s = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    return torch.cat([a * c - b * s, b * c + a * s, rest], dim=-1)


def sincos(pos: torch.Tensor, dim: int) -> torch.Tensor:
    half = dim // 2
    k = torch.arange(half, dtype=torch.float32, device=pos.device)
    w = torch.exp(-math.log(10000.0) * k / half)
    a = pos.float()[..., None] * w
    return torch.cat([torch.sin(a), torch.cos(a)], dim=-1)


# ---------------------------------------------------------------- autoencoder

class ResBlock(nn.Module):
    def __init__(self, ch: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, ch)
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, ch)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return x + h


class Encoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        ch = cfg.channels
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        self.down = nn.ModuleList([nn.Conv2d(ch[i], ch[i + 1], 3, stride=2, padding=1) for i in range(len(ch) - 1)])
        self.block = ResBlock(ch[-1], cfg.groups)
        self.norm_out = nn.GroupNorm(cfg.groups, ch[-1])
        self.conv_out = nn.Conv2d(ch[-1], cfg.latent_channels, 1)

    def forward(self, x):
        h = self.conv_in(x)
        for d in self.down:
            h = d(F.silu(h))
        h = self.block(h)
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        ch = cfg.channels
        self.conv_in = nn.Conv2d(cfg.latent_channels, ch[-1], 3, padding=1)
        self.block = ResBlock(ch[-1], cfg.groups)
        self.up = nn.ModuleList([nn.Conv2d(ch[i + 1], ch[i], 3, padding=1) for i in reversed(range(len(ch) - 1))])
        self.up_blocks = nn.ModuleList([ResBlock(ch[i], cfg.groups) for i in reversed(range(len(ch) - 1))])
        self.norm_out = nn.GroupNorm(cfg.groups, ch[0])
        self.conv_out = nn.Conv2d(ch[0], 3, 3, padding=1)

    def forward(self, z):
        h = self.block(self.conv_in(z))
        for conv, block in zip(self.up, self.up_blocks):
            h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = block(conv(h))
        return self.conv_out(F.silu(self.norm_out(h)))


class AutoEncoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)


# ---------------------------------------------------------------- denoiser

class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, angles=None):
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        if angles is not None:
            q, k = rotate(q, angles), rotate(k, angles)
        y = F.scaled_dot_product_attention(q, k, v)
        return self.out(y.transpose(1, 2).reshape(b, n, d))


class CrossAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, ctx, ctx_mask):
        b, n, d = x.shape
        m = ctx.shape[1]
        hd = d // self.heads
        q = self.q(x).view(b, n, self.heads, hd).transpose(1, 2)
        k, v = self.kv(ctx).view(b, m, 2, self.heads, hd).permute(2, 0, 3, 1, 4)
        bias = torch.zeros(b, 1, 1, m, device=x.device).masked_fill(ctx_mask[:, None, None, :] < 0.5, float("-inf"))
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        return self.out(y.transpose(1, 2).reshape(b, n, d))


class DiTBlock(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        d = cfg.width
        self.norm1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.attn = SelfAttention(d, cfg.heads)
        self.norm_cross = nn.LayerNorm(d, eps=1e-6)
        self.cross = CrossAttention(d, cfg.heads)
        self.norm2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.mlp_in = nn.Linear(d, d * cfg.mlp_ratio)
        self.mlp_out = nn.Linear(d * cfg.mlp_ratio, d)
        self.modulation = nn.Linear(d, 6 * d)

    def forward(self, x, c, ctx, ctx_mask, angles=None):
        shift1, scale1, gate1, shift2, scale2, gate2 = self.modulation(c)[:, None, :].chunk(6, dim=-1)
        x = x + gate1 * self.attn(self.norm1(x) * (1 + scale1) + shift1, angles)
        x = x + self.cross(self.norm_cross(x), ctx, ctx_mask)
        h = self.norm2(x) * (1 + scale2) + shift2
        x = x + gate2 * self.mlp_out(F.gelu(self.mlp_in(h), approximate="tanh"))
        return x


class RefinerBlock(nn.Module):
    """A DiT block without cross-attention whose self-attention stays within one frame (the
    tokens of a frame are consecutive, `per_frame` of them); modulated by the trunk's
    conditioning vector (width `cond`)."""

    def __init__(self, width: int, heads: int, mlp_ratio: int, cond: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.attn = SelfAttention(width, heads)
        self.norm2 = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.mlp_in = nn.Linear(width, width * mlp_ratio)
        self.mlp_out = nn.Linear(width * mlp_ratio, width)
        self.modulation = nn.Linear(cond, 6 * width)

    def forward(self, x, c, per_frame: int):
        b, n, d = x.shape
        shift1, scale1, gate1, shift2, scale2, gate2 = self.modulation(c)[:, None, :].chunk(6, dim=-1)
        h = (self.norm1(x) * (1 + scale1) + shift1).reshape(b * n // per_frame, per_frame, d)
        x = x + gate1 * self.attn(h).reshape(b, n, d)
        h = self.norm2(x) * (1 + scale2) + shift2
        return x + gate2 * self.mlp_out(F.gelu(self.mlp_in(h), approximate="tanh"))


class DiT(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.width
        p = cfg.patch
        self.patch_in = nn.Linear((cfg.state_channels + 1) * p * p, d)
        self.time_in = nn.Linear(cfg.time_freq_dim, d)
        self.time_out = nn.Linear(d, d)
        if cfg.guidance_embed:
            self.guidance_in = nn.Linear(cfg.time_freq_dim, d)
            self.guidance_out = nn.Linear(d, d)
        self.text_pool = nn.Linear(cfg.text_dim, d)
        self.text_ctx = nn.Linear(cfg.text_dim, d)
        self.blocks = nn.ModuleList([DiTBlock(cfg) for _ in range(cfg.depth)])
        self.norm_out = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.modulation_out = nn.Linear(d, 2 * d)
        self.patch_out = nn.Linear(d, cfg.state_channels * p * p)
        self.register_buffer("pos", self.positions(cfg.frames), persistent=False)
        if cfg.refiner_depth:
            r = cfg.refiner_width
            self.refiner_in = nn.Linear(cfg.state_channels + 1, r)
            self.refiner_ctx = nn.Linear(d, p * p * r)
            self.refiner_blocks = nn.ModuleList([RefinerBlock(r, cfg.refiner_heads, cfg.mlp_ratio, d)
                                                 for _ in range(cfg.refiner_depth)])
            self.refiner_norm_out = nn.LayerNorm(r, elementwise_affine=False, eps=1e-6)
            self.refiner_modulation_out = nn.Linear(d, 2 * r)
            self.refiner_out = nn.Linear(r, cfg.state_channels)
            self.register_buffer("refiner_pos", self.pixel_positions(), persistent=False)
        if cfg.rotary:
            # Kept with the weights: a state that has it is a rotary model (dit_from_state).
            self.register_buffer("rotary_freqs", rotary_frequencies(cfg))
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        # adaLN-Zero: every block starts as the identity and the output at zero.
        zeroed = [b.modulation for b in self.blocks] + [self.modulation_out, self.patch_out]
        if self.cfg.refiner_depth:
            # The refiner starts adding nothing: a trunk it is grown on keeps its output.
            zeroed += [b.modulation for b in self.refiner_blocks] + [self.refiner_modulation_out, self.refiner_out]
        if self.cfg.guidance_embed:
            # A student starts as its teacher's conditional branch.
            zeroed.append(self.guidance_out)
        for m in zeroed:
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def positions(self, frames: int) -> torch.Tensor:
        cfg = self.cfg
        g = cfg.latent_size // cfg.patch
        d = cfg.width
        dt, dh = d // 2, d // 4
        dw = d - dt - dh
        f = torch.arange(frames).repeat_interleave(g * g)
        i = torch.arange(g).repeat_interleave(g).repeat(frames)
        j = torch.arange(g).repeat(g * frames)
        return torch.cat([sincos(f, dt), sincos(i, dh), sincos(j, dw)], dim=-1)

    def pixel_positions(self) -> torch.Tensor:
        """[h·w, refiner_width]: each latent pixel's row (first half) and column (second half)
        as sincos, row-major; the frame is not in it, since the refiner attends within one."""
        n, r = self.cfg.latent_size, self.cfg.refiner_width
        i = torch.arange(n).repeat_interleave(n)
        j = torch.arange(n).repeat(n)
        return torch.cat([sincos(i, r // 2), sincos(j, r - r // 2)], dim=-1)

    def refine(self, x_in, head, c, f):
        """The refiner's velocity [B,F,C,h,w]: x_in [B,F,C+1,h,w] (the DiT's input with its mask
        channel), head [B,N,D] (the trunk's modulated output tokens, what patch_out reads)."""
        cfg = self.cfg
        b, n = x_in.shape[0], cfg.latent_size
        r, p = cfg.refiner_width, cfg.patch
        pixels = x_in.permute(0, 1, 3, 4, 2).reshape(b, f * n * n, x_in.shape[2])
        g = n // p
        ctx = self.refiner_ctx(head).view(b, f, g, g, r, p, p).permute(0, 1, 2, 5, 3, 6, 4)
        h = self.refiner_in(pixels) + ctx.reshape(b, f * n * n, r) + self.refiner_pos.repeat(f, 1)[None]
        for blk in self.refiner_blocks:
            h = blk(h, c, n * n)
        shift, scale = self.refiner_modulation_out(c)[:, None, :].chunk(2, dim=-1)
        out = self.refiner_out(self.refiner_norm_out(h) * (1 + scale) + shift)
        return out.view(b, f, n, n, cfg.state_channels).permute(0, 1, 4, 2, 3)

    def patchify(self, x):
        b, f, c, h, w = x.shape
        p = self.cfg.patch
        x = x.view(b, f, c, h // p, p, w // p, p).permute(0, 1, 3, 5, 2, 4, 6)
        return x.reshape(b, f * (h // p) * (w // p), c * p * p)

    def unpatchify(self, t, f):
        b = t.shape[0]
        p = self.cfg.patch
        c = self.cfg.state_channels
        g = self.cfg.latent_size // p
        x = t.view(b, f, g, g, c, p, p).permute(0, 1, 4, 2, 5, 3, 6)
        return x.reshape(b, f, c, g * p, g * p)

    def conditioning(self, t, pooled, guidance=None):
        """The vector the blocks' adaLN modulation reads: timestep, guidance scale (distilled
        models) and pooled text."""
        temb = self.time_out(F.silu(self.time_in(sincos(1000.0 * t, self.cfg.time_freq_dim))))
        if guidance is not None:
            temb = temb + self.guidance_out(F.silu(self.guidance_in(sincos(100.0 * guidance, self.cfg.time_freq_dim))))
        return F.silu(temb + self.text_pool(pooled))

    def forward(self, x, given, t, ctx, ctx_mask, pooled, tap: int = -1, guidance=None):
        """x: [B,F,C,h,w] noisy latents (given frames already clean), given: [B,F],
        t: [B], ctx: [B,L,384], ctx_mask: [B,L], pooled: [B,384] -> velocity [B,F,C,h,w].
        With `tap` = i (training only), also the tokens after block i. `guidance` [B]: the
        scale a guidance-distilled model imitates (required by one, refused by the others)."""
        if (guidance is not None) != self.cfg.guidance_embed:
            raise ValueError("guidance is an input of guidance-distilled models only")
        b, f = x.shape[:2]
        m = given[:, :, None, None, None].expand(b, f, 1, x.shape[3], x.shape[4])
        x_in = torch.cat([x, m], dim=2)
        tokens = self.patch_in(self.patchify(x_in))
        pos = self.pos if f == self.cfg.frames else self.positions(f).to(x.device)
        tokens = tokens + pos[None]
        c = self.conditioning(t, pooled, guidance)
        ctx = self.text_ctx(ctx)
        angles = (rotary_angles(self.rotary_freqs, f, self.cfg.latent_size // self.cfg.patch).to(x.device)
                  if self.cfg.rotary else None)
        tapped = None
        for i, blk in enumerate(self.blocks):
            tokens = blk(tokens, c, ctx, ctx_mask, angles)
            if i == tap:
                tapped = tokens
        shift, scale = self.modulation_out(c)[:, None, :].chunk(2, dim=-1)
        head = self.norm_out(tokens) * (1 + scale) + shift
        v = self.unpatchify(self.patch_out(head), f)
        if self.cfg.refiner_depth:
            v = v + self.refine(x_in, head, c, f)
        return v if tap < 0 else (v, tapped)


def dit_from_state(state: dict, **overrides) -> DiT:
    """A DiT holding `state` (a state_dict or exported safetensors, any float dtype): the
    configuration's defaults, guidance-distilled when the weights have the guidance MLP, rotary
    when they mark it, with motion channels when the output layer is wider than the latent."""
    base = DiTConfig(**overrides)
    cfg = dataclasses.replace(base, guidance_embed="guidance_in.weight" in state, rotary="rotary_freqs" in state,
                              motion_channels=motion_channels_of(state, base), **refiner_of(state))
    dit = DiT(cfg)
    # Rotary frequencies are recomputed, not read: a float16 copy (exports, kept teachers)
    # only says that the model has them.
    dit.load_state_dict({k: (dit.rotary_freqs if k == "rotary_freqs" else v.float()) for k, v in state.items()})
    return dit


def refiner_of(state: dict) -> dict:
    """The refiner's width and depth in the weights `state` (none: zero)."""
    if "refiner_in.weight" not in state:
        return {"refiner_width": 0, "refiner_depth": 0}
    depth = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("refiner_blocks."))
    return {"refiner_width": state["refiner_in.weight"].shape[0], "refiner_depth": depth}


def with_refiner(state: dict, dit: DiT) -> dict:
    """A state saved before `dit` had a refiner, made loadable into it: the same weights and
    the refiner as `dit` holds it (its output layer zero, so the velocity is unchanged);
    train_dit --refiner grows a trained trunk this way."""
    if not dit.cfg.refiner_depth or "refiner_in.weight" in state:
        return state
    return {**state, **{k: v.clone() for k, v in dit.state_dict().items() if k.startswith("refiner_")}}


def with_rotary(state: dict, dit: DiT) -> dict:
    """A state saved before `dit` had rotary positions, made loadable into it: the same weights
    and the model's frequencies (train_dit --rotary continues a run this way)."""
    if "rotary_freqs" in state or not dit.cfg.rotary:
        return state
    return {**state, "rotary_freqs": dit.rotary_freqs.clone()}


def motion_channels_of(state: dict, cfg: DiTConfig) -> int:
    """How many motion channels the weights `state` generate: the output layer's rows beyond
    the latent's."""
    return state["patch_out.weight"].shape[0] // (cfg.patch * cfg.patch) - cfg.latent_channels


def with_motion(state: dict, dit: DiT) -> dict:
    """A state saved before `dit` had motion channels, made loadable into it: the same weights,
    the motion inputs' columns of `patch_in` zero, so that the clip comes out exactly as before,
    and the motion outputs' rows of `patch_out` random at the scale of the latent rows (seeded).
    Both zero would be a saddle: each layer's gradient is proportional to the other's weights,
    and a run started that way (2026-12-01) still predicted no motion after 200 steps (loss
    1.06, weights 0.07 in norm against 10.7 for the latent's). Random output rows make the
    inputs' gradient non-zero from the first step (train_dit --motion-channels continues a run
    this way)."""
    cfg = dit.cfg
    p2 = cfg.patch * cfg.patch
    c, m = cfg.latent_channels, cfg.motion_channels
    w_in, w_out = state["patch_in.weight"], state["patch_out.weight"]
    if m == 0 or w_out.shape[0] == (c + m) * p2:
        return state
    if w_in.shape[1] != (c + 1) * p2 or w_out.shape[0] != c * p2:
        raise ValueError(f"patch_in {tuple(w_in.shape)} / patch_out {tuple(w_out.shape)} fit neither "
                         f"{c} latent channels nor {c} + {m} motion channels")
    zeros_in = w_in.new_zeros(w_in.shape[0], m * p2)
    seeded = torch.Generator().manual_seed(0)
    motion_rows = torch.randn(m * p2, w_out.shape[1], generator=seeded).to(w_out) * w_out.float().std().item()
    grown_out = torch.cat([w_out, motion_rows])
    bias_out = torch.cat([state["patch_out.bias"], state["patch_out.bias"].new_zeros(m * p2)])
    return {**state, "patch_in.weight": torch.cat([w_in[:, :c * p2], zeros_in, w_in[:, c * p2:]], dim=1),
            "patch_out.weight": grown_out, "patch_out.bias": bias_out}
