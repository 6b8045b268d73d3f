#!/usr/bin/env bash
# The mutation check of docs/rtl.md: change one rounding bit of the scan unit (the state update rounds
# with 2^13 instead of 2^14 before its >> 15), rebuild the RTL suite on the mutant and require that
# `ctest -L rtl` fails. The build folder (default build-rtl) is switched back to rtl/scan_unit.sv at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-rtl}
src=$root/rtl/scan_unit.sv
# Same file name as the module, or Verilator's -Wall (DECLFILENAME) refuses it.
mutant=$build/rtl-mutant/scan_unit.sv
mkdir -p "$(dirname "$mutant")"
sed "s/rshift_round(prod3, 6'(Q15))/((prod3 + (ACC_W'(1) <<< 13)) >>> Q15)/" "$src" > "$mutant"
if cmp -s "$src" "$mutant"; then
  echo "mutation: the state update's rounding was not found in $src" >&2
  exit 1
fi
diff "$src" "$mutant" || true
restore() { cmake -S "$root" -B "$build" -DSSMSIM_RTL_SOURCE="$src" >/dev/null; }
trap restore EXIT
cmake -S "$root" -B "$build" -G Ninja -DSSMSIM_CUDA=OFF -DSSMSIM_RTL_SOURCE="$mutant" >/dev/null
cmake --build "$build" -j2 --target test_rtl
if ctest --test-dir "$build" -L rtl -j2 --timeout 600 --output-on-failure > "$build/mutation-ctest.log" 2>&1; then
  echo "mutation: NOT detected: ctest -L rtl passed on the mutant" >&2
  exit 1
fi
grep -E "tests passed|\(Failed\)" "$build/mutation-ctest.log" || true
echo "mutation: detected (ctest -L rtl fails on the mutant)"
