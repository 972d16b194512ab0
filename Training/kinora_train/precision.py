"""Which autocast precision a training run uses on this CPU.

bfloat16 autocast is about 1.5x faster than float32 where the CPU multiplies bfloat16 in
hardware (AVX512-BF16 or AMX); where it does not (AVX2-only CPUs such as many AMD EPYC hosts)
PyTorch emulates it and a denoiser step took over 40 s instead of about 3 s (seen 2026-11-30).
So the default follows the CPU's flags; --precision forces either."""
from __future__ import annotations

BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo: str) -> set[str]:
    """The feature flags of the first processor listed in /proc/cpuinfo's text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return set(value.split())
    return set()


def has_fast_bf16(cpuinfo: str) -> bool:
    return any(f in cpu_flags(cpuinfo) for f in BF16_FLAGS)


def use_bf16(choice: str, cpuinfo_path: str = "/proc/cpuinfo") -> bool:
    """`choice` is "auto", "bf16" or "fp32" (the --precision option)."""
    if choice not in ("auto", "bf16", "fp32"):
        raise ValueError(f"--precision must be auto, bf16 or fp32, got {choice!r}")
    if choice != "auto":
        return choice == "bf16"
    try:
        with open(cpuinfo_path) as f:
            return has_fast_bf16(f.read())
    except OSError:
        return False


def add_precision_option(ap) -> None:
    ap.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto",
                    help="autocast precision: bf16 where the CPU has AVX512-BF16 or AMX (about 1.5x "
                         "faster), fp32 elsewhere, where emulated bf16 is over ten times slower (default: auto)")
    ap.add_argument("--fp32", action="store_true", help="same as --precision fp32")


def chosen_bf16(args) -> bool:
    bf16 = use_bf16("fp32" if args.fp32 else args.precision)
    print(f"autocast precision: {'bfloat16' if bf16 else 'float32'}", flush=True)
    return bf16
