#!/usr/bin/env python3
"""Replaces one kernel's rows of a committed kernel grid (reference/gpu-timings/<gpu>.csv, written by
`ssmsim-cuda bench`) with a later `ssmsim-cuda bench --filter KERNEL` run of the same points, in place and in
the grid's order, and records in the grid's '#' header which rows came from which run.

The new run must hold exactly the grid's points of that kernel (same shape columns); its columns are cut to
the grid's. Every other row and header line is kept as it was.

Usage: grid_merge.py --grid reference/gpu-timings/h200.csv --new h200-s4d.csv --kernel s4d_scan_i8
                     --commit HASH --driver VERSION [--note TEXT]
"""
import argparse

import commented_csv

SHAPE = ["kernel", "m", "n", "k", "batch", "len", "ch", "state", "taps", "heads", "elements"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--note", default="", help="added to the provenance line (why, what else the run measured)")
    a = ap.parse_args()
    head, fields, rows = commented_csv.read(a.grid)
    new_head, _, new_rows = commented_csv.read(a.new)
    key = lambda r: tuple(r[c] for c in SHAPE)
    new = {key(r): r for r in new_rows if r["kernel"] == a.kernel}
    old = [key(r) for r in rows if r["kernel"] == a.kernel]
    if sorted(old) != sorted(new):
        raise SystemExit(f"{a.new} does not hold exactly the grid's {len(old)} {a.kernel} points "
                         f"({len(new)} given)")
    date = next((x.split(":", 1)[1].strip() for x in new_head if x.startswith("# date_utc:")), "?")
    command = next((x.split(":", 1)[1].strip() for x in new_head if x.startswith("# command:")), "?")
    head.append(f"# {a.kernel} rows ({len(new)}): re-measured {date}, commit {a.commit} (kernels/ built on the "
                f"device, Release, sm_90; driver {a.driver}, CUDA 13.0), command: {command}; method as above; "
                f"they replace that kernel's rows of the run above, every other row is that run's "
                f"(kernels/tools/grid_merge.py)")
    # The new run's extra columns are cut to the grid's.
    commented_csv.write(a.grid, head, fields, commented_csv.merge_rows(rows, list(new.values()), key),
                        ignore_extra=True)
    print(f"{a.grid}: {len(new)} {a.kernel} rows replaced")


if __name__ == "__main__":
    main()
