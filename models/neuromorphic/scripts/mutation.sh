#!/usr/bin/env bash
# The mutation check of docs/models/neuromorphic.md ("Mutation check"): the model computes every op on its
# own neurons, where the mapper and the schedule put them, so a mapping or scheduling bug must change bytes.
# Each mutation below patches one line of a copy of the tree (the sed must match exactly once), rebuilds the
# neuromorphic suite there and requires that its bit-exact tests FAIL; the script names the tests that
# caught it and the first op whose outputs differed. Run by hand (minutes), not by ctest:
#   models/neuromorphic/scripts/mutation.sh [WORK_DIR]     (default: build-nm-mutation, ignored by git)
# The checkout is never modified; WORK_DIR holds the copy (src/), its build (build/) and the logs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mkdir -p "${1:-$root/build-nm-mutation}" && cd "${1:-$root/build-nm-mutation}" && pwd)
src=$work/src
build=$work/build
filter='Lra/EveryLraWorkload.*:NeuromorphicBitExact.*:Lra/BatchOfThree.*:Lra/SpreadOverManyCores.*'

# name | file | sed pattern (BRE, '#' delimits) | replacement | what it breaks
mutations=(
  "range|models/neuromorphic/mapper.cpp|const int64_t lo = c \* units / p\.cores, hi|const int64_t lo = c * units / p.cores + (c == 1), hi|the mapper's core 1 of every op starts one unit (channel group) late: that unit is computed by no core"
  "timestep|models/neuromorphic/neurons.h|s < a\.steps; ++s) f(|s < a.steps - (a.steps > 1); ++s) f(|every sample's last timestep is dropped"
  "direction|models/neuromorphic/datapath.cpp|schedule\.segments\[schedule\.segment_of\[i\]\]\.reverse}|false}|the neurons ignore a reverse segment's direction (backward scans run forward)"
  "norm-core|models/neuromorphic/norm_neurons.cpp|const Moments part = partial(xr, core);|const Moments part = \&core == \&p.cores.back() ? Moments{} : partial(xr, core);|a norm's reduction neuron misses the last core's partial (a norm sits on one core, so it is every partial)"
  "norm-channel|models/neuromorphic/norm_neurons.cpp|k < end; ++k|k < end - 1; ++k|a core's partial moments miss its last channel"
  "lut-pass|models/neuromorphic/channel_neurons.cpp|out\[j\] = lut\[fx::lut_index(a\[j\])\];|out[j] = a[j];|the LUT ops' table pass is dropped (the neurons forward their input)"
)

# A copy of the working tree as it is (tracked and untracked files that git does not ignore), its files
# dated now (tar -m), so that the build redoes what an earlier run built from a mutant.
rm -rf "$src"
mkdir -p "$src"
(cd "$root" && git ls-files -z -co --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -xmf - -C "$src"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$src" -B "$build" -G Ninja -DSSMSIM_CUDA=OFF -DSSMSIM_RTL=OFF -DSSMSIM_BENCH=OFF -DSSMSIM_MPI=OFF \
  "${launcher[@]}" >/dev/null

# The suite (Lra/EveryLraWorkload.Name/param -> EveryLraWorkload) of each test on the lines of log $1 that
# match $2 (OK or FAILED results), one per line.
suites_of() {
  { grep -E "$2" "$1" || true; } | sed -E 's/^\[ *[A-Z]+ *\] ([^ ,]+).*/\1/; s#^Lra/##; s#\..*##'
}

# "suite failed/total, ..." for the failures in log $1.
caught_by() {
  awk 'NR == FNR { total[$1]++; next } { failed[$1]++ }
       END { for (s in total) if (failed[s]) { printf "%s%s %d/%d", sep, s, failed[s], total[s]; sep = ", " } }' \
    <(suites_of "$work/original.log" '^\[       OK \]') <(suites_of "$1" '^\[  FAILED  \] .*\([0-9]+ ms\)$')
}

# Runs the bit-exact tests; writes the log to $1. Returns the test program's status.
run_tests() {
  nice -n 10 cmake --build "$build" -j2 --target test_neuromorphic >"$1.build" 2>&1 || {
    echo "mutation: the build failed, see $1.build" >&2
    exit 1
  }
  "$build/tests/test_neuromorphic" --gtest_filter="$filter" >"$1" 2>&1
}

# The unmutated copy must pass, or a failure below would prove nothing.
if ! run_tests "$work/original.log"; then
  echo "mutation: the bit-exact tests fail WITHOUT a mutation, see $work/original.log" >&2
  exit 1
fi
total=$(grep -cE '^\[       OK \]' "$work/original.log")
echo "unmutated: $total bit-exact tests pass"

results=$work/results.md
echo "| mutation | what it breaks | bit-exact tests failing (per suite) | first differing op (examples) |" >"$results"
echo "|---|---|---|---|" >>"$results"
status=0
for m in "${mutations[@]}"; do
  IFS='|' read -r name file pattern replacement what <<<"$m"
  f=$src/$file
  matches=$(sed -n "s#$pattern#&#p" "$f" | wc -l)
  if [ "$matches" != 1 ]; then
    echo "mutation $name: the sed matches $matches lines of $file, expected exactly 1" >&2
    exit 1
  fi
  cp "$f" "$f.orig"
  sed -i "s#$pattern#$replacement#" "$f"
  echo "== mutation $name: $what"
  diff "$f.orig" "$f" || true
  log=$work/$name.log
  if run_tests "$log"; then
    echo "mutation $name: NOT detected: the bit-exact tests pass on the mutant" >&2
    failed="0 of $total (NOT detected)"
    status=1
  else
    n=$(grep -cE '^\[  FAILED  \] .*\([0-9]+ ms\)$' "$log" || true)
    failed="$n of $total: $(caught_by "$log")"
    echo "   caught by $failed"
  fi
  # The ops the op-by-op comparison named first, most frequent first.
  ops=$({ grep -oE 'Which is: "op [0-9]+ [^"]*"' "$log" || true; } | sed -E 's/Which is: "(.*)"/\1/' |
    sort | uniq -c | sort -rn | sed -E 's/^ *[0-9]+ //' | sed -n 1,3p | paste -sd ';' | sed 's/;/; /g')
  echo "   first differing ops: ${ops:-(none named)}"
  echo "| $name | $what | $failed | ${ops:-(none named)} |" >>"$results"
  mv "$f.orig" "$f"  # back to the original before the next mutation; newer than the mutant's object
  touch "$f"
done
echo
cat "$results"
if [ "$status" != 0 ]; then
  echo "mutation: some mutations were NOT detected" >&2
  exit 1
fi
echo "mutation: every mutation detected (the bit-exact tests fail on each mutant)"
