#!/usr/bin/env python3
"""Training curves of train.py runs: running train loss and test accuracy against examples seen.

  /usr/bin/python3 workloads/training/plot_training.py RUN_DIR [RUN_DIR ...] --out curves.png

Each RUN_DIR holds a training.csv (train.py's); the legend names it by its folder (and its parent's, where
two folders share a name).
"""
import argparse
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{path}: no rows")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4))
    names = [os.path.basename(os.path.normpath(run)) for run in a.runs]
    for run, name in zip(a.runs, names):
        rows = read(os.path.join(run, "training.csv"))
        if names.count(name) > 1:  # runs of the same model: name them by their parent folder too
            name = os.path.join(os.path.basename(os.path.dirname(os.path.normpath(run))), name)
        seen = [int(r["examples"]) for r in rows]
        loss_ax.plot(seen, [float(r["train_loss"]) for r in rows], label=name)
        tested = [(int(r["examples"]), float(r["test_acc"])) for r in rows if r["test_acc"]]
        acc_ax.plot([x for x, _ in tested], [100 * y for _, y in tested], marker="o", label=name)
    loss_ax.set(xlabel="training examples seen", ylabel="running train loss (cross-entropy)")
    acc_ax.set(xlabel="training examples seen", ylabel="test accuracy (%)")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)


if __name__ == "__main__":
    main()
