"""Reference blocks in plain PyTorch whose float math is ssmsim's float32 contract (docs/numerics.md,
"float32 mode"), so that a model built from them exports op for op and runs the same on the reference.

The primitives (RMSNorm, CausalDepthwiseConv1d, SelectiveScan, S4DScan, MeanPool, Classifier) are what the
exporter maps to single trace ops. MambaBlock, Mamba2Block and S4DBlock are ordinary compositions of them;
MambaBlock and S4DBlock are written in the op order of workloads/lra/mamba.cpp and s4d.cpp, Mamba2Block
(Mamba-2 with ngroups = 1 as a selective scan) in that of mamba_ssm's mamba2_simple.py.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F



def _loaded(block, pairs, norm_weight):
    """Copies each (parameter, value) pair, and the pre-norm's gain when given; returns the block."""
    if norm_weight is not None:
        pairs.append((block.norm.weight, norm_weight.detach().float()))
    with torch.no_grad():
        for target, value in pairs:
            target.copy_(value)
    return block

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
    A is stored as A itself (Mamba stores A_log: use A = -exp(A_log)).

    With `parameters=False` the module holds no A and D: forward takes them as arguments, computed in the
    caller's forward from parameters only (Mamba2Block expands its per-head A_log and D this way); the
    exporter folds that expression and writes its value as the op's A and D."""

    def __init__(self, d_inner, d_state, reverse=False, parameters=True):
        super().__init__()
        self.reverse = reverse
        if parameters:
            # S4D-real initialisation as in workloads/lra/mamba.cpp: A[e, n] = -(n + 1), D = 1.
            self.A = nn.Parameter(-torch.arange(1, d_state + 1, dtype=torch.float32).repeat(d_inner, 1))
            self.D = nn.Parameter(torch.ones(d_inner))
        else:
            self.A = self.D = None

    def forward(self, u, delta, B, C, A=None, D=None):
        A = self.A if A is None else A
        D = self.D if D is None else D
        batch, length, channels = u.shape
        h = u.new_zeros(batch, channels, A.shape[1])
        ys = [None] * length
        for t in _scan_steps(length, self.reverse):
            dt = delta[:, t, :, None]
            h = torch.exp(dt * A) * h + (dt * B[:, t, None, :]) * u[:, t, :, None]
            ys[t] = (C[:, t, None, :] * h).sum(dim=-1)
        return torch.stack(ys, dim=1) + D * u


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
        return _loaded(block, pairs, norm_weight)

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


class Mamba2Block(nn.Module):
    """One Mamba-2 block (state-spaces/mamba, mamba_ssm/modules/mamba2_simple.py and mamba2.py, with
    ngroups = 1) written with the ops the trace already has: rmsnorm -> in_z, in_x, in_B, in_C, dt linear ->
    causal depthwise conv + silu on x, B and C -> softplus -> selective scan -> gate with silu(z) -> rmsnorm
    (the gated RMSNorm, norm_before_gate=False) -> out -> residual.

    Mamba-2's SSD with a scalar decay per head is the selective-scan recurrence with dt and A constant over
    the headdim channels of a head:  h_t = exp(dt_t * A_h) * h_{t-1} + dt_t * B_t * x_t,
    y_t = C_t . h_t + D_h * x_t.  The parameters are kept in Mamba-2's per-head form (A_log, dt_bias, D
    [nheads]; in_dt.weight [nheads, d_model]) and repeated per channel in forward; the exporter computes
    those parameter-only expressions once and writes their values, so the trace holds per-channel copies
    whose entries are the per-head numbers themselves (repetition is exact).

    in_dt is an nn.Linear that forward does not call: its weight rows (one per head) are repeated headdim
    times and applied with F.linear together with the repeated dt_bias, so that every channel of a head
    gets exactly the head's dt (the same dot product, the same bias)."""

    def __init__(self, d_model, d_state=64, d_conv=4, expand=2, headdim=64, ngroups=1, conv_bias=True,
                 A_init_range=(1, 16), dt_min=1e-3, dt_max=1e-1, dt_init_floor=1e-4, norm_eps=1e-5):
        super().__init__()
        if ngroups != 1:
            raise ValueError(f"Mamba2Block supports ngroups = 1 only (B and C shared by all heads, as "
                             f"selective_scan's B, C [B, L, N]); got ngroups = {ngroups}")
        d_inner = expand * d_model
        if d_inner % headdim:
            raise ValueError(f"d_inner = expand * d_model = {d_inner} is not a multiple of headdim {headdim}")
        self.d_inner, self.d_state, self.headdim = d_inner, d_state, headdim
        self.nheads = d_inner // headdim
        self.norm = RMSNorm(d_model, eps=norm_eps)
        # in_proj's [z, x, B, C, dt] row blocks as separate linears (mamba2*.py: no in_proj bias).
        self.in_z = nn.Linear(d_model, d_inner, bias=False)
        self.in_x = nn.Linear(d_model, d_inner, bias=False)
        self.in_B = nn.Linear(d_model, d_state, bias=False)
        self.in_C = nn.Linear(d_model, d_state, bias=False)
        self.in_dt = nn.Linear(d_model, self.nheads, bias=False)
        # conv1d over xBC is depthwise, so it is three depthwise convs over x, B and C.
        self.conv_x = CausalDepthwiseConv1d(d_inner, d_conv, bias=conv_bias)
        self.conv_B = CausalDepthwiseConv1d(d_state, d_conv, bias=conv_bias)
        self.conv_C = CausalDepthwiseConv1d(d_state, d_conv, bias=conv_bias)
        # Initialisation as mamba2_simple.py: dt log-uniform in [dt_min, dt_max], dt_bias = softplus^-1(dt);
        # A uniform in A_init_range, stored as A_log; D = 1.
        dt = torch.exp(torch.rand(self.nheads) * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min))
        dt = dt.clamp(min=dt_init_floor)
        self.dt_bias = nn.Parameter(dt + torch.log(-torch.expm1(-dt)))
        self.A_log = nn.Parameter(torch.log(torch.empty(self.nheads).uniform_(*A_init_range)))
        self.D = nn.Parameter(torch.ones(self.nheads))
        self.scan = SelectiveScan(d_inner, d_state, parameters=False)
        self.gate_norm = RMSNorm(d_inner, eps=1e-5)  # mamba_ssm's RMSNormGated, eps 1e-5, one group
        self.out = nn.Linear(d_inner, d_model, bias=False)

    @classmethod
    def from_mamba2(cls, state_dict, norm_weight=None, norm_eps=1e-5, d_state=None):
        """A block holding the weights of a state-spaces/mamba `Mamba2` mixer (mamba2.py or mamba2_simple.py;
        its state_dict: in_proj.weight with rows [z, x, B, C, dt], conv1d.weight/bias over xBC, dt_bias,
        A_log, D, norm.weight (the gated RMSNorm), out_proj.weight) and optionally the `norm.weight` of the
        `Block` around it (the pre-norm; eps `norm_eps`).

        The state_dict fixes only ngroups * d_state (the width of B plus C is 2 * ngroups * d_state): d_state
        defaults to that width, i.e. ngroups = 1 is assumed. Pass the mixer's d_state to have ngroups = 1
        checked. Refused (ValueError): ngroups > 1, in_proj/out_proj biases, an MLP part (d_ssm < d_inner),
        D per channel (D_has_hdim), learnable initial states, a mixer without its gated norm. Settings that
        leave no trace in the state_dict must be the defaults: dt_limit (0, inf), norm_before_gate=False,
        activation 'silu'."""
        sd = {k: v.detach().float() for k, v in state_dict.items()}
        required = ("in_proj.weight", "conv1d.weight", "dt_bias", "A_log", "D", "norm.weight", "out_proj.weight")
        missing = [k for k in required if k not in sd]
        if missing:
            raise ValueError(f"not a Mamba2 mixer state_dict with the gated RMSNorm: missing {missing}")
        for key in ("in_proj.bias", "out_proj.bias", "init_states"):
            if key in sd:
                raise ValueError(f"Mamba2Block does not support '{key}'")
        rows, d_model = sd["in_proj.weight"].shape
        nheads = sd["A_log"].shape[0]
        d_ssm = sd["norm.weight"].shape[0]
        conv_dim, _, width = sd["conv1d.weight"].shape
        group_width = (conv_dim - d_ssm) // 2  # ngroups * d_state
        if sd["out_proj.weight"].shape[1] != d_ssm or rows != 2 * d_ssm + 2 * group_width + nheads:
            raise ValueError("expected in_proj rows [z, x, B, C, dt] of widths [d_ssm, d_ssm, G, G, nheads] "
                             "with out_proj over d_ssm (no MLP part: d_ssm = d_inner)")
        if sd["D"].shape != (nheads,):
            raise ValueError(f"D of shape {tuple(sd['D'].shape)}: only D per head [nheads] is supported "
                             "(not D_has_hdim)")
        if d_state is not None and group_width != d_state:
            raise ValueError(f"B and C are {group_width} wide with d_state {d_state}: ngroups = "
                             f"{group_width / d_state:g}; Mamba2Block supports ngroups = 1 only")
        if d_ssm % d_model or d_ssm % nheads:
            raise ValueError(f"d_inner {d_ssm} must be a multiple of d_model {d_model} and of nheads {nheads}")
        block = cls(d_model, group_width, width, d_ssm // d_model, d_ssm // nheads,
                    conv_bias="conv1d.bias" in sd, norm_eps=norm_eps)
        z, x, b, c, dt = sd["in_proj.weight"].split([d_ssm, d_ssm, group_width, group_width, nheads])
        conv_w = sd["conv1d.weight"].split([d_ssm, group_width, group_width])
        with torch.no_grad():
            pairs = [(block.in_z.weight, z), (block.in_x.weight, x), (block.in_B.weight, b),
                     (block.in_C.weight, c), (block.in_dt.weight, dt),
                     (block.conv_x.conv.weight, conv_w[0]), (block.conv_B.conv.weight, conv_w[1]),
                     (block.conv_C.conv.weight, conv_w[2]),
                     (block.dt_bias, sd["dt_bias"]), (block.A_log, sd["A_log"]), (block.D, sd["D"]),
                     (block.gate_norm.weight, sd["norm.weight"]), (block.out.weight, sd["out_proj.weight"])]
            if "conv1d.bias" in sd:
                conv_b = sd["conv1d.bias"].split([d_ssm, group_width, group_width])
                pairs += [(block.conv_x.conv.bias, conv_b[0]), (block.conv_B.conv.bias, conv_b[1]),
                          (block.conv_C.conv.bias, conv_b[2])]
        return _loaded(block, pairs, norm_weight)

    def forward(self, x):
        p, e, n = self.headdim, self.d_inner, self.d_state
        xn = self.norm(x)
        z = self.in_z(xn)
        xs = self.in_x(xn)
        b = self.in_B(xn)
        c = self.in_C(xn)
        # Per-head parameters repeated per channel: functions of parameters only, folded at export.
        dt = F.linear(xn, self.in_dt.weight.repeat_interleave(p, dim=0), self.dt_bias.repeat_interleave(p))
        xs = F.silu(self.conv_x(xs))
        b = F.silu(self.conv_B(b))
        c = F.silu(self.conv_C(c))
        delta = F.softplus(dt)
        a = (-torch.exp(self.A_log)).repeat_interleave(p).unsqueeze(1).expand(e, n)
        y = self.scan(xs, delta, b, c, a, self.D.repeat_interleave(p))
        y = self.gate_norm(y * F.silu(z))
        return x + self.out(y)
