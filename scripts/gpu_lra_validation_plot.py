#!/usr/bin/python3
"""The GPU model against whole LRA workloads measured on the H200 (docs/models/gpu.md, "Whole workloads").

Inputs: docs/models/gpu_lra_validation.csv (one row per validation run: measured graph ms, predicted ms) and
docs/models/gpu_lra_ops_validation.csv (every op of 10 us or more of those runs), as
`ssmsim-gpu-calibrate workloads ... --ops-out` writes them. Output: docs/models/gpu_lra_validation.png with
three panels (predicted vs measured per workload, coloured by architecture; the same per op, coloured by
kernel class; the distribution of the errors of both), and on stdout the per-class figures.
   /usr/bin/python3 scripts/gpu_lra_validation_plot.py
"""
import csv
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "models"
CLASSES = {"s4d_scan": "scan", "selective_scan": "scan", "attention": "attention", "linear": "GEMM",
           "classifier": "GEMM"}


def rows(name):
    path = DOCS / name
    if not path.exists():
        sys.exit(f"{path}: not found (run ssmsim-gpu-calibrate workloads first)")
    with path.open() as f:
        return list(csv.DictReader(f))


def diagonal(ax, lo, hi):
    ax.plot([lo, hi], [lo, hi], color="black", lw=0.8)
    for f in (0.95, 1.05):
        ax.plot([lo, hi], [lo * f, hi * f], color="grey", lw=0.5, ls="--")
    ax.set_xscale("log")
    ax.set_yscale("log")


def main():
    runs = rows("gpu_lra_validation.csv")
    ops = rows("gpu_lra_ops_validation.csv")
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))

    ax = axes[0]
    for arch, colour in (("s4d", "tab:blue"), ("mamba", "tab:orange"), ("transformer", "tab:green")):
        mine = [r for r in runs if r["arch"] == arch]
        ax.scatter([float(r["measured_graph_ms"]) for r in mine], [float(r["predicted_ms"]) for r in mine],
                   s=14, color=colour, label=f"{arch} ({len(mine)})")
    diagonal(ax, 0.03, 300)
    ax.set_xlabel("measured ms (CUDA Graph, H200)")
    ax.set_ylabel("predicted ms (gpu-h200)")
    ax.set_title("whole workloads (dashed: ±5%)")
    ax.legend()

    ax = axes[1]
    by_class = {}
    for r in ops:
        by_class.setdefault(CLASSES.get(r["kind"], "other"), []).append(r)
    for cls, colour in (("scan", "tab:blue"), ("attention", "tab:green"), ("GEMM", "tab:red"),
                        ("other", "tab:grey")):
        mine = by_class.get(cls, [])
        ax.scatter([float(r["measured_ms"]) for r in mine], [float(r["predicted_ms"]) for r in mine], s=4,
                   color=colour, alpha=0.5, label=f"{cls} ({len(mine)})")
    diagonal(ax, 0.008, 30)
    ax.set_xlabel("measured ms (per-op mode)")
    ax.set_ylabel("predicted ms")
    ax.set_title("ops of 10 us or more")
    ax.legend()

    ax = axes[2]
    bins = [x for x in range(-60, 62, 2)]
    clip = lambda e: max(-59.0, min(59.0, e))  # noqa: E731
    ax.hist([clip(float(r["error_pct"])) for r in ops], bins=bins, alpha=0.5, density=True, label="ops")
    ax.hist([clip(float(r["error_pct"])) for r in runs], bins=bins, alpha=0.7, density=True,
            label="whole workloads")
    ax.axvspan(-5, 5, color="grey", alpha=0.15)
    ax.set_xlabel("error % (predicted / measured - 1; clipped at ±59)")
    ax.set_title("error distribution")
    ax.legend()

    fig.tight_layout()
    out = DOCS / "gpu_lra_validation.png"
    fig.savefig(out, dpi=110)
    print(f"wrote {out.relative_to(ROOT)}")
    for cls, mine in sorted(by_class.items()):
        errs = [abs(float(r["error_pct"])) for r in mine]
        print(f"{cls:10} ops {len(mine):5}  MAPE {sum(errs) / len(errs):5.1f}%  worst {max(errs):6.1f}%")


if __name__ == "__main__":
    main()
