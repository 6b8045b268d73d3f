"""ssmsim report: plots and an HTML page from a sweep's results.json (run by `ssmsim report <dir>`).

Writes into the sweep folder: plots/<metric>.png and .svg (time, DRAM traffic and energy against the first
numeric swept key, one line per workload, model and value of the other swept keys), plots/pareto.png/.svg and
pareto.csv, and report.html.

Line plots: the title and the y axis name the metric and its unit (latency in ms, DRAM traffic in MiB, energy
in mJ); the legend names the workloads.

Recommended size: when the first numeric swept key is an SRAM size (its name contains "sram"), the report names
a recommended value per model (and per value of the other swept keys): the smallest value whose latency, summed
over the workloads of the sweep, is within RECOMMEND_TOLERANCE (5%) of the best summed latency over the swept
values. Past it, more SRAM buys at most 5% of suite latency. Each workload's own knee (the smallest value within
5% of that workload's best latency) is marked on every line plot with a star, and the recommended value with a
dashed vertical line; report.html and stdout name it, and recommended.csv lists them.

The Pareto front is over designs, not single runs: a design is a model with one value of every swept key, and
its latency and energy are summed over the workloads of the sweep (the whole suite, as a user would weigh a
chip), its area is its SRAM area. Designs with a failed workload are left out of the front.
"""
import csv
import html
import json
import os
import sys

RECOMMEND_TOLERANCE = 0.05  # "within 5% of the best latency"

# metric: (what it is, unit, scale from the results' unit)
METRICS = [("seconds", "latency per inference", "ms", 1e3),
           ("dram_bytes", "DRAM traffic per inference", "MiB", 1.0 / 2**20),
           ("energy_pj", "energy per inference", "mJ", 1e-9)]


def pareto(points, keys):
    """Indices of the points no other point beats on every key (all minimised)."""
    front = []
    for i, p in enumerate(points):
        dominated = False
        for j, q in enumerate(points):
            if i == j:
                continue
            if all(q[k] <= p[k] for k in keys) and any(q[k] < p[k] for k in keys):
                dominated = True
                break
        if not dominated:
            front.append(i)
    return front


def suite_designs(points, swept):
    """One entry per design (model + swept values) that ran every workload of the sweep: sums of latency and
    energy over the workloads, the largest SRAM area seen (the same config gives the same area)."""
    workloads = sorted({p["workload"] for p in points})
    by_design = {}
    for p in points:
        key = (p["model"], json.dumps([p["swept"].get(k) for k in swept]))
        by_design.setdefault(key, []).append(p)
    designs = []
    for (model, _), ps in sorted(by_design.items(), key=lambda kv: min(p["index"] for p in kv[1])):
        if sorted(p["workload"] for p in ps) != workloads or any(p.get("status") != "ok" for p in ps):
            continue
        if not all("seconds" in p and "energy_pj" in p for p in ps):
            continue
        d = {"model": model, "swept": ps[0]["swept"], "workloads": len(ps),
             "seconds": sum(p["seconds"] for p in ps), "energy_pj": sum(p["energy_pj"] for p in ps)}
        if all("sram_area_mm2" in p for p in ps):
            d["sram_area_mm2"] = max(p["sram_area_mm2"] for p in ps)
        designs.append(d)
    return designs


def smallest_within(xs_values, tolerance=RECOMMEND_TOLERANCE):
    """The smallest x whose value is within `tolerance` of the best (smallest) value; pairs (x, value)."""
    best = min(v for _, v in xs_values)
    return min(x for x, v in xs_values if v <= best * (1 + tolerance))


def recommendations(ok, x_key, others, workloads):
    """Per (model, other swept values): the recommended x (see the module's docstring), the suite latency there
    and the best suite latency."""
    by_group = {}
    for p in ok:
        rest = ", ".join(f"{k}={p['swept'].get(k)}" for k in others)
        by_group.setdefault((p["model"], rest), {}).setdefault(p["swept"][x_key], {})[p["workload"]] = p
    recs = []
    for (model, rest), by_x in sorted(by_group.items()):
        sums = [(x, sum(ps[w]["seconds"] for w in workloads)) for x, ps in sorted(by_x.items())
                if sorted(ps) == workloads and all("seconds" in ps[w] for w in workloads)]
        if not sums:
            continue
        x = smallest_within(sums)
        recs.append({"model": model, "rest": rest, "value": x, "seconds": dict(sums)[x],
                     "best_seconds": min(v for _, v in sums)})
    return recs


def main():
    out = sys.argv[1]
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    ok = [p for p in doc["points"] if p.get("status") == "ok"]
    failed = [p for p in doc["points"] if p.get("status") != "ok"]
    swept = doc.get("swept_keys", [])
    numeric = [k for k in swept if ok and all(isinstance(p["swept"].get(k), (int, float)) for p in ok)]
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)

    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in the SVGs (searchable, testable)
    import matplotlib.pyplot as plt

    figures = []
    recs = []
    x_key = numeric[0] if numeric else None
    sram_x = x_key is not None and "sram" in x_key.lower()
    if sram_x:
        workloads = sorted({p["workload"] for p in doc["points"]})
        recs = recommendations(ok, x_key, [k for k in swept if k != x_key], workloads)
    if numeric:
        x_key = numeric[0]
        others = [k for k in swept if k != x_key]
        groups = {}
        for p in ok:
            rest = ", ".join(f"{k}={p['swept'].get(k)}" for k in others)
            groups.setdefault((p["workload"], p["model"], rest), []).append(p)
        several_models = len({g[1] for g in groups}) > 1
        log_x = all(p["swept"][x_key] > 0 for p in ok)
        for metric, what, unit, scale in METRICS:
            if not all(metric in p for p in ok):
                continue
            y_label = f"{what} ({unit})"
            fig, ax = plt.subplots(figsize=(7, 4.5))
            for (w, m, rest), ps in sorted(groups.items()):
                ps = sorted(ps, key=lambda p: p["swept"][x_key])
                line_name = w + (f" ({m})" if several_models else "") + (f" [{rest}]" if rest else "")
                xs = [p["swept"][x_key] for p in ps]
                ys = [p[metric] * scale for p in ps]
                (line,) = ax.plot(xs, ys, marker="o", label=line_name)
                if sram_x and all("seconds" in p for p in ps):  # this workload's knee, by its latency
                    knee = smallest_within([(p["swept"][x_key], p["seconds"]) for p in ps])
                    ax.plot([knee], [ys[xs.index(knee)]], marker="*", markersize=13, color=line.get_color(),
                            markeredgecolor="black", linestyle="none")
            for i, r in enumerate(recs):
                ax.axvline(r["value"], color="red", linestyle="--", linewidth=1,
                           label=(f"recommended {x_key} = {r['value']}" + (f" ({r['model']}"
                                  + (f", {r['rest']}" if r["rest"] else "") + ")" if len(recs) > 1 else "")))
            if sram_x:
                ax.plot([], [], marker="*", markersize=10, color="grey", markeredgecolor="black", linestyle="none",
                        label=f"knee: smallest within {RECOMMEND_TOLERANCE:.0%} of the workload's best latency")
            if log_x:
                ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel(x_key)
            ax.set_ylabel(y_label)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
            ax.set_title(f"{doc.get('sweep', '')}: {y_label} vs {x_key}")
            fig.tight_layout()
            for ext in ("png", "svg"):
                fig.savefig(os.path.join(out, "plots", f"{metric}.{ext}"), dpi=110)
            plt.close(fig)
            figures.append((f"plots/{metric}.png", f"plots/{metric}.svg", f"{y_label} vs {x_key}"))

    designs = suite_designs(doc["points"], swept)
    keys = ["seconds", "energy_pj"] + (["sram_area_mm2"] if designs and all("sram_area_mm2" in d for d in designs) else [])
    front = pareto(designs, keys) if len(designs) > 0 else []
    if front:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        colour = [d.get("sram_area_mm2", 0) for d in designs]
        sc = ax.scatter([d["seconds"] for d in designs], [d["energy_pj"] * 1e-9 for d in designs], c=colour,
                        cmap="viridis", s=26)
        ax.scatter([designs[i]["seconds"] for i in front], [designs[i]["energy_pj"] * 1e-9 for i in front], s=100,
                   facecolors="none", edgecolors="red", label="Pareto-optimal (" + " x ".join(keys) + ")")
        for i in front:
            d = designs[i]
            ax.annotate(", ".join(str(d["swept"].get(k)) for k in swept), (d["seconds"], d["energy_pj"] * 1e-9),
                        fontsize=6, xytext=(4, 4), textcoords="offset points")
        if "sram_area_mm2" in keys:
            fig.colorbar(sc, ax=ax, label="SRAM area (mm²)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(f"latency, sum over {designs[0]['workloads']} workloads (s)")
        ax.set_ylabel("energy, same sum (mJ)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        ax.set_title(f"{doc.get('sweep', '')}: Pareto front of the designs")
        fig.tight_layout()
        for ext in ("png", "svg"):
            fig.savefig(os.path.join(out, "plots", f"pareto.{ext}"), dpi=110)
        plt.close(fig)
        figures.append(("plots/pareto.png", "plots/pareto.svg", "Pareto front: energy vs latency (colour: area)"))
        with open(os.path.join(out, "pareto.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["model"] + swept + keys + ["workloads", "pareto_optimal"])
            for i, d in enumerate(designs):
                w.writerow([d["model"]] + [d["swept"].get(k) for k in swept] + [d[k] for k in keys]
                           + [d["workloads"], int(i in front)])

    rows = []
    for i in front:
        d = designs[i]
        cells = [d["model"]] + [str(d["swept"].get(k)) for k in swept] + \
                [f"{d['seconds']:.4g}", f"{d['energy_pj'] * 1e-9:.4g}"] + \
                ([f"{d['sram_area_mm2']:.3g}"] if "sram_area_mm2" in keys else [])
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = ["model"] + swept + ["latency s (sum)", "energy mJ (sum)"] + (["SRAM mm²"] if "sram_area_mm2" in keys else [])
    fails = "".join(f"<li>{html.escape(p['workload'])} {html.escape(p['model'])} {html.escape(json.dumps(p['swept']))}: "
                    f"{html.escape(str(p.get('error', '')))}</li>" for p in failed)
    rec_text = [f"recommended {x_key} = {r['value']}" + (f" for {r['model']}" + (f" ({r['rest']})" if r["rest"] else ""))
                + f": the smallest within {RECOMMEND_TOLERANCE:.0%} of the best latency summed over the workloads "
                f"({r['seconds'] * 1e3:.4g} ms vs {r['best_seconds'] * 1e3:.4g} ms)" for r in recs]
    rec_html = ("<h2>Recommended SRAM size</h2><ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in rec_text)
                + "</ul>") if recs else ""
    if recs:
        with open(os.path.join(out, "recommended.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["model", "other_swept", x_key, "suite_seconds", "best_suite_seconds", "tolerance"])
            for r in recs:
                w.writerow([r["model"], r["rest"], r["value"], r["seconds"], r["best_seconds"], RECOMMEND_TOLERANCE])
    imgs = "".join(f'<figure><img src="{png}" alt="{html.escape(t)}"><figcaption>{html.escape(t)} '
                   f'(<a href="{svg}">SVG</a>)</figcaption></figure>' for png, svg, t in figures)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>ssmsim sweep {html.escape(doc.get('sweep', ''))}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}img{{max-width:100%}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;font-size:90%}}</style></head><body>
<h1>Sweep {html.escape(doc.get('sweep', ''))}</h1>
<p>{len(doc['points'])} design points: {len(ok)} ok, {len(failed)} failed. Data: <a href="results.csv">results.csv</a>,
<a href="results.json">results.json</a>{', <a href="pareto.csv">pareto.csv</a>' if front else ''}.</p>
{rec_html}
{imgs}
<h2>Pareto-optimal designs ({html.escape(' x '.join(keys))}, all minimised; latency and energy summed over the workloads)</h2>
<table><tr>{''.join(f'<th>{html.escape(h)}</th>' for h in head)}</tr>{''.join(rows)}</table>
{'<h2>Failed points</h2><ul>' + fails + '</ul>' if failed else ''}
</body></html>
"""
    tmp = os.path.join(out, "report.html.tmp")
    with open(tmp, "w") as f:
        f.write(page)
    os.replace(tmp, os.path.join(out, "report.html"))
    print(f"wrote {os.path.join(out, 'report.html')}: {len(figures)} plots, {len(front)} Pareto-optimal points")
    for t in rec_text:
        print(t)


if __name__ == "__main__":
    main()
