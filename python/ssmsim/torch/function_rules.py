"""How each supported function, method and activation becomes a trace op (modules: module_rules.py).

Every rule checks that the PyTorch computation is the trace op's float32 computation (docs/numerics.md,
"float32 mode"); a configuration that would compute something else (erf GELU, softplus with beta != 1,
attention masks in module_rules.py) is refused rather than exported approximately.
"""
import operator

import torch
import torch.fx as fx
import torch.nn as nn
import torch.nn.functional as F

from .errors import ExportError
from .values import Fused, Param, Tuple, where

# --- activations (silu, softplus, gelu, relu, sigmoid, exp) in their function, method and module forms ---

_UNARY_FUNCTIONS = {F.silu: "silu", F.softplus: "softplus", F.gelu: "gelu", F.relu: "relu",
                    torch.relu: "relu", torch.sigmoid: "sigmoid", F.sigmoid: "sigmoid", torch.exp: "exp"}
_UNARY_METHODS = {"sigmoid": "sigmoid", "relu": "relu", "exp": "exp"}
_UNARY_MODULES = ((nn.SiLU, "silu"), (nn.Softplus, "softplus"), (nn.GELU, "gelu"), (nn.ReLU, "relu"),
                  (nn.Sigmoid, "sigmoid"))
_ADD = (operator.add, torch.add)
_MUL = (operator.mul, torch.mul)
_RESHAPE_METHODS = ("reshape", "view", "flatten")
_RESHAPE_FUNCTIONS = (torch.reshape, torch.flatten)
_MEAN = (torch.mean,)


def arg(node, index, name, default=None):
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(name, default)


def unary_kind(node, root):
    """(kind, problem): the activation a node computes, or (None, None); `problem` says why its settings
    are not the contract's function."""
    kind, settings = None, {}
    if node.op == "call_function" and node.target in _UNARY_FUNCTIONS:
        kind = _UNARY_FUNCTIONS[node.target]
        if kind == "softplus":
            settings = {"beta": arg(node, 1, "beta", 1), "threshold": arg(node, 2, "threshold", 20)}
        elif kind == "gelu":
            settings = {"approximate": node.kwargs.get("approximate", "none")}
    elif node.op == "call_method" and node.target in _UNARY_METHODS:
        kind = _UNARY_METHODS[node.target]
    elif node.op == "call_module":
        m = root.get_submodule(node.target)
        for cls, k in _UNARY_MODULES:
            if isinstance(m, cls):
                kind = k
                if k == "softplus":
                    settings = {"beta": m.beta, "threshold": m.threshold}
                elif k == "gelu":
                    settings = {"approximate": m.approximate}
    if kind is None:
        return None, None
    if kind == "softplus" and (settings["beta"] != 1 or settings["threshold"] != 20):
        return kind, (f"softplus with beta={settings['beta']}, threshold={settings['threshold']} is not the "
                      "trace's softplus (beta 1, threshold 20)")
    if kind == "gelu" and settings["approximate"] != "tanh":
        return kind, ("GELU with approximate='none' (erf) is not the trace's gelu, which is the tanh form: "
                      "use nn.GELU(approximate='tanh') or F.gelu(x, approximate='tanh')")
    return kind, None


def _is_mul(node):
    return ((node.op == "call_function" and node.target in _MUL) or
            (node.op == "call_method" and node.target == "mul"))


def find_gates(gm, root):
    """Activations to fold into a gate op: silu/sigmoid whose only user is a mul (y * silu(z), as Mamba and
    a GLU are written). The gate computes the same a * f(z), and the quantizer keeps it one op."""
    fused = {}
    for node in gm.graph.nodes:
        if not _is_mul(node) or len(node.args) < 2:
            continue
        a, b = node.args[0], node.args[1]
        for act, other in ((b, a), (a, b)):
            if not isinstance(act, fx.Node) or act is other or len(act.users) != 1:
                continue
            kind, problem = unary_kind(act, root)
            if kind in ("silu", "sigmoid") and problem is None and not _inplace(act, root):
                fused[act] = (node, kind)
                break
    return fused


def _inplace(node, root):
    if node.op == "call_module":
        return getattr(root.get_submodule(node.target), "inplace", False)
    return bool(node.kwargs.get("inplace", False)) or (node.op == "call_function" and len(node.args) > 1 and
                                                         node.target in (F.silu, F.relu) and node.args[1] is True)


# --- functions and methods ---

def _supported_functions():
    return ("F.linear (weight and bias parameters), F.silu, F.softplus, F.gelu(approximate='tanh'), F.relu, "
            "torch.relu, torch.sigmoid, torch.exp, "
            "Tensor.sigmoid/relu/exp, + / torch.add / Tensor.add, * / torch.mul / Tensor.mul, "
            "Tensor.mean(dim=1) / torch.mean, Tensor.reshape/view/flatten, torch.reshape/flatten, "
            "Tensor.contiguous")


def _function_name(node):
    if node.op == "call_method":
        return f"method Tensor.{node.target}"
    target = node.target
    module = getattr(target, "__module__", None) or "torch"
    if module == "_operator":
        module = "operator"
    return f"function {module}.{getattr(target, '__name__', repr(target))}"


def lower_function(lw, node):
    kind, problem = unary_kind(node, lw.root)
    if kind is not None:
        return lower_unary(lw, node, kind, problem)
    fn, method = (node.target if node.op == "call_function" else None,
                  node.target if node.op == "call_method" else None)
    if fn in _ADD or method == "add":
        if arg(node, 2, "alpha", 1) != 1:
            raise ExportError(f"{where(node)}: add with alpha != 1 is not supported")
        return _lower_binary(lw, node, "add")
    if fn in _MUL or method == "mul":
        return _lower_binary(lw, node, "mul")
    if fn is F.linear:
        return _lower_linear(lw, node)
    if fn in _MEAN or method == "mean":
        return lower_pool(lw, node, arg(node, 1, "dim"), arg(node, 2, "keepdim", False))
    if fn in _RESHAPE_FUNCTIONS or method in _RESHAPE_METHODS:
        x = lw.operand(node, node.args[0])
        return lw.emit(node, "reshape", [x], {"shape": lw.out_shape(node)}, base="reshape")
    if method == "contiguous":
        lw.env[node] = lw.operand(node, node.args[0])
        return None
    if fn is operator.getitem and isinstance(lw.env.get(node.args[0]), Tuple):
        item = lw.env[node.args[0]].items[node.args[1]]
        if item is None:
            raise ExportError(f"{where(node)}: only the first result of nn.MultiheadAttention (the output) is "
                              "supported, not the attention weights")
        lw.env[node] = item
        return None
    if fn is getattr:
        raise ExportError(f"{where(node)}: reading a tensor's '{node.args[1]}' in forward is not supported: "
                          "the trace has fixed shapes and no arithmetic on them")
    if fn is operator.getitem:
        raise ExportError(f"{where(node)}: indexing and slicing tensors are not supported "
                          "(the trace has no slice op)")
    raise ExportError(f"{where(node)}: {_function_name(node)} is not supported "
                      f"(supported: {_supported_functions()})")


def lower_unary(lw, node, kind, problem):
    if problem:
        raise ExportError(f"{where(node)}: {problem}")
    x_node = node.args[0] if node.args else next(iter(node.kwargs.values()))
    if node in lw.fused_activations:
        lw.env[node] = Fused(kind, lw.operand(node, x_node))
        return None
    if _inplace(node, lw.root) and len(x_node.users) > 1:
        raise ExportError(f"{where(node)}: an in-place {kind} whose input is used elsewhere would change "
                          "that input in PyTorch but not in the trace: use inplace=False")
    return lw.emit(node, kind, [lw.operand(node, x_node)], base=kind)


def _lower_linear(lw, node):
    """F.linear(x, W, b) whose W and b are parameters or functions of parameters only (Mamba2Block's
    per-head dt rows repeated per channel): the linear op, as nn.Linear."""
    x = lw.operand(node, arg(node, 0, "input"))
    weights = [arg(node, 1, "weight")]
    if arg(node, 2, "bias") is not None:
        weights.append(arg(node, 2, "bias"))
    for w in weights:
        if not isinstance(lw.env.get(w), Param):
            raise ExportError(f"{where(node)}: F.linear with a weight or bias computed from activations is not "
                              "supported (the trace's linear takes them as weights)")
    return lw.emit(node, "linear", [x] + [lw.operand(node, w) for w in weights], base="linear")


def _lower_binary(lw, node, kind):
    a, b = node.args[0], node.args[1] if len(node.args) > 1 else node.kwargs.get("other")
    out = lw.out_shape(node)
    if kind == "mul":
        for act, other in ((b, a), (a, b)):
            fused = lw.env.get(act) if isinstance(act, fx.Node) else None
            if isinstance(fused, Fused):
                x = lw.operand(node, other, out)
                if lw.tb.shape(x) != out or lw.tb.shape(fused.z) != out:
                    raise ExportError(f"{where(node)}: gate of shapes {lw.tb.shape(x)} and {lw.tb.shape(fused.z)}:"
                                      " the trace's gate takes equal shapes")
                return lw.emit(node, "gate", [x, fused.z], {"fn": fused.fn}, base="gate")
    ta, tb_ = lw.operand(node, a, out), lw.operand(node, b, out)
    if lw.tb.shape(ta) != out or lw.tb.shape(tb_) != out:
        raise ExportError(f"{where(node)}: {kind} of shapes {lw.tb.shape(ta)} and {lw.tb.shape(tb_)}: the "
                          f"trace's {kind} takes equal shapes (only a parameter operand is broadcast)")
    return lw.emit(node, kind, [ta, tb_], base=kind)


def lower_pool(lw, node, dim, keepdim):
    x = lw.operand(node, node.args[0])
    rank = len(lw.tb.shape(x))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if rank != 3 or keepdim or len(dims) != 1 or dims[0] not in (1, -2) or node.kwargs.get("dtype"):
        raise ExportError(f"{where(node)}: only the mean over time of [B, L, C], x.mean(dim=1), is supported "
                          f"(pool); found a mean over dim={dim} of rank {rank}, keepdim={keepdim}")
    return lw.emit(node, "pool", [x], base="pool")
