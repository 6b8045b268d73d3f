"""How each supported module and function becomes trace ops, and the refusals for everything else.

Every rule checks that the PyTorch computation is the trace op's float32 computation (docs/numerics.md,
"float32 mode"); a configuration that would compute something else (erf GELU, softplus with beta != 1,
a non-causal conv, attention masks) is refused rather than exported approximately.
"""
import math
import operator

import numpy as np
import torch
import torch.fx as fx
import torch.nn as nn
import torch.nn.functional as F

from . import blocks
from .errors import ExportError
from .tracer import MAMBA2_NAME
from .values import Fused, Tuple, where

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


def _arg(node, index, name, default=None):
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
            settings = {"beta": _arg(node, 1, "beta", 1), "threshold": _arg(node, 2, "threshold", 20)}
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
    return ("F.silu, F.softplus, F.gelu(approximate='tanh'), F.relu, torch.relu, torch.sigmoid, torch.exp, "
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
        return _lower_unary(lw, node, kind, problem)
    fn, method = (node.target if node.op == "call_function" else None,
                  node.target if node.op == "call_method" else None)
    if fn in _ADD or method == "add":
        if _arg(node, 2, "alpha", 1) != 1:
            raise ExportError(f"{where(node)}: add with alpha != 1 is not supported")
        return _lower_binary(lw, node, "add")
    if fn in _MUL or method == "mul":
        return _lower_binary(lw, node, "mul")
    if fn in _MEAN or method == "mean":
        return _lower_pool(lw, node, _arg(node, 1, "dim"), _arg(node, 2, "keepdim", False))
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


def _lower_unary(lw, node, kind, problem):
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


def _lower_pool(lw, node, dim, keepdim):
    x = lw.operand(node, node.args[0])
    rank = len(lw.tb.shape(x))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if rank != 3 or keepdim or len(dims) != 1 or dims[0] not in (1, -2) or node.kwargs.get("dtype"):
        raise ExportError(f"{where(node)}: only the mean over time of [B, L, C], x.mean(dim=1), is supported "
                          f"(pool); found a mean over dim={dim} of rank {rank}, keepdim={keepdim}")
    return lw.emit(node, "pool", [x], base="pool")


# --- modules ---

def _pretty_type(m):
    cls = type(m)
    module = cls.__module__
    if module.startswith("torch.nn.modules"):
        module = "torch.nn"
    return f"{module}.{cls.__qualname__}"


def _supported_modules():
    return ("nn.Linear, nn.Embedding, nn.LayerNorm, nn.MultiheadAttention(batch_first=True), nn.SiLU, "
            "nn.Softplus, nn.GELU(approximate='tanh'), nn.ReLU, nn.Sigmoid, nn.Identity, nn.Dropout, and "
            "ssmsim.torch.blocks RMSNorm, CausalDepthwiseConv1d, SelectiveScan, S4DScan, MeanPool, "
            "Classifier (MambaBlock and S4DBlock are traced through)")


def lower_module(lw, node, m):
    path = node.target
    kind, problem = unary_kind(node, lw.root)
    if kind is not None:
        return _lower_unary(lw, node, kind, problem)
    for cls, rule in _MODULE_RULES:
        if isinstance(m, cls):
            return rule(lw, node, m, path)
    if MAMBA2_NAME.search(type(m).__name__):
        raise ExportError(f"{path}: {_pretty_type(m)} (Mamba-2 / SSD) is not supported: the trace format has "
                          "no SSD op yet, and exporting it as something else would change the model")
    raise ExportError(f"{path}: {_pretty_type(m)} is not supported (supported: {_supported_modules()})")


def _x(lw, node, index=0, name="input"):
    return lw.operand(node, _arg(node, index, name))


def _linear(lw, node, m, path):
    inputs = [_x(lw, node), lw.param(m.weight, f"{path}.weight", node)]
    if m.bias is not None:
        inputs.append(lw.param(m.bias, f"{path}.bias", node))
    return lw.emit(node, "linear", inputs)


def _classifier(lw, node, m, path):
    x = _x(lw, node)
    if len(lw.tb.shape(x)) != 2:
        raise ExportError(f"{path}: Classifier takes pooled [B, K] features, found shape {lw.tb.shape(x)}")
    return lw.emit(node, "classifier", [x, lw.param(m.weight, f"{path}.weight", node),
                                        lw.param(m.bias, f"{path}.bias", node)])


def _embedding(lw, node, m, path):
    tokens = lw.env.get(_arg(node, 0, "input"))
    if not isinstance(tokens, str) or lw.tb.tensors[tokens]["dtype"] != "int32" or len(lw.tb.shape(tokens)) != 2:
        raise ExportError(f"{path}: nn.Embedding must read an integer model input of shape [B, L] (token ids)")
    if m.max_norm is not None:
        raise ExportError(f"{path}: nn.Embedding with max_norm renormalises rows; the trace's embedding copies")
    return lw.emit(node, "embedding", [tokens, lw.param(m.weight, f"{path}.weight", node)])


def _eps(path, eps):
    if not 1e-12 <= eps <= 1:
        raise ExportError(f"{path}: eps {eps} is outside the trace's range [1e-12, 1]")
    return float(eps)


def _layernorm(lw, node, m, path):
    x = _x(lw, node)
    d = lw.tb.shape(x)[-1]
    if tuple(m.normalized_shape) != (d,):
        raise ExportError(f"{path}: LayerNorm over {tuple(m.normalized_shape)}: only the last dimension "
                          f"({d}) is supported")
    if m.elementwise_affine:
        gamma, beta = lw.param(m.weight, f"{path}.weight", node), lw.param(m.bias, f"{path}.bias", node)
    else:  # the op always takes gamma and beta
        gamma, beta = lw.constant(f"{path}.gamma", np.ones(d)), lw.constant(f"{path}.beta", np.zeros(d))
    return lw.emit(node, "layernorm", [x, gamma, beta], {"eps": _eps(path, m.eps)})


def _rmsnorm(lw, node, m, path):
    return lw.emit(node, "rmsnorm", [_x(lw, node), lw.param(m.weight, f"{path}.weight", node)],
                   {"eps": _eps(path, m.eps)})


def _depthwise_causal_problem(conv):
    """Why an nn.Conv1d is not the trace's causal depthwise conv, or None."""
    c, w = conv.in_channels, conv.kernel_size[0]
    if not (conv.groups == c == conv.out_channels):
        return (f"nn.Conv1d({conv.in_channels}, {conv.out_channels}, groups={conv.groups}) is not depthwise "
                "(the trace has only conv1d_causal_depthwise: groups = in_channels = out_channels)")
    if conv.stride != (1,) or conv.dilation != (1,) or conv.padding != (w - 1,) or conv.padding_mode != "zeros":
        return (f"nn.Conv1d with stride={conv.stride}, dilation={conv.dilation}, padding={conv.padding}, "
                f"padding_mode={conv.padding_mode!r} is not causal: expected stride 1, dilation 1, "
                f"padding {w - 1} (= width - 1), zeros")
    return None


def _causal_conv(lw, node, m, path):
    problem = _depthwise_causal_problem(m.conv)
    if problem:
        raise ExportError(f"{path}.conv: {problem}")
    conv = m.conv
    c, w = conv.in_channels, conv.kernel_size[0]
    # The op's w is [C, W]; Conv1d's is [C, 1, W] with the same tap order (tap W-1 is the current step).
    inputs = [_x(lw, node),
              lw.tb.graph_input(f"{path}.conv.weight", conv.weight.detach().reshape(c, w).numpy(), key=conv.weight)]
    if conv.weight.dtype != torch.float32:
        raise ExportError(f"{path}.conv: expected float32 weight, found {conv.weight.dtype}")
    if conv.bias is not None:
        inputs.append(lw.param(conv.bias, f"{path}.conv.bias", node))
    return lw.emit(node, "conv1d_causal_depthwise", inputs)


def _bare_conv(lw, node, m, path):
    problem = _depthwise_causal_problem(m)
    if problem:
        raise ExportError(f"{path}: {problem}")
    raise ExportError(f"{path}: a bare nn.Conv1d works on [B, C, L] and its cropping is not traced; wrap it as "
                      "ssmsim.torch.blocks.CausalDepthwiseConv1d.from_conv1d(conv) on [B, L, C]")


def _selective_scan(lw, node, m, path):
    u, delta, b, c = (_x(lw, node, i, n) for i, n in enumerate(("u", "delta", "B", "C")))
    inputs = [u, delta, lw.param(m.A, f"{path}.A", node), b, c, lw.param(m.D, f"{path}.D", node)]
    return lw.emit(node, "selective_scan", inputs, {"reverse": True} if m.reverse else {})


def _s4d_scan(lw, node, m, path):
    inputs = [_x(lw, node, 0, "u")] + [lw.param(getattr(m, p), f"{path}.{p}", node)
                                        for p in ("Abar", "Bbar", "C", "D")]
    return lw.emit(node, "s4d_scan", inputs, {"reverse": True} if m.reverse else {})


def _mean_pool(lw, node, m, path):
    return _lower_pool(lw, node, 1, False)


def _alias(lw, node, m, path):
    lw.env[node] = _x(lw, node)


def _attention(lw, node, m, path):
    """Self-attention as the LRA transformer's ops: q, k, v linears (rows of in_proj), attention, out_proj."""

    q_in, k_in, v_in = (_arg(node, i, n) for i, n in enumerate(("query", "key", "value")))
    masks = {n: _arg(node, i, n) for i, n in ((3, "key_padding_mask"), (5, "attn_mask"))}
    refusals = [
        (not m.batch_first, "batch_first=False (the trace's attention takes [B, L, W])"),
        (not (q_in is k_in is v_in), "query, key and value differ (only self-attention is supported)"),
        (any(v is not None for v in masks.values()), "a key_padding_mask or attn_mask"),
        (not m._qkv_same_embed_dim, "kdim/vdim different from embed_dim"),
        (m.bias_k is not None or m.add_zero_attn, "add_bias_kv or add_zero_attn"),
    ]
    for refused, what in refusals:
        if refused:
            raise ExportError(f"{path}: nn.MultiheadAttention with {what} is not supported")
    x = lw.operand(node, q_in)
    e, heads = m.embed_dim, m.num_heads
    w, b = m.in_proj_weight.detach(), m.in_proj_bias
    shape = lw.tb.shape(x)
    projected = []
    for i, part in enumerate("qkv"):
        inputs = [x, lw.tb.graph_input(f"{path}.{part}.weight", w[i * e:(i + 1) * e].numpy())]
        if b is not None:
            inputs.append(lw.tb.graph_input(f"{path}.{part}.bias", b.detach()[i * e:(i + 1) * e].numpy()))
        projected.append(lw.tb.op("linear", f"{path}.{part}", inputs, shape))
    scale = 1.0 / math.sqrt(e // heads)
    att = lw.tb.op("attention", f"{path}.attn", projected, shape,
                   {"heads": heads, "causal": False, "scale": scale})
    inputs = [att, lw.param(m.out_proj.weight, f"{path}.out_proj.weight", node)]
    if m.out_proj.bias is not None:
        inputs.append(lw.param(m.out_proj.bias, f"{path}.out_proj.bias", node))
    lw.env[node] = Tuple([lw.tb.op("linear", f"{path}.out_proj", inputs, shape), None])


_MODULE_RULES = (
    (blocks.Classifier, _classifier),  # before nn.Linear: it is one
    (nn.Linear, _linear),
    (nn.Embedding, _embedding),
    (nn.LayerNorm, _layernorm),
    (blocks.RMSNorm, _rmsnorm),
    (blocks.CausalDepthwiseConv1d, _causal_conv),
    (nn.Conv1d, _bare_conv),
    (blocks.SelectiveScan, _selective_scan),
    (blocks.S4DScan, _s4d_scan),
    (blocks.MeanPool, _mean_pool),
    (nn.MultiheadAttention, _attention),
    ((nn.Identity, nn.Dropout), _alias),
)
