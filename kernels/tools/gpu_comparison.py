#!/usr/bin/env python3
"""Turns a device run's end-to-end results (kernels/tools/device_run.sh, phases e2e, baseline and chain) into
the committed comparison of our int8 CUDA kernels with the PyTorch float baseline on the same GPU:

  reference/gpu-timings/<gpu>-lra-e2e.csv   one row per LRA workload and batch: ours (CUDA Graph), PyTorch,
                                            time by kernel class, cuBLASLt int8 on the same GEMMs
  reference/gpu-timings/<gpu>-lra-ops.csv   every op's time (per-op mode) at each batch

and prints the Markdown tables of docs/gpu-kernels.md.

Usage: gpu_comparison.py --run DIR --commit HASH --driver VERSION [--repo .] [--merge [--note TEXT]]
(DIR: an unpacked results.tar.gz holding device/e2e/*, device/torch_baseline.csv, device/cublaslt_gemm.csv)

--merge: DIR holds only some e2e runs of our kernels (no PyTorch baseline): they replace the committed rows
of the same workload and batch (and those runs' per-op rows; added at the end where that row had none),
keeping the committed PyTorch and cuBLASLt figures of the row (same shapes, same GPU); runs whose workload and
batch are not committed are skipped. A '#' line records which rows came from which commit and when.
"""
import argparse
import json
import pathlib

import commented_csv

TASKS = ["listops", "text", "retrieval", "image", "pathfinder", "pathx"]
ARCHS = ["s4d", "mamba", "transformer"]
CLASSES = {"selective_scan": "scan", "s4d_scan": "scan", "attention": "attention", "linear": "gemm",
           "classifier": "gemm"}


def gpu_tag(name):
    for tag in ("H200", "H100", "A100"):
        if tag in name:
            return tag.lower()
    return name.lower().replace(" ", "-")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--run", required=True)
    p.add_argument("--commit", required=True)
    p.add_argument("--driver", required=True)
    p.add_argument("--repo", default=".")
    p.add_argument("--merge", action="store_true")
    p.add_argument("--note", default="")
    args = p.parse_args()
    dev = pathlib.Path(args.run) / "device"
    torch_csv, gemm_csv = dev / "torch_baseline.csv", dev / "cublaslt_gemm.csv"
    torch_rows = {(r["task"], r["arch"], int(r["batch"])): r
                  for r in (commented_csv.read(torch_csv)[2] if torch_csv.exists() else [])}
    gemm = {}
    for r in commented_csv.read(gemm_csv)[2] if gemm_csv.exists() else []:
        us = commented_csv.number(r["time_us_median"])
        if us is not None:
            gemm[(r["task"], r["arch"], int(r["batch"]), r["op"])] = us
    rows, op_rows, gpu, date = [], [], "", ""
    for d in sorted((dev / "e2e").glob("*-b*")):
        r = json.loads((d / "report.json").read_text())
        _, task, arch = r["workload"].split(":")
        batch = int(d.name.rsplit("-b", 1)[1])
        gpu, date = r["gpu"]["name"], r["date_utc"]
        by_class = {"scan": 0.0, "attention": 0.0, "gemm": 0.0, "other": 0.0}
        ours_gemm_us, lt_gemm_us, lt_missing = 0.0, 0.0, 0
        for i, o in enumerate(r["ops"]):
            by_class[CLASSES.get(o["kind"], "other")] += o["gpu_ms_median"]
            if o["kind"] in ("linear", "classifier"):
                us = 1000 * o["gpu_ms_median"]
                ours_gemm_us += us
                name = "classifier" if o["kind"] == "classifier" else o["name"].split(".")[-1]
                lt = gemm.get((task, arch, batch, name))
                if lt is None:
                    lt_missing += 1
                else:
                    lt_gemm_us += lt
            op_rows.append({"workload": r["workload"], "batch": batch, "op_index": i, "op": o["name"],
                            "kind": o["kind"], "macs": o["macs"], "bytes_read": o["bytes_read"],
                            "bytes_written": o["bytes_written"], "gpu_us_median": round(1000 * o["gpu_ms_median"], 3),
                            "gpu_us_min": round(1000 * o["gpu_ms_min"], 3),
                            "gpu_us_max": round(1000 * o["gpu_ms_max"], 3)})
        t = torch_rows.get((task, arch, batch), {})
        best = t.get("best_ms", "")
        ours = r["timing"].get("graph_ms_median", r["timing"]["total_ms_median"])
        rows.append({"task": task, "arch": arch, "batch": batch, "seq_len": t.get("seq_len", ""),
                     "ops": len(r["ops"]), "ours_graph_ms": round(ours, 4),
                     "ours_per_op_sum_ms": round(sum(by_class.values()), 4),
                     "scan_ms": round(by_class["scan"], 4), "attention_ms": round(by_class["attention"], 4),
                     "gemm_ms": round(by_class["gemm"], 4), "other_ms": round(by_class["other"], 4),
                     "cublaslt_gemm_ms": round(lt_gemm_us / 1000, 4) if not lt_missing else "",
                     "gemm_fraction_of_cublaslt": round(lt_gemm_us / ours_gemm_us, 3)
                     if ours_gemm_us and not lt_missing else "",
                     "torch_best_ms": best, "torch_method": t.get("best_method", ""),
                     "torch_over_ours": round(commented_csv.number(best) / ours, 3)
                     if commented_csv.number(best) is not None else "",
                     "output_sha256": r["output_sha256"], "_date": date})
    rows.sort(key=lambda x: (x["batch"], TASKS.index(x["task"]), ARCHS.index(x["arch"])))
    if not args.merge:
        for x in rows:
            x.pop("_date")
    tag = gpu_tag(gpu)
    out_dir = pathlib.Path(args.repo) / "reference" / "gpu-timings"
    if args.merge:
        rows = merge(args, out_dir / f"{tag}-lra-e2e.csv", out_dir / f"{tag}-lra-ops.csv", rows, op_rows, gpu)
        print_tables(rows, dev)
        return
    prov = [f"# {gpu}, driver {args.driver}, CUDA 13.0, commit {args.commit}, {date}",
            "# ours: ssmsim-cuda run --workload lra:<task>:<arch> [--batch N] --graph --repeat 10 --warmup 2 (int8, "
            "seed 1, full length): the whole trace as one CUDA Graph, replays queued behind a GPU-side wait, CUDA "
            "events, median of 10; per-op columns: the same ops timed one by one with events (median of 10)",
            "# torch: kernels/tools/torch_baseline.py (float; S4D FFT convolution fp32, Mamba chunked scan fp32, "
            "transformer bf16 SDPA), best of eager and CUDA-graph replay, median; its provenance:"]
    torch_prov = commented_csv.read(torch_csv)[0] if torch_csv.exists() else ["# (not run)"]
    prov += ["#   " + line.lstrip("# ") for line in torch_prov]
    prov.append("# cublaslt_gemm_ms: torch._int_mm (cuBLASLt int8 -> int32) at the same linear shapes, summed; "
                "gemm_fraction_of_cublaslt = cuBLASLt time / our linear ops' time (1.0 = as fast)")
    e2e = out_dir / f"{tag}-lra-e2e.csv"
    commented_csv.write(e2e, prov, list(rows[0]), rows)
    ops = out_dir / f"{tag}-lra-ops.csv"
    commented_csv.write(ops, [
        "# per-op GPU times of the full-length LRA workloads (int8, seed 1) with the kernels of kernels/,",
        f"# {gpu}, driver {args.driver}, CUDA 13.0, commit {args.commit}; command: ssmsim-cuda run --workload "
        "lra:<task>:<arch> [--batch N] --graph --repeat 10 --warmup 2;",
        "# method: CUDA events around every op, each pass queued behind a GPU-side wait, median of 10 "
        "passes, clocks as found"], list(op_rows[0]), op_rows)
    print(f"wrote {e2e} ({len(rows)} rows) and {ops} ({len(op_rows)} rows)")
    print_tables(rows, dev)


def merge(args, e2e, ops, rows, op_rows, gpu):
    """Replaces committed rows by this run's, keeping their PyTorch and cuBLASLt columns; returns all rows."""
    head, columns, old = commented_csv.read(e2e)
    ops_head, ops_columns, old_ops = commented_csv.read(ops)
    index = {(r["task"], r["arch"], int(r["batch"])): i for i, r in enumerate(old)}
    done, dates = [], []
    for n in rows:
        i = index.get((n["task"], n["arch"], n["batch"]))
        if i is None:
            print(f"skipped lra:{n['task']}:{n['arch']} batch {n['batch']}: not a committed row")
            continue
        o = old[i]
        for col in ("seq_len", "cublaslt_gemm_ms", "torch_best_ms", "torch_method"):
            n[col] = o[col]
        lt = float(o["cublaslt_gemm_ms"]) if o["cublaslt_gemm_ms"] else None
        n["gemm_fraction_of_cublaslt"] = round(lt / n["gemm_ms"], 3) if lt and n["gemm_ms"] else ""
        best = o["torch_best_ms"]
        n["torch_over_ours"] = (round(commented_csv.number(best) / n["ours_graph_ms"], 3)
                                if commented_csv.number(best) is not None else "")
        old[i] = n
        done.append((f"lra:{n['task']}:{n['arch']}", n["batch"]))
        dates.append(n.pop("_date"))
    for n in rows:
        n.pop("_date", None)
    if not done:
        raise SystemExit("--merge: no committed row to replace")
    # One line per row, in the form app/measured.cpp reads ("<task>,<arch> rows at batch B re-measured (...):
    # <GPU>, ..., commit C, date"): `ssmsim compare` gives that row this provenance.
    lines = [f"# {w.split(':')[1]},{w.split(':')[2]} rows at batch {b} re-measured"
             f"{' (' + args.note.replace(':', ' ') + ')' if args.note else ''}: {gpu}, driver {args.driver}, CUDA 13.0, "
             f"commit {args.commit}, {d}; ours and per-op columns, PyTorch and cuBLASLt columns as measured above, "
             f"ratios recomputed (kernels/tools/gpu_comparison.py --merge)" for (w, b), d in zip(done, dates)]
    names = ", ".join(f"{w} batch {b}" for w, b in done)
    commented_csv.write(e2e, head + lines, columns, old)
    # The replaced rows' ops replace their committed ops in place; a row that had none gets its ops at the end
    # (they used to be dropped).
    new_ops = [o for o in op_rows if (o["workload"], o["batch"]) in done]
    commented_csv.write(ops, ops_head + lines, ops_columns,
                        commented_csv.merge_rows(old_ops, new_ops, lambda o: (o["workload"], int(o["batch"]))))
    print(f"merged {names} into {e2e} and {ops}")
    return [{**r, "batch": int(r["batch"]), **{c: float(r[c]) for c in ("ours_graph_ms", "scan_ms", "attention_ms",
            "gemm_ms", "other_ms")}} for r in old]


def print_tables(rows, dev):
    print("\n| workload | batch | ours int8 (graph) ms | PyTorch float ms | PyTorch / ours | scan | attention | GEMM "
          "| other | GEMM: cuBLASLt / ours |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for x in rows:
        print(f"| lra:{x['task']}:{x['arch']} | {x['batch']} | {x['ours_graph_ms']:.3f} | {x['torch_best_ms']} | "
              f"{x['torch_over_ours']} | {x['scan_ms']:.3f} | {x['attention_ms']:.3f} | {x['gemm_ms']:.3f} | "
              f"{x['other_ms']:.3f} | {x['gemm_fraction_of_cublaslt']} |")
    chain = dev / "chain.json"
    if chain.exists():
        c = json.loads(chain.read_text())
        print(f"\nchain: {c['chain_cycles_per_step']:.1f} cycles per step (contract helpers as written "
              f"{c.get('naive_chain_cycles_per_step', float('nan')):.1f}), SM clock {c['sm_clock_mhz']:.0f} MHz")
        print("| shape | B | L | ch | N | ours ms | cycles/step | x chain | generic ms | generic cycles/step |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for s in c["shapes"]:
            print(f"| {s['shape']} | {s['batch']} | {s['len']} | {s['ch']} | {s['state']} | {s['fast_ms']:.3f} | "
                  f"{s['fast_cycles_per_step']:.0f} | {s['fast_cycles_per_step'] / c['chain_cycles_per_step']:.2f} | "
                  f"{s['generic_ms']:.3f} | {s['generic_cycles_per_step']:.0f} |")


if __name__ == "__main__":
    main()
