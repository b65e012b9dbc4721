"""The layer rule of src/README.md, checked on the tree: every include of a
project header names its folder, no file includes a header of a layer
above its own, ui/ reaches src/ only through its view model (walkview*)
and base/, and no two headers include each other (directly or through
others).  Usage: layers.py TOP [--report]; --report prints the figures
(files per folder, upward includes, cycles) and exits 0."""
import os
import re
import sys

RANK = {"base": 0, "proto": 1, "probe": 2, "kb": 3, "walk": 4, "lab": 5, "cli": 6, "ui": 6,
        "main": 7}
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    if rel == "src/main.c":
        return "main"
    parts = rel.split("/")
    return "ui" if parts[0] == "ui" else parts[1]


def main():
    top = sys.argv[1]
    report = "--report" in sys.argv
    files = []
    for root in ("src", "ui"):
        for d, _, names in os.walk(os.path.join(top, root)):
            for n in names:
                if n.endswith((".c", ".h")):
                    files.append(os.path.relpath(os.path.join(d, n), top))
    problems, edges, per_folder = [], {}, {}
    for rel in sorted(files):
        layer = layer_of(rel)
        per_folder[os.path.dirname(rel)] = per_folder.get(os.path.dirname(rel), 0) + 1
        text = open(os.path.join(top, rel), encoding="utf-8").read()
        for inc in INC.findall(text):
            if inc == "config.h" or "/" not in inc and rel.startswith("tests/"):
                continue
            if "/" not in inc:
                problems.append(f"{rel}: #include \"{inc}\" does not name its folder")
                continue
            folder = inc.split("/")[0]
            if folder not in RANK or folder == "main":
                problems.append(f"{rel}: #include \"{inc}\": unknown folder")
                continue
            edges.setdefault(rel, set()).add(("src/" if folder != "ui" else "") + inc)
            if folder == layer:
                continue
            if layer == "ui" and folder != "base" and not os.path.basename(rel).startswith("walkview"):
                problems.append(f"{rel}: ui/ reaches src/ only through walkview (includes {inc})")
            elif RANK[folder] >= RANK[layer] and not (layer == "main" and folder in ("cli", "ui")):
                problems.append(f"{rel}: includes {inc}, a layer above or beside {layer}/")
    cycles = find_cycles(edges)
    for c in cycles:
        problems.append("include cycle: " + " -> ".join(c))
    if report:
        for f in sorted(per_folder):
            print(f"{f:12} {per_folder[f]} files")
        print(f"upward or sideways includes: {sum('layer above' in p or 'only through' in p for p in problems)}")
        print(f"include cycles: {len(cycles)}")
        return 0
    for p in problems:
        print(p)
    return 1 if problems else 0


def find_cycles(edges):
    seen, stack, cycles = set(), [], []

    def visit(n):
        if n in stack:
            cycles.append(stack[stack.index(n):] + [n])
            return
        if n in seen:
            return
        seen.add(n)
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            visit(m)
        stack.pop()

    for n in sorted(edges):
        visit(n)
    return cycles


if __name__ == "__main__":
    sys.exit(main())
