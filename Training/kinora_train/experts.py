"""A denoiser and its low-noise expert (train_low_noise.py) as one model for the sampler:
the steps taken at t below the switch go to the expert, the others to the denoiser."""
from __future__ import annotations

import torch


class LowNoiseSwitch(torch.nn.Module):
    def __init__(self, dit: torch.nn.Module, expert: torch.nn.Module, below: float, guidance: float = 1.0,
                 null=None):
        super().__init__()
        if not 0.0 < below <= 1.0:
            raise ValueError(f"expert switch {below}: a noise level in (0, 1]")
        if expert.cfg != dit.cfg:
            raise ValueError("the expert's architecture differs from the denoiser's")
        self.dit, self.expert, self.below = dit, expert, below
        # Classifier-free guidance of the expert's own conditional and unconditional outputs
        # (it learned both from the truth, and ignores its guidance input); `null` is the empty
        # prompt's (ctx, mask, pooled).
        if guidance != 1.0 and null is None:
            raise ValueError("guiding the expert needs the empty prompt's encoding (null)")
        self.guidance, self.null = guidance, null

    @property
    def cfg(self):
        return self.dit.cfg

    def forward(self, x, given, t, *text, **kw):
        low = t < self.below
        if bool(low.all()):
            if self.guidance == 1.0:
                return self.expert(x, given, t, *text, **kw)
            b = x.shape[0]
            null = [n.expand(b, *n.shape[1:]) for n in self.null]
            both = self.expert(torch.cat([x, x]), torch.cat([given, given]), torch.cat([t, t]),
                               *[torch.cat([c, n]) for c, n in zip(text, null)],
                               guidance=torch.ones(2 * b))
            vc, vu = both.chunk(2)
            return vu + self.guidance * (vc - vu)
        if not bool(low.any()):
            return self.dit(x, given, t, *text, **kw)
        raise ValueError("a batch mixes noise levels on both sides of the expert switch")
