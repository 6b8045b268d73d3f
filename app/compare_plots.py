"""ssmsim compare: plots and index.html from a comparison's rows (run by `ssmsim compare`).

argv: the comparison's data (compare.json's content) and the --out folder. Writes into the folder
plots/compare-<task>-latency.png|svg and plots/compare-<task>-energy.png|svg (one bar per workload, batch and
model label, log-scale y; a figure a row does not have is marked n/a, never drawn as zero) and index.html:
per task its table and its plots, image paths relative to the page.
"""
import html
import json
import os
import sys

METRICS = [("latency_ms", "latency per forward pass", "ms"), ("energy_mj", "energy per inference", "mJ")]


def fmt(v, digits=4):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def plot_task(plt, out, task, rows, labels):
    """The task's bar charts; returns [(png, svg, caption)] of those drawn."""
    from matplotlib.patches import Patch
    groups = []
    for r in rows:
        g = (r["workload"], r["batch"])
        if g not in groups:
            groups.append(g)
    figures = []
    for metric, what, unit in METRICS:
        if not any(r[metric] is not None for r in rows):
            continue
        width = 0.8 / len(labels)
        fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(groups) * max(1, len(labels)) * 0.35 + 2), 4.5))
        values = [r[metric] for r in rows if r[metric] is not None and r[metric] > 0]
        low = min(values) / 3 if values else 1e-3
        handles = []
        for i, label in enumerate(labels):
            xs, ys, missing = [], [], []
            for gi, (w, b) in enumerate(groups):
                r = next((r for r in rows if r["workload"] == w and r["batch"] == b and r["label"] == label), None)
                x = gi - 0.4 + width * (i + 0.5)
                if r is None or r[metric] is None or r[metric] <= 0:
                    missing.append(x)
                else:
                    xs.append(x)
                    ys.append(r[metric])
            colour = f"C{i % 10}"  # a label keeps its colour from plot to plot, whether or not it has bars
            if xs:
                handles.append(ax.bar(xs, ys, width=width, color=colour, label=label))
            else:  # an empty bar set would get a default-coloured legend patch
                handles.append(Patch(facecolor="none", edgecolor=colour, label=f"{label} (n/a)"))
            for x in missing:
                ax.text(x, low * 1.15, "n/a", rotation=90, ha="center", va="bottom", fontsize=7, color=colour)
        ax.set_yscale("log")
        ax.set_ylim(bottom=low)
        ax.set_xlim(-0.5, len(groups) - 0.5)  # the n/a marks are text, which autoscaling does not see
        ax.set_xticks(range(len(groups)))
        lengths = {(r["workload"], r["batch"]): r["seq_len"] for r in rows}
        ax.set_xticklabels([(f"{w.split(':')[-1]}\nL={lengths[(w, b)]} B={b}" if w.startswith("lra:")
                             else f"{os.path.basename(w.rstrip('/'))}\nB={b}") for w, b in groups], fontsize=8)
        ax.set_ylabel(f"{what} ({unit}, log scale)")
        ax.set_title(f"{task}: {what} ({unit})")
        ax.grid(True, axis="y", which="both", alpha=0.3)
        ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the bars
        fig.tight_layout()
        stem = f"compare-{task}-{metric.split('_')[0]}"
        for ext in ("png", "svg"):
            path = os.path.join(out, "plots", f"{stem}.{ext}")
            fig.savefig(path + ".tmp", dpi=110, format=ext)
            os.replace(path + ".tmp", path)
        plt.close(fig)
        figures.append((f"plots/{stem}.png", f"plots/{stem}.svg", f"{task}: {what} ({unit})"))
    return figures


def table(task, rows, columns):
    # The source (long provenance text) goes under the table, once per distinct value, not in every row.
    shown = [c for c in columns if c["name"] not in ("task", "model", "baseline", "source")]
    head = "".join(f"<th>{html.escape(c['name'])}{'<br><small>' + html.escape(c['unit']) + '</small>' if c['unit'] else ''}</th>"
                   for c in shown)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(fmt(r.get(c['name'])))}</td>" for c in shown) + "</tr>"
                   for r in rows)
    sources = []
    for r in rows:
        s = f"{r['label']}: {r['source']}"
        if s not in sources:
            sources.append(s)
    notes = "".join(f"<li>{html.escape(s)}</li>" for s in sources)
    return (f'<table id="table-{html.escape(task)}" class="compare"><thead><tr>{head}</tr></thead><tbody>{body}'
            f'</tbody></table>\n<p>Sources of the rows:</p><ul class="sources">{notes}</ul>')


def main():
    data_path, out = sys.argv[1], sys.argv[2]
    with open(data_path) as f:
        doc = json.load(f)
    rows, columns, prov = doc["rows"], doc["columns"], doc["provenance"]
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)

    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "ssmsim"  # SVG ids that do not change from run to run
    import matplotlib.pyplot as plt

    labels = [m["label"] for m in prov["models"]]
    tasks = []
    for r in rows:
        if r["task"] not in tasks:
            tasks.append(r["task"])
    sections = []
    for task in tasks:
        task_rows = [r for r in rows if r["task"] == task]
        figures = plot_task(plt, out, task, task_rows, labels)
        imgs = "".join(f'<figure><img src="{html.escape(png)}" alt="{html.escape(t)}"><figcaption>{html.escape(t)} '
                       f'(<a href="{html.escape(svg)}">SVG</a>)</figcaption></figure>' for png, svg, t in figures)
        sections.append(f"<h2>{html.escape(task)}</h2>\n{imgs}\n{table(task, task_rows, columns)}")
    models = "".join(
        f"<li><b>{html.escape(m['label'])}</b>: "
        + (html.escape(m.get("description", "")) + f" ({html.escape(m.get('file', ''))})" if "file" in m else
           html.escape((m.get("config") or {}).get("name", "no config") if isinstance(m.get("config"), dict) else "no config")
           + "".join(f" --set {html.escape(s)}" for s in m.get("sets", [])))
        + "</li>" for m in prov["models"])
    commit = prov["ssmsim"].get("commit") or "unknown commit"
    # Each simulated model's validation statement (its config's) and the mixed-nodes note, as in compare.json.
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in doc.get("notes", []))
    notes = f"<h2>What the figures are validated against</h2>\n<ul class=\"notes\">{notes}</ul>\n" if notes else ""
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>ssmsim compare</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1300px}}img{{max-width:100%}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;font-size:85%}}figure{{margin:1em 0}}</style></head><body>
<h1>ssmsim compare</h1>
<p>{len(rows)} rows over {len(tasks)} task(s); baseline of the ratios: <b>{html.escape(prov['baseline'])}</b>
(ratio = this row's figure / the baseline row's, same workload and batch). n/a: the figure does not apply or was
not measured; measured rows exist only for full-length LRA workloads at the batches measured.
Data: <a href="compare.csv">compare.csv</a>, <a href="compare.json">compare.json</a>.
ssmsim {html.escape(prov['ssmsim']['version'])} ({html.escape(commit)}){', timing only' if prov['timing_only'] else ''}.</p>
<ul>{models}</ul>
{''.join(sections)}
{notes}
</body></html>
"""
    tmp = os.path.join(out, "index.html.tmp")
    with open(tmp, "w") as f:
        f.write(page)
    os.replace(tmp, os.path.join(out, "index.html"))


if __name__ == "__main__":
    main()
