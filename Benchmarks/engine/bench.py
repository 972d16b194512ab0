"""The engine against PyTorch (and ONNX Runtime when available), same machine, same threads.

    Benchmarks/engine/run.sh            (what `make bench` calls)
    PY bench.py --engine BIN --text-encoder DIR [--repeats N] [--no-compile] [--ort-python PY]

(a) all-MiniLM-L6-v2 on 16 sentences (tokenisation included on both sides);
(b) one step of the video DiT at the real shape (model.py DiTConfig defaults: width 256,
    depth 8, 16 frames of 8x8x8 latents, patch 2; batch 2 as classifier-free guidance runs it,
    40 text tokens), random weights, the same weights and inputs for every engine;
(c) the shipped denoiser (Models/kinora-shapes-v1, guidance-distilled) as the elements call it:
    batch 1, the guidance scale an input, its weights widened to F32 for every engine;
plus raw OpenBLAS sgemm measured by the engine binary in the same run, per-op shares and
peak RSS. Prints a table and writes Benchmarks/engine/.work/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(HERE, ".work")
THREADS = 2


def best_time(fn, repeats):
    """The fastest of `repeats` runs after a warm-up (the least disturbed on a shared machine)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def make_dit(torch):
    sys.path.insert(0, os.path.join(ROOT, "Training"))
    from kinora_train.model import DiT, DiTConfig
    cfg = DiTConfig()
    g = torch.Generator().manual_seed(7)
    dit = DiT(cfg).eval()
    with torch.no_grad():
        for name, p in dit.named_parameters():
            if torch.count_nonzero(p) == 0:  # the zero-initialised adaLN/output layers
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)
    b, L = 2, 40
    x = torch.randn(b, cfg.frames, cfg.latent_channels, cfg.latent_size, cfg.latent_size, generator=g)
    given = torch.zeros(b, cfg.frames)
    given[:, 0] = 1
    t = torch.tensor([0.6, 0.6])
    mask = torch.zeros(b, L)
    mask[0, :14] = 1
    mask[1, :2] = 1  # the unconditional (empty) prompt: [CLS] [SEP]
    ctx = torch.randn(b, L, cfg.text_dim, generator=g) * mask[..., None]
    pooled = torch.nn.functional.normalize(torch.randn(b, cfg.text_dim, generator=g), dim=-1)
    return cfg, dit, (x, given, t, ctx, mask, pooled)


SHIPPED = os.path.join(ROOT, "Models", "kinora-shapes-v1")
# The DiT's inputs in call order, as named in io.safetensors and the ONNX exports (guidance:
# guidance-distilled models only).
DIT_INPUTS = ("x", "given", "t", "ctx", "mask", "pooled", "guidance")


def with_guidance(torch, dit):
    """The guidance-distilled DiT with its guidance scale as a positional input (for
    torch.compile and the ONNX export, which take positional inputs only)."""
    class WithGuidance(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.dit = dit

        def forward(self, x, given, t, ctx, mask, pooled, guidance):
            return self.dit(x, given, t, ctx, mask, pooled, guidance=guidance)
    return WithGuidance().eval()


def make_shipped_dit(torch):
    """The shipped denoiser at batch 1 with a 14-token prompt and guidance 7, as a text-to-video
    chunk calls it; None when the model folder is missing."""
    sys.path.insert(0, os.path.join(ROOT, "Training"))
    from safetensors.torch import load_file
    from kinora_train.model import dit_from_state
    path = os.path.join(SHIPPED, "denoiser.safetensors")
    if not os.path.exists(path):
        return None
    dit = dit_from_state({k: v.float() for k, v in load_file(path).items()}).eval()
    cfg = dit.cfg
    g = torch.Generator().manual_seed(8)
    L = 40
    x = torch.randn(1, cfg.frames, cfg.latent_channels, cfg.latent_size, cfg.latent_size, generator=g)
    given = torch.zeros(1, cfg.frames)
    mask = torch.zeros(1, L)
    mask[0, :14] = 1
    ctx = torch.randn(1, L, cfg.text_dim, generator=g) * mask[..., None]
    pooled = torch.nn.functional.normalize(torch.randn(1, cfg.text_dim, generator=g), dim=-1)
    inputs = (x, given, torch.tensor([0.6]), ctx, mask, pooled, torch.tensor([7.0]))
    return cfg, with_guidance(torch, dit), inputs


def write_dit(cfg, dit, inputs, velocity, out_dir):
    from safetensors.torch import save_file
    from kinora_train.export import config_json
    from kinora_train.model import AEConfig
    os.makedirs(out_dir, exist_ok=True)
    # F32 weights, so that the engine's output can be compared with PyTorch's exactly.
    module = getattr(dit, "dit", dit)  # the state dict of the DiT itself, not of a wrapper
    save_file({k: v.contiguous() for k, v in module.state_dict().items()}, os.path.join(out_dir, "denoiser.safetensors"))
    names = DIT_INPUTS[:len(inputs)]
    save_file({**dict(zip(names, inputs)), "velocity": velocity.contiguous()}, os.path.join(out_dir, "io.safetensors"))
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config_json(AEConfig(latent_channels=cfg.latent_channels), cfg, 1.0, {}), f)


def torch_peer(args, sentences):
    import torch
    torch.set_num_threads(THREADS)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    res = {"torch": torch.__version__}
    st = SentenceTransformer(args.text_encoder, device="cpu")
    with torch.inference_mode():
        res["minilm_eager"] = best_time(lambda: st.encode(sentences, batch_size=len(sentences)), args.repeats)
    if args.export_onnx:
        try:
            class LastHiddenState(torch.nn.Module):
                def __init__(self, bert):
                    super().__init__()
                    self.bert = bert

                def forward(self, input_ids, attention_mask, token_type_ids):
                    return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                                     token_type_ids=token_type_ids).last_hidden_state

            bert = LastHiddenState(st[0].auto_model.eval())
            enc = st.tokenizer(sentences[:2], padding=True, return_tensors="pt")
            torch.onnx.export(bert, (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]),
                              os.path.join(WORK, "minilm.onnx"), opset_version=17, dynamo=False,
                              input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["last_hidden_state"],
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]})
            res["minilm_onnx_export"] = "ok"
        except Exception as e:
            res["minilm_onnx_export"] = f"{type(e).__name__}: {e}"[:300]

    cases = [("dit", make_dit(torch)), ("shipped", make_shipped_dit(torch))]
    for name, case in cases:
        if case is not None:
            time_dit(torch, args, res, name, *case)
    res["peak_rss_mb"] = peak_rss_mb()
    return res


def time_dit(torch, args, res, name, cfg, dit, inputs):
    """PyTorch eager (2 and 1 threads), torch.compile and the ONNX export of one DiT case;
    writes the weights and inputs to WORK/<name> for the engine and ONNX Runtime."""
    with torch.inference_mode():
        velocity = dit(*inputs)
        res[f"{name}_eager"] = best_time(lambda: dit(*inputs), args.repeats)
        # Diagnostic: on a loaded machine two OpenMP threads can be slower than one.
        torch.set_num_threads(1)
        res[f"{name}_eager_1thread"] = best_time(lambda: dit(*inputs), args.repeats)
        torch.set_num_threads(THREADS)
    write_dit(cfg, dit, inputs, velocity, os.path.join(WORK, name))
    if not args.no_compile:
        try:
            t0 = time.perf_counter()
            compiled = torch.compile(dit)
            with torch.inference_mode():
                compiled(*inputs)
                res[f"{name}_compile_warmup"] = time.perf_counter() - t0
                res[f"{name}_compiled"] = best_time(lambda: compiled(*inputs), args.repeats)
        except Exception as e:  # compile is best effort on CPU
            res[f"{name}_compiled_error"] = f"{type(e).__name__}: {e}"[:300]
    if args.export_onnx:
        names = list(DIT_INPUTS[:len(inputs)])
        try:
            torch.onnx.export(dit, inputs, os.path.join(WORK, f"{name}.onnx"), opset_version=17, dynamo=False,
                              input_names=names, output_names=["v"])
            res[f"{name}_onnx_export"] = "ok"
        except Exception as e:
            res[f"{name}_onnx_export"] = f"{type(e).__name__}: {e}"[:300]


def peak_rss_mb():
    """VmHWM: unlike ru_maxrss it is not inherited from the parent across fork+exec."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


ORT_SNIPPET = r"""
import json, os, sys, time
import numpy as np, onnxruntime as ort
from safetensors.numpy import load_file
# repeats, the MiniLM export, its folder, the sentences, then (name, ONNX file, io) per DiT case.
repeats, minilm_path, encoder_dir, sentences_file = sys.argv[1:5]
cases = sys.argv[5:]
repeats = int(repeats)
so = ort.SessionOptions(); so.intra_op_num_threads = 2; so.inter_op_num_threads = 1
def best(fn):
    fn(); ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return min(ts)
result = {}
for name, path, io_path in zip(cases[0::3], cases[1::3], cases[2::3]):
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    io = load_file(io_path)
    feed = {i.name: io[i.name] for i in s.get_inputs()}
    out = s.run(None, feed)[0]
    result[name] = best(lambda: s.run(None, feed))
    result[name + "_max_abs_diff"] = float(np.abs(out - io["velocity"]).max())
if os.path.exists(minilm_path):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(encoder_dir)
    m = ort.InferenceSession(minilm_path, so, providers=["CPUExecutionProvider"])
    sentences = [l for l in open(sentences_file, encoding="utf-8").read().splitlines() if l]
    def encode():
        enc = tok(sentences, padding=True, truncation=True, max_length=256, return_tensors="np")
        h = m.run(None, {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")})[0]
        mask = enc["attention_mask"][..., None].astype(np.float32)
        pooled = (h * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    result["minilm"] = best(encode)
print(json.dumps({**result,
                  "ort": ort.__version__,
                  "peak_rss_mb": [int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default=os.path.join(ROOT, ".build", "release", "kinora-bench-engine"))
    ap.add_argument("--text-encoder", default=os.path.join(ROOT, ".cache", "text-encoder", "all-MiniLM-L6-v2"))
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--ort-python", help="a Python with onnxruntime (its own venv)")
    args = ap.parse_args()
    args.export_onnx = bool(args.ort_python)
    os.makedirs(WORK, exist_ok=True)
    sentences_file = os.path.join(HERE, "sentences.txt")
    sentences = [s for s in open(sentences_file, encoding="utf-8").read().split("\n") if s]

    peer = torch_peer(args, sentences)

    def run_engine(*extra):
        return json.loads(subprocess.run([args.engine, "--repeats", str(args.repeats), *extra],
                                         check=True, capture_output=True, text=True).stdout)

    engine = run_engine("--text-encoder", args.text_encoder, "--sentences", sentences_file,
                        "--dit", os.path.join(WORK, "dit"))
    engine1 = run_engine("--threads", "1", "--dit", os.path.join(WORK, "dit"))
    shipped = run_engine("--dit", os.path.join(WORK, "shipped")) if "shipped_eager" in peer else None
    ort = None
    if args.ort_python:
        cases = [a for name in ("dit", "shipped") if peer.get(f"{name}_onnx_export") == "ok"
                 for a in (name, os.path.join(WORK, f"{name}.onnx"), os.path.join(WORK, name, "io.safetensors"))]
        try:
            ort = json.loads(subprocess.run([args.ort_python, "-c", ORT_SNIPPET, str(args.repeats),
                                             os.path.join(WORK, "minilm.onnx"), args.text_encoder, sentences_file, *cases],
                                            check=True, capture_output=True, text=True).stdout)
        except Exception as e:
            ort = {"error": str(e)[:300]}

    results = {"pytorch": peer, "engine": engine, "engine_1thread": engine1, "engine_shipped": shipped, "onnxruntime": ort}
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(results, f, indent=1)

    def row(label, ours, theirs):
        print(f"{label:44} {ours*1e3:10.2f} {theirs*1e3:10.2f} {theirs/ours:8.2f}x")

    def peers_rows(name, ours):
        """torch.compile and ONNX Runtime against the engine's `ours` for one DiT case."""
        if f"{name}_compiled" in peer:
            row("  vs torch.compile (ms)", ours, peer[f"{name}_compiled"])
        elif f"{name}_compiled_error" in peer:
            print(f"  torch.compile: {peer[f'{name}_compiled_error']}")
        if ort and name in ort:
            row("  vs ONNX Runtime CPU (ms)", ours, ort[name])
        elif ort and "error" in ort:
            print(f"  ONNX Runtime: {ort['error']}")
        elif args.ort_python:
            print(f"  ONNX export: {peer.get(f'{name}_onnx_export')}")

    e_m, e_d = engine["minilm"]["seconds"], engine["dit"]["seconds_full_forward"]
    e_step = engine["dit"]["seconds_per_step"]
    core = engine.get("openblas_core", "?")
    print(f"\nKinora engine benchmark, {THREADS} threads (torch {peer['torch']}, OpenBLAS kernels: {core})")
    print(f"{'case':44} {'engine':>10} {'pytorch':>10} {'speed-up':>9}")
    row("MiniLM, 16 sentences (ms)", e_m, peer["minilm_eager"])
    if ort and "minilm" in ort:
        row("  vs ONNX Runtime CPU (ms)", e_m, ort["minilm"])
    row("DiT forward, batch 2 x 256 tokens (ms)", e_d, peer["dit_eager"])
    row("DiT sampler step, text K/V cached (ms)", e_step, peer["dit_eager"])
    row("DiT forward, both at 1 thread (ms)", engine1["dit"]["seconds_full_forward"], peer["dit_eager_1thread"])
    peers_rows("dit", e_d)
    if shipped:
        s_d = shipped["dit"]["seconds_full_forward"]
        row("shipped denoiser, batch 1, guidance in (ms)", s_d, peer["shipped_eager"])
        row("  sampler step, text K/V cached (ms)", shipped["dit"]["seconds_per_step"], peer["shipped_eager"])
        peers_rows("shipped", s_d)
    sg = engine["sgemm_gflops"]
    raw = max(sg.values())
    raw1 = max(v for k, v in sg.items() if "1 thread" in k)
    print(f"\nraw OpenBLAS sgemm GFLOP/s: " + ", ".join(f"{k}: {v:.0f}" for k, v in sg.items()))
    for name in ("minilm", "dit"):
        prof = engine[name]["profile"]
        mg = prof["matrix_gflops"]
        print(f"{name}: matrix work {mg:.0f} GFLOP/s = {mg / raw:.0%} of the best raw sgemm; time shares: " +
              ", ".join(f"{k} {v['share']:.0%}" for k, v in sorted(prof["ops"].items(), key=lambda kv: -kv[1]["share"])))
    mg1 = engine1["dit"]["profile"]["matrix_gflops"]
    print(f"dit at 1 thread: matrix work {mg1:.0f} GFLOP/s = {mg1 / raw1:.0%} of raw 1-thread sgemm ({raw1:.0f})")
    if shipped:
        mg = shipped["dit"]["profile"]["matrix_gflops"]
        print(f"shipped: matrix work {mg:.0f} GFLOP/s = {mg / raw:.0%} of the best raw sgemm; time shares: " +
              ", ".join(f"{k} {v['share']:.0%}" for k, v in sorted(shipped["dit"]["profile"]["ops"].items(), key=lambda kv: -kv[1]["share"])))
    print(f"DiT velocity max |engine - pytorch| = {engine['dit'].get('max_abs_diff_vs_pytorch', float('nan')):.2e}" +
          (f", shipped {shipped['dit'].get('max_abs_diff_vs_pytorch', float('nan')):.2e}" if shipped else ""))
    print(f"peak RSS MB: engine {engine['peak_rss_mb']:.0f}, pytorch {peer['peak_rss_mb']:.0f}" +
          (f", onnxruntime {ort['peak_rss_mb']:.0f}" if ort and 'peak_rss_mb' in ort else ""))


if __name__ == "__main__":
    main()
