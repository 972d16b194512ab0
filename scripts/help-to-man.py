"""A roff manual page from swift-argument-parser's `--experimental-dump-help`
JSON (stdin), so the page says exactly what --help says. Argument: section."""
import json
import sys


def roff(text):
    lines = []
    for line in (text or "").split("\n"):
        line = line.replace("\\", "\\\\").replace("-", "\\-")
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line if line.strip() else ".PP")
    return "\n".join(lines)


def names(argument):
    shown = []
    for name in argument.get("names", []):
        prefix = "-" if name["kind"] == "short" else "--"
        shown.append(prefix + name["name"])
    if not shown:
        return "<" + argument.get("valueName", "value") + ">"
    if argument["kind"] == "option":
        return ", ".join(shown) + " <" + argument.get("valueName", "value") + ">"
    return ", ".join(shown)


def describe(command, section, path):
    out = []
    arguments = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)]
    if arguments:
        out.append(".SS " + " ".join(path) if len(path) > 1 else ".SH OPTIONS")
        if len(path) > 1:
            out.append(roff(command.get("abstract", "")))
            if command.get("discussion"):
                out.append(".PP\n" + roff(command["discussion"]))
        for argument in arguments:
            out.append(".TP\n\\fB" + roff(names(argument)) + "\\fR\n" + roff(argument.get("abstract", "")))
    for sub in command.get("subcommands", []):
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            out.extend(describe(sub, section, path + [sub["commandName"]]))
    return out


def main():
    section = sys.argv[1]
    command = json.load(sys.stdin)["command"]
    name = command["commandName"]
    subcommands = [s for s in command.get("subcommands", []) if s["commandName"] != "help"]
    page = [
        '.TH "%s" "%s" "" "Kinora" "Kinora Manual"' % (name.upper(), section),
        ".SH NAME",
        "%s \\- %s" % (name, roff(command.get("abstract", ""))),
        ".SH SYNOPSIS",
        "\\fB%s\\fR %s" % (name, "<subcommand> [options]" if subcommands else "[options]"),
        ".SH DESCRIPTION",
        roff(command.get("discussion", command.get("abstract", ""))),
    ]
    if subcommands:
        page.append(".SH COMMANDS")
    page.extend(describe(command, section, [name]))
    print("\n".join(page))


main()
