"""Why the model reverses motion: the numbers of Training/README.md ("What is tried next", 7).

    .venv/bin/python -m kinora_train.diagnose_motion      (from Training/, ~1 min)

1. Training clips read back by the evaluator's detector: how often a clip moves the way its
   caption says, when it starts at a random time in [0, 6) s (the recipe until 2026-11-30) and
   at t = 0, and with the current rule (`against_caption`: such clips become continuations).
2. Cosine similarity of MiniLM's pooled embeddings for captions differing only in direction,
   colour or shape.
3. Yet the sign is in them: a logistic probe on the pooled embedding (and the axis), fitted on
   1,200 training captions of moving scenes, tells the sign of 400 others (item 11)."""
from __future__ import annotations

import numpy as np
import torch

from .captions import caption
from .data import scene_with_position
from .detect import read_clip
from .train_dit import against_caption, render_batch
from .world import OPPOSITE, random_scene, render


def agreement(rng: np.random.Generator, t0_high: float, n: int = 160) -> tuple[float, float]:
    same = opposite = count = 0
    for _ in range(n):
        s = random_scene(rng, pillar=False)
        if s.motion not in OPPOSITE:
            continue
        s = scene_with_position(rng, s)
        frames, _ = render(s, 16, 8.0, t0=float(rng.uniform(0, t0_high)) if t0_high > 0 else 0.0)
        m = read_clip(frames).motion
        count += 1
        same += m == s.motion
        opposite += m == OPPOSITE[s.motion]
    return same / count, opposite / count


def main():
    rng = np.random.default_rng(1)
    for high in (6.0, 0.0):
        same, opposite = agreement(rng, high)
        print(f"clips starting at t0 in [0, {high:g}]: move the captioned way {same:.2f}, the opposite way {opposite:.2f}")
    scenes = [random_scene(rng, pillar=False) for _ in range(200)]
    pool = {"scenes": scenes}
    idx = np.arange(len(scenes))
    clips, _, vel = render_batch(rng, pool, idx, 16)
    against = against_caption(pool, idx, vel)
    kept = [read_clip(clips[k]).motion == scenes[k].motion for k in idx if scenes[k].motion in OPPOSITE and not against[k]]
    print(f"current recipe: clips left as text to video move the captioned way {np.mean(kept):.2f}")

    from .text import TextEncoder
    te = TextEncoder()
    base = "a blue square moving up on a white background"
    variants = {"down": base.replace("up", "down"), "left": base.replace("up", "left"),
                "right": base.replace("up", "right"), "red": base.replace("blue", "red"),
                "circle": base.replace("square", "circle")}
    _, _, pooled = te.encode([base, *variants.values()])
    p = torch.nn.functional.normalize(pooled.float(), dim=-1)
    print("pooled cosine to '" + base + "': " + ", ".join(
        f"{name} {float(p[0] @ p[i + 1]):.3f}" for i, name in enumerate(variants)))
    print(f"logistic probe on the pooled embedding: the sign of held-out captions {sign_probe(te, rng):.3f} right")


def sign_probe(te, rng: np.random.Generator, fit: int = 1200, held: int = 400) -> float:
    """Accuracy on `held` captions of a logistic regression from the standardised pooled
    embedding plus the axis to the sign (right/down against left/up), fitted on `fit` others."""
    scenes = []
    while len(scenes) < fit + held:
        s = random_scene(rng)
        if s.motion in OPPOSITE:
            scenes.append(s)
    texts = [caption(s, rng) for s in scenes]
    pooled = torch.cat([te.encode(texts[i:i + 64])[2] for i in range(0, len(texts), 64)])
    horizontal = torch.tensor([s.motion in ("left", "right") for s in scenes]).float()
    sign = torch.tensor([s.motion in ("right", "down") for s in scenes]).float()
    x = torch.cat([pooled, horizontal[:, None]], 1)
    x = (x - x[:fit].mean(0)) / (x[:fit].std(0) + 1e-6)
    torch.manual_seed(0)
    w = torch.zeros(x.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([w, b], 1e-2)
    for _ in range(500):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(x[:fit] @ w + b, sign[:fit]) + 1e-3 * w.pow(2).sum()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return (((x[fit:] @ w + b) > 0).float() == sign[fit:]).float().mean().item()


if __name__ == "__main__":
    main()
