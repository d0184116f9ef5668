#!/usr/bin/env python3
"""Checks the dependency graph of docs/architecture.md against the Cargo.toml files.

    scripts/check-architecture.py

Reads the `mermaid` block of docs/architecture.md (nodes `id[crate-name]`; `a --> b` for a
dependency, `a -.->|"feature"| b` for an optional one turned on by a's feature) and compares it with the normal
dependencies between workspace crates that `cargo metadata --no-deps` reports, plus those of
`fuzz/` (outside the workspace). Dev-dependencies are not drawn. Prints every difference and
exits 1 if there is one.
"""

import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def actual():
    """{(crate, dependency): feature or None} for every normal dependency in the workspace
    and in fuzz/."""
    edges = {}
    for manifest in (ROOT / "Cargo.toml", ROOT / "fuzz" / "Cargo.toml"):
        meta = json.loads(subprocess.check_output(
            ["cargo", "metadata", "--format-version", "1", "--no-deps",
             "--manifest-path", str(manifest)], cwd=ROOT))
        names = {p["name"] for p in meta["packages"]}
        paths = {d["name"] for p in meta["packages"] for d in p["dependencies"] if d.get("path")}
        local = names | paths
        for package in meta["packages"]:
            name = "fuzz" if manifest.parent.name == "fuzz" else package["name"]
            for dep in package["dependencies"]:
                if dep["kind"] is not None or dep["name"] not in local or dep["name"] == package["name"]:
                    continue
                feature = None
                if dep["optional"]:
                    feature = next(f for f, on in package["features"].items()
                                   if f"dep:{dep['name']}" in on)
                edges[(name, dep["name"])] = feature
    return edges


def drawn():
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"```mermaid\n(.*?)```", text, re.S).group(1)
    labels = dict(re.findall(r"^\s*(\w+)\[([^\]]+)\]\s*$", block, re.M))
    name = lambda node: labels.get(node, node)
    edges = {}
    for line in block.splitlines():
        line = line.strip()
        if m := re.fullmatch(r"(\w+) --> (\w+)", line):
            edges[(name(m.group(1)), name(m.group(2)))] = None
        elif m := re.fullmatch(r'(\w+) -\.->\|"([^"]+)"\| (\w+)', line):
            edges[(name(m.group(1)), name(m.group(3)))] = m.group(2).split(" ")[0]
    return edges


def main():
    want, have = actual(), drawn()
    problems = []
    for edge in sorted(want.keys() | have.keys()):
        if edge not in have:
            problems.append(f"missing from the drawing: {edge[0]} -> {edge[1]}")
        elif edge not in want:
            problems.append(f"drawn but not a dependency: {edge[0]} -> {edge[1]}")
        elif want[edge] != have[edge]:
            problems.append(f"{edge[0]} -> {edge[1]}: feature {want[edge]!r} in Cargo.toml, "
                            f"{have[edge]!r} drawn")
    for problem in problems:
        print(problem)
    print(f"{len(want)} dependencies, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
