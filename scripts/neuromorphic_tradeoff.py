#!/usr/bin/python3
"""Energy, spikes, latency and output error of the neuromorphic model against the sigma-delta threshold.

Usage: scripts/neuromorphic_tradeoff.py BUILD_DIR OUT_DIR [SEQ_LEN] [SEEDS]
For every LRA task x architecture and SEEDS seeds (weights and inputs), runs `ssmsim run --model reference`
once and `ssmsim run --model neuromorphic --set sigma_delta.threshold=T` for each threshold, at SEQ_LEN
tokens (default 256). The SNR pools the output logits of all seeds (signal = sum ref^2, noise =
sum (model - ref)^2); class agreement is the fraction of seeds whose argmax matches the reference's.
Writes OUT_DIR/neuromorphic_tradeoff.csv and, when matplotlib is there, OUT_DIR/neuromorphic_tradeoff.png.
"""
import csv
import glob
import json
import math
import os
import subprocess
import sys

import numpy as np

TASKS = ["listops", "text", "retrieval", "image", "pathfinder", "pathx"]
ARCHS = ["s4d", "mamba", "transformer"]
THRESHOLDS = [0, 1, 2, 4, 8, 16, 32]


def run(ssmsim, out, *args):
    subprocess.run([ssmsim, "run", "-q", "--out", out, *args], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    outputs = {os.path.basename(p): np.load(p) for p in sorted(glob.glob(os.path.join(out, "outputs", "*.npy")))}
    return report, outputs


def main():
    build, out = sys.argv[1], sys.argv[2]
    seq_len = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    seeds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    ssmsim = os.path.join(build, "ssmsim")
    work = os.path.join(out, "runs")
    os.makedirs(work, exist_ok=True)
    rows = []
    for task in TASKS:
        for arch in ARCHS:
            wl = ["--workload", f"lra:{task}:{arch}", "--seq-len", str(seq_len)]
            refs = []
            for seed in range(1, seeds + 1):
                refs.append(run(ssmsim, os.path.join(work, "ref"), "--model", "reference", *wl, "--seed", str(seed)))
            for th in THRESHOLDS:
                acc = {"energy": 0.0, "dynamic": 0.0, "spikes": 0.0, "values": 0.0, "seconds": 0.0}
                signal = noise = 0.0
                agree = 0
                exact = True
                for seed in range(1, seeds + 1):
                    rep, outs = run(ssmsim, os.path.join(work, "nm"), "--model", "neuromorphic", *wl,
                                    "--seed", str(seed), "--set", f"sigma_delta.threshold={th}",
                                    "--set", "report.compare_with_reference=false")
                    ref_rep, ref_outs = refs[seed - 1]
                    exact = exact and rep["output_sha256"] == ref_rep["output_sha256"]
                    acc["energy"] += rep["energy_pj"]
                    acc["dynamic"] += rep["dynamic_energy_pj"]
                    acc["spikes"] += rep["sigma_delta"]["spikes"]
                    acc["values"] += rep["sigma_delta"]["values"]
                    acc["seconds"] += rep["seconds"]
                    for name, r in ref_outs.items():
                        r = r.astype(np.float64)
                        m = outs[name].astype(np.float64)
                        signal += float(np.sum(r * r))
                        noise += float(np.sum((m - r) ** 2))
                    first = sorted(ref_outs)[0]
                    agree += int(np.argmax(outs[first]) == np.argmax(ref_outs[first]))
                snr = 10 * math.log10(signal / noise) if noise > 0 and signal > 0 else float("inf")
                rows.append({"task": task, "arch": arch, "seq_len": seq_len, "seeds": seeds, "threshold": th,
                             "energy_uj": acc["energy"] / seeds * 1e-6,
                             "dynamic_energy_uj": acc["dynamic"] / seeds * 1e-6,
                             "spikes": acc["spikes"] / seeds,
                             "sparsity": 1 - acc["spikes"] / acc["values"],
                             "latency_ms": acc["seconds"] / seeds * 1e3,
                             "snr_db": snr, "class_agreement": agree / seeds, "bit_exact": exact})
                print(f"{task}:{arch} threshold {th}: {rows[-1]['energy_uj']:.1f} uJ, snr {snr:.1f} dB",
                      flush=True)
    with open(os.path.join(out, "neuromorphic_tradeoff.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not found: wrote the CSV only")
        return
    fig, axes = plt.subplots(3, 3, figsize=(15, 11), sharex=True)
    for i, arch in enumerate(ARCHS):
        for task in TASKS:
            t = [r for r in rows if r["arch"] == arch and r["task"] == task]
            x = [r["threshold"] for r in t]
            e0 = t[0]["dynamic_energy_uj"]
            axes[i][0].plot(x, [r["dynamic_energy_uj"] / e0 for r in t], marker="o", label=task)
            axes[i][1].plot(x, [r["snr_db"] if math.isfinite(r["snr_db"]) else float("nan") for r in t],
                            marker="o", label=task)
            axes[i][2].plot(x, [r["class_agreement"] for r in t], marker="o", label=task)
        axes[i][0].set_ylabel(f"{arch}: dynamic energy / threshold 0")
        axes[i][1].set_ylabel(f"{arch}: output SNR (dB)")
        axes[i][2].set_ylabel(f"{arch}: class agreement")
        axes[i][2].set_ylim(-0.05, 1.05)
    for ax in axes.flat:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xticks(THRESHOLDS)
        ax.set_xticklabels([str(t) for t in THRESHOLDS])
        ax.grid(True, which="both", alpha=0.3)
    for ax in axes[2]:
        ax.set_xlabel("sigma-delta threshold")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"neuromorphic-loihi2, LRA tasks at {seq_len} tokens, {seeds} seeds: "
                 "energy and error against the sigma-delta threshold (threshold 0 is bit-exact)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "neuromorphic_tradeoff.png"), dpi=100)


if __name__ == "__main__":
    main()
