"""report --confusion: asked against read counts from the evaluator's per-prompt cases."""
import pytest

from kinora_train.report import confusion_table


def case(shape, size, read_shape):
    return {"asked": {"shape": shape, "size": size}, "read": {"shape": read_shape, "size": size}}


def test_confusion_counts_each_asked_value_against_what_was_read():
    report = {"cases": [case("circle", "small", "circle"), case("square", "small", "circle"),
                        case("square", "large", "square"), case("square", "small", None)]}
    rows = confusion_table(report, "shape").splitlines()
    assert rows[0] == "| asked shape | n | read None | read circle | read square | right |"
    assert rows[2] == "| circle | 1 | 0 | 1 | 0 | 100 % |"
    assert rows[3] == "| square | 3 | 1 | 1 | 1 | 33 % |"
    by_size = confusion_table(report, "shape", "size").splitlines()
    assert "| square / small | 2 | 1 | 1 | 0 | 0 % |" in by_size


def test_a_report_without_cases_is_refused():
    with pytest.raises(SystemExit, match="no per-prompt cases"):
        confusion_table({"text_to_video": {}}, "shape")
