"""ssmsim from Python: the simulator's commands in this process, results as dicts and DataFrames.

Every function builds the command line the executable would take and runs it through the same C++ code
(ssmsim._ssmsim), so ``run(...)`` writes the same report.json, byte for byte, as ``ssmsim run ...`` with
the same arguments. Bad input raises :class:`InputError` (a ValueError) with the executable's one-line
message. docs/python.md is the tutorial.

Importing this package loads nothing heavy: the C++ module loads on the first command, and the exporter
(``ssmsim.torch``) needs only torch and numpy.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ssmsim.frames import ops_frame, runs_frame, sweep_frame

__all__ = [
    "InputError",
    "CommandError",
    "run",
    "compare",
    "sweep",
    "quantize",
    "gen",
    "validate",
    "report",
    "cli",
    "ops_frame",
    "runs_frame",
    "sweep_frame",
]

_core = None


class CommandError(RuntimeError):
    """A command that ended with a non-zero exit code without raising (a sweep with failed points, say)."""

    def __init__(self, args: Sequence[str], code: int):
        super().__init__(f"ssmsim {' '.join(args[1:])}: exit code {code}")
        self.code = code


def _module():
    """The C++ module, loaded once; it also learns where the executable that runs sweep points is."""
    global _core
    if _core is None:
        from ssmsim import _ssmsim

        worker = os.environ.get("SSMSIM_EXECUTABLE") or str(Path(__file__).parent / "bin" / "ssmsim")
        _ssmsim.set_worker_executable(worker)
        _core = _ssmsim
    return _core


def __getattr__(name: str):
    if name == "InputError":  # the C++ module's exception class, loaded on first use
        return _module().InputError
    raise AttributeError(f"module 'ssmsim' has no attribute {name!r}")


@contextlib.contextmanager
def _stdout_silenced(silence: bool):
    """File descriptor 1 pointed at /dev/null meanwhile: the commands print their tables with C stdio."""
    if not silence:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def cli(*args: str, check: bool = True, echo: bool = True) -> int:
    """Runs one command line as the executable would, e.g. ``cli("list")``; returns its exit code.

    With check (the default), a non-zero exit code raises CommandError. With echo False, what the command
    prints on stdout (its summary table) is dropped; errors still raise.
    """
    argv = ["ssmsim", *map(str, args)]
    with _stdout_silenced(not echo):
        code = _module().dispatch(argv)
    if check and code != 0:
        raise CommandError(argv, code)
    return code


def _text(value: Any) -> str:
    """A --set value as the command line spells it (JSON's true/false, not Python's True/False)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _config_file(config: Any, folder: Path, stem: str) -> str:
    """A config name or path as given; a dict is written to a JSON file first."""
    if isinstance(config, Mapping):
        path = folder / f"{stem}.json"
        path.write_text(json.dumps(config, indent=1))
        return str(path)
    return str(config)


def _workload_args(seed, seq_len, batch, numerics, weights) -> list[str]:
    args: list[str] = []
    for flag, value in (("--seed", seed), ("--seq-len", seq_len), ("--batch", batch),
                        ("--numerics", numerics), ("--weights", weights)):
        if value is not None:
            args += [flag, str(value)]
    return args


class _OutFolder:
    """The --out folder: the caller's, or a temporary one removed afterwards."""

    def __init__(self, out):
        self._tmp = None if out is not None else tempfile.TemporaryDirectory(prefix="ssmsim-")
        self.path = Path(out) if out is not None else Path(self._tmp.name) / "out"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._tmp is not None:
            self._tmp.cleanup()


def run(trace: str | os.PathLike, model: str = "reference", config: Any = None,
        set: Mapping[str, Any] | None = None, out: str | os.PathLike | None = None, *,
        seed: int | None = None, seq_len: int | None = None, batch: int | None = None,
        numerics: str | None = None, weights: str | os.PathLike | None = None,
        timing_only: bool = False, hash_ops: bool = False, quiet: bool = True, echo: bool = False) -> dict:
    """Runs a workload (a trace folder or ``lra:<task>[:<arch>]``) on a model; returns report.json as a dict.

    ``config`` is a config name, a JSON file or a dict; ``set`` maps config keys to values (``--set``).
    With ``model="all"``, ``config`` and ``set`` take the executable's ``<model>=...`` and
    ``<model>:key`` forms, and the dict returned maps each model to its report. ``out`` keeps report.json,
    ops.csv and outputs/; without it they go to a temporary folder that is removed. ``echo`` prints the
    executable's summary table.
    """
    with _OutFolder(out) as folder, tempfile.TemporaryDirectory(prefix="ssmsim-cfg-") as cfg:
        args = ["run", "--model", model, "--workload", str(trace), "--out", str(folder.path)]
        args += _workload_args(seed, seq_len, batch, numerics, weights)
        if config is not None:
            configs = config.items() if model == "all" and isinstance(config, Mapping) else [(None, config)]
            for label, c in configs:
                name = _config_file(c, Path(cfg), label or "config")
                args += ["--config", f"{label}={name}" if label else name]
        for key, value in (set or {}).items():
            args += ["--set", f"{key}={_text(value)}"]
        if timing_only:
            args.append("--timing-only")
        if hash_ops:
            args.append("--hash-ops")
        if quiet:
            args.append("--quiet")
        cli(*args, echo=echo)
        if model == "all":
            return {d.name: json.loads((d / "report.json").read_text())
                    for d in sorted(folder.path.iterdir()) if (d / "report.json").is_file()}
        return json.loads((folder.path / "report.json").read_text())


def compare(workloads: str | Iterable[str], models: str | Iterable[str], out: str | os.PathLike | None = None,
            *, batch: int | Iterable[int] | None = None, seq_len: int | None = None, seed: int | None = None,
            config: Mapping[str, Any] | None = None, set: Mapping[str, Mapping[str, Any]] | None = None,
            baseline: str | None = None, timing_only: bool = False, quiet: bool = True, echo: bool = False) -> dict:
    """Workloads x models (simulated and measured) in one table (docs/compare.md); returns compare.json.

    ``config`` maps a row label to a config (name, file or dict); ``set`` maps a label to its overrides.
    """
    def commas(v):
        return v if isinstance(v, str) else ",".join(map(str, v))

    with _OutFolder(out) as folder, tempfile.TemporaryDirectory(prefix="ssmsim-cfg-") as cfg:
        args = ["compare", "--workloads", commas(workloads), "--models", commas(models),
                "--out", str(folder.path)]
        if batch is not None:
            args += ["--batch", commas([batch] if isinstance(batch, int) else batch)]
        if seq_len is not None:
            args += ["--seq-len", str(seq_len)]
        if seed is not None:
            args += ["--seed", str(seed)]
        for label, c in (config or {}).items():
            args += ["--config", f"{label}={_config_file(c, Path(cfg), label)}"]
        for label, overrides in (set or {}).items():
            for key, value in overrides.items():
                args += ["--set", f"{label}:{key}={_text(value)}"]
        if baseline:
            args += ["--baseline", baseline]
        if timing_only:
            args.append("--timing-only")
        if quiet:
            args.append("--quiet")
        cli(*args, echo=echo)
        return json.loads((folder.path / "compare.json").read_text())


def sweep(spec: str | os.PathLike | Mapping[str, Any], out: str | os.PathLike, *, jobs: int | None = None,
          retry_failed: bool = False, quiet: bool = True, check: bool = True, echo: bool = False) -> list[dict]:
    """Runs a design-space sweep (docs/sweeps.md); returns results.json's records.

    ``spec`` is a sweep file or a dict in its format. The design points run in child processes of the
    ssmsim executable installed with this package (one SystemC elaboration per point, as the executable
    does). With check, failed points raise CommandError; their records are in ``out`` either way.
    """
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="ssmsim-sweep-") as tmp:
        path = _config_file(spec, Path(tmp), "sweep")
        args = ["sweep", path, "--out", str(out)]
        if jobs is not None:
            args += ["--jobs", str(jobs)]
        if retry_failed:
            args.append("--retry-failed")
        if quiet:
            args.append("--quiet")
        cli(*args, check=check, echo=echo)
    return json.loads((out / "results.json").read_text())["points"]


def quantize(trace: str | os.PathLike, out: str | os.PathLike,
             calibration: str | os.PathLike | None = None, echo: bool = False) -> list[dict]:
    """A float32 trace into the int8 contract (docs/workloads.md, "Quantization"); returns
    quantize_report.csv's rows (range and saturation per op) as dicts."""
    args = ["quantize", str(trace), "--out", str(out)]
    if calibration is not None:
        args += ["--calibration", str(calibration)]
    cli(*args, echo=echo)
    with open(Path(out) / "quantize_report.csv", newline="") as f:
        return list(csv.DictReader(f))


def gen(workload: str, out: str | os.PathLike, *, seed: int | None = None, seq_len: int | None = None,
        batch: int | None = None, numerics: str | None = None, weights: str | os.PathLike | None = None,
        shape_only: bool = False, echo: bool = False) -> Path:
    """Writes an LRA workload (``lra:<task>[:<arch>]``) as a trace folder; returns the folder."""
    args = ["gen", workload, "--out", str(out)] + _workload_args(seed, seq_len, batch, numerics, weights)
    if shape_only:
        args.append("--shape-only")
    cli(*args, echo=echo)
    return Path(out)


def validate(trace: str | os.PathLike, echo: bool = False) -> None:
    """Checks a trace folder completely without running it; raises InputError naming the first problem."""
    cli("validate", str(trace), echo=echo)


def report(runs: Sequence[str | os.PathLike], out: str | os.PathLike | None = None,
           ops_out: str | os.PathLike | None = None, echo: bool = True) -> None:
    """``ssmsim report``: a sweep folder's plots and report.html, or runs side by side into runs.csv."""
    args = ["report", *map(str, runs)]
    if out is not None:
        args += ["--out", str(out)]
    if ops_out is not None:
        args += ["--ops-out", str(ops_out)]
    cli(*args, echo=echo)
