#!/usr/bin/env python3
"""Each kernel class of every LRA workload against its limit, from committed GPU timings (no GPU, no torch).

Per workload and batch (the per-op CSV's rows; full LRA length):

- scan (s4d_scan, selective_scan): the class's time, and the mean scan op's SM cycles per time step
  (op time x SM clock / L) against the dependency chain of one step (`ssmsim-cuda chain`). At batch 1 a scan
  is latency-bound and the chain is its limit. At larger batches it is throughput-bound: the chain is no
  limit there, and the only counted floor docs/gpu-kernels.md defines is the S4D one (chain steps x ~10
  instructions of the speculative step / (SMs x 128 lanes x clock)), given for s4d_scan only.
- attention: the class's time, its rate (2 x MACs / time) as a fraction of the int8 dense tensor peak, and
  our mean attention op's time over F.scaled_dot_product_attention's at the same shape (torch_baseline.py
  --sdpa-out; the faster of bf16 and fp16 with PyTorch's default dispatch; empty without that CSV).
- GEMM (linear, classifier): the class's time, rate as a fraction of the int8 tensor peak, and cuBLASLt's
  int8 time at the same shapes over ours (torch._int_mm; per-shape CSV of torch_baseline.py --gemm-out, or
  else the e2e CSV's gemm_fraction_of_cublaslt). Those compare cuBLASLt timed back to back with our per-op
  times, which carry an event's launch gap each (~2 us more per op on the H200, reference/gpu-timings/
  h200-launch.json). With --ours-gemm (ssmsim-cuda bench --gemm-shapes at the --gemm CSV's shapes) our GEMMs
  are timed the way cuBLASLt's are, and gemm_cublaslt_over_ours_bench is that like-for-like ratio (the
  classifier op timed as linear_i8 at its shape: the same tiles, an int8 epilogue instead of int32).
- other (every other kind: elementwise, norms, conv1d, embedding, pooling, reshape): the class's time and
  its bytes (read + written, the fewest each op must move) / time as a fraction of HBM bandwidth; the
  elementwise kinds alone as well.

Writes the CSV (default reference/gpu-timings/h200-kernel-limits.csv) and prints the Markdown table of
docs/gpu-kernels.md. --check regenerates the CSV in memory and compares it with the committed one byte for
byte, taking its inputs from the file's '# command:' line, and checks that docs/gpu-kernels.md holds every
line of its table; --self-test checks the arithmetic on made-up ops.

Usage: kernel_limits.py [--sdpa torch-sdpa.csv] [--gemm torch-int8-gemm.csv [--ours-gemm ours-gemm.csv]]
                       [--out FILE] [--check]
"""
import argparse
import json
import os
import statistics
import sys

import commented_csv
from commented_csv import number as num

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TASKS = ["listops", "text", "retrieval", "image", "pathfinder", "pathx"]
ARCHS = ["s4d", "mamba", "transformer"]
# Full lengths and sequences per sample (docs/workloads.md; retrieval runs two documents), S4D width H and
# state N (every task N = 64), for the scan's chain steps.
LENGTH = {"listops": 2048, "text": 4096, "retrieval": 4000, "image": 1024, "pathfinder": 1024, "pathx": 16384}
ROWS = {"retrieval": 2}
S4D_WIDTH = {"listops": 128, "text": 256, "retrieval": 256, "image": 512, "pathfinder": 256, "pathx": 256}
S4D_STATE = 64
SCAN = ("s4d_scan", "selective_scan")
ATTENTION = ("attention",)
GEMM = ("linear", "classifier")
ELEMENTWISE = ("add", "gate", "gelu", "relu", "silu", "softplus")
# Datasheet peaks, H200 SXM (as docs/models/gpu.md and the frac_*_peak columns of h200.csv): dense int8
# tensor 1979 TOPS (3958 with sparsity), HBM3e 4.8 TB/s.
INT8_TOPS, HBM_GBPS = 1979.0, 4800.0
SMS, LANES, FLOOR_INSTR = 132, 128, 10

COLUMNS = ["workload", "batch", "seq_len", "ours_graph_ms",
           "scan_ms", "scan_ops", "scan_op_us_mean", "scan_cycles_per_step", "chain_cycles_per_step",
           "scan_over_chain", "scan_bound", "scan_floor_us_per_op", "scan_fraction_of_floor",
           "attention_ms", "attention_ops", "attention_op_us_mean", "attention_tops", "attention_fraction_of_int8_peak",
           "sdpa_us", "sdpa_dtype", "sdpa_backend", "attention_over_sdpa", "sdpa_best_us", "sdpa_best",
           "gemm_ms", "gemm_tops", "gemm_fraction_of_int8_peak", "cublaslt_gemm_ms", "gemm_cublaslt_over_ours",
           "ours_gemm_bench_ms", "gemm_cublaslt_over_ours_bench",
           "other_ms", "other_gbps", "other_fraction_of_hbm", "elementwise_ms", "elementwise_fraction_of_hbm"]


def read_csv(path):
    return commented_csv.read(path)[2]


def rnd(x, digits):
    return "" if x is None else round(x, digits)


def rel(path):
    p = os.path.relpath(os.path.abspath(path), REPO)
    return os.path.basename(path) if p.startswith("..") else p  # no machine paths in the committed header


def sdpa_index(rows):
    """(workload, batch) -> {seq_len, us, dtype, backend, best_us, best} over the dtypes: us/dtype/backend the
    fastest default-dispatch time, best_us/best the fastest of any dtype and forced backend."""
    out = {}
    for r in rows:
        d = out.setdefault((r["workload"], int(r["batch"])), {"seq_len": int(r["seq_len"]), "us": None,
                                                               "dtype": "", "backend": "", "best_us": None,
                                                               "best": ""})
        us = num(r.get("sdpa_us_median"))
        if us is not None and (d["us"] is None or us < d["us"]):
            d.update(us=us, dtype=r["dtype"], backend=r.get("backend", ""))
        for col in [c for c in r if c.endswith("_us")] + ["sdpa_us_median"]:
            v = num(r.get(col))
            if v is not None and (d["best_us"] is None or v < d["best_us"]):
                name = r.get("backend", "") if col == "sdpa_us_median" else col[:-3]
                d.update(best_us=v, best=f"{name} {r['dtype']}")
    return out


def gemm_index(rows):
    """(task, arch, batch, op) -> cuBLASLt us (torch_baseline.py --gemm-out rows), as gpu_comparison.py."""
    return {(r["task"], r["arch"], int(r["batch"]), r["op"]): float(r["time_us_median"])
            for r in rows if num(r["time_us_median"]) is not None}


def gemm_shapes(rows):
    """(task, arch, batch, op) -> (m, n, k) of the same rows: the shape each GEMM op was timed at."""
    return {(r["task"], r["arch"], int(r["batch"]), r["op"]): (int(r["m"]), int(r["n"]), int(r["k"])) for r in rows}


def ours_gemm_index(rows):
    """(m, n, k) -> our linear_i8 us (ssmsim-cuda bench --gemm-shapes rows)."""
    return {(int(r["m"]), int(r["n"]), int(r["k"])): float(r["time_us_median"])
            for r in rows if r["kernel"] == "linear_i8" and num(r["time_us_median"]) is not None}


def limits(ops, e2e, chain, sdpa=None, gemm=None, int8_tops=INT8_TOPS, hbm_gbps=HBM_GBPS, sms=SMS, lanes=LANES,
           floor_instr=FLOOR_INSTR, shapes=None, ours_gemm=None):
    """The rows of the limits table. ops: per-op rows; e2e: {(task, arch, batch): e2e row}; chain: the chain
    JSON (sm_clock_mhz, chain_cycles_per_step); sdpa: sdpa_index(); gemm: gemm_index(); shapes: gemm_shapes()
    and ours_gemm: ours_gemm_index(), both or neither."""
    clock_hz = chain["sm_clock_mhz"] * 1e6
    chain_cps = chain["chain_cycles_per_step"]
    groups = {}
    for o in ops:
        groups.setdefault((o["workload"], int(o["batch"])), []).append(o)
    out = []
    for (wl, batch), g in groups.items():
        _, task, arch = wl.split(":")
        L = LENGTH[task]
        e = e2e.get((task, arch, batch), {})
        if e.get("seq_len") and int(e["seq_len"]) != L:
            raise SystemExit(f"{wl}: e2e seq_len {e['seq_len']} != {L}")
        us = lambda kinds: [float(o["gpu_us_median"]) for o in g if o["kind"] in kinds]  # noqa: E731
        macs = lambda kinds: sum(int(o["macs"]) for o in g if o["kind"] in kinds)  # noqa: E731
        nbytes = lambda kinds: sum(int(o["bytes_read"]) + int(o["bytes_written"])  # noqa: E731
                                   for o in g if o["kind"] in kinds)
        r = {"workload": wl, "batch": batch, "seq_len": L, "ours_graph_ms": num(e.get("ours_graph_ms"))}
        # Scans.
        s = us(SCAN)
        r.update(scan_ms=sum(s) / 1e3, scan_ops=len(s))
        if s:
            mean = statistics.fmean(s)
            cps = mean * 1e-6 * clock_hz / L
            r.update(scan_op_us_mean=mean, scan_cycles_per_step=cps, chain_cycles_per_step=chain_cps)
            if batch == 1:
                r.update(scan_over_chain=cps / chain_cps, scan_bound="latency (chain)")
            else:
                r["scan_bound"] = "throughput"
                if arch == "s4d":
                    steps = ROWS.get(task, 1) * batch * S4D_WIDTH[task] * S4D_STATE * L
                    floor_us = steps * floor_instr / (sms * lanes * clock_hz) * 1e6
                    r.update(scan_floor_us_per_op=floor_us, scan_fraction_of_floor=floor_us / mean)
        # Attention.
        a = us(ATTENTION)
        r.update(attention_ms=sum(a) / 1e3, attention_ops=len(a))
        if a:
            mean = statistics.fmean(a)
            tops = 2 * macs(ATTENTION) / (sum(a) * 1e-6) / 1e12
            r.update(attention_op_us_mean=mean, attention_tops=tops, attention_fraction_of_int8_peak=tops / int8_tops)
            sd = (sdpa or {}).get((wl, batch))
            if sd and sd["seq_len"] != L:
                raise SystemExit(f"{wl} batch {batch}: the SDPA CSV has seq_len {sd['seq_len']}, the ops {L}")
            if sd and sd["us"] is not None:
                r.update(sdpa_us=sd["us"], sdpa_dtype=sd["dtype"], sdpa_backend=sd["backend"],
                         attention_over_sdpa=mean / sd["us"])
            if sd and sd["best_us"] is not None:
                r.update(sdpa_best_us=sd["best_us"], sdpa_best=sd["best"])
        # GEMMs.
        m = us(GEMM)
        r["gemm_ms"] = sum(m) / 1e3
        if m:
            tops = 2 * macs(GEMM) / (sum(m) * 1e-6) / 1e12
            r.update(gemm_tops=tops, gemm_fraction_of_int8_peak=tops / int8_tops)
            if gemm is not None:
                lt, missing, bench, bench_missing = 0.0, 0, 0.0, 0
                for o in g:
                    if o["kind"] in GEMM:
                        name = "classifier" if o["kind"] == "classifier" else o["op"].split(".")[-1]
                        v = gemm.get((task, arch, batch, name))
                        missing += v is None
                        lt += v or 0.0
                        if ours_gemm is not None:
                            b = ours_gemm.get(shapes.get((task, arch, batch, name)))
                            bench_missing += b is None
                            bench += b or 0.0
                if not missing:
                    r.update(cublaslt_gemm_ms=lt / 1e3, gemm_cublaslt_over_ours=lt / sum(m))
                    if ours_gemm is not None and not bench_missing:
                        r.update(ours_gemm_bench_ms=bench / 1e3, gemm_cublaslt_over_ours_bench=lt / bench)
            else:
                r.update(cublaslt_gemm_ms=num(e.get("cublaslt_gemm_ms")),
                         gemm_cublaslt_over_ours=num(e.get("gemm_fraction_of_cublaslt")))
        # Everything else: memory-bound ops against HBM.
        other = sorted({o["kind"] for o in g} - set(SCAN) - set(ATTENTION) - set(GEMM))
        t = us(other)
        r["other_ms"] = sum(t) / 1e3
        if t and sum(t) > 0:
            gbps = nbytes(other) / (sum(t) * 1e-6) / 1e9
            r.update(other_gbps=gbps, other_fraction_of_hbm=gbps / hbm_gbps)
        el = us(ELEMENTWISE)
        r["elementwise_ms"] = sum(el) / 1e3
        if el and sum(el) > 0:
            r["elementwise_fraction_of_hbm"] = nbytes(ELEMENTWISE) / (sum(el) * 1e-6) / 1e9 / hbm_gbps
        out.append(r)
    out.sort(key=lambda x: (x["batch"], TASKS.index(x["workload"].split(":")[1]),
                            ARCHS.index(x["workload"].split(":")[2])))
    return out


DIGITS = {"ours_graph_ms": 4, "scan_ms": 4, "scan_op_us_mean": 3, "scan_cycles_per_step": 1,
          "chain_cycles_per_step": 2, "scan_over_chain": 3, "scan_floor_us_per_op": 1, "scan_fraction_of_floor": 3,
          "attention_ms": 4, "attention_op_us_mean": 3, "attention_tops": 2, "attention_fraction_of_int8_peak": 4,
          "sdpa_us": 3, "attention_over_sdpa": 3, "sdpa_best_us": 3, "gemm_ms": 4, "gemm_tops": 2,
          "gemm_fraction_of_int8_peak": 4, "cublaslt_gemm_ms": 4, "gemm_cublaslt_over_ours": 3,
          "ours_gemm_bench_ms": 4, "gemm_cublaslt_over_ours_bench": 3, "other_ms": 4,
          "other_gbps": 1, "other_fraction_of_hbm": 4, "elementwise_ms": 4, "elementwise_fraction_of_hbm": 4}


def csv_text(rows, header):
    return commented_csv.text(["# " + line for line in header], COLUMNS,
                              [{c: rnd(r.get(c), DIGITS[c]) if c in DIGITS else r.get(c, "") for c in COLUMNS}
                               for r in rows])


def pct(x):
    """A fraction as a percentage: one decimal, two below 1%."""
    if x is None:
        return ""
    return f"{100 * x:.2f}%" if x < 0.01 else f"{100 * x:.1f}%"


def f3(x):
    return "" if x is None else f"{x:.3f}"


def markdown(rows):
    """The table of docs/gpu-kernels.md. The GEMM ratio is the like-for-like one where the rows have it."""
    bench = any(r.get("gemm_cublaslt_over_ours_bench") is not None for r in rows)
    ratio = "gemm_cublaslt_over_ours_bench" if bench else "gemm_cublaslt_over_ours"
    lines = ["| workload | batch | scan ms | scan: cycles/step | scan: against its limit | attention ms | "
             "attention: ours / SDPA | attention: of int8 peak | GEMM ms | "
             + ("GEMM: cuBLASLt / ours, both back to back" if bench else "GEMM: cuBLASLt / ours") + " | "
             "GEMM: of int8 peak | other ms | other: of HBM | elementwise: of HBM |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("scan_ops"):
            if r.get("scan_over_chain") is not None:
                bound = f"{r['scan_over_chain']:.2f}× chain"
            elif r.get("scan_fraction_of_floor") is not None:
                bound = f"{100 * r['scan_fraction_of_floor']:.0f}% of counted floor"
            else:
                bound = "throughput-bound (no floor)"
            scan = f"{r['scan_ms']:.3f} | {r['scan_cycles_per_step']:.0f} | {bound}"
        else:
            scan = "— | — | —"
        if r.get("attention_ops"):
            vs = (f"{r['attention_over_sdpa']:.2f} ({'bf16' if r['sdpa_dtype'] == 'bfloat16' else 'fp16'})"
                  if r.get("attention_over_sdpa") is not None else "pending")
            attn = f"{r['attention_ms']:.3f} | {vs} | {pct(r['attention_fraction_of_int8_peak'])}"
        else:
            attn = "— | — | —"
        gemm = f"{r['gemm_ms']:.3f} | {f3(r.get(ratio))} | {pct(r.get('gemm_fraction_of_int8_peak'))}"
        other = (f"{r['other_ms']:.3f} | {pct(r.get('other_fraction_of_hbm'))} | "
                 f"{pct(r.get('elementwise_fraction_of_hbm'))}")
        lines.append(f"| {r['workload']} | {r['batch']} | {scan} | {attn} | {gemm} | {other} |")
    return "\n".join(lines)


def header_lines(args, chain, have_sdpa, have_gemm):
    cmd = "kernels/tools/kernel_limits.py" + "".join(
        f" --{k.replace('_', '-')} {rel(v)}" for k, v in (("ops", args.ops), ("e2e", args.e2e), ("chain", args.chain),
                                                          ("gemm", args.gemm), ("ours_gemm", args.ours_gemm),
                                                          ("sdpa", args.sdpa)) if v)
    return [
        "Each kernel class of the LRA workloads against its limit (kernels/tools/kernel_limits.py; "
        "docs/gpu-kernels.md)",
        "command: " + cmd,
        f"inputs: per-op times {rel(args.ops)} (int8, full length, per-op mode); e2e {rel(args.e2e)} (ours_graph_ms"
        + ("" if have_gemm else ", gemm_fraction_of_cublaslt, cublaslt_gemm_ms") + f"); chain {rel(args.chain)} "
        f"(chain {chain['chain_cycles_per_step']:.2f} SM cycles per step, SM clock {chain['sm_clock_mhz']:.1f} MHz)"
        + (f"; cuBLASLt per shape {rel(args.gemm)}" if have_gemm else "")
        + (f"; ours per shape, timed as cuBLASLt {rel(args.ours_gemm)}" if args.ours_gemm else "")
        + (f"; SDPA {rel(args.sdpa)}" if have_sdpa else "; SDPA: not measured yet (sdpa_* columns empty)"),
        f"peaks: datasheet H200 SXM, dense int8 tensor {args.int8_tops:g} TOPS, HBM {args.hbm_gbps:g} GB/s",
        "scan: kinds s4d_scan, selective_scan; scan_cycles_per_step = mean scan op time x SM clock / seq_len; "
        "scan_over_chain = that / chain (batch 1: latency-bound); batch > 1 throughput-bound, s4d only: "
        f"scan_floor_us_per_op = sequences x H x N x L chain steps x {args.floor_instr} instructions / "
        f"({args.sms} SMs x {args.lanes} lanes x clock), scan_fraction_of_floor = floor / mean op time",
        "attention: kind attention; tops = 2 x MACs / time; attention_over_sdpa = our mean attention op time / "
        "F.scaled_dot_product_attention time at the same shape (default dispatch, the faster of bf16 and fp16: "
        "sdpa_dtype, sdpa_backend); sdpa_best = fastest of any dtype and forced backend",
        "gemm: kinds linear, classifier; tops = 2 x MACs / time; gemm_cublaslt_over_ours = torch._int_mm (cuBLASLt "
        "int8 -> int32, no requantization) time at the same shapes / ours (1.0 = as fast), ours from the per-op "
        "times (an event's launch gap each)"
        + ("; ours_gemm_bench_ms, gemm_cublaslt_over_ours_bench: ours timed at each shape as cuBLASLt is (back to "
           "back behind a GPU-side wait, inputs rotated past L2; ssmsim-cuda bench --gemm-shapes; the classifier "
           "as linear_i8 at its shape)" if args.ours_gemm else ""),
        "other: every other kind; other_gbps = (bytes_read + bytes_written) / time summed over those ops; "
        "elementwise = kinds " + ", ".join(ELEMENTWISE) + "; fractions of the HBM peak",
    ]


def self_test():
    fails = []

    def check(name, got, want, tol=1e-9):
        ok = got is not None and abs(got - want) <= tol * max(1.0, abs(want))
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {got} (want {want})")
        if not ok:
            fails.append(name)

    chain = {"sm_clock_mhz": 2000.0, "chain_cycles_per_step": 40.0}

    def op(wl, b, kind, us, macs=0, br=0, bw=0, name="l0.x"):
        return {"workload": wl, "batch": str(b), "op": name, "kind": kind, "macs": str(macs),
                "bytes_read": str(br), "bytes_written": str(bw), "gpu_us_median": str(us)}

    # text (L = 4096): two scans of 204.8 and 409.6 us -> mean 307.2 us x 2 GHz / 4096 = 150 cycles = 3.75x chain.
    ops = [op("lra:text:s4d", 1, "s4d_scan", 204.8), op("lra:text:s4d", 1, "s4d_scan", 409.6),
           op("lra:text:s4d", 1, "linear", 10.0, macs=10 ** 9, name="l0.glu_a"),
           op("lra:text:s4d", 1, "add", 4.0, br=8 * 10 ** 6, bw=4 * 10 ** 6),
           op("lra:text:s4d", 1, "layernorm", 6.0, br=2 * 10 ** 6, bw=10 ** 6),
           # pathx s4d at batch 32: 32 x 256 x 64 x 16384 steps x 10 / (132 x 128 x 2e9) = 2541.6 us floor.
           op("lra:pathx:s4d", 32, "s4d_scan", 5083.2),
           op("lra:pathx:mamba", 32, "selective_scan", 1000.0),
           op("lra:text:transformer", 1, "attention", 200.0, macs=8589934592),
           op("lra:text:transformer", 1, "attention", 200.0, macs=8589934592),
           op("lra:text:transformer", 1, "classifier", 5.0, macs=10 ** 6)]
    e2e = {("text", "s4d", 1): {"seq_len": "4096", "gemm_fraction_of_cublaslt": "0.75", "cublaslt_gemm_ms": "0.0075"}}
    sdpa = sdpa_index([
        {"workload": "lra:text:transformer", "batch": "1", "seq_len": "4096", "dtype": "bfloat16", "backend": "flash",
         "sdpa_us_median": "50.0", "flash_us": "50.0", "math_us": "oom"},
        {"workload": "lra:text:transformer", "batch": "1", "seq_len": "4096", "dtype": "float16", "backend": "flash",
         "sdpa_us_median": "40.0", "flash_us": "41.0", "efficient_us": "35.0"}])
    rows = {(r["workload"], r["batch"]): r for r in limits(ops, e2e, chain, sdpa)}
    r = rows[("lra:text:s4d", 1)]
    check("scan ms", r["scan_ms"], 0.6144)
    check("scan cycles per step", r["scan_cycles_per_step"], 150.0)
    check("scan / chain at batch 1", r["scan_over_chain"], 3.75)
    check("gemm fraction of int8 peak (2e9 ops / 10 us = 200 TOPS)", r["gemm_fraction_of_int8_peak"], 200 / 1979)
    check("gemm cuBLASLt / ours from e2e", r["gemm_cublaslt_over_ours"], 0.75)
    check("other GB/s: 15 MB / 10 us = 1500", r["other_gbps"], 1500.0)
    check("other fraction of HBM", r["other_fraction_of_hbm"], 1500 / 4800)
    check("elementwise fraction of HBM: 12 MB / 4 us = 3000 GB/s", r["elementwise_fraction_of_hbm"], 3000 / 4800)
    r = rows[("lra:pathx:s4d", 32)]
    floor = 32 * 256 * 64 * 16384 * 10 / (132 * 128 * 2e9) * 1e6
    check("s4d batch-32 floor us", r["scan_floor_us_per_op"], floor)
    check("s4d batch-32 fraction of floor", r["scan_fraction_of_floor"], floor / 5083.2)
    check("no chain ratio at batch 32", 0.0 if r.get("scan_over_chain") is None else 1.0, 0.0)
    r = rows[("lra:pathx:mamba", 32)]
    check("mamba batch 32: no floor", 0.0 if r.get("scan_fraction_of_floor") is None else 1.0, 0.0)
    r = rows[("lra:text:transformer", 1)]
    check("attention TOPS: 2 x 1.72e10 MACs / 400 us", r["attention_tops"], 2 * 2 * 8589934592 / 400e-6 / 1e12)
    check("ours / SDPA: 200 us / the faster dtype's 40 us", r["attention_over_sdpa"], 5.0)
    check("SDPA dtype = float16", 1.0 if r["sdpa_dtype"] == "float16" else 0.0, 1.0)
    check("SDPA best over forced backends = efficient fp16 35 us", r["sdpa_best_us"], 35.0)
    check("SDPA best named", 1.0 if r["sdpa_best"] == "efficient float16" else 0.0, 1.0)
    check("no cuBLASLt without e2e row", 0.0 if r.get("gemm_cublaslt_over_ours") is None else 1.0, 0.0)
    g = limits(ops, e2e, chain, None, gemm_index([{"task": "text", "arch": "s4d", "batch": "1", "op": "glu_a",
                                                   "time_us_median": "8.0"}]))
    r = next(x for x in g if x["workload"] == "lra:text:s4d")
    check("cuBLASLt / ours from the per-shape CSV: 8 / 10", r["gemm_cublaslt_over_ours"], 0.8)
    # Ours timed as cuBLASLt is, at glu_a's shape: 8 / 9 like for like; the per-op ratio stays 8 / 10.
    lt_rows = [{"task": "text", "arch": "s4d", "batch": "1", "op": "glu_a", "time_us_median": "8.0",
                "m": "4096", "n": "512", "k": "256"}]
    ours = ours_gemm_index([{"kernel": "linear_i8", "m": "4096", "n": "512", "k": "256", "time_us_median": "9.0"},
                            {"kernel": "linear_i8", "m": "4096", "n": "256", "k": "256", "time_us_median": "1.0"}])
    g = limits(ops, e2e, chain, None, gemm_index(lt_rows), shapes=gemm_shapes(lt_rows), ours_gemm=ours)
    r = next(x for x in g if x["workload"] == "lra:text:s4d")
    check("cuBLASLt / ours, both back to back: 8 / 9", r["gemm_cublaslt_over_ours_bench"], 8 / 9)
    check("ours back to back, ms", r["ours_gemm_bench_ms"], 0.009)
    check("per-op ratio kept beside it", r["gemm_cublaslt_over_ours"], 0.8)
    md = markdown(g)
    check("markdown shows the like-for-like ratio", 1.0 if "| 0.889 |" in md and "both back to back" in md else 0.0,
          1.0)
    g = limits(ops, e2e, chain, None, gemm_index(lt_rows), shapes=gemm_shapes(lt_rows),
               ours_gemm=ours_gemm_index([]))
    r = next(x for x in g if x["workload"] == "lra:text:s4d")
    check("no like-for-like ratio without our time at every shape",
          0.0 if r.get("gemm_cublaslt_over_ours_bench") is None else 1.0, 0.0)
    # Markdown renders every row (SDPA pending where absent).
    md = markdown(limits(ops, e2e, chain))
    check("markdown rows", float(md.count("\n") - 1), float(len(rows)))
    check("markdown says pending without SDPA", 1.0 if "pending" in md else 0.0, 1.0)
    print(f"\n{'FAILED: ' + ', '.join(fails) if fails else 'all passed'}")
    return 1 if fails else 0


def main():
    ref = os.path.join(REPO, "reference", "gpu-timings")
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ops", default=os.path.join(ref, "h200-lra-ops.csv"))
    p.add_argument("--e2e", default=os.path.join(ref, "h200-lra-e2e.csv"))
    p.add_argument("--chain", default=os.path.join(ref, "h200-scan-chain.json"))
    p.add_argument("--gemm", help="torch_baseline.py --gemm-out CSV (else the e2e CSV's cuBLASLt columns)")
    p.add_argument("--ours-gemm", help="ssmsim-cuda bench --gemm-shapes CSV at the --gemm CSV's shapes")
    p.add_argument("--sdpa", help="torch_baseline.py --sdpa-out CSV (else the SDPA columns stay empty)")
    p.add_argument("--out", default=os.path.join(ref, "h200-kernel-limits.csv"))
    p.add_argument("--int8-tops", type=float, default=INT8_TOPS)
    p.add_argument("--hbm-gbps", type=float, default=HBM_GBPS)
    p.add_argument("--sms", type=int, default=SMS)
    p.add_argument("--lanes", type=int, default=LANES)
    p.add_argument("--floor-instr", type=float, default=FLOOR_INSTR)
    p.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    p.add_argument("--self-test", action="store_true")
    args = p.parse_args()
    if args.self_test:
        return self_test()
    if args.check:  # recompute from the inputs the committed file names in its '# command:' line
        with open(args.out, newline="") as f:
            cmd = next((line[len("# command: "):].split() for line in f if line.startswith("# command: ")), None)
        if cmd is None:
            print(f"{rel(args.out)} has no '# command:' line", file=sys.stderr)
            return 1
        given = p.parse_args(cmd[1:])
        for k in ("ops", "e2e", "chain", "gemm", "ours_gemm", "sdpa"):
            v = getattr(given, k)
            setattr(args, k, v if v is None or os.path.isabs(v) else os.path.join(REPO, v))
    with open(args.chain) as f:
        chain = json.load(f)
    e2e = {(r["task"], r["arch"], int(r["batch"])): r for r in read_csv(args.e2e)}
    sdpa = sdpa_index(read_csv(args.sdpa)) if args.sdpa else None
    if args.ours_gemm and not args.gemm:
        p.error("--ours-gemm needs --gemm (the cuBLASLt CSV names each op's shape)")
    gemm_rows = read_csv(args.gemm) if args.gemm else None
    gemm = gemm_index(gemm_rows) if args.gemm else None
    shapes = gemm_shapes(gemm_rows) if args.ours_gemm else None
    ours_gemm = ours_gemm_index(read_csv(args.ours_gemm)) if args.ours_gemm else None
    rows = limits(read_csv(args.ops), e2e, chain, sdpa, gemm, args.int8_tops, args.hbm_gbps, args.sms, args.lanes,
                  args.floor_instr, shapes, ours_gemm)
    text = csv_text(rows, header_lines(args, chain, sdpa is not None, gemm is not None))
    if args.check:
        with open(args.out, newline="") as f:
            old = f.read()
        if old != text:
            print(f"{rel(args.out)} differs from what kernel_limits.py computes from its inputs", file=sys.stderr)
            return 1
        doc = os.path.join(REPO, "docs", "gpu-kernels.md")
        with open(doc) as f:
            have = set(f.read().splitlines())
        missing = [line for line in markdown(rows).splitlines() if line not in have]
        if missing:
            print(f"docs/gpu-kernels.md lacks {len(missing)} line(s) of the table, first:\n{missing[0]}",
                  file=sys.stderr)
            return 1
        print(f"{rel(args.out)}: up to date ({len(rows)} rows), and its table is in docs/gpu-kernels.md")
        return 0
    commented_csv.write_text(args.out, text)
    print(f"wrote {rel(args.out)} ({len(rows)} rows)\n")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
