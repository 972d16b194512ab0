"""probe_detail: the share of clips read as asked, per attribute and per asked style."""
import pytest

pytest.importorskip("torch")

from kinora_train.probe_detail import kept_shares  # noqa: E402
from kinora_train.world import Scene  # noqa: E402


def test_kept_shares_count_each_attribute_and_style():
    items = [{"scene": Scene("red", "circle", "black", size="small", style="pixel")},
             {"scene": Scene("red", "square", "black", size="large", style="flat")},
             {"scene": Scene("red", "square", "black", size="large", style="pixel")}]
    readings = [{"shape": "circle", "size": "medium", "style": "flat"},
                {"shape": "square", "size": "large", "style": "flat"},
                {"shape": "circle", "size": "large", "style": "pixel"}]
    shares = kept_shares(readings, items)
    assert shares["shape"] == pytest.approx(2 / 3, abs=1e-3)
    assert shares["size"] == pytest.approx(2 / 3, abs=1e-3)
    assert shares["style pixel"] == 0.5 and shares["style flat"] == 1.0
    assert "style glow" not in shares
