#!/usr/bin/env python3
"""Collects the GPU timing model's validation set (issue 18) from device runs (kernels/tools/device_run.sh):
every LRA workload end to end as one CUDA Graph, at its full length and two other lengths, at batch 1, 8
and 32. These rows are validation only: nothing fitted or hand-set in models/gpu may be chosen from them.

  reference/gpu-timings/<gpu>-lra-validation.csv      one row per (workload, length, batch): graph ms and
                                                      the sum of per-op medians
  reference/gpu-timings/<gpu>-lra-validation-ops.csv  every op of the runs that have a report

Sources: device/e2e/<task>-<arch>-b<B>/report.json (full length), device/validate/<task>-<arch>-L<L>-b<B>/
report.json, and, for runs whose report did not come back, the "graph N ms" line of a run log (--log, full
length; the row's source says so and its ops are missing).

With --merge the committed CSVs are read first and only the runs found under --run replace their rows (and
all of those runs' ops); a '#' line records which rows came from which commit and when (--note adds why).

Usage: validation_set.py --run DIR [--run DIR...] [--log LOG --log-batch B] --commit HASH --driver VERSION
                         [--merge [--note TEXT]]
"""
import argparse
import json
import pathlib
import re

import commented_csv

FULL = {"listops": 2048, "text": 4096, "retrieval": 4000, "image": 1024, "pathfinder": 1024, "pathx": 16384}
LINE = re.compile(r"^lra:(\w+):(\w+) \((\d+) ops, int8\): gpu ([\d.]+) ms, graph ([\d.]+) ms")


def from_report(path, task, arch, seq_len, batch, source):
    r = json.loads(path.read_text())
    row = {"task": task, "arch": arch, "seq_len": seq_len, "batch": batch,
           "graph_ms": r["timing"]["graph_ms_median"], "ops_sum_ms": r["timing"]["total_ms_median"],
           "ops": len(r["ops"]), "date_utc": r["date_utc"], "source": source}
    ops = [{"task": task, "arch": arch, "seq_len": seq_len, "batch": batch, "op": o["name"], "kind": o["kind"],
            "gpu_ms_median": o["gpu_ms_median"]} for o in r["ops"]]
    return row, ops, r["gpu"]["name"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", action="append", default=[], help="an unpacked results.tar.gz (holds device/)")
    ap.add_argument("--log", help="a device run's log.txt with full-length e2e lines whose reports are missing")
    ap.add_argument("--log-batch", type=int, default=8)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--repo", default=".")
    ap.add_argument("--merge", action="store_true", help="replace only these runs' rows of the committed CSVs")
    ap.add_argument("--note", default="", help="with --merge: why these rows were re-measured")
    a = ap.parse_args()

    rows, ops, gpu = {}, [], None
    for run in a.run:
        dev = pathlib.Path(run) / "device"
        for d in sorted((dev / "e2e").glob("*-b*")):
            task, arch, b = re.fullmatch(r"(\w+)-(\w+)-b(\d+)", d.name).groups()
            row, o, gpu = from_report(d / "report.json", task, arch, FULL[task], int(b), "e2e")
            rows[(task, arch, FULL[task], int(b))] = row
            ops += o
        for d in sorted((dev / "validate").glob("*-L*-b*")):
            task, arch, length, b = re.fullmatch(r"(\w+)-(\w+)-L(\d+)-b(\d+)", d.name).groups()
            row, o, gpu = from_report(d / "report.json", task, arch, int(length), int(b), "validate")
            rows[(task, arch, int(length), int(b))] = row
            ops += o
    if a.log:
        for line in pathlib.Path(a.log).read_text().splitlines():
            m = LINE.match(line)
            key = m and (m[1], m[2], FULL[m[1]], a.log_batch)
            if m and key not in rows:
                rows[key] = {"task": m[1], "arch": m[2], "seq_len": FULL[m[1]], "batch": a.log_batch,
                             "graph_ms": float(m[5]), "ops_sum_ms": float(m[4]), "ops": int(m[3]),
                             "date_utc": "", "source": "log (report not brought back)"}
    if not rows or gpu is None:
        raise SystemExit("no reports found under the --run folders")

    tag = "h200" if "H200" in gpu else gpu.lower().replace(" ", "-")
    out = pathlib.Path(a.repo) / "reference" / "gpu-timings"
    if a.merge:
        return merge(a, out / f"{tag}-lra-validation.csv", out / f"{tag}-lra-validation-ops.csv", rows, ops, tag)
    head = [f"# GPU: {gpu}, driver {a.driver}; commit {a.commit}",
            "# command: kernels/tools/device_run.sh e2e validate (E2E_BATCH / VAL_BATCH = 1 8 32), then "
            "kernels/tools/validation_set.py",
            "# ssmsim-cuda run --workload lra:<task>:<arch> [--seq-len L] [--batch B --no-op-hashes] --graph "
            "--repeat 10 --warmup 2; graph_ms: median CUDA Graph replay; ops_sum_ms: sum of per-op medians",
            "# the GPU timing model's VALIDATION set: no model parameter may be chosen from these rows"]
    key = lambda r: (list(FULL).index(r["task"]), r["arch"], r["seq_len"], r["batch"])
    commented_csv.write(out / f"{tag}-lra-validation.csv", head, list(next(iter(rows.values()))),
                        sorted(rows.values(), key=key))
    commented_csv.write(out / f"{tag}-lra-validation-ops.csv", head, list(ops[0]), ops)
    print(f"wrote {tag}-lra-validation.csv ({len(rows)} rows) and {tag}-lra-validation-ops.csv ({len(ops)} ops)")


def merge(a, val_path, ops_path, rows, ops, tag):
    """Replaces the committed rows (and every op) of the runs in `rows`, keeping all others and their order."""
    key = lambda r: (r["task"], r["arch"], int(r["seq_len"]), int(r["batch"]))
    head, fields, old = commented_csv.read(val_path)
    ops_head, ops_fields, old_ops = commented_csv.read(ops_path)
    missing = [k for k in rows if k not in {key(r) for r in old}]
    if missing:
        raise SystemExit(f"--merge: runs not in {val_path.name}: {missing}")
    dates = sorted(r["date_utc"] for r in rows.values() if r["date_utc"])
    names = ", ".join(f"{t}:{ar} L={n} b={b}" for t, ar, n, b in sorted(rows, key=lambda k: (k[3], k[0], k[1], k[2])))
    line = (f"# {len(rows)} rows re-measured with commit {a.commit} (driver {a.driver}), {dates[0]} to {dates[-1]}"
            f"{'; ' + a.note if a.note else ''}; they and their ops replace the earlier rows "
            f"(kernels/tools/validation_set.py --merge): {names}")
    commented_csv.write(val_path, head + [line], fields, commented_csv.merge_rows(old, list(rows.values()), key))
    commented_csv.write(ops_path, ops_head + [line], ops_fields, commented_csv.merge_rows(old_ops, ops, key))
    n_ops = len(ops)
    print(f"merged {len(rows)} rows and {n_ops} ops into {tag}-lra-validation.csv and {tag}-lra-validation-ops.csv")


if __name__ == "__main__":
    main()
