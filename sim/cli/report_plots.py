"""ssmsim report: plots and an HTML page from a sweep's results.json (run by `ssmsim report <dir>`).

Writes into the sweep folder: plots/<metric>.png and .svg (time, DRAM traffic and energy against the first
numeric swept key, one line per workload and model), plots/pareto.png/.svg (energy vs latency, coloured by
SRAM area, the Pareto-optimal points of energy x latency x area ringed), pareto.csv, and report.html.
"""
import csv
import html
import json
import os
import sys


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
    import matplotlib.pyplot as plt

    figures = []
    metrics = [("seconds", "latency (s)", 1.0), ("dram_bytes", "DRAM traffic (MiB)", 1.0 / 2**20),
               ("energy_pj", "energy (uJ)", 1e-6)]
    if numeric:
        x_key = numeric[0]
        groups = {}
        for p in ok:
            groups.setdefault((p["workload"], p["model"]), []).append(p)
        for metric, label, scale in metrics:
            if not all(metric in p for p in ok):
                continue
            fig, ax = plt.subplots(figsize=(7, 4.5))
            for (w, m), ps in sorted(groups.items()):
                ps = sorted(ps, key=lambda p: p["swept"][x_key])
                ax.plot([p["swept"][x_key] for p in ps], [p[metric] * scale for p in ps], marker="o",
                        label=w if len({g[1] for g in groups}) == 1 else f"{w} ({m})")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel(x_key)
            ax.set_ylabel(label)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
            ax.set_title(f"{doc.get('sweep', '')}: {label} vs {x_key}")
            fig.tight_layout()
            for ext in ("png", "svg"):
                fig.savefig(os.path.join(out, "plots", f"{metric}.{ext}"), dpi=110)
            plt.close(fig)
            figures.append((f"plots/{metric}.png", f"plots/{metric}.svg", f"{label} vs {x_key}"))

    front = []
    keys = ["seconds", "energy_pj"] + (["sram_area_mm2"] if ok and all("sram_area_mm2" in p for p in ok) else [])
    if ok and all(all(k in p for k in keys) for p in ok):
        front = pareto(ok, keys)
        fig, ax = plt.subplots(figsize=(7, 4.5))
        colour = [p.get("sram_area_mm2", 0) for p in ok]
        sc = ax.scatter([p["seconds"] for p in ok], [p["energy_pj"] * 1e-6 for p in ok], c=colour, cmap="viridis", s=22)
        ax.scatter([ok[i]["seconds"] for i in front], [ok[i]["energy_pj"] * 1e-6 for i in front], s=90,
                   facecolors="none", edgecolors="red", label="Pareto-optimal (" + " x ".join(keys) + ")")
        if "sram_area_mm2" in keys:
            fig.colorbar(sc, ax=ax, label="SRAM area (mm², 28 nm)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("latency (s)")
        ax.set_ylabel("energy (uJ)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        ax.set_title(f"{doc.get('sweep', '')}: Pareto front")
        fig.tight_layout()
        for ext in ("png", "svg"):
            fig.savefig(os.path.join(out, "plots", f"pareto.{ext}"), dpi=110)
        plt.close(fig)
        figures.append(("plots/pareto.png", "plots/pareto.svg", "Pareto front: energy vs latency (colour: area)"))
        with open(os.path.join(out, "pareto.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["index", "id", "model", "workload"] + swept + keys)
            for i in sorted(front, key=lambda i: ok[i]["index"]):
                p = ok[i]
                w.writerow([p["index"], p["id"], p["model"], p["workload"]] + [p["swept"].get(k) for k in swept]
                           + [p[k] for k in keys])

    rows = []
    for i in sorted(front, key=lambda i: ok[i]["index"]):
        p = ok[i]
        cells = [p["workload"], p["model"]] + [str(p["swept"].get(k)) for k in swept] + \
                [f"{p['seconds']:.4g}", f"{p['energy_pj'] * 1e-6:.4g}"] + \
                ([f"{p['sram_area_mm2']:.3g}"] if "sram_area_mm2" in keys else [])
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = ["workload", "model"] + swept + ["latency s", "energy uJ"] + (["SRAM mm²"] if "sram_area_mm2" in keys else [])
    fails = "".join(f"<li>{html.escape(p['workload'])} {html.escape(p['model'])} {html.escape(json.dumps(p['swept']))}: "
                    f"{html.escape(str(p.get('error', '')))}</li>" for p in failed)
    imgs = "".join(f'<figure><img src="{png}" alt="{html.escape(t)}"><figcaption>{html.escape(t)} '
                   f'(<a href="{svg}">SVG</a>)</figcaption></figure>' for png, svg, t in figures)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>ssmsim sweep {html.escape(doc.get('sweep', ''))}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}img{{max-width:100%}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;font-size:90%}}</style></head><body>
<h1>Sweep {html.escape(doc.get('sweep', ''))}</h1>
<p>{len(doc['points'])} design points: {len(ok)} ok, {len(failed)} failed. Data: <a href="results.csv">results.csv</a>,
<a href="results.json">results.json</a>{', <a href="pareto.csv">pareto.csv</a>' if front else ''}.</p>
{imgs}
<h2>Pareto-optimal points ({html.escape(' x '.join(keys))}, all minimised)</h2>
<table><tr>{''.join(f'<th>{html.escape(h)}</th>' for h in head)}</tr>{''.join(rows)}</table>
{'<h2>Failed points</h2><ul>' + fails + '</ul>' if failed else ''}
</body></html>
"""
    tmp = os.path.join(out, "report.html.tmp")
    with open(tmp, "w") as f:
        f.write(page)
    os.replace(tmp, os.path.join(out, "report.html"))
    print(f"wrote {os.path.join(out, 'report.html')}: {len(figures)} plots, {len(front)} Pareto-optimal points")


if __name__ == "__main__":
    main()
