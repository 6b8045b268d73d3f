#!/usr/bin/env bash
# The systolic model's mutation check (docs/models/systolic.md, "Validation"): each mutation below breaks the
# model's own datapath in one place: a GEMM tile not computed, a scan chunk boundary that loses the carried
# state, a vector pass whose result is dropped, an attention P·V tile not computed. For each, the script
# applies it (one sed, which must match exactly once) to a copy of the working tree, builds test_systolic
# there (CUDA, RTL, benchmarks and MPI off) and runs the bit-exact tests, which must FAIL; it prints the tests
# that caught it. The unmutated copy is built and run first and must pass. Run by hand, not by ctest:
#   models/systolic/scripts/mutation.sh [BUILD]     BUILD: a scratch folder (default: build-mutation)
# Exit 0 when every mutation was caught.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(realpath -m "${1:-$root/build-mutation}")
src=$build/mutant-src
bin=$build/mutant-build
filter='Lra/*:SystolicBitExact.*:SystolicDatapath.*'

# name | file | sed expression
mutations=(
  "gemm: the last tile of every GEMM not computed|models/systolic/map_gemm.cpp|s/if (fn_) t.work = \[this, g, m0, m1, n0, n1\]/if (fn_ \&\& !(bi == m_blocks - 1 \&\& f == n_folds - 1)) t.work = [this, g, m0, m1, n0, n1]/"
  "scan: the state reset at the second chunk boundary (state not carried)|models/systolic/map_scan.cpp|s/if (step0 == 0 \&\& ch0 == 0) std::fill/if ((step0 == 0 || step0 == steps) \&\& ch0 == 0) std::fill/"
  "vector: layernorm's sum pass dropped (rows not centred)|models/systolic/vector_ops.cpp|s/sum_\[r - r0\] = s;/sum_[r - r0] = 0 * s;/"
  "vector: softmax's max pass dropped (each row's first score taken as its maximum)|models/systolic/functional.cpp|s/s.best\[r\] = best;/s.best[r] = sr[0] + 0 * best;/"
  "attention: the P·V tile of each head's last query block not computed|models/systolic/map_gemm.cpp|s/pv.work = \[this, ao, blk, scratch\]/if (q0 + rows < len) pv.work = [this, ao, blk, scratch]/"
)

# A fresh copy of the working tree (tracked and untracked, not ignored files), so that no stale file remains.
rm -rf "$src"
mkdir -p "$src" "$bin"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$src"

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src" -B "$bin" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSMSIM_CUDA=OFF -DSSMSIM_RTL=OFF \
  -DSSMSIM_BENCH=OFF -DSSMSIM_MPI=OFF "${launcher[@]}" >"$build/configure.log"

# Builds and runs the bit-exact tests on the copy as it is; the log is $build/$1.log. Returns the test's status.
run_tests() {
  nice -n 10 cmake --build "$bin" --target test_systolic -j2 >"$build/$1.build.log" 2>&1 ||
    { echo "mutation: the build failed ($build/$1.build.log)" >&2; exit 2; }
  "$bin/tests/test_systolic" --gtest_filter="$filter" --gtest_brief=1 >"$build/$1.log" 2>&1
}

# The tests that failed, one per line; a crash is named by the test that was running.
failed_tests() {
  local log=$1
  if grep -q '^\[  FAILED  \] .*\.' "$log"; then
    grep '^\[  FAILED  \] ' "$log" | grep -v ' listed below' | sed 's/^\[  FAILED  \] //; s/ (.*//; s/,.*//' | sort -u
  else
    echo "crashed in $(grep '^\[ RUN      \] ' "$log" | tail -1 | sed 's/^\[ RUN      \] //')"
  fi
}

echo "mutation: the unmutated copy"
if ! run_tests baseline; then
  echo "mutation: the unmutated copy fails its tests ($build/baseline.log)" >&2
  exit 2
fi

status=0
previous=""
for i in "${!mutations[@]}"; do
  IFS='|' read -r name file expr <<<"${mutations[$i]}"
  [ -n "$previous" ] && cp "$root/$previous" "$src/$previous"  # undo the previous mutation (new mtime: rebuilt)
  previous=$file
  matches=$(sed -n -- "${expr}p" "$root/$file" | wc -l)  # the lines the substitution changes
  if [ "$matches" != 1 ]; then
    echo "mutation $((i + 1)) ($name): the pattern must match exactly one line of $file, matched $matches" >&2
    exit 2
  fi
  sed -- "$expr" "$root/$file" >"$src/$file"
  echo "mutation $((i + 1)): $name"
  diff "$root/$file" "$src/$file" | sed 's/^/    /' || true
  if run_tests "mutant-$((i + 1))"; then
    echo "    NOT detected: the bit-exact tests pass on the mutant"
    status=1
  else
    tests=$(failed_tests "$build/mutant-$((i + 1)).log")
    echo "    detected by $(wc -l <<<"$tests") test(s):"
    sed 's/^/      /' <<<"$tests"
  fi
done
[ -n "$previous" ] && cp "$root/$previous" "$src/$previous"
exit $status
