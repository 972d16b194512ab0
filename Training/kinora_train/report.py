"""Markdown tables of the evaluator's JSON reports, for MODEL.md.

Usage: python -m kinora_train.report EVAL.json [--long LONG.json] [--confusion ATTR ...] [--against OTHER.json]"""
from __future__ import annotations

import argparse
import json
import math

COLUMNS = ("background", "colour", "shape", "size", "style", "motion", "axis", "speed", "identity", "reversed")
HEADINGS = {"axis": "motion axis", "identity": "identity kept", "reversed": "motion reversed"}
ROWS = (("all", "all"), ("held_out", "held-out combinations"), ("trained_combinations", "trained combinations"),
        ("unseen_phrasings", "unseen phrasings"))


def pct(v) -> str:
    return "–" if v is None else f"{round(100 * v)} %"


def quality_table(report: dict) -> str:
    lines = ["| set | n | " + " | ".join(HEADINGS.get(c, c) for c in COLUMNS) + " |",
             "| --- | --- |" + " --- |" * len(COLUMNS)]
    for key, name in ROWS:
        row = report["text_to_video"][key]
        lines.append(f"| {name} | {row['n']} | " + " | ".join(pct(row.get(c)) for c in COLUMNS) + " |")
    for name, row in report.get("ceiling", {}).items():
        lines.append(f"| ceiling: the same prompts' truth, {name} | {row['n']} | "
                     + " | ".join(pct(row.get(c)) for c in COLUMNS) + " |")
    readable = report["text_to_video"].get("identity_where_truth_reads_kept")
    if readable:
        lines.append(f"| identity, prompts whose truth reads kept | {readable['n']} | "
                     + " | ".join(pct(readable["identity"]) if c == "identity" else "" for c in COLUMNS) + " |")
    anim = report["image_animation"]
    lines.append(f"| image animation (frame 0 given) | {anim['n']} | " + " | ".join(pct(anim.get(c)) for c in COLUMNS) + " |")
    return "\n".join(lines)


def pillar_line(report: dict) -> str:
    p = report.get("pillar")
    if not p or not p["n"]:
        return ""
    return (f"Through the pillar ({p['n']} clips whose object is asked to pass behind it): it went behind "
            f"in {pct(p['passed_behind'])}, and came out the same colour and shape in {pct(p['identity_kept'])}.")


def long_table(report: dict) -> str:
    lines = ["| prompt | identity kept (2-s windows showing the video's own object) | as asked | background as asked | "
             "background drift (RGB) | object present | reversals (expected) | reversals at an edge |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for v in report["videos"]:
        lines.append(f"| {v['prompt']} | {pct(v['identity_kept'])} | {pct(v['as_asked'])} | {pct(v['background_as_asked'])} | "
                     f"{v['background_drift_rgb']} | {pct(v['present'])} | {v['reversals']} ({v['reversals_expected']}) | "
                     f"{pct(v['reversals_at_edges'])} |")
    return "\n".join(lines)


def confusion_table(report: dict, attr: str, by: str | None = None) -> str:
    """Asked value (rows) against the value read back (columns) for one attribute over the
    report's per-prompt cases; with `by`, one row per (asked value, asked `by` value), which
    says e.g. whether shape is lost mostly on small objects."""
    cases = report.get("cases")
    if not cases:
        raise SystemExit("this report has no per-prompt cases (made before evaluate wrote them)")
    read_values = sorted({str(c["read"][attr]) for c in cases})
    def key(c):
        return (c["asked"][attr],) + ((c["asked"][by],) if by else ())
    keys = sorted({key(c) for c in cases})
    head = f"| asked {attr}" + (f" / {by}" if by else "") + " | n | " + " | ".join(f"read {v}" for v in read_values) + " | right |"
    lines = [head, "| --- | --- |" + " --- |" * (len(read_values) + 1)]
    for k in keys:
        sel = [c for c in cases if key(c) == k]
        counts = [sum(str(c["read"][attr]) == v for c in sel) for v in read_values]
        right = sum(c["read"][attr] == c["asked"][attr] for c in sel)
        lines.append(f"| {' / '.join(k)} | {len(sel)} | " + " | ".join(map(str, counts)) + f" | {pct(right / len(sel))} |")
    return "\n".join(lines)


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact binomial p-value of `wins` against `losses` under a fair coin: how
    likely a split at least this lopsided is when neither report is better."""
    n, k = wins + losses, min(wins, losses)
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)


def paired_table(report: dict, other: dict, key: str = "cases") -> str:
    """Two evaluations of the same prompts and seeds compared prompt by prompt (`key`: the
    text-to-video "cases" or the "image_animation_cases"): per attribute,
    the prompts only the first gets right (wins), only the other (losses), and the sign
    test's p-value on them. Pairing removes the prompts both get right or both miss, which
    is most of the evaluator's noise between two models."""
    a, b = report.get(key), other.get(key)
    if not a or not b:
        raise SystemExit("both reports need per-prompt cases (made before evaluate wrote them)")
    if len(a) != len(b) or any(x["asked"] != y["asked"] for x, y in zip(a, b)):
        raise SystemExit("the reports asked different prompts: pair only evaluations with the same --n and seeds")
    lines = ["| attribute | n | first right | other right | only first | only other | sign test p |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for attr in COLUMNS:
        pairs = [(x["score"].get(attr), y["score"].get(attr)) for x, y in zip(a, b)]
        pairs = [(bool(p), bool(q)) for p, q in pairs if p is not None and q is not None]
        if not pairs:
            continue
        # A reversed motion is a miss: "right" there means not reversed.
        good = (lambda v: not v) if attr == "reversed" else (lambda v: v)
        wins = sum(good(p) and not good(q) for p, q in pairs)
        losses = sum(good(q) and not good(p) for p, q in pairs)
        lines.append(f"| {HEADINGS.get(attr, attr)} | {len(pairs)} | {sum(good(p) for p, _ in pairs)} | "
                     f"{sum(good(q) for _, q in pairs)} | {wins} | {losses} | {sign_test(wins, losses):.2f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_json")
    ap.add_argument("--long", default=None)
    ap.add_argument("--confusion", nargs="*", default=[], metavar="ATTR[:BY]",
                    help="asked against read tables of these attributes from the per-prompt cases, e.g. shape:size")
    ap.add_argument("--against", default=None, metavar="OTHER.json",
                    help="compare prompt by prompt with another evaluation of the same prompts (paired_table)")
    args = ap.parse_args()
    report = json.load(open(args.eval_json))
    print(quality_table(report))
    print()
    print(pillar_line(report))
    if args.long:
        print()
        print(long_table(json.load(open(args.long))))
    for spec in args.confusion:
        attr, _, by = spec.partition(":")
        print()
        print(confusion_table(report, attr, by or None))
    if args.against:
        other = json.load(open(args.against))
        print()
        print(paired_table(report, other))
        # Reports made before 2026-12-03 have no animation cases; then only text to video pairs.
        if report.get("image_animation_cases") and other.get("image_animation_cases"):
            print()
            print("Image animation, prompt by prompt:")
            print()
            print(paired_table(report, other, "image_animation_cases"))


if __name__ == "__main__":
    main()
