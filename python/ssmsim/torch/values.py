"""What an fx node stands for during lowering, besides a plain trace tensor name (a str)."""
from .tracer import PATH_KEY


class Param:
    """A get_attr tensor, declared only when an op uses it (and then at the shape that op needs)."""

    def __init__(self, name, tensor):
        self.name, self.tensor = name, tensor


class Tuple:
    """A leaf's tuple result (nn.MultiheadAttention: output, weights); only getitem may read it."""

    def __init__(self, items):
        self.items = items


class Fused:
    """An activation folded into the gate op of its single user, mul(a, act(z))."""

    def __init__(self, fn, z):
        self.fn, self.z = fn, z


def where(node):
    """A node's place in the model, for messages."""
    if node.op == "call_module":
        return node.target
    path = node.meta.get(PATH_KEY, "")
    return f"{path or '(top level)'} (fx node '{node.name}')"
