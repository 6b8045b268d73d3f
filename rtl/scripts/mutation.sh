#!/usr/bin/env bash
# Mutation score of the scan unit (docs/rtl.md, "Mutation check"): each named mutant is one exact textual
# edit of rtl/scan_unit.sv, checked with `ssmsim rtl verify` (the rtl suite's library: corners, random
# cases, timing, co-simulation). Killed = exit 1; exit 2 = the mutant does not build (not valid). The
# unmutated unit must PASS first. Exits non-zero if the unit fails, a mutant is not valid or one survives.
#
#   rtl/scripts/mutation.sh [BUILD_DIR] [MUTANT ...]    (default build; MUTANT names pick a subset)
#
# BUILD_DIR must hold a built ssmsim; each mutant gets BUILD_DIR/mutation/NAME/ with its scan_unit.sv
# (same file name as the module, or Verilator's DECLFILENAME complains), plugin cache, waves and log.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
src=$root/rtl/scan_unit.sv
ssmsim=$build/ssmsim
[[ -x $ssmsim ]] || ssmsim=$(find "$build" -name ssmsim -type f -perm -u+x | head -n 1)
[[ -x $ssmsim ]] || { echo "mutation: no ssmsim in $build (build the ssmsim target)" >&2; exit 2; }
work=$build/mutation
mkdir -p "$work"

# The mutants: name, category, what changes, the exact text, its replacement. Each text must occur exactly
# once in scan_unit.sv, so that an RTL change cannot quietly turn a mutant into a copy of the unit.
python3 - "$src" "$work" "$@" <<'EOF'
import os, sys
src, work, only = sys.argv[1], sys.argv[2], set(sys.argv[3:])
M = [
    ("round_state", "rounding", "state update adds 2^13, not 2^14, before >>> 15",
     "assign sum3 = rshift_round(prod3, 6'(Q15)) + bx3;",
     "assign sum3 = ((prod3 + (ACC_W'(1) <<< 13)) >>> Q15) + bx3;"),
    ("round_yshift", "rounding", "y_shift truncates instead of rounding",
     "ys_r6 = rshift_round(y_tot, cfg_y_shift);",
     "ys_r6 = y_tot >>> cfg_y_shift;"),
    ("round_requant", "rounding", "requantization truncates instead of rounding",
     "rq8 = rshift_round(ACC_W'(ws8) * $signed(ACC_W'(cfg_mult)), cfg_shift);",
     "rq8 = (ACC_W'(ws8) * $signed(ACC_W'(cfg_mult))) >>> cfg_shift;"),
    ("sat_state_wrap", "saturation", "new state wraps to 32 bits instead of saturating",
     "assign hs3 = sat_state(sum3);",
     "assign hs3 = sum3[STATE_W-1:0];"),
    ("sat_state_min", "saturation", "int32 lower bound -2^31 + 1 (state, ys, with_skip)",
     "STATE_MIN = -(ACC_W'(1) <<< (STATE_W - 1));",
     "STATE_MIN = -(ACC_W'(1) <<< (STATE_W - 1)) + 1;"),
    ("sat_state_max", "saturation", "int32 upper bound 2^31 - 2 (state, ys, with_skip)",
     "STATE_MAX = (ACC_W'(1) <<< (STATE_W - 1)) - 1;",
     "STATE_MAX = (ACC_W'(1) <<< (STATE_W - 1)) - 2;"),
    ("sat_act_min", "saturation", "int8 lower bound -127 (requant, gate)",
     "ACT_MIN = -(ACC_W'(1) <<< (ACT_W - 1));",
     "ACT_MIN = -(ACC_W'(1) <<< (ACT_W - 1)) + 1;"),
    ("sat_ys_wrap", "saturation", "ys wraps instead of saturating",
     "ys_n = sat_state(ys_r6);",
     "ys_n = ys_r6[STATE_W-1:0];"),
    ("sat_skip_wrap", "saturation", "with_skip wraps instead of saturating",
     "ws_n = sat_state(ws_r7);",
     "ws_n = ws_r7[STATE_W-1:0];"),
    ("sat_requant_wrap", "saturation", "requant wraps to int8 instead of saturating",
     "o8 = sat_act(rq8);",
     "o8 = rq8[ACT_W-1:0];"),
    ("sat_gate_wrap", "saturation", "gate output wraps to int8 instead of saturating",
     "out_n = sat_act(g8);",
     "out_n = g8[ACT_W-1:0];"),
    ("table_clamp_low", "table index", "negative index not clamped to 0 (wraps)",
     "if (idx_r < 0) idx = '0;",
     "if (idx_r < 0) idx = idx_r[TIDX_W-1:0];"),
    ("table_clamp_high", "table index", "index >= T not clamped to T - 1 (wraps)",
     "idx = TIDX_W'(cfg_table_size - 1'b1);",
     "idx = idx_r[TIDX_W-1:0];"),
    ("table_off_by_one", "table index", "in-range index reads entry idx + 1",
     "else idx = idx_r[TIDX_W-1:0];",
     "else idx = idx_r[TIDX_W-1:0] + 1'b1;"),
    ("tree_drop_right", "reduction", "tree node drops its right child",
     "assign s = g_lvl[v-1].g_node[2*o].s + g_lvl[v-1].g_node[2*o+1].s;",
     "assign s = g_lvl[v-1].g_node[2*o].s;"),
    ("tree_level", "reduction", "N <= P takes the sum one tree level too low",
     "assign level = 32'(cfg_log2n) > L ? 4'(L) : cfg_log2n;",
     "assign level = 32'(cfg_log2n) > L ? 4'(L) : cfg_log2n - 1'b1;"),
    ("acc_sign", "reduction", "N > P accumulator subtracts the beat's sum",
     "assign y_tot = first6 ? y6 : acc + y6;",
     "assign y_tot = first6 ? y6 : acc - y6;"),
    ("skip_sign", "skip", "with_skip = ys - D * x",
     "ws_r7 = ACC_W'(ys7) + ACC_W'(d7) * ACC_W'(x7);",
     "ws_r7 = ACC_W'(ys7) - ACC_W'(d7) * ACC_W'(x7);"),
    ("gate_lut_index", "gate", "SiLU LUT indexed by z's two's complement, not z + 128",
     "silu_lut[{~z8[ACT_W-1], z8[ACT_W-2:0]}]",
     "silu_lut[z8]"),
    ("gate_mult", "gate", "gate multiplies the unsaturated requant value",
     "g8 = rshift_round(ACC_W'(o8) * ACC_W'(silu_lut",
     "g8 = rshift_round(rq8 * ACC_W'(silu_lut"),
    ("hazard_r3", "handshake", "s_ready ignores a slot still in R3 (reads the state before its write)",
     "|| (v3 && slot3 == slot);",
     ";"),
    ("ready_no_en", "handshake", "s_ready stays high while the pipeline holds",
     "assign s_ready = en && !hazard;",
     "assign s_ready = !hazard;"),
    ("en_no_hold", "handshake", "pipeline advances while the output is not taken",
     "assign en = !m_valid || m_ready;",
     "assign en = 1'b1;"),
    ("m_valid_v7", "handshake", "m_valid from the next stage's valid",
     "m_valid <= v8 && keep8 != '0;",
     "m_valid <= v7 && keep8 != '0;"),
    ("writeback_slot", "state write-back", "new state written to the slot of R2, not R3",
     "state_mem[l][en && v3 && act3 ? slot3 : st_slot]",
     "state_mem[l][en && v3 && act3 ? slot2 : st_slot]"),
    ("mode_select_c", "mode select", "C * h takes s4d's C in selective mode and vice versa",
     "(cfg_selective ? ACC_W'(c4) : ACC_W'(cp4))",
     "(cfg_selective ? ACC_W'(cp4) : ACC_W'(c4))"),
]
text = open(src).read()
names = [m[0] for m in M]
unknown = only - set(names)
if unknown:
    sys.exit(f"mutation: unknown mutant(s): {' '.join(sorted(unknown))}")
bad = False
with open(os.path.join(work, "mutants.tsv"), "w") as tsv:
    for name, cat, what, old, new in M:
        n = text.count(old)
        if n != 1:
            print(f"mutation: {name}: its text occurs {n} times in {src}, expected once: {old}",
                  file=sys.stderr)
            bad = True
            continue
        if only and name not in only:
            continue
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "scan_unit.sv"), "w") as f:
            f.write(text.replace(old, new))
        tsv.write(f"{name}\t{cat}\t{what}\n")
sys.exit(1 if bad else 0)
EOF

# Parameters under which the suite reaches every mutated path: 8 lanes with N up to 128 covers N <= P,
# N > P (the accumulator) and several output stages.
params=(--top scan_unit --param LANES=8)
verify() {  # verify NAME FILE: exit status of `ssmsim rtl verify`, output in NAME/log
  local d=$work/$1
  mkdir -p "$d"
  local rc=0
  timeout 600 "$ssmsim" rtl verify --rtl "$2" "${params[@]}" --cache "$d/cache" --out "$d/waves" \
      > "$d/log" 2>&1 || rc=$?
  return $rc
}
# The first line that says what failed (corner, random case, timing or co-simulation).
why() { grep -m1 -E '^(FAIL .|ssmsim: error|%Error)' "$work/$1/log" | cut -c1-200 || true; }

t0=$SECONDS
rc=0
verify original "$src" || rc=$?
if [[ $rc -ne 0 ]]; then
  echo "mutation: the unmutated unit does not PASS (exit $rc): $(why original)" >&2
  exit 1
fi
echo "original: PASS ($((SECONDS - t0)) s)"

printf '%-18s %-16s %-9s %s\n' mutant category verdict "what killed it"
killed=0 survived=0 invalid=0
while IFS=$'\t' read -r name cat what; do
  t=$SECONDS
  rc=0
  verify "$name" "$work/$name/scan_unit.sv" || rc=$?
  case $rc in
    1) verdict=killed; killed=$((killed + 1)) ;;
    0) verdict=SURVIVED; survived=$((survived + 1)) ;;
    *) verdict="INVALID($rc)"; invalid=$((invalid + 1)) ;;
  esac
  printf '%-18s %-16s %-9s %s  [%d s]\n' "$name" "$cat" "$verdict" "$(why "$name")" $((SECONDS - t))
done < "$work/mutants.tsv"
total=$((killed + survived + invalid))
echo "mutation score: $killed / $((killed + survived)) valid mutants killed; $invalid not valid; $total run in $((SECONDS - t0)) s"
[[ $survived -eq 0 && $invalid -eq 0 ]]
