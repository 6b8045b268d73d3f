#!/usr/bin/env bash
# Runs on the device machine (a GPU, no network) from the repository root; $OUT is the folder that comes
# back. Phases: env deps build selftest chain launch profile golden torch sanitize e2e validate baseline gemm full bench ceilings power
# mamba_ssm (any subset, in order given).
#   kernels/tools/device_run.sh env build selftest chain golden torch sanitize e2e baseline
# SSMSIM_COMMIT, when set, is logged as the commit the tree was taken from (the device copy has no .git).
# The build needs the Debian packages in .devdeps/debs (kernels/tools/fetch_device_deps.sh fetches them);
# if it fails, the binaries in .devdeps/prebuilt (built on the development machine) are used, and the log
# says so.
set -uo pipefail
OUT=${OUT:?set OUT}
mkdir -p "$OUT/device"
LOG="$OUT/log.txt"
exec > >(tee -a "$LOG") 2>&1
D=/tmp/ssmsim-deps
L_RED=${L_RED:-256}
TASKS=${TASKS:-"listops text retrieval image pathfinder pathx"}
ARCHS=${ARCHS:-"s4d mamba transformer"}
export LD_LIBRARY_PATH="$D/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
BIN=build-dev/ssmsim-cuda
[ -x "$BIN" ] || BIN=.devdeps/prebuilt/ssmsim-cuda
step() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }

env_info() {
  step env
  nvidia-smi
  nvidia-smi --query-gpu=name,driver_version,pstate,clocks.sm,clocks.max.sm,clocks.mem,clocks.max.mem,power.draw,power.limit,temperature.gpu --format=csv
  nvcc --version | tail -2; g++ --version | head -1; cmake --version | head -1
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
  uname -r; nproc; date -u
  echo "commit: ${SSMSIM_COMMIT:-unknown}"
}

deps() {  # unpack the Debian packages the binaries need (build does this too)
  mkdir -p $D
  for f in .devdeps/debs/*.deb; do dpkg -x "$f" $D; done
}

build() {
  step build
  deps
  local pc; pc=$(command -v pkg-config || echo $D/usr/bin/pkgconf)
  PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$D/usr/lib/x86_64-linux-gnu/pkgconfig:$D/usr/share/pkgconfig \
  cmake -S . -B build-dev -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSMSIM_TESTS=OFF -DSSMSIM_BENCH=OFF \
    -DSSMSIM_RTL=OFF -DCMAKE_PREFIX_PATH=$D/usr -DPKG_CONFIG_EXECUTABLE="$pc" -DOPENSSL_ROOT_DIR=$D/usr \
    -DBoost_INCLUDE_DIR=$D/usr/include -DCMAKE_CUDA_COMPILER="$(command -v nvcc)" > "$OUT/device/cmake.log" 2>&1 \
  && cmake --build build-dev -j"$(nproc)" --target ssmsim-cuda >> "$OUT/device/cmake.log" 2>&1
  if [ -x build-dev/ssmsim-cuda ]; then BIN=build-dev/ssmsim-cuda; echo "built here: $BIN";
  else tail -30 "$OUT/device/cmake.log"; BIN=.devdeps/prebuilt/ssmsim-cuda; echo "BUILD FAILED here: using $BIN"; fi
  $BIN info
  cp "$BIN" "$OUT/ssmsim-cuda"  # brought back, so a later call on a fresh machine can skip the build
}

golden() {  # every task x arch at a reduced length, int8 (byte-identical) and float32 (tolerance)
  step "golden L=$L_RED"
  for num in int8 float32; do
    for t in $TASKS; do for a in $ARCHS; do
      $BIN run --workload lra:$t:$a --seq-len $L_RED --numerics $num --check-reference --repeat 5 \
        --out "$OUT/device/golden/$t-$a-$L_RED-$num" || echo "FAILED: $t $a $num"
    done; done
  done
}

torch_check() {
  step torch
  PYTHONUNBUFFERED=1 python3 kernels/tools/check_scan_torch.py --bin $BIN --work /tmp/scan-torch \
    --json "$OUT/device/torch_scan.json" || echo "FAILED: torch check"
  sdpa
}

sdpa() {  # PyTorch's SDPA alone at the transformer workloads' attention shapes (bf16, fp16; each backend)
  step "torch sdpa"
  PYTHONUNBUFFERED=1 python3 kernels/tools/torch_baseline.py --batch ${BASE_BATCH:-1,32} \
    --sdpa-out "$OUT/device/torch-sdpa.csv" || echo "FAILED: sdpa"
}

sanitize() {
  step compute-sanitizer
  for a in $ARCHS; do
    compute-sanitizer --tool memcheck --error-exitcode 9 $BIN run --workload lra:image:$a --seq-len 64 \
      --repeat 1 --warmup 0 || echo "FAILED: memcheck $a"
  done
  compute-sanitizer --tool racecheck --error-exitcode 9 $BIN run --workload lra:listops:transformer --seq-len 64 \
    --repeat 1 --warmup 0 || echo "FAILED: racecheck"
  compute-sanitizer --tool initcheck --error-exitcode 9 $BIN run --workload lra:image:mamba --seq-len 64 \
    --repeat 1 --warmup 0 || echo "FAILED: initcheck"
  # The speculative four-chains s4d variant (large batches select it; forced here on a short run), whose
  # re-run of a saturating chunk writes the block's shared partials a second time.
  for tool in memcheck racecheck initcheck; do
    SSMSIM_SCAN_STATES=4 compute-sanitizer --tool $tool --error-exitcode 9 $BIN run --workload lra:image:s4d \
      --seq-len 64 --repeat 1 --warmup 0 || echo "FAILED: $tool s4d 4 chains"
  done
  compute-sanitizer --tool racecheck --error-exitcode 9 $BIN run --workload lra:image:mamba --seq-len 64 \
    --repeat 1 --warmup 0 || echo "FAILED: racecheck selective scan"
  # Both selective-scan kernels forced (the split one at both block sizes), over enough chunks (L = 256: 8) for the split kernel's three-stage
  # pipeline (chain, helpers, input moves on four raw buffers) to reach its steady state.
  for ws in 64 128 0; do for tool in memcheck racecheck initcheck; do
    SSMSIM_SELECTIVE_SPLIT=$ws compute-sanitizer --tool $tool --error-exitcode 9 $BIN run --workload lra:image:mamba \
      --seq-len 256 --repeat 1 --warmup 0 || echo "FAILED: $tool selective split=$ws"
  done; done
}

full() {  # full LRA lengths: int8 checked against the reference (CPU-bound, in parallel), then timed alone
  step "full lengths, checked"
  for t in $TASKS; do for a in $ARCHS; do echo "$t $a"; done; done | \
    xargs -P 6 -L 1 sh -c "$BIN run --workload lra:\$0:\$1 --check-reference --repeat 1 --warmup 0 \
      --out $OUT/device/full/\$0-\$1-full-int8 > $OUT/device/full-\$0-\$1.log 2>&1 || echo FAILED: full \$0 \$1; \
      tail -2 $OUT/device/full-\$0-\$1.log"
  step "full lengths, timed"
  for t in $TASKS; do for a in $ARCHS; do
    $BIN run --workload lra:$t:$a --repeat 10 --out "$OUT/device/timed/$t-$a-full-int8" || echo "FAILED: timed $t $a"
  done; done
}

bench() {
  step bench
  nvidia-smi --query-gpu=clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv
  $BIN bench --out "$OUT/device/${BENCH_NAME:-h200}.csv" ${BENCH_ARGS:-} || echo "FAILED: bench"
  nvidia-smi --query-gpu=clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv
}

selftest() {  # random int8 scan and attention shapes (tails, odd sizes, gate, reverse, causal, batches)
  step selftest
  $BIN selftest --cases ${SELFTEST_CASES:-300} > "$OUT/device/selftest.log" 2>&1 || echo "FAILED: selftest"
  grep -E "FAIL|selftest:" "$OUT/device/selftest.log" | tail -20
  for st in 2 4; do  # the s4d_scan variants that large batches select, forced on every shape
    SSMSIM_SCAN_STATES=$st $BIN selftest --cases 150 --seed $st > "$OUT/device/selftest-states$st.log" 2>&1 \
      || echo "FAILED: selftest SSMSIM_SCAN_STATES=$st"
    grep -E "FAIL|selftest:" "$OUT/device/selftest-states$st.log" | tail -5
  done
  for ws in 0 64 128; do  # both selective-scan kernels (one thread per chain's work; warp-specialized, at
    # both block sizes), forced on every shape
    SSMSIM_SELECTIVE_SPLIT=$ws $BIN selftest --cases 150 --seed $((20 + ws)) > "$OUT/device/selftest-selsplit$ws.log" 2>&1 \
      || echo "FAILED: selftest SSMSIM_SELECTIVE_SPLIT=$ws"
    grep -E "FAIL|selftest:" "$OUT/device/selftest-selsplit$ws.log" | tail -5
  done
  for sp in 1 2 4; do  # every attention CTA shape (query warps x key-split warps), forced on every shape
    SSMSIM_ATTENTION_SPLIT=$sp $BIN selftest --cases 150 --seed $((10 + sp)) > "$OUT/device/selftest-split$sp.log" 2>&1 \
      || echo "FAILED: selftest SSMSIM_ATTENTION_SPLIT=$sp"
    grep -E "FAIL|selftest:" "$OUT/device/selftest-split$sp.log" | tail -5
  done
  # LRA data through the speculative s4d variant (four chains per thread), forced at batch 1 and as large
  # batches select it, byte-identical to the reference.
  for t in $TASKS; do
    SSMSIM_SCAN_STATES=4 $BIN run --workload lra:$t:s4d --seq-len $L_RED --check-reference --repeat 1 \
      --warmup 0 2>&1 | grep -E "PASS|FAIL" || echo "FAILED: forced 4-chain s4d $t"
  done
  $BIN run --workload lra:text:s4d --seq-len $L_RED --batch 32 --check-reference --repeat 1 --warmup 0 2>&1 \
    | grep -E "PASS|FAIL" || echo "FAILED: text s4d batch 32"
  # LRA data through every selective-scan kernel: the one-group kernel at batch 1, the split one at batch 32
  # (128-chain blocks, and 64 forced).
  for t in $TASKS; do
    SSMSIM_SELECTIVE_SPLIT=0 $BIN run --workload lra:$t:mamba --seq-len $L_RED --check-reference --repeat 1 \
      --warmup 0 2>&1 | grep -E "PASS|FAIL" || echo "FAILED: one-group selective $t"
  done
  for ws in 1 64; do
    SSMSIM_SELECTIVE_SPLIT=$ws $BIN run --workload lra:text:mamba --seq-len $L_RED --batch 32 --check-reference \
      --repeat 1 --warmup 0 2>&1 | grep -E "PASS|FAIL" || echo "FAILED: split selective ($ws) text batch 32"
  done
}

profile() {  # stall reasons of the scan kernels (Nsight Compute; clocks left alone)
  step profile
  ncu --clock-control none --section WarpStateStats --section SchedulerStats --section Occupancy \
    --section LaunchStats -k regex:scan_i8_fast -c 4 $BIN chain > "$OUT/device/ncu_scan.txt" 2>&1 \
    || echo "FAILED: profile"
  grep -E "scan_i8_fast|Stall|Issued Warp|No Eligible|Achieved Occupancy|Registers" "$OUT/device/ncu_scan.txt" | head -60
}

chain() {  # the scan step's dependency chain against the scan kernels' cycles per step
  step chain
  $BIN chain --json "$OUT/device/chain.json" || echo "FAILED: chain"
}

launch() {  # what the GPU spends between kernels: graph nodes, back-to-back launches, per-op event timing
  step launch
  $BIN launch --json "$OUT/device/launch.json" || echo "FAILED: launch"
}

e2e() {  # every workload at full length as one CUDA Graph (end-to-end latency), at each batch of E2E_BATCH
  step "end to end, graph"
  for b in ${E2E_BATCH:-1}; do for t in $TASKS; do for a in $ARCHS; do
    local bopt=""; [ "$b" != 1 ] && bopt="--batch $b --no-op-hashes"
    $BIN run --workload lra:$t:$a $bopt --graph --repeat ${E2E_REPEAT:-10} --warmup 2 \
      --out "$OUT/device/e2e/$t-$a-b$b" 2>&1 | grep -v '^$' || echo "FAILED: e2e $t $a b$b"
  done; done; done
}

# The GPU model's validation set (issue 18): every workload at two lengths besides the full one (1-D tasks: L/2
# and L/4; the 2-D ones: (3/4 side)^2 and (side/2)^2, the generators need squares), at each batch of VAL_BATCH,
# end to end as one CUDA Graph, as e2e. The full lengths come from e2e.
validate() {
  step "validation set, graph"
  for b in ${VAL_BATCH:-1 8 32}; do for t in $TASKS; do
    case $t in
      listops) lens="1024 512" ;; text) lens="2048 1024" ;; retrieval) lens="2000 1000" ;;
      image|pathfinder) lens="576 256" ;; pathx) lens="9216 4096" ;;
    esac
    for l in $lens; do for a in $ARCHS; do
      local bopt=""; [ "$b" != 1 ] && bopt="--batch $b --no-op-hashes"
      $BIN run --workload lra:$t:$a --seq-len $l $bopt --graph --repeat ${E2E_REPEAT:-10} --warmup 2 \
        --out "$OUT/device/validate/$t-$a-L$l-b$b" > "$OUT/device/validate-$t-$a-L$l-b$b.log" 2>&1 \
        || { echo "FAILED: validate $t $a L$l b$b"; tail -3 "$OUT/device/validate-$t-$a-L$l-b$b.log"; }
      grep -h "graph" "$OUT/device/validate-$t-$a-L$l-b$b.log" | sed "s/^/L=$l b=$b /"  # also in log.txt
    done; done
  done; done
  ls "$OUT/device/validate" | wc -l
}

baseline() {  # the PyTorch float baseline at the same shapes, and cuBLASLt int8 GEMMs at the LRA shapes
  step "torch baseline"
  PYTHONUNBUFFERED=1 python3 kernels/tools/torch_baseline.py --batch ${BASE_BATCH:-1,32} \
    --out "$OUT/device/torch_baseline.csv" --gemm-out "$OUT/device/cublaslt_gemm.csv" || echo "FAILED: baseline"
}

# Our int8 GEMM and cuBLASLt's (torch._int_mm) at every LRA linear shape, timed by one method (groups of
# back-to-back launches behind a GPU-side wait, inputs rotated past L2), twice in alternation so that a drift
# of the clocks shows as a difference between the two rounds (docs/gpu-kernels.md, "GEMMs").
gemm() {
  step "int8 GEMM side by side"
  for r in 1 2; do
    PYTHONUNBUFFERED=1 python3 kernels/tools/torch_baseline.py --batch ${BASE_BATCH:-1,32} --gemm-only \
      --gemm-out "$OUT/device/cublaslt_gemm-$r.csv" > "$OUT/device/cublaslt_gemm-$r.log" 2>&1 \
      || { echo "FAILED: cuBLASLt GEMMs $r"; tail -3 "$OUT/device/cublaslt_gemm-$r.log"; }
    $BIN bench --gemm-shapes "$OUT/device/cublaslt_gemm-$r.csv" --out "$OUT/device/ours_gemm-$r.csv" \
      > "$OUT/device/ours_gemm-$r.log" 2>&1 || { echo "FAILED: our GEMMs $r"; tail -3 "$OUT/device/ours_gemm-$r.log"; }
    tail -1 "$OUT/device/ours_gemm-$r.log"
  done
}

# Board power (NVML) for the GPU model's power model (issue 18, docs/models/gpu.md "Energy"): calibration on
# the kernel grid (every POWER_STRIDE-th point of each kernel taking >= 10 us), validation on whole workloads
# (each full length and POWER_LENS, "val" adding the validate() lengths, at each batch of POWER_BATCH), each
# CUDA Graph replayed back to back for POWER_S seconds. POWER_PARTS picks "grid", "workloads" or both.
power() {
  step "board power"
  nvidia-smi --query-gpu=name,pstate,clocks.sm,power.draw,power.limit,temperature.gpu --format=csv
  local s=${POWER_S:-0.75}
  if [[ " ${POWER_PARTS:-grid workloads} " == *" grid "* ]]; then
    $BIN bench --power $s --power-stride ${POWER_STRIDE:-3} --reps 5 --out "$OUT/device/h200-power.csv" \
      > "$OUT/device/power-bench.log" 2>&1 || { echo "FAILED: power bench"; tail -5 "$OUT/device/power-bench.log"; }
    grep -E "^idle|wrote" "$OUT/device/power-bench.log"
  fi
  [[ " ${POWER_PARTS:-grid workloads} " == *" workloads "* ]] || return 0
  for b in ${POWER_BATCH:-1 8 32}; do for t in $TASKS; do
    local lens="0"
    if [ "${POWER_LENS:-full}" = val ]; then case $t in
      listops) lens="1024 512" ;; text) lens="2048 1024" ;; retrieval) lens="2000 1000" ;;
      image|pathfinder) lens="576 256" ;; pathx) lens="9216 4096" ;;
    esac; fi
    for l in $lens; do for a in $ARCHS; do
      local bopt="--no-op-hashes"; [ "$b" != 1 ] && bopt="--batch $b --no-op-hashes"
      $BIN run --workload lra:$t:$a --seq-len $l $bopt --graph --repeat 3 --warmup 1 --power $s \
        --out "$OUT/device/power/$t-$a-L$l-b$b" 2>&1 | grep -v '^$' | sed "s/^/L=$l b=$b /" \
        || echo "FAILED: power $t $a L$l b$b"
    done; done
  done; done
}

mamba_ssm() {  # mamba-ssm's fused selective scan as the Mamba baseline: .devdeps/mamba_ssm-*/ (its sdist, unpacked)
  step "mamba-ssm baseline"
  local src conv; src=$(ls -d .devdeps/mamba_ssm-*/ 2>/dev/null | head -1)
  conv=$(ls -d .devdeps/causal_conv1d-*/ 2>/dev/null | head -1)  # optional: causal-conv1d's sdist, unpacked
  [ -n "$src" ] || { echo "FAILED: no .devdeps/mamba_ssm-*/"; return; }
  MAX_JOBS=$(nproc) PYTHONUNBUFFERED=1 python3 kernels/tools/mamba_ssm_baseline.py --src "$src" ${conv:+--conv-src "$conv"} --build "${MAMBA_BUILD:-build-mamba}" \
    --batch ${BASE_BATCH:-1,32} --tasks "$(echo $TASKS | tr ' ' ,)" --out "$OUT/device/mamba-ssm.csv" || echo "FAILED: mamba-ssm"
}

ceilings() {  # the measured copy bandwidth and the vendor library's int8 rate, for the fractions of peak
  step ceilings
  PYTHONUNBUFFERED=1 python3 kernels/tools/measure_ceilings.py --json "$OUT/device/ceilings.json" || echo "FAILED: ceilings"
}

train() {  # trains LRA models (docs/accuracy.md): TRAIN_MODELS "task:arch[:batch[:lr[:curriculum]]] ...",
  # concurrently and spread over the GPUs, for TRAIN_MINUTES each (or TRAIN_STEPS); data sets from `ssmsim-cuda
  # dataset` (train seed 1000, test seed 9000). A curriculum "LEN@UNTIL+LEN@UNTIL..." (TRAIN_CURRICULUM for
  # models without one) trains on examples of length LEN until that fraction of the budget, stage by stage; a
  # stage may name an easier Pathfinder difficulty instead (easy@0.2) or with its length (256/easy@0.2). .devdeps/init/train-<task>-<arch>.pt, if there, is a checkpoint to continue from. Each model comes back as $OUT/train-<task>-<arch>.tar.gz (weights, curve, record).
  step "train ${TRAIN_MODELS:-}"
  local d=/tmp/ssmsim-data m task arch batch lr cur stage stages budget pids="" gpus i=0 dir
  gpus=$(nvidia-smi -L | wc -l)
  budget=${TRAIN_STEPS:+--steps $TRAIN_STEPS}; budget=${budget:---minutes ${TRAIN_MINUTES:-5}}
  # TRAIN_MPS=1: under MPS, so that the processes' kernels run side by side instead of time-sliced. Off by
  # default: a call with it (and --compile) on 2026-12-01 hung past its limit without a line of output.
  [ "${TRAIN_MPS:-0}" = 1 ] && nvidia-cuda-mps-control -d && echo "MPS daemon started"
  for m in ${TRAIN_MODELS:-listops:s4d}; do
    IFS=: read -r task arch batch lr cur <<< "$m"
    cur=${cur:-${TRAIN_CURRICULUM:-}}
    for set in train:1000:${TRAIN_COUNT:-100000} test:9000:2000; do
      [ -f $d/$task-${set%%:*}/dataset.json ] || $BIN dataset lra:$task --seed $(echo $set | cut -d: -f2) \
        --count ${set##*:} --out $d/$task-${set%%:*} || echo "FAILED: dataset $task $set"
    done
    stages=""
    for stage in ${cur//+/ }; do
      # A stage's examples: LEN (a shorter length), DIFF (an easier Pathfinder difficulty at the full length)
      # or LEN/DIFF (seed 2000; the test set has 9000).
      local spec=${stage%@*} slen="" sdiff=hard sdir
      case $spec in
        */*) slen=${spec%%/*}; sdiff=${spec#*/} ;;
        [0-9]*) slen=$spec ;;
        *) sdiff=$spec ;;
      esac
      sdir=$d/$task-L${slen:-full}-$sdiff
      [ -f $sdir/dataset.json ] || $BIN dataset lra:$task --seed 2000 --count ${TRAIN_COUNT:-100000} \
        ${slen:+--seq-len $slen} --difficulty $sdiff --out $sdir || echo "FAILED: dataset $task stage $spec"
      stages="$stages --curriculum $sdir:${stage#*@}"
    done
    dir=/tmp/ssmsim-train/train-$task-$arch; rm -rf $dir; mkdir -p $dir
    # A hard limit per process, so that the call still packs what the others wrote.
    CUDA_VISIBLE_DEVICES=$((i % gpus)) SSMSIM_COMMIT=${SSMSIM_COMMIT:-unknown} PYTHONUNBUFFERED=1 \
      timeout ${TRAIN_LIMIT_S:-600} python3 workloads/training/train.py --task $task --arch $arch --train $d/$task-train --test $d/$task-test \
      --out $dir $budget ${batch:+--batch $batch} ${lr:+--lr $lr} ${TRAIN_COMPILE:+--compile} ${TRAIN_SEED:+--seed $TRAIN_SEED} $stages \
      $([ -f .devdeps/init/train-$task-$arch.pt ] && echo --init .devdeps/init/train-$task-$arch.pt) > $dir/log.txt 2>&1 &
    pids="$pids $!"; i=$((i + 1))
  done
  for p in $pids; do wait $p || echo "FAILED: training process $p"; done
  [ "${TRAIN_MPS:-0}" = 1 ] && echo quit | nvidia-cuda-mps-control
  for dir in /tmp/ssmsim-train/train-*; do
    tail -n 3 $dir/log.txt
    tar -C /tmp/ssmsim-train -czf "$OUT/$(basename $dir).tar.gz" $(basename $dir)
  done
}

for phase in "$@"; do
  case $phase in
    env) env_info ;; deps) deps ;; build) build ;; golden) golden ;; torch) torch_check ;; sanitize) sanitize ;;
    selftest) selftest ;; chain) chain ;; launch) launch ;; sdpa) sdpa ;; e2e) e2e ;; validate) validate ;; baseline) baseline ;; gemm) gemm ;; profile) profile ;;
    full) full ;; bench) bench ;; ceilings) ceilings ;; power) power ;; mamba_ssm) mamba_ssm ;; train) train ;; *) echo "unknown phase $phase"; exit 2 ;;
  esac
done
step pack
# Never replace a packed result with an empty one (a second invocation in the same call).
if [ -n "$(ls -A "$OUT/device" 2>/dev/null)" ]; then
  n=""; while [ -e "$OUT/results$n.tar.gz" ]; do n=$(( ${n:-1} + 1 )); done
  tar -C "$OUT" -czf "$OUT/results$n.tar.gz" device && rm -rf "$OUT/device"
fi
ls -la "$OUT"
