#!/usr/bin/python3
"""The source tree's layers, checked on its #include lines (CTest label `layers`).

sim/ is the ground floor: it includes nothing from reference/, workloads/, models/ or app/ (the CLI).
reference/ includes nothing from models/, workloads/ or app/.
models/<a>/ includes nothing from models/<b>/ for another model b: the hardware models share only the floors
below them.

Usage: tests/layers/check_layers.py [ROOT]   checks the tree at ROOT (default: the repository of this script)
       tests/layers/check_layers.py --self-test   checks the rules on a made-up tree with known mistakes
Exit 0 when no rule is broken; 1 with one line per offending include ("file:line: ...") otherwise.
Includes are read as the compiler reads them: a quoted include is first looked up next to the including file
(so "../gpu/x.h" counts), then from the repository root (the only include directory); <...> from the root.
"""
import os
import re
import sys
import tempfile

SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".inc", ".inl", ".ipp", ".tpp", ".c", ".cc", ".cpp", ".cxx",
                   ".cu", ".cuh")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

# Folder -> the top-level folders it must not include, and why.
FORBIDDEN = {
    "sim": ({"reference", "workloads", "models", "app"}, "sim/ is the ground floor"),
    "reference": ({"models", "workloads", "app"}, "reference/ sits below models/, workloads/ and app/"),
}


def included_path(root, source, kind, name):
    """The included file as a root-relative path with '/' separators, or None when it lies outside root."""
    if kind == '"':
        beside = os.path.normpath(os.path.join(os.path.dirname(source), name))
        if ".." in name.replace("\\", "/").split("/") or os.path.exists(os.path.join(root, beside)):
            name = beside
    rel = os.path.normpath(name).replace(os.sep, "/")
    if rel == ".." or rel.startswith("../") or os.path.isabs(rel):
        return None
    return rel


def broken_rule(source, target):
    """Why `source` (root-relative) must not include `target` (root-relative), or None when it may."""
    src = source.split("/")
    dst = target.split("/")
    if src[0] in FORBIDDEN:
        forbidden, why = FORBIDDEN[src[0]]
        if dst[0] in forbidden:
            return f"{why} and includes nothing from {dst[0]}/"
    if src[0] == "models" and dst[0] == "models" and len(src) > 2 and len(dst) > 2 and src[1] != dst[1]:
        return f"models/{src[1]}/ includes nothing from another model (models/{dst[1]}/)"
    return None


def check(root):
    """Every broken rule under root, as 'file:line: includes X: why' lines, sorted."""
    problems = []
    for top in sorted({"sim", "reference", "models"}):
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for f in sorted(files):
                if not f.endswith(SOURCE_SUFFIXES):
                    continue
                path = os.path.join(folder, f)
                source = os.path.relpath(path, root).replace(os.sep, "/")
                with open(path, encoding="utf-8", errors="replace") as text:
                    for number, line in enumerate(text, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = included_path(root, source, m.group(1), m.group(2))
                        why = target and broken_rule(source, target)
                        if why:
                            spelled = m.group(1) + m.group(2) + (">" if m.group(1) == "<" else '"')
                            problems.append(f"{source}:{number}: includes {spelled}: {why}")
    return problems


def self_test():
    """The rules on a made-up tree: every planted mistake is found, and nothing else."""
    files = {
        "sim/a/x.cpp": ['#include "sim/util/error.h"', "#include <fmt/format.h>", '#include "models/gpu/b.h"',
                        '#include "workloads/lra/lra.h"', '#  include "reference/executor.h"',
                        "#include <app/commands.h>", '#include "../../app/set_arg.h"',
                        '// #include "models/gpu/b.h"', '#include "x_local.h"'],
        "sim/a/x_local.h": [],
        "reference/r.h": ['#include "sim/a/x_local.h"', '#include "reference/op_view.h"',
                          '#include "models/systolic/s.h"', '#include "workloads/lra/lra.h"',
                          '#include "app/workload_arg.h"'],
        "models/gpu/b.h": ['#include "models/gpu/c.h"', '#include "c.h"', '#include "reference/op_view.h"',
                           '#include "models/systolic/s.h"', '#include "../systolic/s.h"'],
        "models/gpu/c.h": [],
        "models/gpu/tools/t.cpp": ['#include "workloads/lra/lra.h"', '#include "models/gpu/b.h"',
                                   '#include "models/neuromorphic/n.h"'],
        "models/systolic/s.h": ['#include "rtl/scan_unit_config.h"'],
        "models/CMakeLists.txt": ['#include "models/gpu/b.h"'],
        "workloads/lra/lra.h": ['#include "reference/executor.h"'],
    }
    expected = {
        ("sim/a/x.cpp", 3), ("sim/a/x.cpp", 4), ("sim/a/x.cpp", 5), ("sim/a/x.cpp", 6), ("sim/a/x.cpp", 7),
        ("reference/r.h", 3), ("reference/r.h", 4), ("reference/r.h", 5),
        ("models/gpu/b.h", 4), ("models/gpu/b.h", 5),
        ("models/gpu/tools/t.cpp", 3),
    }
    with tempfile.TemporaryDirectory() as root:
        for name, lines in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in lines))
        problems = check(root)
    found = {(p.split(":")[0], int(p.split(":")[1])) for p in problems}
    if found != expected:
        print("check_layers self-test: expected", sorted(expected), "found:", *problems, sep="\n  ")
        return 1
    print(f"check_layers self-test: the {len(expected)} planted mistakes found, nothing else")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1] if len(argv) == 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    root = os.path.abspath(root)
    if not os.path.isdir(os.path.join(root, "sim")):
        print(f"check_layers: {root}: expected the repository root (with sim/), found none", file=sys.stderr)
        return 2
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} include(s) break the layers (tests/layers/check_layers.py)")
        return 1
    print("check_layers: sim/, reference/ and models/ include only what their layer may")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
