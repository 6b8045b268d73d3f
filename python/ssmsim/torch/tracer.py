"""torch.fx tracing with the leaf policy of the exporter and each node's enclosing module path."""
import re

import torch.fx as fx
import torch.nn as nn

from . import blocks
from .errors import ExportError

# Modules that become one trace op (or a fixed few, for attention) and are therefore not traced into.
LEAF_MODULES = (
    blocks.RMSNorm, blocks.CausalDepthwiseConv1d, blocks.SelectiveScan, blocks.S4DScan, blocks.MeanPool,
    nn.Linear, nn.Embedding, nn.LayerNorm, nn.MultiheadAttention, nn.Conv1d,
    nn.SiLU, nn.Softplus, nn.GELU, nn.ReLU, nn.Sigmoid, nn.Identity, nn.Dropout,
)

# Mamba-2 (SSD) has no trace op yet: such a module is kept whole so the refusal names it (and points to
# blocks.Mamba2Block) instead of failing somewhere inside its forward. Mamba2Block itself is made of existing
# ops and is traced through.
MAMBA2_NAME = re.compile(r"mamba_?2|ssd", re.IGNORECASE)

PATH_KEY = "ssmsim_path"


class ExportTracer(fx.Tracer):
    def __init__(self):
        super().__init__()
        self._paths = []

    def is_leaf_module(self, m, qualname):
        if isinstance(m, LEAF_MODULES):
            return True
        if MAMBA2_NAME.search(type(m).__name__) and not isinstance(m, blocks.Mamba2Block):
            return True
        return super().is_leaf_module(m, qualname)  # other torch.nn modules stay whole (and are refused)

    def call_module(self, m, forward, args, kwargs):
        self._paths.append(self.path_of_module(m))
        try:
            return super().call_module(m, forward, args, kwargs)
        finally:
            self._paths.pop()

    def create_node(self, *args, **kwargs):
        node = super().create_node(*args, **kwargs)
        node.meta[PATH_KEY] = self._paths[-1] if self._paths else ""
        return node


def trace(module):
    """The module's fx GraphModule; a tracing failure (data-dependent control flow, ...) is an ExportError."""
    tracer = ExportTracer()
    try:
        graph = tracer.trace(module)
    except ExportError:
        raise
    except Exception as e:  # fx raises many types (TraceError, TypeError, ...)
        raise ExportError(f"torch.fx could not trace {type(module).__name__}: {type(e).__name__}: {e}") from e
    gm = fx.GraphModule(module, graph)
    # Results nothing reads (a leftover debug value) need no trace op, supported or not.
    gm.graph.eliminate_dead_code()
    gm.recompile()
    return gm
