#!/usr/bin/env bash
# The GPU model's mutation check (docs/models/gpu.md, "What the model computes"): each mutation plants one
# mapping bug in a copy of the tree — a CTA missing from a lowering's grid, a wrong tile edge, a chunk's
# carried scan state lost, a vector chunk skipped, a key dropped from attention's last tile —, rebuilds the
# GPU suite on the copy and requires that the bit-exact suite fails, naming the test and the first op that
# differs. Run by hand (a few minutes per mutation on 2 cores): models/gpu/scripts/mutation.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build-mutation-gpu}
src=$build/mutant-src
mkdir -p "$src"
# A copy of the tracked tree (the mutated file is restored from it before each mutation).
(cd "$root" && git ls-files -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$src"

# name|file|exact text|replacement (the text must occur exactly once in the file)
mutations=(
  "drop the last CTA of every mma GEMM|models/gpu/kernels_chain.cpp|    k.grid = gx * tiles_m;|    k.grid = gx * tiles_m - 1;"
  "GEMM tile one column short|models/gpu/geometry.h|std::min(g.bn, sh.n - bx * g.bn)|std::min(g.bn - 1, sh.n - bx * g.bn)"
  "int8 scan state not carried into chunk 1|models/gpu/datapath.cpp|        const Span steps = scan_steps(g, len, k.chunks, c);
        for (int64_t cta = 0; cta < k.grid; ++cta) {|        const Span steps = scan_steps(g, len, k.chunks, c);
        if (c == 1) std::fill(h.begin(), h.end(), 0);
        for (int64_t cta = 0; cta < k.grid; ++cta) {"
  "last chunk of a grid-stride kernel skipped|models/gpu/datapath.cpp|            if (!s.empty()) f(s.lo, s.hi);|            if (!s.empty() && !(cta == k.grid - 1 && c == k.chunks - 1)) f(s.lo, s.hi);"
  "attention's last key tile one key short|models/gpu/geometry.h|std::min(last_key + 1, t1 * g.key_tile)|std::min(last_key, t1 * g.key_tile)"
)

launcher=$(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache || true)
configure() { cmake -S "$src" -B "$build/b" -G Ninja -DSSMSIM_CUDA=OFF $launcher >/dev/null; }
configure
status=0
for m in "${mutations[@]}"; do
  IFS='|' read -r name file text repl <<<"$(printf '%s' "$m" | tr '\n' '\001')"
  text=${text//$'\001'/$'\n'}
  repl=${repl//$'\001'/$'\n'}
  cp "$root/$file" "$src/$file"
  python3 - "$src/$file" "$text" "$repl" <<'PY'
import sys
path, old, new = sys.argv[1:4]
s = open(path).read()
if s.count(old) != 1:
    sys.exit(f"mutation: expected the text once in {path}, found it {s.count(old)} times")
open(path, "w").write(s.replace(old, new))
PY
  if ! cmake --build "$build/b" --target test_gpu >"$build/mutation-build.log" 2>&1; then
    echo "mutation '$name' does not build (see $build/mutation-build.log)" >&2
    exit 1
  fi
  log=$build/mutation-$(echo "$name" | tr ' ' '_').log
  if "$build/b/tests/test_gpu" --gtest_filter='Lra/EveryLraWorkload.*' >"$log" 2>&1; then
    echo "NOT DETECTED: $name"
    status=1
  else
    first=$(grep -m1 '^\[  FAILED  \]' "$log" | sed 's/, where.*//; s/^\[  FAILED  \] //')
    op=$(grep -m1 -o "Which is: \"op [0-9]* '[^']*' ([a-z_0-9]*)" "$log" | sed 's/Which is: "//' || true)
    fails=$(grep -c '^\[  FAILED  \] Lra.* ms)$' "$log" || true)  # once per test (not the summary)
    echo "detected: $name -- $fails of $(grep -c '^\[       OK \] Lra\|^\[  FAILED  \] Lra.* ms)$' "$log") tests fail; first: $first; first differing op: ${op:-n/a}"
  fi
  cp "$root/$file" "$src/$file"
done
exit $status
