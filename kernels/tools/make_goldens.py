#!/usr/bin/env python3
"""Turns the device run's reports (kernels/tools/device_run.sh, phases golden and full) into the committed
goldens: reference/golden/manifest.json (per-workload output hashes, every op's output hash and saturation
count, provenance) and the output tensors of the reduced-length cases; and the per-op LRA timings into
reference/gpu-timings/<gpu>-lra-ops.csv.

Usage: make_goldens.py --runs DIR [DIR...] --driver 580.159.04 --commit HASH --repo .
(DIR: an unpacked results.tar.gz, holding device/golden/* and/or device/full/* and device/timed/*, and
device/e2e/*-b1)

--update: the runs replace only the cases they hold (same workload and length); every other case of the
committed manifest is kept as it is, and no timing CSV is written (a partial run is not a timing set). For
re-making the goldens of a workload whose definition changed.

Full-length cases: when the runs hold no device/full/* (the reference at full length is slow), the
manifest's existing full-length cases are kept, and each one that a run's end-to-end report (device/e2e,
batch 1, every op hashed) reproduces op for op is marked with that run in provenance.reproduced_on.
"""
import argparse
import csv
import json
import pathlib
import shutil

TASK_ORDER = ["listops", "text", "retrieval", "image", "pathfinder", "pathx"]
ARCH_ORDER = ["s4d", "mamba", "transformer"]


def case_key(c):
    _, task, arch = c["workload"].split(":")
    return (c["seq_len"] == 0, TASK_ORDER.index(task), ARCH_ORDER.index(arch))


def load(report_dir, seq_len, command, ctest, driver, commit):
    r = json.loads((report_dir / "report.json").read_text())
    check = r.get("reference_check", {})
    if not check.get("ok"):
        raise SystemExit(f"{report_dir}: no passing reference check, not a golden")
    return {
        "workload": r["workload"], "seed": 1, "seq_len": seq_len, "numerics": r["numerics"], "ctest": ctest,
        "output_sha256": r["output_sha256"], "saturations": r["saturations"],
        "outputs": {k: v["sha256"] for k, v in r["outputs"].items()},
        "ops": [{"name": o["name"], "output_sha256": o["output_sha256"], "saturations": o["saturations"]}
                for o in r["ops"]],
        "provenance": {"gpu": r["gpu"]["name"], "driver": driver, "cuda_runtime": r["gpu"]["cuda_runtime"],
                       "date_utc": r["date_utc"], "commit": commit, "command": command,
                       "device_check": check["summary"]},
    }


def kept_full_cases(manifest, runs, commit):
    """The existing full-length cases, each marked where an end-to-end report reproduces every op's hash."""
    if not manifest.exists():
        return []
    full = [c for c in json.loads(manifest.read_text())["cases"] if c["seq_len"] == 0]
    by_name = {c["workload"]: c for c in full}
    for run in map(pathlib.Path, runs):
        for d in sorted((run / "device" / "e2e").glob("*-b1")):
            r = json.loads((d / "report.json").read_text())
            c = by_name.get(r["workload"])
            if c is None or r["output_sha256"] != c["output_sha256"] or len(r["ops"]) != len(c["ops"]):
                continue
            if all(a.get("output_sha256") == b["output_sha256"] and a["saturations"] == b["saturations"]
                   for a, b in zip(r["ops"], c["ops"])):
                seen = c["provenance"].setdefault("reproduced_on", [])
                entry = {"gpu": r["gpu"]["name"], "date_utc": r["date_utc"], "commit": commit,
                         "command": f"ssmsim-cuda run --workload {r['workload']} --graph --repeat 10 --warmup 2"}
                if entry not in seen:
                    seen.append(entry)
    return full


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", nargs="+", required=True)
    p.add_argument("--driver", required=True)
    p.add_argument("--commit", required=True, help="the commit the device run built (its env log names it)")
    p.add_argument("--repo", default=".")
    p.add_argument("--update", action="store_true", help="replace only the cases the runs hold")
    args = p.parse_args()
    repo = pathlib.Path(args.repo)
    golden = repo / "reference" / "golden"
    cases, timings, timings_gpu = [], [], set()
    for run in map(pathlib.Path, args.runs):
        for d in sorted((run / "device" / "golden").glob("*-int8")):
            seq_len = int(d.name.split("-")[2])
            r = json.loads((d / "report.json").read_text())
            cmd = (f"ssmsim-cuda run --workload {r['workload']} --seq-len {seq_len} --numerics int8 "
                   f"--check-reference --repeat 5")
            cases.append(load(d, seq_len, cmd, True, args.driver, args.commit))
            dest = golden / "tensors" / d.name
            dest.mkdir(parents=True, exist_ok=True)
            for f in (d / "outputs").glob("*.npy"):
                shutil.copy(f, dest / f.name)
        for d in sorted((run / "device" / "full").glob("*-int8")):
            r = json.loads((d / "report.json").read_text())
            cmd = f"ssmsim-cuda run --workload {r['workload']} --check-reference --repeat 1 --warmup 0"
            cases.append(load(d, 0, cmd, False, args.driver, args.commit))
        for d in sorted((run / "device" / "timed").glob("*-int8")):
            r = json.loads((d / "report.json").read_text())
            timings_gpu.add(r["gpu"]["name"])
            for i, o in enumerate(r["ops"]):
                timings.append({"workload": r["workload"], "seq_len": "full", "op_index": i, "op": o["name"],
                                "kind": o["kind"], "macs": o["macs"], "bytes_read": o["bytes_read"],
                                "bytes_written": o["bytes_written"], "gpu_us_median": round(1000 * o["gpu_ms_median"], 3),
                                "gpu_us_min": round(1000 * o["gpu_ms_min"], 3),
                                "gpu_us_max": round(1000 * o["gpu_ms_max"], 3),
                                "repeat": r["timing"]["repeat"], "date_utc": r["date_utc"]})
    if args.update:
        new = {(c["workload"], c["seq_len"], c["numerics"]) for c in cases}
        old = json.loads((golden / "manifest.json").read_text())["cases"]
        cases += [c for c in old if (c["workload"], c["seq_len"], c["numerics"]) not in new]
        timings = []
    elif not any(c["seq_len"] == 0 for c in cases):
        cases += kept_full_cases(golden / "manifest.json", args.runs, args.commit)
    cases.sort(key=case_key)
    manifest = {
        "format": "ssmsim-goldens", "version": 1,
        "about": ("Output hashes of the CUDA kernels (kernels/) on a GPU, each checked on the device to be "
                  "byte-identical, op by op, to the C++ reference built there. tests/golden regenerates the "
                  "cases with ctest=true on a CPU and compares; the full-length cases are checked when "
                  "SSMSIM_GOLDEN_FULL=1. tensors/<case>/ holds the reduced-length output tensors."),
        "cases": cases,
    }
    golden.mkdir(parents=True, exist_ok=True)
    (golden / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {golden / 'manifest.json'}: {len(cases)} cases")
    if timings:
        gpu = next(iter(timings_gpu)) if timings_gpu else "NVIDIA H100 80GB HBM3"
        tag = next((t for t in ("h200", "h100", "a100") if t in gpu.lower()), "gpu")
        out = repo / "reference" / "gpu-timings" / f"{tag}-lra-ops.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="") as f:
            f.write("# per-op GPU times of the full-length LRA workloads (int8, seed 1) with the kernels of kernels/,\n")
            f.write(f"# {gpu}, driver {args.driver}, CUDA 13.0, commit {args.commit}; command: ssmsim-cuda run --workload "
                    "lra:<task>:<arch> --repeat 10 (warm-up 2);\n")
            f.write("# method: CUDA events around every op, each pass queued behind a GPU-side wait, median of 10 "
                    "passes, clocks as found\n")
            w = csv.DictWriter(f, fieldnames=list(timings[0].keys()))
            w.writeheader()
            w.writerows(timings)
        print(f"wrote {out}: {len(timings)} rows")


if __name__ == "__main__":
    main()
