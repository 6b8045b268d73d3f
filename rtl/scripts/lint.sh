#!/usr/bin/env bash
# verilator --lint-only -Wall on both parameter sets that rtl/CMakeLists.txt verilates.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)/scan_unit.sv
verilator --lint-only -Wall "$src"
verilator --lint-only -Wall -GLANES=4 -GLOG_NMIN=0 -GSLOTS=32 "$src"
echo "lint: clean"
