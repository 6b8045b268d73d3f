"""Collects tensors, data and ops of a float32 trace and writes the folder (docs/trace-format.md)."""
import json
import os
import re

import numpy as np

from .errors import ExportError

_BAD_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.:-]")


def sanitize(name):
    """A name that satisfies the names rule: [A-Za-z0-9_.:-]{1,200}."""
    return (_BAD_NAME_CHARS.sub("_", name) or "x")[:200]


class TraceBuilder:
    def __init__(self):
        self.tensors = {}  # name -> {"dtype", "shape"[, "file"]}
        self.data = {}  # graph input name -> np.ndarray
        self.ops = []
        self._by_identity = {}  # id(torch tensor) -> name, so a shared parameter is written once

    def _unique(self, name, taken):
        name = sanitize(name)
        if name not in taken:
            return name
        i = 1
        while f"{name}_{i}"[:200] in taken:
            i += 1
        return f"{name}_{i}"[:200]

    def graph_input(self, name, array, key=None):
        """Declare a graph input with its values. `key`, when given (a torch tensor), lets the same tensor
        used twice (tied weights) map to one trace tensor."""
        if key is not None and id(key) in self._by_identity:
            return self._by_identity[id(key)]
        array = np.ascontiguousarray(array)
        if array.dtype not in (np.float32, np.int32):
            raise ExportError(f"{name}: internal: graph input of dtype {array.dtype}")
        if array.ndim == 0:
            array = array.reshape(1)
        if array.dtype == np.float32 and not np.all(np.isfinite(array)):
            raise ExportError(f"{name}: the trace format refuses NaN and infinity in float32 data")
        name = self._unique(name, self.tensors)
        self.tensors[name] = {"dtype": str(array.dtype), "shape": list(array.shape), "file": name + ".npy"}
        self.data[name] = array
        if key is not None:
            self._by_identity[id(key)] = name
        return name

    def op(self, kind, name, inputs, out_shape, attrs=None):
        """Append an op; its output tensor takes the op's (unique) name. Returns the output name."""
        name = self._unique(name, self.tensors)  # op names are output tensor names: one namespace
        self._check_shape(name, out_shape)
        self.tensors[name] = {"dtype": "float32", "shape": [int(d) for d in out_shape]}
        self.ops.append({"name": name, "kind": kind, "inputs": list(inputs), "outputs": [name],
                         "attrs": attrs or {}})
        return name

    @staticmethod
    def _check_shape(name, shape):
        if not 1 <= len(shape) <= 8 or any(int(d) < 1 for d in shape):
            raise ExportError(f"{name}: shape {list(shape)} is outside the trace format "
                              "(rank 1 to 8, no zero-size dimensions)")

    def shape(self, tensor):
        return self.tensors[tensor]["shape"]

    def is_graph_input(self, tensor):
        return "file" in self.tensors[tensor]

    def write(self, out, trace_name, outputs, meta):
        """Write the .npy files, then trace.json last (by rename), as `ssmsim gen` does: a folder with a
        trace.json has all its data."""
        os.makedirs(out, exist_ok=True)
        trace_json = os.path.join(out, "trace.json")
        if os.path.exists(trace_json):
            os.remove(trace_json)
        for name, array in self.data.items():
            # np.save writes .npy 1.0, C order, in host byte order: make it little-endian explicitly.
            np.save(os.path.join(out, name + ".npy"), array.astype(array.dtype.newbyteorder("<"), copy=False))
        trace = {"format": "ssmsim-trace", "version": 1, "name": trace_name, "numerics": "float32",
                 "meta": meta, "tensors": self.tensors, "ops": self.ops, "outputs": list(outputs)}
        tmp = f"{trace_json}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump(trace, f, indent=1)
        os.replace(tmp, trace_json)
