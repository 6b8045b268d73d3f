#!/usr/bin/env bash
# Synthesis of the scan unit with Yosys (Debian's `yosys`), default parameters unless given as
# NAME=VALUE arguments (e.g. LANES=8). Prints two cell counts: coarse (after `synth -run begin:fine`:
# word-level $alu/$macc/$mux/flip-flops, memories kept as $mem cells, i.e. SRAM macros), then generic gates
# (techmap + abc to Yosys's internal gate library; skipped with COARSE_ONLY=1). docs/rtl.md has the numbers.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)/scan_unit.sv
chparams=""
for kv in "$@"; do chparams="$chparams -chparam ${kv%%=*} ${kv#*=}"; done
gates="opt -fast -full; techmap; opt -fast; abc -fast; opt_clean; tee -o /dev/stdout stat"
if [ "${COARSE_ONLY:-0}" = 1 ]; then gates=""; fi
yosys -q -p "
  read_verilog -sv -DSYNTHESIS $src
  hierarchy -check -top scan_unit $chparams
  synth -top scan_unit -run begin:fine
  tee -o /dev/stdout stat
  $gates
" | grep -E "^ +(Number of cells|\\$)|^ +Chip area|=== "
