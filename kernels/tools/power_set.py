#!/usr/bin/env python3
"""Collects the GPU power model's data (issue 18, docs/models/gpu.md "Energy") from device runs of
`kernels/tools/device_run.sh power`:

  reference/gpu-timings/<gpu>-power.csv      the kernel grid with board power (calibration): copied from
                                             device/h200-power.csv with the commit and driver added
  reference/gpu-timings/<gpu>-lra-power.csv  whole LRA workloads, each CUDA Graph replayed back to back
                                             (validation only: nothing in models/gpu is chosen from it)

Sources: device/h200-power.csv (--grid-run) and device/power/<task>-<arch>-L<L>-b<B>/report.json (every
--run; L0 = full length). A later --run replaces an earlier one's row for the same workload.

Usage: power_set.py --grid-run DIR --run DIR [--run DIR...] --commit HASH --driver VERSION [--repo .]
"""
import argparse
import csv
import json
import pathlib
import re

FULL = {"listops": 2048, "text": 4096, "retrieval": 4000, "image": 1024, "pathfinder": 1024, "pathx": 16384}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid-run", required=True, help="an unpacked results.tar.gz holding device/h200-power.csv")
    ap.add_argument("--run", action="append", default=[], help="an unpacked results.tar.gz (holds device/power)")
    ap.add_argument("--commit", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--repo", default=".")
    a = ap.parse_args()
    out = pathlib.Path(a.repo) / "reference" / "gpu-timings"

    grid = (pathlib.Path(a.grid_run) / "device" / "h200-power.csv").read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(grid) if line.startswith("# method"))
    grid.insert(at, f"# commit: {a.commit} (kernels/ built on the device, Release, sm_90); driver {a.driver}, "
                    "CUDA 13.0\n")
    (out / "h200-power.csv").write_text("".join(grid))

    rows, gpu = {}, None
    for run in a.run:
        for d in sorted((pathlib.Path(run) / "device" / "power").glob("*-L*-b*")):
            task, arch, length, b = re.fullmatch(r"(\w+)-(\w+)-L(\d+)-b(\d+)", d.name).groups()
            r = json.loads((d / "report.json").read_text())
            p = r["power"]
            length = int(length) or FULL[task]
            gpu = r["gpu"]["name"]
            rows[(task, arch, length, int(b))] = {
                "task": task, "arch": arch, "seq_len": length, "batch": int(b),
                "graph_ms": r["timing"]["graph_ms_median"], "replay_ms": round(p["replay_ms"], 4),
                "board_w": round(p["board_w"], 2), "smi_power_w": round(p["smi_power_w"], 2),
                "sm_mhz": round(p["sm_mhz"]), "window_s": round(p["window_s"], 3), "busy": round(p["busy"], 3),
                "energy_per_inference_mj": round(p["energy_per_inference_mj"], 4), "date_utc": r["date_utc"]}
    path = out / "h200-lra-power.csv"
    with path.open("w", newline="") as f:
        first = min(r["date_utc"] for r in rows.values())
        f.write(f"# GPU: {gpu}, driver {a.driver}; commit {a.commit}; {first}\n")
        f.write("# command: kernels/tools/device_run.sh power (POWER_S=0.75), then kernels/tools/power_set.py\n")
        f.write("# ssmsim-cuda run --workload lra:<task>:<arch> --seq-len L [--batch B] --no-op-hashes --graph "
                "--repeat 3 --warmup 1 --power 0.75; board_w: the board energy NVML counts while the graph "
                "replays back to back / the window (report.json 'power'); validation only\n")
        keys = sorted(rows, key=lambda k: (k[3], list(FULL).index(k[0]), k[1], -k[2]))
        w = csv.DictWriter(f, fieldnames=list(rows[keys[0]]), lineterminator="\n")
        w.writeheader()
        for k in keys:
            w.writerow(rows[k])
    print(f"wrote {path} ({len(rows)} rows) and {out / 'h200-power.csv'}")


if __name__ == "__main__":
    main()
