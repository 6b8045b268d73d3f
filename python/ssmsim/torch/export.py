"""ssmsim.torch.export: a PyTorch module -> a float32 trace folder (docs/python-export.md)."""
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.fx as fx

from . import function_rules, module_rules
from .errors import ExportError
from .trace_builder import TraceBuilder, sanitize
from .tracer import PATH_KEY, trace
from .values import Fused, Param, Tuple, where


@dataclass
class ExportResult:
    path: str  # the trace folder
    inputs: list  # trace tensor names of the example inputs, in argument order
    outputs: list  # trace tensor names of the module's outputs, in order (the trace's "outputs")
    torch_outputs: list = field(repr=False)  # the module's outputs on the example input (numpy)


class _Recorder(fx.Interpreter):
    """Runs the traced module once and keeps every node's value: shapes for the trace, and the outputs."""

    def __init__(self, gm):
        super().__init__(gm)
        self.values = {}

    def run_node(self, n):
        try:
            result = super().run_node(n)
        except Exception as e:  # the module itself fails on this input: say where, in the same error type
            raise ExportError(f"{where(n)}: running the module on the example input failed: "
                              f"{type(e).__name__}: {e}") from e
        self.values[n] = result
        return result


class Lowering:
    """Maps fx nodes to trace ops in graph order; the per-kind rules are in function_rules.py and
    module_rules.py."""

    def __init__(self, root, gm, values):
        self.root, self.gm, self.values = root, gm, values
        self.tb = TraceBuilder()
        self.env = {}
        self.inputs, self.outputs, self.output_nodes = [], [], []
        self.fused_activations = function_rules.find_gates(gm, root)

    def run(self):
        for node in self.gm.graph.nodes:
            try:
                getattr(self, "_" + node.op)(node)
            except ExportError:
                raise
            except Exception as e:  # a rule tripping over an unexpected form: still say where
                raise ExportError(f"{where(node)}: could not export: {type(e).__name__}: {e}") from e

    # --- helpers used by the rules ---

    def out_shape(self, node):
        value = self.values[node]
        if not torch.is_tensor(value):
            raise ExportError(f"{where(node)}: expected a tensor result, found {type(value).__name__}")
        if value.dtype != torch.float32:
            raise ExportError(f"{where(node)}: expected a float32 result (the trace's numerics), "
                              f"found {value.dtype}")
        return list(value.shape)

    def op_name(self, node, base):
        if node.op == "call_module":  # a module's op is named by its path, whatever the kind
            return node.target
        path = node.meta.get(PATH_KEY, "")
        return f"{path}.{base}" if path else base

    def param(self, tensor, name, node):
        """A float32 weight as a graph input (one trace tensor per torch tensor)."""
        if tensor.dtype != torch.float32:
            raise ExportError(f"{where(node)}: expected float32 parameter '{name}', found {tensor.dtype}")
        return self.tb.graph_input(name, tensor.detach().cpu().numpy(), key=tensor)

    def constant(self, name, array):
        return self.tb.graph_input(name, np.asarray(array, dtype=np.float32))

    def operand(self, node, arg, shape=None):
        """The trace tensor of a float operand. `shape`: a parameter operand may be broadcast to it."""
        if not isinstance(arg, fx.Node):
            raise ExportError(f"{where(node)}: a constant operand ({arg!r}) has no trace form; "
                              "make it a parameter or buffer of the same shape")
        value = self.env.get(arg)
        if isinstance(value, Param):
            return self._declare_param(node, value, shape)
        if isinstance(value, (Tuple, Fused)) or value is None:
            raise ExportError(f"{where(node)}: operand '{arg.name}' is not a tensor the trace can use")
        if self.tb.tensors[value]["dtype"] != "float32":
            raise ExportError(f"{where(node)}: integer input '{value}' can only feed an nn.Embedding")
        return value

    def _declare_param(self, node, p, shape):
        own = list(p.tensor.shape)
        if shape is None or own == list(shape):
            return self.param(p.tensor, p.name, node)
        try:
            wide = np.broadcast_to(p.tensor.detach().cpu().numpy(), shape)
        except ValueError:
            raise ExportError(f"{where(node)}: '{p.name}' of shape {own} does not broadcast to {list(shape)}")
        if p.tensor.dtype != torch.float32:
            raise ExportError(f"{where(node)}: expected float32 '{p.name}', found {p.tensor.dtype}")
        # The trace's add/mul take equal shapes: the broadcast copy is a graph input of its own.
        return self.tb.graph_input(f"{p.name}:{'x'.join(str(d) for d in shape)}", wide)

    def emit(self, node, kind, inputs, attrs=None, base=None):
        name = self.tb.op(kind, self.op_name(node, base), inputs, self.out_shape(node), attrs)
        self.env[node] = name
        return name

    # --- fx node kinds ---

    def _placeholder(self, node):
        value = self.values[node]
        if value is None and not node.users:  # an optional argument left at its default (mask=None)
            return
        if not torch.is_tensor(value):
            raise ExportError(f"input '{node.target}': expected a tensor, found {type(value).__name__}")
        if value.dtype.is_floating_point:
            if value.dtype != torch.float32:
                raise ExportError(f"input '{node.target}': expected float32, found {value.dtype}")
            array = value.detach().cpu().numpy()
        elif value.dtype in (torch.int64, torch.int32, torch.int16, torch.uint8, torch.int8):
            # Token ids: the trace's tokens role is int32.
            if value.numel() and (int(value.min()) < 0 or int(value.max()) > 2**31 - 1):
                raise ExportError(f"input '{node.target}': token ids must lie in [0, 2^31 - 1]")
            array = value.detach().cpu().numpy().astype(np.int32)
        else:
            raise ExportError(f"input '{node.target}': dtype {value.dtype} has no trace form")
        name = self.tb.graph_input(node.target, array)
        self.env[node] = name
        self.inputs.append(name)

    def _get_attr(self, node):
        self.env[node] = Param(sanitize(node.target), self.values[node])

    def _call_module(self, node):
        module_rules.lower_module(self, node, self.root.get_submodule(node.target))

    def _call_function(self, node):
        if not self._fold_constant(node):
            function_rules.lower_function(self, node)

    def _call_method(self, node):
        if not self._fold_constant(node):
            function_rules.lower_function(self, node)

    def _fold_constant(self, node):
        """A function of parameters only (A = -exp(A_log), pos[:, :L]) is computed here, once, and becomes
        a parameter itself: the trace needs no op for weight preprocessing."""
        operands = []
        fx.node.map_arg((node.args, node.kwargs), operands.append)
        if not operands or not all(isinstance(self.env.get(n), Param) for n in operands):
            return False
        if not torch.is_tensor(self.values[node]):
            return False
        # Named after its first operand and the function: pos.getitem, mixer.A_log.exp.neg.
        self.env[node] = Param(sanitize(f"{self.env[operands[0]].name}.{node.name}"), self.values[node])
        return True

    def _output(self, node):
        results = node.args[0]
        items = list(results) if isinstance(results, (tuple, list)) else [results]
        for item in items:
            value = self.env.get(item) if isinstance(item, fx.Node) else None
            if not isinstance(value, str) or self.tb.is_graph_input(value):
                what = "a model input or parameter" if value is not None else type(item).__name__
                raise ExportError(f"output {item!r}: expected a tensor computed by an op (trace outputs are op "
                                  f"results), found {what}")
            if value in self.outputs:
                raise ExportError(f"output '{value}' appears twice; the trace lists each output once")
            self.outputs.append(value)
            self.output_nodes.append(item)


def export(module, example_input, out, name=None):
    """Trace `module` with torch.fx, run it once on `example_input` (a tensor or a tuple of them), and write
    a float32 trace folder `out` whose graph inputs are the example input(s) and every weight and whose
    outputs are the module's outputs. The module runs in eval mode (restored afterwards). Raises
    ExportError for anything without a trace op."""
    inputs = tuple(example_input) if isinstance(example_input, (tuple, list)) else (example_input,)
    modes = {m: m.training for m in module.modules()}
    module.eval()  # dropout off and attention's inference path: the trace has no randomness
    try:
        gm = trace(module)
        recorder = _Recorder(gm)
        with torch.no_grad():
            recorder.run(*inputs)
        lowering = Lowering(module, gm, recorder.values)
        lowering.run()
    finally:
        for m, training in modes.items():
            m.training = training
    trace_name = name or type(module).__name__
    meta = {"generator": "ssmsim.torch.export", "torch": torch.__version__,
            "module": f"{type(module).__module__}.{type(module).__qualname__}"}
    lowering.tb.write(out, trace_name, lowering.outputs, meta)
    torch_outputs = [recorder.values[n].detach().cpu().numpy() for n in lowering.output_nodes]
    return ExportResult(out, lowering.inputs, lowering.outputs, torch_outputs)
