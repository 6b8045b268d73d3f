"""The one error the exporter raises for anything it cannot map."""


class ExportError(ValueError):
    """A module, function or shape with no trace op. The message names its place in the model: the
    qualified module path and, for functions, the torch.fx node."""
