#!/usr/bin/python3
"""DRAM traffic and time of the systolic model against activation-SRAM size on the LRA tasks.

Usage: scripts/systolic_sram_knee.py BUILD_DIR OUT_DIR [ARCH]
Runs `ssmsim gen --shape-only` once per task and `ssmsim run --model systolic` (timing only) for each SRAM
size; writes OUT_DIR/sram_knee.csv and, when matplotlib is there, OUT_DIR/sram_knee.png.
"""
import csv
import json
import os
import subprocess
import sys

TASKS = ["listops", "text", "retrieval", "image", "pathfinder", "pathx"]
KIB = [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]


def main():
    build, out = sys.argv[1], sys.argv[2]
    arch = sys.argv[3] if len(sys.argv) > 3 else "mamba"
    ssmsim = os.path.join(build, "ssmsim")
    os.makedirs(out, exist_ok=True)
    rows = []
    for task in TASKS:
        trace = os.path.join(out, "traces", f"{task}-{arch}")
        subprocess.run([ssmsim, "gen", f"lra:{task}:{arch}", "--shape-only", "--out", trace],
                       check=True, stdout=subprocess.DEVNULL)
        for kib in KIB:
            run_dir = os.path.join(out, "runs", f"{task}-{arch}-{kib}")
            subprocess.run([ssmsim, "run", "--model", "systolic", "--workload", trace, "-q", "--out", run_dir,
                            "--set", f"sram.activations.kib={kib}"], check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(run_dir, "report.json")) as f:
                r = json.load(f)
            rows.append({"task": task, "arch": arch, "activation_sram_kib": kib, "cycles": r["cycles"],
                         "seconds": r["seconds"], "dram_bytes": r["dram_bytes"], "energy_pj": r["energy_pj"],
                         "memory_bound_ops": r["memory_bound_ops"]})
    with open(os.path.join(out, "sram_knee.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not found: wrote the CSV only")
        return
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for task in TASKS:
        t = [r for r in rows if r["task"] == task]
        x = [r["activation_sram_kib"] for r in t]
        axes[0].plot(x, [r["dram_bytes"] / 2**20 for r in t], marker="o", label=task)
        axes[1].plot(x, [r["seconds"] * 1e3 for r in t], marker="o", label=task)
        axes[2].plot(x, [r["energy_pj"] * 1e-6 for r in t], marker="o", label=task)
    for ax, label in zip(axes, ["DRAM traffic (MiB)", "latency (ms)", "energy (uJ)"]):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("activation SRAM (KiB)")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"systolic-edge, LRA {arch}, full length, timing only")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "sram_knee.png"), dpi=110)


if __name__ == "__main__":
    main()
