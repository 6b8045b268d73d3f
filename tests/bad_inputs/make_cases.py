#!/usr/bin/python3
"""Writes tests/bad_inputs/: one folder per broken workload (trace.json and its .npy files) and cases.json,
which says for each why it is broken, which commands see it (`ssmsim run`, `ssmsim validate`) and the
fragments their error message must contain. Every case starts from one of two
small valid traces (int8 and float32: embedding -> relu -> linear) and breaks one thing. Run by hand after
changing a case: tests/bad_inputs/make_cases.py (needs python3-numpy); test_bad_inputs.cpp runs them all."""
import copy
import io
import json
import pathlib
import shutil

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def npy(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, array, version=version, allow_pickle=False)
    return buf.getvalue()


def base(numerics):
    """A valid trace with data: tokens -> embedding -> relu -> linear -> y."""
    rng = np.random.default_rng(3)
    f = numerics == "float32"
    act = "float32" if f else "int8"
    tensors = {
        "tokens": {"dtype": "int32", "shape": [1, 4], "file": "tokens.npy"},
        "table": {"dtype": act, "shape": [16, 8], "file": "table.npy"},
        "w": {"dtype": act, "shape": [8, 8], "file": "w.npy"},
        "b": {"dtype": "float32" if f else "int32", "shape": [8], "file": "b.npy"},
        "x": {"dtype": act, "shape": [1, 4, 8]},
        "h": {"dtype": act, "shape": [1, 4, 8]},
        "y": {"dtype": act, "shape": [1, 4, 8]},
    }
    files = {"tokens.npy": npy(np.array([[3, 1, 4, 15]], dtype=np.int32))}
    if f:
        files["table.npy"] = npy(rng.standard_normal((16, 8)).astype(np.float32))
        files["w.npy"] = npy(rng.standard_normal((8, 8)).astype(np.float32))
        files["b.npy"] = npy(rng.standard_normal(8).astype(np.float32))
    else:
        tensors["lut"] = {"dtype": "int8", "shape": [256], "file": "lut.npy"}
        files["table.npy"] = npy(rng.integers(-128, 128, (16, 8), dtype=np.int8))
        files["w.npy"] = npy(rng.integers(-128, 128, (8, 8), dtype=np.int8))
        files["b.npy"] = npy(rng.integers(-1000, 1000, 8, dtype=np.int32))
        files["lut.npy"] = npy(np.maximum(np.arange(-128, 128), 0).astype(np.int8))
    ops = [
        {"name": "embed", "kind": "embedding", "inputs": ["tokens", "table"], "outputs": ["x"]},
        {"name": "act", "kind": "relu", "inputs": ["x"] if f else ["x", "lut"], "outputs": ["h"]},
        {"name": "proj", "kind": "linear", "inputs": ["h", "w", "b"], "outputs": ["y"],
         "attrs": {} if f else {"mult": 1073741824, "shift": 38}},
    ]
    trace = {"format": "ssmsim-trace", "version": 1, "name": "bad-input-base", "numerics": numerics,
             "meta": {}, "tensors": tensors, "ops": ops, "outputs": ["y"]}
    return trace, files


CASES = []


def case(name, fragments, numerics="int8", commands=("run", "validate"), why=""):
    """Registers a case: the decorated function breaks (trace, files) in place or returns raw trace bytes."""
    def register(fn):
        CASES.append({"name": name, "fn": fn, "numerics": numerics, "fragments": fragments,
                      "commands": list(commands), "why": why or fn.__doc__})
        return fn
    return register


def with_header(files, name, array, **kw):
    files[name] = npy(array, **kw)


# ---- .npy files ----------------------------------------------------------------------------------------
@case("npy_truncated", ["lut.npy", "truncated"])
def _(t, f):
    """The lookup table's file lost its last 10 bytes."""
    f["lut.npy"] = f["lut.npy"][:-10]


@case("npy_oversized", ["table.npy", "oversized"])
def _(t, f):
    """Five stray bytes after the table's data."""
    f["table.npy"] += b"\0\0\0\0\0"


@case("npy_header_cut", ["w.npy", "header length"])
def _(t, f):
    """The file ends inside its header."""
    f["w.npy"] = f["w.npy"][:40]


@case("npy_not_numpy", ["tokens.npy", "magic"])
def _(t, f):
    """A text file where a .npy file should be."""
    f["tokens.npy"] = b"3,1,4,15\n"


@case("npy_float64", ["table.npy", "descr", "<f8"], numerics="float32")
def _(t, f):
    """float64 data: not one of the four dtypes."""
    f["table.npy"] = npy(np.zeros((16, 8), dtype=np.float64))


@case("npy_big_endian", ["b.npy", "descr", ">i4"])
def _(t, f):
    """Big-endian int32."""
    f["b.npy"] = npy(np.zeros(8, dtype=">i4"))


@case("npy_fortran_order", ["w.npy", "fortran_order"])
def _(t, f):
    """Column-major data."""
    f["w.npy"] = npy(np.asfortranarray(np.ones((8, 8), dtype=np.int8)))


@case("npy_dtype_differs", ["/tensors/b/dtype", "int32 as declared", "int16"])
def _(t, f):
    """The bias file holds int16 while trace.json declares int32."""
    f["b.npy"] = npy(np.zeros(8, dtype=np.int16))


@case("npy_shape_differs", ["/tensors/table/shape", "[16, 8] as declared", "[8, 16]"])
def _(t, f):
    """The table file is transposed."""
    f["table.npy"] = npy(np.zeros((8, 16), dtype=np.int8))


@case("npy_missing", ["lut.npy", "no such file"])
def _(t, f):
    """A declared file that is not there."""
    del f["lut.npy"]


@case("float_nan", ["w.npy (element 9)", "NaN"], numerics="float32")
def _(t, f):
    """A NaN in float32 weights."""
    w = np.ones((8, 8), dtype=np.float32)
    w[1, 1] = np.nan
    f["w.npy"] = npy(w)


@case("float_inf", ["table.npy (element 0)", "infinity"], numerics="float32")
def _(t, f):
    """-inf in a float32 table."""
    table = np.ones((16, 8), dtype=np.float32)
    table[0, 0] = -np.inf
    f["table.npy"] = npy(table)


@case("token_out_of_vocabulary", ["tokens.npy", "[0, 15]", "found 16"], commands=("run",))
def _(t, f):
    """A token past the table's 16 rows: only running finds it (validate checks structure, not values)."""
    f["tokens.npy"] = npy(np.array([[3, 1, 4, 16]], dtype=np.int32))


# ---- shapes and sizes ----------------------------------------------------------------------------------
@case("shape_mismatch_between_ops", ["/ops/2", "in_features"])
def _(t, f):
    """The linear layer's weight has 9 input features; its input has 8."""
    t["tensors"]["w"]["shape"] = [8, 9]
    f["w.npy"] = npy(np.zeros((8, 9), dtype=np.int8))


@case("output_shape_wrong", ["/ops/2/outputs/0", "expected [1, 4, 8]", "found [1, 4, 7]"])
def _(t, f):
    """The declared output shape is not what the op computes."""
    t["tensors"]["y"]["shape"] = [1, 4, 7]


@case("zero_size", ["/tensors/h/shape/2", "positive integer"])
def _(t, f):
    """A dimension of 0."""
    t["tensors"]["h"]["shape"] = [1, 4, 0]


@case("negative_size", ["/tensors/table/shape/0", "positive integer", "-16"])
def _(t, f):
    """A negative dimension."""
    t["tensors"]["table"]["shape"] = [-16, 8]


@case("size_beyond_int64", ["/tensors/w/shape/0", "positive integer"])
def _(t, f):
    """2^64: no longer an integer once parsed."""
    return json.dumps(t).replace('"shape": [8, 8]', '"shape": [18446744073709551616, 8]', 1).encode()


@case("absurd_sequence_length", ["/ops/0", "time steps"])
def _(t, f):
    """2^30 time steps: over the 2^22 that any op accepts, refused before any file is read."""
    for n in ("tokens", "x", "h", "y"):
        t["tensors"][n]["shape"][1] = 1 << 30


@case("absurd_element_count", ["/tensors/table/shape", "at most 2^40 elements"])
def _(t, f):
    """2^20 x 2^30 table entries."""
    t["tensors"]["table"]["shape"] = [1 << 20, 1 << 30]


# ---- names and graph -----------------------------------------------------------------------------------
@case("dangling_input", ["/ops/1/inputs/0", "'ghost' (not declared)"])
def _(t, f):
    """An op reads a tensor that is not declared."""
    t["ops"][1]["inputs"][0] = "ghost"


@case("dangling_output", ["/outputs/0", "'logits'"])
def _(t, f):
    """The trace's output names nothing any op writes."""
    t["outputs"] = ["logits"]


@case("cycle", ["cycle", "act", "proj"])
def _(t, f):
    """relu reads the linear layer's output, which reads relu's output."""
    t["ops"][1]["inputs"][0] = "y"
    t["tensors"]["y"]["shape"] = [1, 4, 8]


@case("out_of_order", ["/ops/0/inputs/0", "earlier op", "'x', written by op 1 ('embed')"])
def _(t, f):
    """relu listed before the embedding whose output it reads (no cycle: only the order is wrong)."""
    t["ops"][0], t["ops"][1] = t["ops"][1], t["ops"][0]


@case("written_twice", ["/ops/2/outputs/0", "also written by op 'act'"])
def _(t, f):
    """Two ops write h."""
    t["ops"][2]["outputs"] = ["h"]
    t["outputs"] = ["h"]


@case("duplicate_op_name", ["/ops/2/name", "unique op name"])
def _(t, f):
    """Two ops named act."""
    t["ops"][2]["name"] = "act"


@case("bad_tensor_name", ["/tensors/w e", "tensor name"])
def _(t, f):
    """A space in a tensor name."""
    t["tensors"]["w e"] = t["tensors"].pop("w")
    t["ops"][2]["inputs"][1] = "w e"


@case("file_outside_folder", ["/tensors/w/file", "inside the trace folder"])
def _(t, f):
    """A file path that climbs out of the trace folder."""
    t["tensors"]["w"]["file"] = "../w.npy"


@case("data_for_some_inputs", ["/tensors/lut/file", "a file for every graph input"])
def _(t, f):
    """One graph input without a file in a trace with data."""
    del t["tensors"]["lut"]["file"]


# ---- schema --------------------------------------------------------------------------------------------
@case("unknown_op", ["/ops/1/kind", "unknown op 'swish'"])
def _(t, f):
    """An op kind the simulator does not know."""
    t["ops"][1]["kind"] = "swish"


@case("unknown_top_level_key", ["/layers", "unknown key 'layers'"])
def _(t, f):
    """A key the format does not define."""
    t["layers"] = []


@case("unknown_tensor_key", ["/tensors/w/strides", "unknown key 'strides'"])
def _(t, f):
    """A tensor field the format does not define."""
    t["tensors"]["w"]["strides"] = [8, 1]


@case("unknown_attribute", ["/ops/2/attrs/rounding", "unknown attribute"])
def _(t, f):
    """An attribute linear does not take."""
    t["ops"][2]["attrs"]["rounding"] = "even"


@case("attribute_out_of_range", ["/ops/2/attrs/shift"])
def _(t, f):
    """A requantization shift of 99."""
    t["ops"][2]["attrs"]["shift"] = 99


@case("unknown_dtype", ["/tensors/w/dtype", "'bfloat16'"])
def _(t, f):
    """A dtype the format does not define."""
    t["tensors"]["w"]["dtype"] = "bfloat16"


@case("wrong_version", ["/version", "found 2"])
def _(t, f):
    """A future format version."""
    t["version"] = 2


@case("not_an_object", ["trace.json", "a JSON object"])
def _(t, f):
    """A JSON array instead of the trace object."""
    return b"[1, 2, 3]\n"


@case("duplicate_key", ["the key 'numerics' twice"])
def _(t, f):
    """numerics given twice: which one would win is not obvious, so neither does."""
    text = json.dumps(t, indent=1)
    return text.replace('"numerics": "int8",', '"numerics": "int8",\n "numerics": "float32",', 1).encode()


# ---- bytes ---------------------------------------------------------------------------------------------
@case("empty_trace_json", ["trace.json", "valid JSON"])
def _(t, f):
    """A zero-byte trace.json."""
    return b""


@case("truncated_json", ["trace.json", "valid JSON"])
def _(t, f):
    """trace.json cut in the middle."""
    text = json.dumps(t, indent=1).encode()
    return text[: len(text) // 2]


@case("non_utf8_name", ["trace.json", "valid JSON"])
def _(t, f):
    """Latin-1 bytes inside a string: not UTF-8."""
    return json.dumps(t).replace('"bad-input-base"', '"caf\u00e9"').encode("latin-1")


@case("utf16_file", ["trace.json", "valid JSON"])
def _(t, f):
    """The whole file in UTF-16 with a byte-order mark."""
    return json.dumps(t).encode("utf-16")


@case("number_overflow", ["trace.json", "valid JSON", "1e999"])
def _(t, f):
    """A number beyond double range (found by fuzz_trace: it used to be an internal error)."""
    return json.dumps(t).replace('"version": 1', '"version": 1e999', 1).encode()


@case("deeply_nested_json", ["trace.json", "nested at most 64 levels deep"])
def _(t, f):
    """meta nested 100000 arrays deep: must be refused without exhausting the stack."""
    return json.dumps(t).replace('"meta": {}', '"meta": ' + "[" * 100000 + "]" * 100000, 1).encode()


@case("deeply_nested_attribute", ["trace.json", "nested at most 64 levels deep"])
def _(t, f):
    """An attribute nested 100000 arrays deep (the error message would print it)."""
    deep = "[" * 100000 + "1" + "]" * 100000
    return json.dumps(t).replace('"mult": 1073741824', '"mult": ' + deep, 1).encode()


def main():
    for old in HERE.iterdir():
        if old.is_dir() and (old / "trace.json").exists():
            shutil.rmtree(old)
    lines = []
    for c in CASES:
        trace, files = base(c["numerics"])
        trace, files = copy.deepcopy(trace), dict(files)
        raw = c["fn"](trace, files)
        d = HERE / c["name"]
        d.mkdir()
        (d / "trace.json").write_bytes(raw if raw is not None else (json.dumps(trace, indent=1) + "\n").encode())
        for name, data in files.items():
            (d / name).write_bytes(data)
        entry = {"why": " ".join(c["why"].split()), "commands": c["commands"], "fragments": c["fragments"]}
        lines.append(f"  {json.dumps(c['name'])}: {json.dumps(entry)}")
    (HERE / "cases.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {len(CASES)} cases")


if __name__ == "__main__":
    main()
