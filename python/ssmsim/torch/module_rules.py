"""How each supported module becomes trace ops, and the refusal of every other module.

As in function_rules.py, a configuration that would compute something else than the trace op is
refused.
"""
import math

import numpy as np
import torch
import torch.nn as nn

from . import blocks
from .errors import ExportError
from .function_rules import arg, lower_pool, lower_unary, unary_kind
from .tracer import MAMBA2_NAME
from .values import Param, Tuple


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
            "Classifier (MambaBlock, Mamba2Block and S4DBlock are traced through)")


def lower_module(lw, node, m):
    path = node.target
    kind, problem = unary_kind(node, lw.root)
    if kind is not None:
        return lower_unary(lw, node, kind, problem)
    for cls, rule in _MODULE_RULES:
        if isinstance(m, cls):
            return rule(lw, node, m, path)
    if MAMBA2_NAME.search(type(m).__name__):
        raise ExportError(f"{path}: {_pretty_type(m)} (Mamba-2 / SSD) is not supported: the trace format has "
                          "no SSD op yet, and exporting an unknown module as something else could change the "
                          "model. A state-spaces/mamba Mamba2 mixer with ngroups = 1 is a selective scan with "
                          "per-head dt and A: build it from existing ops with "
                          "ssmsim.torch.blocks.Mamba2Block.from_mamba2(mixer.state_dict(), norm_weight)")
    raise ExportError(f"{path}: {_pretty_type(m)} is not supported (supported: {_supported_modules()})")


def _x(lw, node, index=0, name="input"):
    return lw.operand(node, arg(node, index, name))


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
    tokens = lw.env.get(arg(node, 0, "input"))
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


def _scan_parameter(lw, node, m, path, index, name, shape):
    """A or D of a selective scan: the module's own parameter, or a forward argument that is a function of
    parameters only (folded at export, then broadcast to the op's shape as torch broadcasts it)."""
    given = arg(node, index, name)
    if given is None:
        own = getattr(m, name)
        if own is None:
            raise ExportError(f"{path}: SelectiveScan(parameters=False) needs {name} as a forward argument")
        return lw.param(own, f"{path}.{name}", node)
    if not isinstance(lw.env.get(given), Param):
        raise ExportError(f"{path}: the {name} passed to SelectiveScan must be computed from parameters only "
                          "(the trace's selective_scan takes A and D as weights)")
    return lw.operand(node, given, shape)


def _selective_scan(lw, node, m, path):
    u, delta, b, c = (_x(lw, node, i, n) for i, n in enumerate(("u", "delta", "B", "C")))
    e, n = lw.tb.shape(u)[-1], lw.tb.shape(b)[-1]
    inputs = [u, delta, _scan_parameter(lw, node, m, path, 4, "A", [e, n]), b, c,
              _scan_parameter(lw, node, m, path, 5, "D", [e])]
    return lw.emit(node, "selective_scan", inputs, {"reverse": True} if m.reverse else {})


def _s4d_scan(lw, node, m, path):
    inputs = [_x(lw, node, 0, "u")] + [lw.param(getattr(m, p), f"{path}.{p}", node)
                                        for p in ("Abar", "Bbar", "C", "D")]
    return lw.emit(node, "s4d_scan", inputs, {"reverse": True} if m.reverse else {})


def _mean_pool(lw, node, m, path):
    return lower_pool(lw, node, 1, False)


def _alias(lw, node, m, path):
    lw.env[node] = _x(lw, node)


def _attention(lw, node, m, path):
    """Self-attention as the LRA transformer's ops: q, k, v linears (rows of in_proj), attention, out_proj."""

    q_in, k_in, v_in = (arg(node, i, n) for i, n in enumerate(("query", "key", "value")))
    masks = {n: arg(node, i, n) for i, n in ((3, "key_padding_mask"), (5, "attn_mask"))}
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
