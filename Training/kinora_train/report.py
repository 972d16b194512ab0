"""Markdown tables of the evaluator's JSON reports, for MODEL.md.

Usage: python -m kinora_train.report EVAL.json [--long LONG.json]"""
from __future__ import annotations

import argparse
import json

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_json")
    ap.add_argument("--long", default=None)
    args = ap.parse_args()
    report = json.load(open(args.eval_json))
    print(quality_table(report))
    print()
    print(pillar_line(report))
    if args.long:
        print()
        print(long_table(json.load(open(args.long))))


if __name__ == "__main__":
    main()
