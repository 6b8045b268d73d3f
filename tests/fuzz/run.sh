#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan, UBSan) and fuzzes each for a bounded time,
# starting from the committed seed corpus and past findings. New inputs go to build-fuzz/fuzz-work/, never
# into the committed corpus. A finding leaves its input in build-fuzz/fuzz-work/<target>/findings/ and makes
# the script fail; fix it and add the input to tests/fuzz/regressions/<target>/.
# Targets run side by side, one per core (FUZZ_JOBS overrides): each still gets SECONDS of its own.
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi
jobs=${FUZZ_JOBS:-$(nproc)}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# fuzz_one TARGET: fuzzes one target and leaves libFuzzer's exit status in fuzz-work/TARGET/rc.
fuzz_one() {
  local t=$1 work=build-fuzz/fuzz-work/$1
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/findings"
  local inputs=(tests/fuzz/corpus/"$t")
  if [ -d tests/fuzz/regressions/"$t" ]; then inputs+=(tests/fuzz/regressions/"$t"); fi
  local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1
    -artifact_prefix="$work/findings/")
  if [ -f tests/fuzz/"$t".dict ]; then options+=(-dict=tests/fuzz/"$t".dict); fi
  local rc=0
  "build-fuzz/tests/fuzz/fuzz_$t" "${options[@]}" "$work/corpus" "${inputs[@]}" >"$work/log" 2>&1 || rc=$?
  echo "$rc" >"$work/rc"
}
export -f fuzz_one
export seconds
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'fuzz_one "$1"' _ {}

status=0
for t in "${targets[@]}"; do
  work=build-fuzz/fuzz-work/$t
  rc=$(cat "$work/rc" 2>/dev/null || echo missing)
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/log")
  found=$(find "$work/findings" -type f | wc -l)
  echo "fuzz: $t: ${execs:-?} executions in ${seconds} s, $(find "$work/corpus" -type f | wc -l) new inputs," \
    "$found findings (exit $rc)"
  if [ "$rc" != 0 ] || [ "$found" -ne 0 ]; then
    status=1
    tail -n 60 "$work/log"
  fi
done
exit $status
