"""The training precision follows the CPU: bfloat16 only where it is done in hardware."""
import pytest

from kinora_train.precision import cpu_flags, has_fast_bf16, use_bf16

EPYC_AVX2 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse sse2 avx avx2 fma\n"
XEON_BF16 = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 amx_tile\n"


def test_flags_are_read_from_cpuinfo():
    assert cpu_flags(EPYC_AVX2) == {"fpu", "sse", "sse2", "avx", "avx2", "fma"}
    assert cpu_flags("") == set()


def test_bf16_only_where_the_cpu_has_it():
    assert not has_fast_bf16(EPYC_AVX2)
    assert has_fast_bf16(XEON_BF16)


def test_auto_reads_the_given_cpuinfo(tmp_path):
    slow, fast = tmp_path / "slow", tmp_path / "fast"
    slow.write_text(EPYC_AVX2)
    fast.write_text(XEON_BF16)
    assert use_bf16("auto", str(slow)) is False
    assert use_bf16("auto", str(fast)) is True
    assert use_bf16("auto", str(tmp_path / "missing")) is False
    assert use_bf16("bf16", str(slow)) is True
    assert use_bf16("fp32", str(fast)) is False


def test_unknown_choice_names_the_option():
    with pytest.raises(ValueError, match="--precision must be auto, bf16 or fp32"):
        use_bf16("fp16")
