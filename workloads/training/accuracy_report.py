#!/usr/bin/env python3
"""Measures every committed trained model (reference/trained/<task>-<arch>/) with `ssmsim accuracy` and
regenerates docs/accuracy-results.md, its CSV and its trade-off plot (docs/accuracy.md, "Results"):

  /usr/bin/python3 workloads/training/accuracy_report.py [--ssmsim build/ssmsim] [--count 500]
      [--spiking-count 100] [--thresholds 0,4] [--sensitivity-count 32] [--timing-count 8] [--jobs J] [--work DIR]

Per model, on the first examples of its test set (seed and length from its provenance.json):
- the int8 reference over --count examples, with the float32 reference beside it (accuracy, agreement);
- the neuromorphic model at each sigma-delta threshold over --spiking-count examples: accuracy, agreement
  with float32, latency and energy per inference (mean, min, max: its spike counts depend on the data);
- the float32 reference with one op kind at a time on its int8 grid (`--fake-quant`), and with all of them,
  over --sensitivity-count examples: the per-op sensitivity of int8 quantization;
- the systolic and GPU models over --timing-count examples: latency and energy per inference. Their int8
  logits equal the int8 reference's (tests/cli/test_cli_trained.cpp; the script checks their predictions
  again), so the table gives them the reference's accuracy over --count examples.
Runs are cached in --work by their command line, so an interrupted report resumes.
"""
import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def predictions(a, acc):
    """{example index: predicted class} from the run's examples.csv."""
    with open(os.path.join(acc["_out"], "examples.csv")) as f:
        return {int(r["index"]): int(r["predicted"]) for r in csv.DictReader(f)}


def run_accuracy(a, workload, weights, test, extra, count):
    args = ["accuracy", "-q", "--workload", workload, "--weights", weights, "--test", test,
            "--count", str(count)] + (["--jobs", str(a.jobs)] if a.jobs else []) + extra
    key = hashlib.sha256(" ".join(args).encode()).hexdigest()[:16]
    out = os.path.join(a.work, "runs", key)
    if not os.path.exists(os.path.join(out, "accuracy.json")):
        print("ssmsim " + " ".join(os.path.relpath(x, ROOT) if x.startswith(ROOT) else x for x in args),
              flush=True)
        subprocess.run([a.ssmsim] + args + ["--out", out], check=True)
    with open(os.path.join(out, "accuracy.json")) as f:
        return dict(json.load(f), _out=out)


def test_set(a, prov):
    t = prov["test_set"]
    folder = os.path.join(a.work, f"{prov['task']}-test-{t['seed']}-{t['seq_len']}")
    if not os.path.exists(os.path.join(folder, "dataset.json")):
        subprocess.run([a.ssmsim, "dataset", "lra:" + prov["task"], "--count", str(max(a.count, a.spiking_count)),
                        "--seed", str(t["seed"]), "--seq-len", str(t["seq_len"]), "--out", folder], check=True)
    return folder


def fake_quant(a, workload, weights, test, kinds):
    acc = run_accuracy(a, workload, weights, test, ["--model", "reference", "--numerics", "float32"] +
                       [x for k in kinds for x in ("--fake-quant", k)], a.sensitivity_count)
    return dict(sensitivity=True, examples=acc["examples"], accuracy=acc["accuracy"],
                agreement_with_float32=acc["agreement_with_float32"],
                float32_accuracy=acc["float32_reference_accuracy"])


def op_kinds(a, workload):
    """The op kinds of the workload's float32 trace (a short one: the kinds do not depend on the length)."""
    folder = os.path.join(a.work, "kinds-" + workload.replace(":", "-"))
    if not os.path.exists(os.path.join(folder, "trace.json")):
        subprocess.run([a.ssmsim, "gen", workload, "--seq-len", "64", "--numerics", "float32", "--out", folder],
                       check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(folder, "trace.json")) as f:
        return sorted({op["kind"] for op in json.load(f)["ops"]})


def energy(pj):
    return f"{pj * 1e-12:.3g} J" if pj >= 1e12 else f"{pj * 1e-9:.3g} mJ"


def pct(x):
    return f"{100 * x:.1f}%"


def per_inference(acc):
    p = acc.get("per_inference") or {}
    return p.get("seconds_mean"), p.get("energy_pj_mean"), p.get("energy_pj_min"), p.get("energy_pj_max")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ssmsim", default=os.path.join(ROOT, "build", "ssmsim"))
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--spiking-count", type=int, default=100)
    ap.add_argument("--sensitivity-count", type=int, default=32)
    ap.add_argument("--thresholds", default="0,4")
    ap.add_argument("--timing-count", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--work", default=os.path.join(ROOT, "runs", "accuracy-report"))
    ap.add_argument("--docs", default=os.path.join(ROOT, "docs"))
    a = ap.parse_args()
    trained = os.path.join(ROOT, "reference", "trained")
    models = sorted(d for d in os.listdir(trained) if os.path.isfile(os.path.join(trained, d, "provenance.json")))
    if not models:
        raise SystemExit(f"no trained models under {trained}")
    rows = []
    for m in models:
        with open(os.path.join(trained, m, "provenance.json")) as f:
            prov = json.load(f)
        workload = f"lra:{prov['task']}:{prov['arch']}"
        weights = os.path.join(trained, m, "weights")
        test = test_set(a, prov)
        ref = run_accuracy(a, workload, weights, test, ["--model", "reference", "--numerics", "int8"], a.count)
        base = dict(model=m, task=prov["task"], arch=prov["arch"], trained_test_accuracy=prov["test_accuracy_fast_form"])
        rows.append(dict(base, config="float32 reference", examples=ref["examples"],
                         accuracy=ref["float32_reference_accuracy"], agreement_with_float32=1.0))
        rows.append(dict(base, config="int8 reference", examples=ref["examples"], accuracy=ref["accuracy"],
                         agreement_with_float32=ref["agreement_with_float32"]))
        for model in ("systolic", "gpu"):
            acc = run_accuracy(a, workload, weights, test, ["--model", model], a.timing_count)
            # Its int8 logits are the reference's (tested); checked again here on the examples it ran, so
            # the reference's accuracy over --count examples is this model's.
            ours, theirs = predictions(a, acc), predictions(a, ref)
            if any(theirs.get(i) != p for i, p in ours.items()):
                raise SystemExit(f"{workload} on {model}: predictions differ from the int8 reference's")
            s, e, lo, hi = per_inference(acc)
            rows.append(dict(base, config=f"{model} (int8)", examples=f"{ref['examples']} (timed: {acc['examples']})",
                             accuracy=ref["accuracy"], agreement_with_float32=ref["agreement_with_float32"],
                             latency_s=s, energy_pj=e, energy_pj_min=lo, energy_pj_max=hi))
        kinds = op_kinds(a, workload)
        sens = {}
        for k in kinds:
            sens[k] = fake_quant(a, workload, weights, test, [k])
            rows.append(dict(base, config="float32, int8 grid on " + k, **sens[k]))
        rows.append(dict(base, config="float32, int8 grid on every kind", **fake_quant(a, workload, weights, test, kinds)))
        # Without the kind that costs the most: what keeping it wider than int8 would recover.
        worst = min(kinds, key=lambda k: (sens[k]["agreement_with_float32"], k))
        rows.append(dict(base, config=f"float32, int8 grid on every kind but {worst}",
                         **fake_quant(a, workload, weights, test, [k for k in kinds if k != worst])))
        for th in a.thresholds.split(","):
            acc = run_accuracy(a, workload, weights, test,
                               ["--model", "neuromorphic", "--set", f"sigma_delta.threshold={th}"], a.spiking_count)
            s, e, lo, hi = per_inference(acc)
            rows.append(dict(base, config=f"neuromorphic, threshold {th}", threshold=int(th),
                             examples=acc["examples"], accuracy=acc["accuracy"],
                             agreement_with_float32=acc["agreement_with_float32"], latency_s=s, energy_pj=e,
                             energy_pj_min=lo, energy_pj_max=hi))
    write_outputs(a, rows)


def write_outputs(a, rows):
    fields = ["model", "task", "arch", "config", "threshold", "examples", "accuracy", "float32_accuracy",
              "agreement_with_float32",
              "latency_s", "energy_pj", "energy_pj_min", "energy_pj_max", "trained_test_accuracy"]
    csv_path = os.path.join(a.docs, "accuracy-results.csv")
    with open(csv_path + ".partial", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})
    os.replace(csv_path + ".partial", csv_path)

    lines = ["# Task accuracy of the trained models (generated)", "",
             "Written by `/usr/bin/python3 workloads/training/accuracy_report.py` (the command regenerates this "
             "page, `accuracy-results.csv` and `accuracy-tradeoff.png`); what the columns mean and how the "
             "models were trained: [accuracy.md](accuracy.md). Each row's examples are the first of the model's "
             "test set (seed 9000, never seen in training).", "",
             f"Command: `{' '.join(['accuracy_report.py'] + sys.argv[1:])}`", "",
             "| model | configuration | examples | accuracy | agreement with float32 | latency per inference | "
             "energy per inference (min-max) |", "|---|---|---|---|---|---|---|"]
    for r in (r for r in rows if not r.get("sensitivity")):
        lat = f"{r['latency_s'] * 1e3:.3g} ms" if r.get("latency_s") is not None else ""
        en = (f"{energy(r['energy_pj'])} ({energy(r['energy_pj_min'])} to {energy(r['energy_pj_max'])})"
              if r.get("energy_pj") is not None else "")
        lines.append(f"| {r['model']} | {r['config']} | {r['examples']} | {pct(r['accuracy'])} | "
                     f"{pct(r['agreement_with_float32'])} | {lat} | {en} |")
    lines += ["", "![accuracy against energy per inference](accuracy-tradeoff.png)", "",
              "## Per-op sensitivity of int8 quantization", "",
              "The float32 reference with only one op kind put on the int8 grid the quantizer gives it "
              "(`accuracy --numerics float32 --fake-quant KIND`: that kind's outputs rounded to max |x| / 127 "
              "of the calibration example, saturating, and the int8 weights of linear, embedding, convolution "
              "and classifier ops rounded per tensor). It isolates rounding and saturation; the integer "
              "kernels' own approximations (tables, fixed-point recurrences) are not in it, so the rows "
              "'every kind' need not equal the int8 reference. The 'but' row leaves out the kind whose "
              "rounding alone costs the most agreement.", "",
              "| model | op kind on the int8 grid | examples | accuracy | float32 accuracy | "
              "agreement with float32 |", "|---|---|---|---|---|---|"]
    for r in (r for r in rows if r.get("sensitivity")):
        lines.append(f"| {r['model']} | {r['config'].split(' on ', 1)[1]} | {r['examples']} | {pct(r['accuracy'])} | "
                     f"{pct(r['float32_accuracy'])} | {pct(r['agreement_with_float32'])} |")
    lines.append("")
    md = os.path.join(a.docs, "accuracy-results.md")
    with open(md + ".partial", "w") as f:
        f.write("\n".join(lines))
    os.replace(md + ".partial", md)
    plot(a, rows)
    print(f"wrote {md}, {csv_path}")


def plot(a, rows):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for m in sorted({r["model"] for r in rows}):
        pts = [r for r in rows if r["model"] == m and r.get("energy_pj") is not None]
        spk = [r for r in pts if "threshold" in r]
        ax.plot([r["energy_pj"] * 1e-9 for r in spk], [100 * r["accuracy"] for r in spk], "o-", label=f"{m} spiking")
        for r in spk:
            ax.annotate(f"θ={r['threshold']}", (r["energy_pj"] * 1e-9, 100 * r["accuracy"]), fontsize=7)
        for r in pts:
            if "threshold" not in r:
                ax.plot(r["energy_pj"] * 1e-9, 100 * r["accuracy"], "s")
                ax.annotate(f"{m} {r['config']}", (r["energy_pj"] * 1e-9, 100 * r["accuracy"]), fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("energy per inference (mJ, simulated)")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(a.docs, "accuracy-tradeoff.png"), dpi=120)


if __name__ == "__main__":
    main()
