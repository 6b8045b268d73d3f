#!/usr/bin/env bash
# Coverage of the scan unit under the RTL suite's standalone tests (docs/rtl.md, "Coverage"): verilates the
# unit with --coverage in its own build folder, runs the tests, merges the per-model files and prints
# verilator_coverage's summary. Usage: rtl/scripts/coverage.sh [build folder] (default: build-rtl-cov).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-rtl-cov}
cmake -S "$root" -B "$build" -G Ninja -DSSMSIM_CUDA=OFF -DSSMSIM_RTL_COVERAGE=ON -DSSMSIM_BENCH=OFF >/dev/null
cmake --build "$build" -j2 --target test_rtl
out=$build/rtl-coverage
rm -rf "$out" && mkdir -p "$out"
SSMSIM_RTL_COVERAGE_DIR=$out "$build/tests/test_rtl" --gtest_filter='RtlScanUnit.*' --gtest_brief=1
verilator_coverage --write "$out/merged.dat" "$out"/scan_*.dat
verilator_coverage --write-info "$out/scan_unit.info" "$out/merged.dat"
# Per-kind summary: the annotated source marks each point; count points hit / total by kind.
verilator_coverage --annotate "$out/annotated" --annotate-min 1 "$out/merged.dat" | tail -n 3
python3 - "$out/merged.dat" <<'PY'
import re, sys
kinds = {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if not line.startswith("C "):
        continue
    m = re.search(r"\x01page\x02v_(\w+)", line)
    kind = m.group(1) if m else "other"
    hits = int(line.rsplit("' ", 1)[1])
    k = kinds.setdefault(kind, [0, 0])
    k[0] += hits > 0
    k[1] += 1
for kind, (hit, total) in sorted(kinds.items()):
    print(f"{kind:8s} {hit:7d} / {total:7d} points hit ({100.0 * hit / total:.1f}%)")
PY
