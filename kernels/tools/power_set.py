#!/usr/bin/env python3
"""Collects the GPU power model's data (issue 18, docs/models/gpu.md "Energy") from device runs of
`kernels/tools/device_run.sh power`:

  reference/gpu-timings/<gpu>-power.csv      the kernel grid with board power (calibration): copied from
                                             device/h200-power.csv with the commit and driver added
  reference/gpu-timings/<gpu>-lra-power.csv  whole LRA workloads, each CUDA Graph replayed back to back
                                             (validation only: nothing in models/gpu is chosen from it)

Sources: device/h200-power.csv (--grid-run) and device/power/<task>-<arch>-L<L>-b<B>/report.json (every
--run; L0 = full length). A later --run replaces an earlier one's row for the same workload. Every row of
<gpu>-lra-power.csv names the commit of the binary that measured it (column commit).

--merge (without --grid-run): the committed <gpu>-lra-power.csv is read first (rows without a commit column
take the commit of its first '#' line); the runs found under --run are added or replace the committed row of
the same workload, length and batch; a '#' line records which rows came from which commit and when (--note
adds why).

Usage: power_set.py --grid-run DIR --run DIR [--run DIR...] --commit HASH --driver VERSION [--repo .]
       power_set.py --merge --run DIR [--run DIR...] --commit HASH --driver VERSION [--note TEXT] [--repo .]
"""
import argparse
import json
import pathlib
import re

import commented_csv

FULL = {"listops": 2048, "text": 4096, "retrieval": 4000, "image": 1024, "pathfinder": 1024, "pathx": 16384}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid-run", help="an unpacked results.tar.gz holding device/h200-power.csv")
    ap.add_argument("--run", action="append", default=[], help="an unpacked results.tar.gz (holds device/power)")
    ap.add_argument("--commit", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--repo", default=".")
    ap.add_argument("--merge", action="store_true", help="add to / replace rows of the committed lra-power CSV")
    ap.add_argument("--note", default="")
    a = ap.parse_args()
    out = pathlib.Path(a.repo) / "reference" / "gpu-timings"
    if a.merge == bool(a.grid_run):
        raise SystemExit("give --grid-run (a new data set) or --merge (rows into the committed one), not both")
    if a.merge:
        return merge(a, out / "h200-lra-power.csv", read_runs(a.run, a.commit)[0])

    grid = (pathlib.Path(a.grid_run) / "device" / "h200-power.csv").read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(grid) if line.startswith("# method"))
    grid.insert(at, f"# commit: {a.commit} (kernels/ built on the device, Release, sm_90); driver {a.driver}, "
                    "CUDA 13.0\n")
    commented_csv.write_text(out / "h200-power.csv", "".join(grid))

    rows, gpu = read_runs(a.run, a.commit)
    path = out / "h200-lra-power.csv"
    first = min(r["date_utc"] for r in rows.values())
    write_rows(path, [f"# GPU: {gpu}, driver {a.driver}; commit {a.commit}; {first}",
                      "# command: kernels/tools/device_run.sh power (POWER_S=0.75), then kernels/tools/power_set.py",
                      "# ssmsim-cuda run --workload lra:<task>:<arch> --seq-len L [--batch B] --no-op-hashes --graph "
                      "--repeat 3 --warmup 1 --power 0.75; board_w: the board energy NVML counts while the graph "
                      "replays back to back / the window (report.json 'power'); validation only"], rows)
    print(f"wrote {path} ({len(rows)} rows) and {out / 'h200-power.csv'}")


def order(k):
    return (k[3], list(FULL).index(k[0]), k[1], -k[2])


def write_rows(path, comments, rows):
    """rows: {(task, arch, seq_len, batch): row}, written in order(); the columns are those of the first."""
    ordered = [rows[k] for k in sorted(rows, key=order)]
    commented_csv.write(path, comments, list(ordered[0]), ordered)


def merge(a, path, new):
    head, _, committed = commented_csv.read(path)
    first_commit = re.search(r"commit ([0-9a-f]{40})", head[0])[1]
    rows = {}
    for r in committed:
        r.setdefault("commit", first_commit)
        rows[(r["task"], r["arch"], int(r["seq_len"]), int(r["batch"]))] = r
    replaced = [k for k in new if k in rows]
    dates = sorted(r["date_utc"] for r in new.values())
    name = lambda k: f"{k[0]}:{k[1]} L={k[2]} b={k[3]}"
    line = (f"# {len(new)} runs with commit {a.commit} (driver {a.driver}), {dates[0]} to {dates[-1]}"
            f"{'; ' + a.note if a.note else ''}: {len(new) - len(replaced)} added, {len(replaced)} replace the "
            f"earlier row of the same run{' (' + ', '.join(name(k) for k in sorted(replaced, key=order)) + ')' if replaced else ''}"
            f" (kernels/tools/power_set.py --merge)")
    rows.update(new)
    if "column commit" not in head[0]:
        head[0] += " (the first runs; later runs below, each row's binary in column commit)"
    write_rows(path, head + [line], rows)
    print(f"{path}: {len(new) - len(replaced)} rows added, {len(replaced)} replaced, {len(rows)} in all")


def read_runs(runs, commit):
    rows, gpu = {}, None
    for run in runs:
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
                "energy_per_inference_mj": round(p["energy_per_inference_mj"], 4), "date_utc": r["date_utc"],
                "commit": commit}
    if not rows:
        raise SystemExit("no device/power/*/report.json under the --run folders")
    return rows, gpu


if __name__ == "__main__":
    main()
