"""Reports and sweep results as pandas DataFrames (pandas is optional: only these functions need it)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping


def _pandas():
    try:
        import pandas
    except ImportError as e:  # the rest of the package works without it
        raise ImportError("ssmsim's DataFrame loaders need pandas (pip install pandas, or apt-get install "
                          "python3-pandas)") from e
    return pandas


def _report(source: Mapping[str, Any] | str | os.PathLike) -> dict:
    """A report dict as given, or the report.json of a run folder (or the file itself)."""
    if isinstance(source, Mapping):
        return dict(source)
    path = Path(source)
    if path.is_dir():
        path = path / "report.json"
    return json.loads(path.read_text())


def _flat(record: Mapping[str, Any], prefix: str = "") -> dict:
    """Nested objects as dotted columns ({"a": {"b": 1}} -> {"a.b": 1}); lists stay cells."""
    row: dict = {}
    for key, value in record.items():
        if isinstance(value, Mapping):
            row.update(_flat(value, f"{prefix}{key}."))
        else:
            row[f"{prefix}{key}"] = value
    return row


def ops_frame(report: Mapping[str, Any] | str | os.PathLike):
    """One row per op of a run: report.json's ``ops`` entries, nested fields as dotted columns.

    ``report`` is the dict ``ssmsim.run`` returns, a run folder, or a report.json path.
    """
    rep = _report(report)
    rows = [_flat(op) for op in rep.get("ops", [])]
    frame = _pandas().DataFrame(rows)
    frame.insert(0, "model", rep.get("model"))
    return frame


def runs_frame(reports: Iterable[Mapping[str, Any] | str | os.PathLike]):
    """One row per run: each report's top-level figures (ops left out), nested fields as dotted columns."""
    rows = []
    for source in reports:
        rep = _report(source)
        rows.append(_flat({k: v for k, v in rep.items() if k != "ops"}))
    return _pandas().DataFrame(rows)


def sweep_frame(sweep: Iterable[Mapping[str, Any]] | str | os.PathLike):
    """One row per design point: the records ``ssmsim.sweep`` returns, or a sweep's --out folder; the swept
    keys (``array.rows``) are columns, as in results.csv."""
    if isinstance(sweep, (str, os.PathLike)):
        sweep = json.loads((Path(sweep) / "results.json").read_text())["points"]
    rows = []
    for record in sweep:  # the swept keys as columns of their own, as in results.csv
        row = _flat({k: v for k, v in record.items() if k != "swept"})
        row.update(record.get("swept", {}))
        rows.append(row)
    return _pandas().DataFrame(rows)
