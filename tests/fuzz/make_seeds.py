#!/usr/bin/python3
"""Writes the fuzz targets' seed corpus (tests/fuzz/corpus/<target>/): small valid inputs that reach deep
into each loader. Run once by hand when the formats change: make_seeds.py path/to/ssmsim
The trace seeds are single-op traces cut from generated LRA traces (every op kind, int8 and float32), plus
traces with data that name the fixture .npy files fuzz_trace.cpp writes beside them."""
import io
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def write(target, name, data):
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def compact(doc):
    return json.dumps(doc, separators=(",", ":"))


def single_op_trace(trace, op):
    """The op alone: its inputs become graph inputs (shape-only), its outputs the trace's outputs."""
    tensors = {n: trace["tensors"][n] for n in op["inputs"] + op["outputs"]}
    return {"format": "ssmsim-trace", "version": 1, "name": op["kind"], "numerics": trace["numerics"],
            "tensors": tensors, "ops": [op], "outputs": op["outputs"]}


def trace_seeds(ssmsim):
    with tempfile.TemporaryDirectory() as tmp:
        for numerics in ("int8", "float32"):
            seen = set()
            for task, arch in [(t, a) for t in ("listops", "retrieval") for a in ("mamba", "s4d", "transformer")]:
                out = pathlib.Path(tmp) / f"{task}-{arch}-{numerics}"
                subprocess.run([ssmsim, "gen", f"lra:{task}:{arch}", "--seq-len", "4", "--numerics", numerics,
                                "--shape-only", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
                trace = json.loads((out / "trace.json").read_text())
                for op in trace["ops"]:
                    key = (op["kind"], op["attrs"].get("fn"), op["attrs"].get("reverse"))
                    if key in seen:
                        continue
                    seen.add(key)
                    name = "-".join(str(k) for k in key if k is not None)
                    write("trace", f"{numerics}-{name}.json", compact(single_op_trace(trace, op)))
                    if op["kind"] == "relu":  # exp and sigmoid take what relu takes; no architecture uses them
                        for kind in ("exp", "sigmoid"):
                            write("trace", f"{numerics}-{kind}.json", compact(single_op_trace(trace, {**op, "kind": kind})))
                    if op["kind"] == "add":  # mul: add's inputs with one multiplier
                        attrs = {"mult": op["attrs"]["mult_a"], "shift": op["attrs"]["shift"]} if op["attrs"] else {}
                        write("trace", f"{numerics}-mul.json",
                              compact(single_op_trace(trace, {**op, "kind": "mul", "attrs": attrs})))
    # Traces with data: the fixtures are table.npy, table_f32.npy, table_nan.npy, tokens.npy, lut.npy.
    def with_data(numerics, table):
        dt = "int8" if numerics == "int8" else "float32"
        ops = [{"name": "embed", "kind": "embedding", "inputs": ["tokens", "table"], "outputs": ["x"]},
               {"name": "act", "kind": "relu", "inputs": ["x", "lut"] if numerics == "int8" else ["x"],
                "outputs": ["y"]}]
        tensors = {"tokens": {"dtype": "int32", "shape": [1, 4], "file": "tokens.npy"},
                   "table": {"dtype": dt, "shape": [16, 8], "file": table},
                   "x": {"dtype": dt, "shape": [1, 4, 8]}, "y": {"dtype": dt, "shape": [1, 4, 8]}}
        if numerics == "int8":
            tensors["lut"] = {"dtype": "int8", "shape": [256], "file": "lut.npy"}
        return {"format": "ssmsim-trace", "version": 1, "name": "data", "numerics": numerics, "meta": {},
                "tensors": tensors, "ops": ops, "outputs": ["y"]}
    write("trace", "data-int8.json", json.dumps(with_data("int8", "table.npy"), indent=1))
    write("trace", "data-float32.json", compact(with_data("float32", "table_f32.npy")))
    write("trace", "data-float32-nan.json", compact(with_data("float32", "table_nan.npy")))


def npy(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, array, version=version, allow_pickle=False)
    return buf.getvalue()


def npy_seeds():
    rng = np.random.default_rng(7)
    write("npy", "int8-2d.npy", npy(rng.integers(-128, 128, (3, 5), dtype=np.int8)))
    write("npy", "int16-1d.npy", npy(rng.integers(-999, 999, (4,), dtype=np.int16)))
    write("npy", "int32-3d.npy", npy(rng.integers(-9, 9, (1, 2, 3), dtype=np.int32)))
    write("npy", "float32-2d.npy", npy(rng.standard_normal((2, 3)).astype(np.float32)))
    write("npy", "float32-scalar.npy", npy(np.float32(1.5)))
    write("npy", "int8-empty.npy", npy(np.zeros((0, 4), dtype=np.int8)))
    write("npy", "int32-v2.npy", npy(np.arange(6, dtype=np.int32).reshape(2, 3), version=(2, 0)))
    write("npy", "int16-v3.npy", npy(np.arange(4, dtype=np.int16), version=(3, 0)))
    write("npy", "float64-refused.npy", npy(np.zeros(2, dtype=np.float64)))
    write("npy", "fortran-refused.npy", npy(np.asfortranarray(np.zeros((2, 2), dtype=np.int8))))


def set_seeds():
    for i, kv in enumerate(["array.rows=64", "scan.order=\"forward\"", "scan.order=forward", "clock_hz=1e9",
                            "sram.weights.kib=512", "a.b={\"c\": [1, 2.5, null, true]}", "x=", "=1", "noequals",
                            "k=\"unterminated", "k=[[[[[]]]]]"]):
        write("set_arg", f"seed{i:02d}", kv)


def sweep_seeds():
    """Small sweeps of every form docs/sweeps.md describes (grid, random, lhs, ranges, choices, metrics)."""
    base = {"models": ["systolic"], "workloads": ["lra:listops:s4d"], "seq_len": 8, "timing_only": True}
    seeds = {
        "grid.json": {**base, "grid": {"sram.activations.kib": [64, 128], "array.rows": [16, 32]}},
        "grid-set.json": {**base, "name": "s", "description": "d", "config": "systolic-edge",
                          "set": {"sram.cost_model": "cacti-28nm"}, "grid": {"scan.lanes": [32, 64]},
                          "metrics": ["/config/array/rows", "cycles"], "seed": 3, "batch": 2, "timeout_s": 30},
        "random.json": {**base, "samples": {"method": "random", "count": 4, "seed": 9,
                                             "space": {"sram.activations.kib": {"min": 64, "max": 4096,
                                                                                 "log": True, "integer": True}}}},
        "lhs.json": {**base, "models": ["systolic", "gpu"], "workloads": ["lra:listops:s4d", "lra:image:mamba"],
                     "samples": {"method": "lhs", "count": 3,
                                 "space": {"clock_hz": {"min": 5e8, "max": 2e9},
                                           "scan.order": ["forward", "auto"]}}},
        "gpu.json": {**base, "models": ["gpu"], "config": "gpu-a100", "grid": {"l2.mib": [10, 40]}},
    }
    for name, doc in seeds.items():
        write("sweep", name, json.dumps(doc, indent=1))
    write("sweep", "shipped-sram-sizing.json", (HERE.parents[1] / "configs/sweeps/sram-sizing.json").read_bytes())


def weights_seeds():
    """A parameter name, a newline, then its float32 .npy file (fuzz_weights.cpp): lra:listops:s4d's small
    parameters, one with a NaN and one of the wrong shape."""
    rng = np.random.default_rng(11)
    def seed(name, array):
        write("weights", name.replace(".", "-") + ".bin", name.encode() + b"\n" + npy(array))
    seed("classifier.b", rng.standard_normal(10).astype(np.float32))
    seed("classifier.w", (rng.standard_normal((10, 128)) * 0.1).astype(np.float32))
    seed("l0.ssm_fwd.D", rng.standard_normal(128).astype(np.float32))
    seed("l0.glu_a.b", (rng.standard_normal(128) * 0.1).astype(np.float32))
    seed("l0.postnorm.gamma", np.ones(128, dtype=np.float32))
    seed("l1.postnorm.beta", np.zeros(128, dtype=np.float32))
    nan = np.zeros(10, dtype=np.float32)
    nan[2] = np.nan
    write("weights", "classifier-b-nan.bin", b"classifier.b\n" + npy(nan))
    write("weights", "classifier-b-shape.bin", b"classifier.b\n" + npy(np.zeros((2, 5), dtype=np.float32)))
    write("weights", "classifier-b-huge.bin", b"classifier.b\n" + npy(np.full(10, 3e38, dtype=np.float32)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py path/to/ssmsim")
    trace_seeds(sys.argv[1])
    npy_seeds()
    set_seeds()
    sweep_seeds()
    weights_seeds()
