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


def scored(shape, right, reversed_=None):
    return {"asked": {"shape": shape}, "score": {"shape": right, "reversed": reversed_}}


def test_paired_comparison_counts_the_prompts_only_one_gets_right():
    from kinora_train.report import paired_table, sign_test
    first = {"cases": [scored("circle", True, False), scored("square", True, True), scored("circle", False),
                       scored("square", True)]}
    other = {"cases": [scored("circle", False, True), scored("square", True, True), scored("circle", True),
                       scored("square", False)]}
    rows = paired_table(first, other).splitlines()
    assert "| shape | 4 | 3 | 2 | 2 | 1 | 1.00 |" in rows
    # Reversed motion is a miss: the first reversed one clip of two, the other both.
    assert "| motion reversed | 2 | 1 | 0 | 1 | 0 | 1.00 |" in rows
    assert sign_test(0, 0) == 1.0
    assert sign_test(10, 0) == pytest.approx(2 / 1024)
    assert sign_test(3, 7) == sign_test(7, 3) == pytest.approx(2 * (1 + 10 + 45 + 120) / 1024)
    with pytest.raises(SystemExit, match="different prompts"):
        paired_table(first, {"cases": other["cases"][:3]})


def test_paired_comparison_of_image_animation_reads_its_own_cases():
    from kinora_train.report import paired_table
    text = [scored("circle", True)]
    first = {"cases": text, "image_animation_cases": [scored("square", True), scored("square", True)]}
    other = {"cases": text, "image_animation_cases": [scored("square", False), scored("square", True)]}
    assert "| shape | 1 | 1 | 1 | 0 | 0 | 1.00 |" in paired_table(first, other).splitlines()
    rows = paired_table(first, other, "image_animation_cases").splitlines()
    assert "| shape | 2 | 2 | 1 | 1 | 0 | 1.00 |" in rows
    with pytest.raises(SystemExit, match="per-prompt cases"):
        paired_table(first, {"cases": text}, "image_animation_cases")
