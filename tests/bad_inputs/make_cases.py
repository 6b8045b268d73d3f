#!/usr/bin/python3
"""Writes tests/bad_inputs/: one folder per broken input and cases.json, which says for each why it is broken,
how ssmsim sees it and the fragments its error message must contain (test_bad_inputs.cpp describes the format
and runs them all). Trace cases start from one of two small valid traces (int8 and float32: embedding -> relu
-> linear) and break one thing; `ssmsim run` and `ssmsim validate` see them. Config, sweep and weights cases
start from a small valid --config file, sweep file or --weights folder and break one thing; each gives ssmsim
its arguments. What git cannot hold (FIFOs, links to devices, directories in place of files, huge files) is
made at test time ("make"). Run by hand after changing a case: tests/bad_inputs/make_cases.py (needs
python3-numpy)."""
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


def case(name, fragments, numerics="int8", commands=("run", "validate"), why="", make=None):
    """Registers a trace case: the decorated function breaks (trace, files) in place or returns raw trace
    bytes. `make`: special files made at test time (see test_bad_inputs.cpp)."""
    def register(fn):
        CASES.append({"name": name, "fn": fn, "numerics": numerics, "fragments": fragments,
                      "commands": list(commands), "why": why or fn.__doc__, "make": make})
        return fn
    return register


def args_case(name, args, fragments, make=None):
    """Registers a case run with its own ssmsim arguments ({case}: its folder, {out}: a scratch folder). The
    decorated function returns the folder's files as {relative path: bytes or str}, or None for no folder."""
    def register(fn):
        CASES.append({"name": name, "fn": fn, "args": args, "fragments": fragments, "why": fn.__doc__,
                      "make": make})
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


# ---- trace.json as something other than a file, and JSON the parser must refuse -------------------------
@case("trace_json_fifo", ["trace.json", "FIFO"], make={"fifo": ["trace.json"]})
def _(t, f):
    """trace.json is a named pipe: reading it used to wait for a writer forever."""


@case("trace_json_directory", ["trace.json", "directory"], make={"dir": ["trace.json"]})
def _(t, f):
    """trace.json is a directory."""


@case("trace_json_dev_zero", ["trace.json", "character device"], make={"link": {"trace.json": "/dev/zero"}})
def _(t, f):
    """trace.json links to /dev/zero, which never ends."""


@case("trace_json_dangling_link", ["trace.json", "dangling symbolic link"],
      make={"link": {"trace.json": "no-such-target.json"}})
def _(t, f):
    """trace.json is a symbolic link to nothing."""


def replace_once(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


def dump_with(t, old, new):
    return replace_once(json.dumps(t), old, new).encode()


@case("duplicate_key_in_tensor", ["trace.json:/tensors/w", "the key 'dtype' twice"])
def _(t, f):
    """A tensor gives its dtype twice."""
    return dump_with(t, '"w": {"dtype": "int8",', '"w": {"dtype": "int8", "dtype": "int16",')


@case("duplicate_key_in_op", ["trace.json:/ops/1", "the key 'kind' twice"])
def _(t, f):
    """An op gives its kind twice."""
    return dump_with(t, '"kind": "relu"', '"kind": "relu", "kind": "exp"')


@case("duplicate_key_in_attrs", ["trace.json:/ops/2/attrs", "the key 'shift' twice"])
def _(t, f):
    """An attribute given twice with different values."""
    return dump_with(t, '"shift": 38', '"shift": 38, "shift": 30')


@case("duplicate_key_in_meta", ["trace.json:/meta", "the key 'source' twice"])
def _(t, f):
    """Free-form meta is JSON too: a key twice is refused there as well."""
    return dump_with(t, '"meta": {}', '"meta": {"source": "a", "source": "b"}')


@case("duplicate_tensor_name", ["trace.json:/tensors", "the key 'x' twice"])
def _(t, f):
    """Two tensors named x: the parser used to keep the last one silently."""
    return dump_with(t, '"x": {', '"x": {"dtype": "int8", "shape": [2]}, "x": {')


@case("nested_65_levels", ["trace.json", "nested at most 64 levels deep"])
def _(t, f):
    """meta nested 65 levels deep (with the trace object, 66): one past the limit."""
    return dump_with(t, '"meta": {}', '"meta": ' + "[" * 65 + "]" * 65)


@case("deeply_nested_objects", ["trace.json", "nested at most 64 levels deep"])
def _(t, f):
    """meta nested 20000 objects deep."""
    return dump_with(t, '"meta": {}', '"meta": ' + '{"a": ' * 20000 + "1" + "}" * 20000)


@case("trailing_garbage", ["trace.json", "valid JSON"])
def _(t, f):
    """A valid trace followed by more text."""
    return json.dumps(t).encode() + b" trailing"


@case("two_documents", ["trace.json", "valid JSON"])
def _(t, f):
    """Two JSON documents in one file."""
    return (json.dumps(t) + "\n" + json.dumps(t)).encode()


@case("json_comment", ["trace.json", "valid JSON"])
def _(t, f):
    """A // comment: not JSON."""
    return b"// my trace\n" + json.dumps(t).encode()


@case("nan_literal", ["trace.json", "valid JSON"])
def _(t, f):
    """NaN is not a JSON number."""
    return dump_with(t, '"version": 1', '"version": NaN')


@case("single_quotes", ["trace.json", "valid JSON"])
def _(t, f):
    """Python's quotes are not JSON's."""
    return dump_with(t, '"format": "ssmsim-trace"', "'format': 'ssmsim-trace'")


@case("trailing_comma", ["trace.json", "valid JSON"])
def _(t, f):
    """A comma after the last member."""
    return json.dumps(t).encode()[:-1] + b",}"


@case("control_character_in_string", ["trace.json", "valid JSON"])
def _(t, f):
    """A raw tab inside a string must be escaped in JSON."""
    return dump_with(t, '"bad-input-base"', '"bad-input\tbase"')


@case("lone_surrogate", ["trace.json", "valid JSON"])
def _(t, f):
    """An escaped UTF-16 high surrogate without its low half."""
    return dump_with(t, '"bad-input-base"', '"bad\\ud800"')


@case("overlong_utf8", ["trace.json", "valid JSON"])
def _(t, f):
    """An overlong UTF-8 encoding of '/' (0xC0 0xAF), a classic filter bypass."""
    return json.dumps(t).replace('"bad-input-base"', '"bad@"').encode().replace(b"@", b"\xc0\xaf")


@case("negative_number_overflow", ["trace.json", "valid JSON", "-1e999"])
def _(t, f):
    """A number below double range."""
    return dump_with(t, '"shift": 38', '"shift": -1e999')


# ---- .npy files as something other than a file, and headers NumPy would not write ---------------------
@case("npy_fifo", ["lut.npy", "FIFO"], make={"fifo": ["lut.npy"]})
def _(t, f):
    """The lookup table's file is a named pipe: it used to hang validate and run."""


@case("npy_directory", ["w.npy", "directory"], make={"dir": ["w.npy"]})
def _(t, f):
    """A directory named w.npy."""


@case("npy_dev_zero", ["table.npy", "character device"], make={"link": {"table.npy": "/dev/zero"}})
def _(t, f):
    """table.npy links to /dev/zero."""


def npy_raw(header, data=b"", version=1):
    """A .npy file with a header of our own (padded as NumPy pads it)."""
    prefix = 10 if version == 1 else 12
    body = header + " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    size = len(body).to_bytes(2 if version == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([version, 0]) + size + body.encode("latin-1") + data


B_INT32 = np.zeros(8, dtype=np.int32).tobytes()


@case("npy_duplicate_descr", ["b.npy", "header field 'descr'", "it twice"])
def _(t, f):
    """'descr' twice: the reader used to take the first and ignore the second."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", B_INT32)


@case("npy_duplicate_shape", ["b.npy", "header field 'shape'", "it twice"])
def _(t, f):
    """'shape' twice."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (8,), 'shape': (2, 4), }", B_INT32)


@case("npy_duplicate_fortran_order", ["b.npy", "header field 'fortran_order'", "it twice"])
def _(t, f):
    """'fortran_order' twice, False then True."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': False, 'fortran_order': True, 'shape': (8,), }",
                         B_INT32)


@case("npy_unknown_header_key", ["b.npy", "header field 'strides'", "unknown key"])
def _(t, f):
    """A header key NumPy never writes."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (8,), 'strides': (4,), }", B_INT32)


@case("npy_header_not_a_dict", ["b.npy", "Python dict literal"])
def _(t, f):
    """A list where the header's dict should be."""
    f["b.npy"] = npy_raw("['descr', '<i4', 'fortran_order', False, 'shape', (8,)]", B_INT32)


@case("npy_header_text_after_dict", ["b.npy", "only padding after"])
def _(t, f):
    """Text after the header's closing brace."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (8,), } extra", B_INT32)


@case("npy_unquoted_descr", ["b.npy", "'descr'"])
def _(t, f):
    """descr without quotes."""
    f["b.npy"] = npy_raw("{'descr': <i4, 'fortran_order': False, 'shape': (8,), }", B_INT32)


@case("npy_unclosed_tuple", ["b.npy", "a closed tuple"])
def _(t, f):
    """The shape tuple never closes."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (8, }", B_INT32)


@case("npy_fractional_shape", ["b.npy", "header field 'shape'", "non-negative integers"])
def _(t, f):
    """A dimension of 8.0."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (8.0,), }", B_INT32)


@case("npy_negative_shape", ["b.npy", "header field 'shape'", "non-negative integers"])
def _(t, f):
    """A dimension of -8."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (-8,), }", B_INT32)


@case("npy_fortran_order_number", ["b.npy", "fortran_order", "found 0"])
def _(t, f):
    """fortran_order given as 0 rather than False."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': 0, 'shape': (8,), }", B_INT32)


@case("npy_object_dtype", ["b.npy", "descr", "'|O'"])
def _(t, f):
    """Python objects (pickles): never read."""
    f["b.npy"] = npy_raw("{'descr': '|O', 'fortran_order': False, 'shape': (8,), }", b"\0" * 64)


@case("npy_version_9", ["b.npy", "format version", "found 9"])
def _(t, f):
    """A format version NumPy has not defined."""
    f["b.npy"] = npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (8,), }", B_INT32)[:6] + b"\x09" + \
        npy_raw("{'descr': '<i4', 'fortran_order': False, 'shape': (8,), }", B_INT32)[7:]


@case("npy_empty_file", ["tokens.npy", "magic", "0 bytes"])
def _(t, f):
    """A zero-byte tensor file."""
    f["tokens.npy"] = b""


@case("npy_v2_prefix_cut", ["b.npy", "complete .npy header"])
def _(t, f):
    """A version 2 file cut inside its 4-byte header length."""
    f["b.npy"] = npy(np.zeros(8, dtype=np.int32), version=(2, 0))[:11]


@case("npy_header_length_beyond_file", ["b.npy", "header length"])
def _(t, f):
    """A version 2 header that claims 2^31 bytes."""
    data = bytearray(npy(np.zeros(8, dtype=np.int32), version=(2, 0)))
    data[8:12] = (1 << 31).to_bytes(4, "little")
    f["b.npy"] = bytes(data)


# ---- --config files -----------------------------------------------------------------------------------
CONFIG_RUN = "run -q --model systolic --timing-only --workload lra:listops:s4d --seq-len 8 --out {out} --config "


def config_text(**extra):
    doc = {"model": "systolic", "name": "corpus", "sram": {"activations": {"kib": 512}}}
    doc.update(extra)
    return json.dumps(doc, indent=1)


@args_case("config_fifo", [CONFIG_RUN + "{case}/config.json"], ["config.json", "FIFO"],
           make={"fifo": ["config.json"]})
def _():
    """--config names a pipe: it used to hang."""


@args_case("config_dev_zero", [CONFIG_RUN + "/dev/zero"], ["--config /dev/zero", "character device"])
def _():
    """--config /dev/zero used to read until memory ran out."""


@args_case("config_directory", [CONFIG_RUN + "{case}/config.json"], ["config.json", "directory"],
           make={"dir": ["config.json"]})
def _():
    """--config names a folder."""


@args_case("config_oversized", [CONFIG_RUN + "{case}/config.json"], ["config.json", "at most 1048576 bytes"],
           make={"size": {"config.json": 64 << 20}})
def _():
    """A 64 MiB config (zeros): refused from its size, before a byte is read."""


@args_case("config_missing", [CONFIG_RUN + "{case}/nothing.json"], ["nothing.json", "no such file"])
def _():
    """--config names no file (and no shipped config)."""
    return {"README": "the config this case names is deliberately absent\n"}


@args_case("config_dangling_link", [CONFIG_RUN + "{case}/config.json"], ["config.json", "dangling symbolic link"],
           make={"link": {"config.json": "gone.json"}})
def _():
    """--config is a link to nothing."""


@args_case("config_duplicate_key", [CONFIG_RUN + "{case}/config.json"], ["config.json", "the key 'model' twice"])
def _():
    """model given twice."""
    return {"config.json": replace_once(config_text(), '"model": "systolic",', '"model": "systolic", "model": "gpu",')}


@args_case("config_duplicate_nested_key", [CONFIG_RUN + "{case}/config.json"],
           ["config.json:/sram/activations", "the key 'kib' twice"])
def _():
    """An SRAM size given twice: which one would win is not obvious."""
    return {"config.json": replace_once(config_text(), '"kib": 512', '"kib": 512, "kib": 64')}


@args_case("config_deeply_nested", [CONFIG_RUN + "{case}/config.json"], ["config.json", "nested at most 64"])
def _():
    """A description nested 20000 levels deep."""
    return {"config.json": replace_once(config_text(description="@"), '"@"', "[" * 20000 + "]" * 20000)}


@args_case("config_truncated", [CONFIG_RUN + "{case}/config.json"], ["config.json", "valid JSON"])
def _():
    """A config cut in the middle."""
    text = config_text()
    return {"config.json": text[: len(text) // 2]}


@args_case("config_number_overflow", [CONFIG_RUN + "{case}/config.json"], ["config.json", "valid JSON", "1e999"])
def _():
    """A clock beyond double range."""
    return {"config.json": replace_once(config_text(), '"kib": 512', '"kib": 1e999')}


@args_case("config_utf16", [CONFIG_RUN + "{case}/config.json"], ["config.json", "valid JSON"])
def _():
    """The config saved as UTF-16."""
    return {"config.json": config_text().encode("utf-16")}


@args_case("config_not_an_object", [CONFIG_RUN + "{case}/config.json"], ["config.json", "a JSON object"])
def _():
    """An array where the config object should be."""
    return {"config.json": "[\"systolic\"]\n"}


# ---- sweep files --------------------------------------------------------------------------------------
SWEEP = "sweep {case}/sweep.json --out {out}"


def sweep_text():
    return json.dumps({"models": ["systolic"], "workloads": ["lra:listops:s4d"], "seq_len": 8,
                       "timing_only": True, "grid": {"sram.activations.kib": [64, 128]}})


@args_case("sweep_fifo", [SWEEP], ["sweep.json", "FIFO"], make={"fifo": ["sweep.json"]})
def _():
    """The sweep file is a pipe."""


@args_case("sweep_dev_zero", ["sweep /dev/zero --out {out}"], ["/dev/zero", "character device"])
def _():
    """The sweep file is /dev/zero."""


@args_case("sweep_directory", [SWEEP], ["sweep.json", "directory"], make={"dir": ["sweep.json"]})
def _():
    """A folder named sweep.json."""


@args_case("sweep_oversized", [SWEEP], ["sweep.json", "at most 1048576 bytes"],
           make={"size": {"sweep.json": 8 << 20}})
def _():
    """An 8 MiB sweep file of zeros."""


@args_case("sweep_missing", [SWEEP], ["sweep.json", "no such file"])
def _():
    """No sweep file."""
    return {"README": "the sweep file this case names is deliberately absent\n"}


@args_case("sweep_deeply_nested", [SWEEP], ["sweep.json", "nested at most 64 levels deep"])
def _():
    """A description nested 200000 levels deep: the sweep parser had no depth limit and crashed."""
    return {"sweep.json": sweep_text()[:-1] + ', "description": ' + "[" * 200000 + "]" * 200000 + "}"}


@args_case("sweep_deeply_nested_grid", [SWEEP], ["sweep.json", "nested at most 64 levels deep"])
def _():
    """A grid value nested 70 objects deep."""
    return {"sweep.json": replace_once(sweep_text(), "[64, 128]", '{"a": ' * 70 + "1" + "}" * 70)}


@args_case("sweep_duplicate_grid_key", [SWEEP], ["sweep.json:/grid", "the key 'sram.activations.kib' twice"])
def _():
    """A grid axis given twice: one of them used to vanish silently."""
    return {"sweep.json": replace_once(sweep_text(), '"grid": {', '"grid": {"sram.activations.kib": [256], ')}


@args_case("sweep_duplicate_top_key", [SWEEP], ["sweep.json", "the key 'models' twice"])
def _():
    """models given twice."""
    return {"sweep.json": replace_once(sweep_text(), '"models": ["systolic"],', '"models": ["systolic"], "models": ["gpu"],')}


@args_case("sweep_truncated", [SWEEP], ["sweep.json", "valid JSON"])
def _():
    """A sweep file cut in the middle."""
    text = sweep_text()
    return {"sweep.json": text[: len(text) // 2]}


@args_case("sweep_number_overflow", [SWEEP], ["sweep.json", "valid JSON", "1e999"])
def _():
    """A grid value beyond double range."""
    return {"sweep.json": replace_once(sweep_text(), "[64, 128]", "[64, 1e999]")}


# ---- --weights folders --------------------------------------------------------------------------------
WEIGHTS = "run -q --model reference --workload lra:listops:s4d --seq-len 8 --out {out} --weights {case}/weights"
BIAS_SHAPE = (10,)  # classifier.b of lra:listops:s4d; classifier.w is (10, 128)


def bias(value=None, at=3):
    b = np.linspace(-0.5, 0.5, BIAS_SHAPE[0]).astype(np.float32)
    if value is not None:
        b[at] = value
    return b


@args_case("weights_nan", [WEIGHTS], ["classifier.b.npy (parameter 'classifier.b', element 3)", "NaN"])
def _():
    """A NaN bias: it used to run to exit 0 with NaN logits."""
    return {"weights/classifier.b.npy": npy(bias(np.nan))}


@args_case("weights_inf", [WEIGHTS], ["classifier.b.npy (parameter 'classifier.b', element 0)", "infinity"])
def _():
    """+inf: it used to end in an error about an op attribute, not the user's file."""
    return {"weights/classifier.b.npy": npy(bias(np.inf, at=0))}


@args_case("weights_negative_inf_in_matrix", [WEIGHTS],
           ["classifier.w.npy (parameter 'classifier.w', element 1279)", "infinity"])
def _():
    """-inf in the last element of the classifier's weight matrix."""
    w = np.zeros((10, 128), dtype=np.float32)
    w[9, 127] = -np.inf
    return {"weights/classifier.w.npy": npy(w)}


@args_case("weights_fifo", [WEIGHTS], ["classifier.b.npy", "FIFO"], make={"fifo": ["weights/classifier.b.npy"]})
def _():
    """A parameter file that is a pipe."""


@args_case("weights_dev_zero", [WEIGHTS], ["classifier.b.npy", "character device"],
           make={"link": {"weights/classifier.b.npy": "/dev/zero"}})
def _():
    """A parameter file linked to /dev/zero."""


@args_case("weights_npy_directory", [WEIGHTS], ["classifier.b.npy", "directory"],
           make={"dir": ["weights/classifier.b.npy"]})
def _():
    """A directory named like a parameter file."""


@args_case("weights_folder_is_a_file", [WEIGHTS.replace("{case}/weights", "{case}/weights.npy")],
           ["--weights", "weights.npy", "a folder of .npy files", "regular file"])
def _():
    """--weights names one .npy file rather than a folder."""
    return {"weights.npy": npy(bias())}


@args_case("weights_folder_missing", [WEIGHTS.replace("{case}/weights", "{case}/nothing")],
           ["--weights", "nothing", "no such file"])
def _():
    """--weights names no folder."""
    return {"README": "the weights folder this case names is deliberately absent\n"}


@args_case("weights_unknown_name", [WEIGHTS], ["clasifier.b.npy", "the name of a parameter"])
def _():
    """A typo in a file name."""
    return {"weights/clasifier.b.npy": npy(bias())}


@args_case("weights_wrong_shape", [WEIGHTS], ["classifier.b.npy", "float32 of shape [10]", "shape [11]"])
def _():
    """One element too many."""
    return {"weights/classifier.b.npy": npy(np.zeros(11, dtype=np.float32))}


@args_case("weights_int8", [WEIGHTS], ["classifier.b.npy", "float32 of shape [10]", "int8"])
def _():
    """Quantized weights where float32 parameters belong."""
    return {"weights/classifier.b.npy": npy(np.zeros(10, dtype=np.int8))}


@args_case("weights_float64", [WEIGHTS], ["classifier.b.npy", "descr", "<f8"])
def _():
    """float64 parameters (NumPy's default dtype)."""
    return {"weights/classifier.b.npy": npy(np.zeros(10, dtype=np.float64))}


@args_case("weights_duplicate_header_key", [WEIGHTS], ["classifier.b.npy", "header field 'shape'", "it twice"])
def _():
    """A parameter file whose header gives its shape twice."""
    return {"weights/classifier.b.npy":
            npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (10,), 'shape': (5, 2), }", bias().tobytes())}


@args_case("weights_truncated", [WEIGHTS], ["classifier.b.npy", "truncated"])
def _():
    """A parameter file missing its last element."""
    return {"weights/classifier.b.npy": npy(bias())[:-4]}


def write_case_files(d, files):
    for rel, data in files.items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_bytes(data if isinstance(data, bytes) else data.encode())


def main():
    # Only this script's folders: those cases.json lists now and those it is about to write (other
    # *cases*.json files in this folder belong to other runners).
    old_names = set(json.loads((HERE / "cases.json").read_text())) if (HERE / "cases.json").exists() else set()
    for name in old_names | {c["name"] for c in CASES}:
        if (HERE / name).is_dir():
            shutil.rmtree(HERE / name)
    lines = []
    for c in CASES:
        entry = {"why": " ".join(c["why"].split())}
        if "args" in c:
            files = c["fn"]()
            if files or any("{case}" in a for a in c["args"]) and not c["make"]:
                d = HERE / c["name"]
                d.mkdir()
                write_case_files(d, files or {})
            entry["args"] = c["args"]
        else:
            trace, files = base(c["numerics"])
            trace, files = copy.deepcopy(trace), dict(files)
            raw = c["fn"](trace, files)
            d = HERE / c["name"]
            d.mkdir()
            (d / "trace.json").write_bytes(raw if raw is not None else (json.dumps(trace, indent=1) + "\n").encode())
            write_case_files(d, files)
            entry["commands"] = c["commands"]
        if c["make"]:
            entry["make"] = c["make"]
        entry["fragments"] = c["fragments"]
        lines.append(f"  {json.dumps(c['name'])}: {json.dumps(entry)}")
    (HERE / "cases.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {len(CASES)} cases")


if __name__ == "__main__":
    main()
