#!/usr/bin/python3
"""Predicted vs measured board power of the GPU model (docs/models/gpu.md, "Energy").

Inputs: docs/models/gpu_power_calibration.csv (`ssmsim-gpu-calibrate fit-power --out ...`: the kernel grid's
rows, measured and fitted) and docs/models/gpu_lra_power.csv (`ssmsim-gpu-calibrate workloads --csv
reference/gpu-timings/h200-lra-power.csv --out ...`: whole LRA workloads, measured and predicted).
Output: docs/models/gpu_power.png, and on stdout the error distribution of each.
   /usr/bin/python3 scripts/gpu_power_plot.py
"""
import csv
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

root = pathlib.Path(__file__).resolve().parent.parent
grid = list(csv.DictReader(open(root / "docs/models/gpu_power_calibration.csv")))
runs = list(csv.DictReader(open(root / "docs/models/gpu_lra_power.csv")))


def kernel_class(k):
    if "scan" in k:
        return "scan"
    if k.startswith("linear"):
        return "GEMM"
    if k.startswith("attention"):
        return "attention"
    if k.startswith(("conv1d", "rmsnorm", "layernorm")):
        return "conv1d, norm"
    return "elementwise, copy"


def spread(errors):
    e = sorted(abs(x) for x in errors)
    n = len(e)
    return (f"n={n} MAPE {sum(e) / n:.1f}% median {e[n // 2]:.1f}% 90th {e[int(0.9 * (n - 1))]:.1f}% "
            f"worst {e[-1]:.1f}%; within 10%: {sum(x <= 10 for x in e)}, within 15%: {sum(x <= 15 for x in e)}")


fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
ax = axes[0]
for cls in ["GEMM", "attention", "scan", "conv1d, norm", "elementwise, copy"]:
    rs = [r for r in grid if kernel_class(r["kernel"]) == cls]
    ax.scatter([float(r["measured_w"]) for r in rs], [float(r["fitted_w"]) for r in rs], s=14, label=cls)
    print(f"calibration {cls:18}", spread([float(r["error_pct"]) for r in rs]))
print("calibration overall           ", spread([float(r["error_pct"]) for r in grid]))
ax.set_title("Calibration: kernel grid (h200-power.csv)")
ax2 = axes[1]
for arch in ["s4d", "mamba", "transformer"]:
    rs = [r for r in runs if r["arch"] == arch]
    ax2.scatter([float(r["measured_w"]) for r in rs], [float(r["predicted_w"]) for r in rs], s=14, label=arch)
    print(f"validation {arch:19}", spread([float(r["power_error_pct"]) for r in rs]))
print("validation overall            ", spread([float(r["power_error_pct"]) for r in runs]))
ax2.set_title("Validation: whole LRA workloads (h200-lra-power.csv)")
for a in axes:
    lo, hi = 100, 750
    a.plot([lo, hi], [lo, hi], "k-", lw=0.8)
    a.plot([lo, hi], [lo * 1.15, hi * 1.15], "k:", lw=0.6)
    a.plot([lo, hi], [lo * 0.85, hi * 0.85], "k:", lw=0.6, label="±15%")
    a.set_xlim(lo, hi)
    a.set_ylim(lo, hi)
    a.set_xlabel("measured board power (W, NVML energy counter)")
    a.set_ylabel("model (W)")
    a.legend(fontsize=8)
    a.grid(alpha=0.3)
fig.suptitle("GPU power model, H200 (ssmsim-gpu-calibrate fit-power; configs/gpu-h200.json energy.*)")
fig.tight_layout()
fig.savefig(root / "docs/models/gpu_power.png", dpi=110)
print("wrote docs/models/gpu_power.png")
