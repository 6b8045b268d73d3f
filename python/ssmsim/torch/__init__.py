"""Export PyTorch models to ssmsim float32 traces (docs/python-export.md).

    from ssmsim.torch import export, blocks
    export(model, example_input, "my_trace")

Pure Python; needs torch and numpy, imported only when this subpackage is.
"""
from . import blocks
from .errors import ExportError
from .export import ExportResult, export

__all__ = ["blocks", "export", "ExportError", "ExportResult"]
