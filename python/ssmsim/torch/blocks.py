"""Reference blocks in plain PyTorch whose float math is ssmsim's float32 contract (docs/numerics.md,
"float32 mode"), so that a model built from them exports op for op and runs the same on the reference.

The primitives (RMSNorm, CausalDepthwiseConv1d, SelectiveScan, S4DScan, MeanPool, Classifier) are what the
exporter maps to single trace ops. MambaBlock and S4DBlock are ordinary compositions of them, written in the
op order of workloads/lra/mamba.cpp and s4d.cpp.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    """rmsnorm: y = x * (1 / sqrt(sum(x^2) / D + eps)) * weight."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        ss = (x * x).sum(dim=-1, keepdim=True)
        inv = 1.0 / torch.sqrt(ss / x.shape[-1] + self.eps)
        return x * inv * self.weight


class CausalDepthwiseConv1d(nn.Module):
    """conv1d_causal_depthwise on channel-last [B, L, C]. It wraps an nn.Conv1d(C, C, W, groups=C,
    padding=W-1) (Mamba's layout) and cuts the right overhang, so a user's conv weights map unchanged."""

    def __init__(self, channels, width, bias=True, conv=None):
        super().__init__()
        self.conv = conv if conv is not None else nn.Conv1d(
            channels, channels, width, groups=channels, padding=width - 1, bias=bias)

    @classmethod
    def from_conv1d(cls, conv):
        """Wrap an existing nn.Conv1d; the exporter checks that it is depthwise and causal."""
        return cls(conv.in_channels, conv.kernel_size[0], conv=conv)

    def forward(self, x):
        length = x.shape[1]
        return self.conv(x.transpose(1, 2))[..., :length].transpose(1, 2)


def _scan_steps(length, reverse):
    return range(length - 1, -1, -1) if reverse else range(length)


class SelectiveScan(nn.Module):
    """The Mamba S6 scan (selective_scan, float32): per step
    h = exp(dt * A) * h + (dt * B) * x;  y = sum_k C * h;  y += D * x.
    A ([E, N], negative) and D ([E]) are parameters; u, delta [B, L, E] and B, C [B, L, N] are inputs.
    A is stored as A itself (Mamba stores A_log: use A = -exp(A_log))."""

    def __init__(self, d_inner, d_state, reverse=False):
        super().__init__()
        self.reverse = reverse
        # S4D-real initialisation as in workloads/lra/mamba.cpp: A[e, n] = -(n + 1), D = 1.
        self.A = nn.Parameter(-torch.arange(1, d_state + 1, dtype=torch.float32).repeat(d_inner, 1))
        self.D = nn.Parameter(torch.ones(d_inner))

    def forward(self, u, delta, B, C):
        batch, length, channels = u.shape
        h = u.new_zeros(batch, channels, self.A.shape[1])
        ys = [None] * length
        for t in _scan_steps(length, self.reverse):
            dt = delta[:, t, :, None]
            h = torch.exp(dt * self.A) * h + (dt * B[:, t, None, :]) * u[:, t, :, None]
            ys[t] = (C[:, t, None, :] * h).sum(dim=-1)
        return torch.stack(ys, dim=1) + self.D * u


class S4DScan(nn.Module):
    """The LTI diagonal scan (s4d_scan, float32): h = Abar * h + Bbar * x; y = sum_k C * h + D * x.
    Abar, Bbar, C ([H, N]) and D ([H]) are the discretised parameters the op takes."""

    def __init__(self, d_model, d_state, reverse=False, skip=True, dt_min=1e-3, dt_max=1e-1):
        super().__init__()
        self.reverse = reverse
        # S4D-Real with zero-order hold, as workloads/lra/s4d.cpp: A_n = -(n + 1), B = 1.
        log_dt = torch.empty(d_model, 1).uniform_(math.log(dt_min), math.log(dt_max))
        a = -torch.arange(1, d_state + 1, dtype=torch.float64)
        dta = torch.exp(log_dt.double()) * a
        self.Abar = nn.Parameter(torch.exp(dta).float())
        self.Bbar = nn.Parameter(((torch.exp(dta) - 1.0) / a).float())
        self.C = nn.Parameter(torch.randn(d_model, d_state))
        self.D = nn.Parameter(torch.randn(d_model) if skip else torch.zeros(d_model))

    def forward(self, u):
        batch, length, channels = u.shape
        h = u.new_zeros(batch, channels, self.Abar.shape[1])
        ys = [None] * length
        for t in _scan_steps(length, self.reverse):
            h = self.Abar * h + self.Bbar * u[:, t, :, None]
            ys[t] = (self.C * h).sum(dim=-1)
        return torch.stack(ys, dim=1) + self.D * u


class MeanPool(nn.Module):
    """pool: mean over time, [B, L, C] -> [B, C]."""

    def forward(self, x):
        return x.mean(dim=1)


class Classifier(nn.Linear):
    """classifier: the head on pooled [B, K] features. A distinct op so that the int8 trace keeps int32
    logits (a plain nn.Linear exports as linear and is requantized to int8)."""

    def __init__(self, in_features, classes):
        super().__init__(in_features, classes, bias=True)


class MambaBlock(nn.Module):
    """One Mamba-1 block in the op order of workloads/lra/mamba.cpp: rmsnorm -> in_x, in_z -> causal
    depthwise conv -> silu -> x_dt, x_B, x_C -> dt_proj -> softplus -> selective scan -> gate with silu(z)
    -> out -> residual. mamba_simple.py's fused in_proj/x_proj split row-wise into these linears."""

    def __init__(self, d_model, d_state=16, d_conv=4, expand=2, dt_rank=None, dt_min=1e-3, dt_max=1e-1):
        super().__init__()
        d_inner = expand * d_model
        dt_rank = dt_rank or (d_model + 15) // 16  # mamba_simple.py's "auto": ceil(d_model / 16)
        self.norm = RMSNorm(d_model)
        self.in_x = nn.Linear(d_model, d_inner, bias=False)
        self.in_z = nn.Linear(d_model, d_inner, bias=False)
        self.conv = CausalDepthwiseConv1d(d_inner, d_conv)
        self.x_dt = nn.Linear(d_inner, dt_rank, bias=False)
        self.x_B = nn.Linear(d_inner, d_state, bias=False)
        self.x_C = nn.Linear(d_inner, d_state, bias=False)
        self.dt_proj = nn.Linear(dt_rank, d_inner, bias=True)
        with torch.no_grad():  # bias = softplus^-1(dt), dt log-uniform in [dt_min, dt_max] (mamba_simple.py)
            dt = torch.exp(torch.empty(d_inner).uniform_(math.log(dt_min), math.log(dt_max))).clamp(min=1e-4)
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))
        self.scan = SelectiveScan(d_inner, d_state)
        self.out = nn.Linear(d_inner, d_model, bias=False)

    @classmethod
    def from_mamba_simple(cls, mixer_state, norm_weight=None, norm_eps=1e-5):
        """A block holding the weights of a state-spaces/mamba `Mamba` mixer (mamba_simple.py, its
        state_dict: in_proj, conv1d, x_proj, dt_proj, A_log, D, out_proj; no in/out biases) and optionally
        the `norm.weight` of the `Block` around it. The fused projections split row-wise, A = -exp(A_log)."""
        sd = {k: v.detach().float() for k, v in mixer_state.items()}
        two_e, d_model = sd["in_proj.weight"].shape
        e, n = sd["A_log"].shape
        dt_rank = sd["dt_proj.weight"].shape[1]
        if two_e != 2 * e or e % d_model or "in_proj.bias" in sd or "out_proj.bias" in sd:
            raise ValueError("expected mamba_simple.py's Mamba layout (in_proj [2E, D] without bias, "
                             "A_log [E, N], out_proj without bias)")
        block = cls(d_model, n, sd["conv1d.weight"].shape[2], e // d_model, dt_rank)
        block.norm.eps = norm_eps
        with torch.no_grad():
            in_x, in_z = sd["in_proj.weight"].split(e)
            x_dt, x_b, x_c = sd["x_proj.weight"].split([dt_rank, n, n])
            pairs = [(block.in_x.weight, in_x), (block.in_z.weight, in_z),
                     (block.conv.conv.weight, sd["conv1d.weight"]), (block.conv.conv.bias, sd["conv1d.bias"]),
                     (block.x_dt.weight, x_dt), (block.x_B.weight, x_b), (block.x_C.weight, x_c),
                     (block.dt_proj.weight, sd["dt_proj.weight"]), (block.dt_proj.bias, sd["dt_proj.bias"]),
                     (block.scan.A, -torch.exp(sd["A_log"])), (block.scan.D, sd["D"]),
                     (block.out.weight, sd["out_proj.weight"])]
            if norm_weight is not None:
                pairs.append((block.norm.weight, norm_weight.detach().float()))
            for target, value in pairs:
                target.copy_(value)
        return block

    def forward(self, x):
        # Statement order is the op order of mamba.cpp, so the exported trace lists ops as `ssmsim gen` does.
        xn = self.norm(x)
        xi = self.in_x(xn)
        z = self.in_z(xn)
        xs = F.silu(self.conv(xi))
        dt_low = self.x_dt(xs)
        b = self.x_B(xs)
        c = self.x_C(xs)
        delta = F.softplus(self.dt_proj(dt_low))
        y = self.scan(xs, delta, b, c)
        return x + self.out(y * F.silu(z))


class S4DBlock(nn.Module):
    """One S4D block as workloads/lra/s4d.cpp: [layernorm if prenorm] -> s4d scan (plus a reversed scan
    without skip when bidirectional) -> gelu (tanh form) -> glu_a * sigmoid(glu_b) -> residual
    [-> layernorm if not prenorm, as the LRA configs]."""

    def __init__(self, d_model, d_state=64, bidirectional=False, prenorm=True, dt_min=1e-3, dt_max=1e-1):
        super().__init__()
        self.prenorm = prenorm
        self.norm = nn.LayerNorm(d_model)
        self.ssm_fwd = S4DScan(d_model, d_state, dt_min=dt_min, dt_max=dt_max)
        self.ssm_bwd = (S4DScan(d_model, d_state, reverse=True, skip=False, dt_min=dt_min, dt_max=dt_max)
                        if bidirectional else None)
        self.act = nn.GELU(approximate="tanh")  # the contract's gelu is the tanh approximation
        self.glu_a = nn.Linear(d_model, d_model)
        self.glu_b = nn.Linear(d_model, d_model)

    def forward(self, x):
        u = self.norm(x) if self.prenorm else x
        y = self.ssm_fwd(u)
        if self.ssm_bwd is not None:
            y = y + self.ssm_bwd(u)
        y = self.act(y)
        x = x + self.glu_a(y) * torch.sigmoid(self.glu_b(y))
        return x if self.prenorm else self.norm(x)
