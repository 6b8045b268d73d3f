#!/usr/bin/python3
"""Predicted vs measured kernel times of the GPU model (docs/models/gpu.md, "Validation").

Input: the CSV that `ssmsim-gpu-calibrate eval --out docs/models/gpu_validation.csv` writes (one row per
shape of reference/gpu-timings/h100.csv, with its half and the model's prediction). Output:
docs/models/gpu_validation.png, and on stdout the errors per class of the held-out half next to those of a
plain roofline (max of bytes / 3.35 TB/s and ops / datasheet peak, plus nothing else), the baseline the
model has to beat.
   /usr/bin/python3 scripts/gpu_validation_plot.py
"""
import csv
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

root = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root / "kernels" / "tools"))
import commented_csv  # noqa: E402

rows = list(csv.DictReader(open(root / "docs/models/gpu_validation.csv")))
timings = commented_csv.read(root / "reference/gpu-timings/h100.csv")[2]
assert len(timings) == len(rows), "the predictions do not match h100.csv row for row"

# Roofline: the datasheet peaks that h100.csv's header names.
PEAK = {"int8_tensor": 1979e12, "fp32": 66.9e12}
HBM = 3350e9


def roofline_us(t):
    ops = float(t["ops"] or 0)
    peak = PEAK.get(t["ops_unit"], 66.9e12)
    return max(float(t["bytes"]) / HBM, ops / peak) * 1e6


def errors(pairs):
    e = [abs(p - m) / m * 100 for p, m in pairs]
    return (sum(e) / len(e), max(e)) if e else (0, 0)


classes = sorted({r["class"] for r in rows})
print("class        n  model MAPE  model max  roofline MAPE")
for c in classes + ["overall"]:
    sel = [(r, t) for r, t in zip(rows, timings) if r["half"] == "heldout" and (c == "overall" or r["class"] == c)]
    m = errors([(float(r["predicted_us"]), float(r["measured_us"])) for r, _ in sel])
    rl = errors([(roofline_us(t), float(r["measured_us"])) for r, t in sel])
    print(f"{c:11} {len(sel):3}  {m[0]:9.1f}%  {m[1]:8.1f}%  {rl[0]:12.1f}%")

fig, ax = plt.subplots(figsize=(7, 6.5))
colors = dict(zip(classes, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
for c in classes:
    for half, marker, fill in (("calibration", "o", "none"), ("heldout", "o", None)):
        pts = [(float(r["measured_us"]), float(r["predicted_us"])) for r in rows if r["class"] == c and r["half"] == half]
        if not pts:
            continue
        xs, ys = zip(*pts)
        ax.scatter(xs, ys, s=18, marker=marker, facecolors=fill or colors[c], edgecolors=colors[c],
                   label=f"{c} ({'held-out' if half == 'heldout' else 'calibration'})")
lo, hi = 1, 1e5
ax.plot([lo, hi], [lo, hi], "k-", lw=0.8)
for f in (0.8, 1.25):
    ax.plot([lo, hi], [lo * f, hi * f], "k:", lw=0.6)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlim(lo, hi)
ax.set_ylim(lo, hi)
ax.set_xlabel("measured on H100 SXM (us, median)")
ax.set_ylabel("predicted by the gpu model (us)")
ax.set_title("ssmsim gpu model vs reference/gpu-timings/h100.csv\n(filled: held-out half; dotted: +-25%)")
ax.legend(fontsize=7, ncol=2, loc="upper left")
fig.tight_layout()
fig.savefig(root / "docs/models/gpu_validation.png", dpi=120)
