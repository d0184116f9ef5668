#!/usr/bin/env python3
"""Lists the library functions of crates/*/src longer than a number of lines.

    scripts/long-functions.py [LIMIT ...]      (default: 80 120)

A function's length runs from its `fn` line to its closing brace, both included. Test code
is skipped: `#[cfg(test)]` modules and functions, and the `tests/`, `benches/` and
`examples/` directories (only `src/` is read). Output: one line per function and limit,
longest first, `LINES path:line name`.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FN = re.compile(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)")


def blank_literals(text):
    """The text with comments, strings and char literals replaced by spaces (newlines kept),
    so braces inside them are not counted."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif (m := re.match(r'b?r(#*)"', text[i:i + 260])) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            close = '"' + m.group(1)
            j = text.find(close, i + m.end())
            j = n if j < 0 else j + len(close)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        elif c == "'" and (m := re.match(r"'(\\.[^']*|[^\\'])'", text[i:i + 12])):
            out.append(" " * m.end())
            i += m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """(first line, line count, name) of each function outside test code."""
    text = blank_literals(path.read_text())
    lines = text.split("\n")
    line_of = []
    for number, line in enumerate(lines, 1):
        line_of.extend([number] * (len(line) + 1))
    skip_until = -1
    for m in FN.finditer(text):
        start = m.start()
        if start < skip_until:
            continue
        open_brace = text.find("{", m.end())
        semicolon = text.find(";", m.end())
        if open_brace < 0 or (0 <= semicolon < open_brace):
            continue  # a declaration without a body
        depth, j = 0, open_brace
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        first, last = line_of[start], line_of[min(j, len(text) - 1)]
        yield first, last - first + 1, m.group(1)


def test_ranges(path):
    """Byte ranges of `#[cfg(test)]` items (modules or functions)."""
    text = blank_literals(path.read_text())
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        open_brace = text.find("{", m.end())
        semicolon = text.find(";", m.end())
        if open_brace < 0 or (0 <= semicolon < open_brace):
            continue
        depth, j = 0, open_brace
        while j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        yield text[:m.start()].count("\n") + 1, text[:j].count("\n") + 1


def main():
    limits = sorted(int(a) for a in sys.argv[1:]) or [80, 120]
    found = []
    for path in sorted(ROOT.glob("crates/*/src/**/*.rs")):
        tests = list(test_ranges(path))
        for first, length, name in functions(path):
            if any(a <= first <= b for a, b in tests):
                continue
            found.append((length, path.relative_to(ROOT), first, name))
    for limit in limits:
        over = sorted((f for f in found if f[0] > limit), reverse=True)
        print(f"== {len(over)} functions over {limit} lines")
        for length, path, first, name in over:
            print(f"{length:5} {path}:{first} {name}")


if __name__ == "__main__":
    main()
