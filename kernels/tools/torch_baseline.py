#!/usr/bin/env python3
"""PyTorch float baseline for the 18 LRA workloads (6 tasks x s4d, mamba, transformer), at our shapes.

For each task x architecture and each batch size it builds the float model that workloads/lra/*.cpp
builds (docs/workloads.md: same depth, width, state size, sequence length, vocabulary, pooling and heads;
random weights and random in-range tokens) and times one forward pass:

- s4d (float32): per layer [LayerNorm] -> bidirectional diagonal SSM as an FFT convolution, the way
  state-spaces/s4 does it (the length-L kernel K = sum_n C*Bbar*exp(dt*A*l) by Vandermonde/exp from the
  [H, N] parameters, both directions folded into one two-sided kernel of length 2L, y = irfft(rfft(u, 2L) *
  rfft(k, 2L))[:L] + D*u) -> GELU -> Linear(H, 2H) + GLU -> residual [-> LayerNorm]. As in s4d.cpp the
  backward direction is the reverse scan (it sees u_t at lag 0 too) and only the forward one has D.
- mamba (float32): per layer RMSNorm -> in-projection (x, z) -> causal depthwise conv1d (width 4) -> SiLU ->
  x-projection (dt, B, C) -> dt-projection -> softplus -> selective scan (A = -(n+1), D skip) -> * SiLU(z)
  -> out-projection -> residual. The scan is a chunked, numerically stable parallel scan (see
  scan_chunked), never a Python loop over L.
- transformer (bfloat16): learned positions, pre-LN blocks of multi-head attention through
  torch.nn.functional.scaled_dot_product_attention and a GELU MLP, final LayerNorm.
- heads: mean pooling over time; SSMs a linear classifier, the transformer Dense(mlp) -> ReLU -> classifier;
  Retrieval runs both documents of a sample through the encoder and concatenates the pooled embeddings.

Timing: warm-up, then CUDA events around the forward pass under torch.inference_mode(), median of >= 20
repeats ("eager"); then the same forward captured as a torch.cuda.CUDAGraph and its replays timed the same
way ("graph"); best = the faster. --compile adds torch.compile'd variants (optional; failures are logged).
--gemm-out times torch._int_mm (int8 x int8 -> int32, cuBLASLt) at the workloads' linear shapes.
--sdpa-out times F.scaled_dot_product_attention alone at each transformer workload's attention shape, in bf16
and fp16, with PyTorch's default dispatch (the backend it ran recorded) and with each backend forced alone.

Usage:
  torch_baseline.py --out $OUT/torch-baseline.csv [--batch 1,32] [--tasks ...] [--archs ...]
                    [--gemm-out $OUT/torch-int8-gemm.csv] [--sdpa-out $OUT/torch-sdpa.csv] [--compile] [--tf32]
  torch_baseline.py --sdpa-out $OUT/torch-sdpa.csv [--batch 1,32]     # the attention op alone (no models)
  torch_baseline.py --self-test [--device cpu]       # numerical checks (float64), CPU or GPU
  torch_baseline.py --shapes                         # prints the per-workload shapes and exits
  torch_baseline.py --device cpu --tasks image --batch 1 --seq-len 64 --out /tmp/x.csv   # smoke run
"""
import argparse
import datetime
import math
import os
import shlex
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import commented_csv

# ---------------------------------------------------------------------------------------------------------
# Workload shapes: mirrors workloads/lra/tasks.cpp, arch_config.cpp, build.cpp and workloads/inputs/*.
# ---------------------------------------------------------------------------------------------------------

TASKS = {  # name: (full length, classes, vocabulary, rows per sample)
    "listops": (2048, 10, 16, 1),
    "text": (4096, 2, 257, 1),
    "retrieval": (4000, 2, 257, 2),  # two documents of 4000 bytes per sample
    "image": (1024, 10, 256, 1),
    "pathfinder": (1024, 2, 256, 1),
    "pathx": (16384, 2, 256, 1),
}
ARCHS = ("s4d", "mamba", "transformer")

# S4D: state-spaces/s4 v3.0.0 configs/experiment/lra/s4-lra-*.yaml: layers, d_model H, d_state N, prenorm,
# dt_min, dt_max. Always bidirectional.
S4D = {
    "listops": (8, 128, 64, False, 1e-3, 1e-1),
    "text": (6, 256, 64, True, 1e-3, 1e-1),
    "retrieval": (6, 256, 64, True, 1e-3, 1e-1),
    "image": (6, 512, 64, False, 1e-3, 1e-1),
    "pathfinder": (6, 256, 64, True, 1e-3, 1e-1),
    "pathx": (6, 256, 64, True, 1e-4, 1e-1),
}
# Mamba: S4D depth, width and dt range (Path-X [1e-4, 0.1]), mamba_simple.py defaults: d_state 16, expand 2,
# d_conv 4 (workloads/lra/arch_config.cpp).
MAMBA_STATE, MAMBA_EXPAND, MAMBA_CONV = 16, 2, 4
# Transformer: google-research/long-range-arena configs: layers, emb, heads, qkv_dim, mlp_dim.
TRANSFORMER = {
    "listops": (4, 512, 8, 512, 1024),
    "text": (4, 256, 4, 256, 1024),
    "retrieval": (4, 128, 4, 128, 512),
    "image": (1, 128, 8, 64, 128),
    "pathfinder": (4, 32, 4, 16, 32),
    "pathx": (1, 32, 2, 16, 32),
}


def shape_info(task, arch, seq_len=None):
    """Every number that defines one workload's shapes (dict)."""
    full, classes, vocab, rows = TASKS[task]
    d = {"task": task, "arch": arch, "seq_len": seq_len or full, "classes": classes, "vocab": vocab,
         "rows": rows, "d_state": "", "d_inner": "", "dt_rank": "", "heads": "", "qkv_dim": "", "mlp_dim": "",
         "prenorm": "", "bidirectional": ""}
    if arch == "s4d":
        layers, h, n, pre, dt_min, dt_max = S4D[task]
        d.update(layers=layers, d_model=h, d_state=n, prenorm=int(pre), bidirectional=1, dt_min=dt_min,
                 dt_max=dt_max, dtype="float32")
    elif arch == "mamba":
        layers, h, _, _, dt_min, dt_max = S4D[task]
        d.update(layers=layers, d_model=h, d_state=MAMBA_STATE, d_inner=MAMBA_EXPAND * h,
                 dt_rank=(h + 15) // 16, prenorm=1, bidirectional=0, dt_min=dt_min, dt_max=dt_max, dtype="float32")
    else:
        layers, emb, heads, qkv, mlp = TRANSFORMER[task]
        d.update(layers=layers, d_model=emb, heads=heads, qkv_dim=qkv, mlp_dim=mlp, prenorm=1, bidirectional=1,
                 dtype="bfloat16")
    return d


def linear_shapes(task, arch, batch, seq_len=None):
    """The workload's linear (and classifier) ops as (name, kind, count, M, N, K): y[M, N] = x[M, K] W[N, K]^T.

    Names and splits follow the trace (separate in_x/in_z, glu_a/glu_b, q/k/v), count = ops per forward."""
    s = shape_info(task, arch, seq_len)
    rows, L, layers, d = s["rows"], s["seq_len"], s["layers"], s["d_model"]
    m = rows * batch * L
    out = []
    if arch == "s4d":
        out += [("glu_a", "linear", layers, m, d, d), ("glu_b", "linear", layers, m, d, d)]
        width = d
        if rows == 2:
            out.append(("head", "linear", 1, batch, d, 2 * d))
    elif arch == "mamba":
        e, r, n = s["d_inner"], s["dt_rank"], s["d_state"]
        out += [("in_x", "linear", layers, m, e, d), ("in_z", "linear", layers, m, e, d),
                ("x_dt", "linear", layers, m, r, e), ("x_B", "linear", layers, m, n, e),
                ("x_C", "linear", layers, m, n, e), ("dt_proj", "linear", layers, m, e, r),
                ("out", "linear", layers, m, d, e)]
        width = d
        if rows == 2:
            out.append(("head", "linear", 1, batch, d, 2 * d))
    else:
        qkv, mlp = s["qkv_dim"], s["mlp_dim"]
        out += [("q", "linear", layers, m, qkv, d), ("k", "linear", layers, m, qkv, d),
                ("v", "linear", layers, m, qkv, d), ("attn_out", "linear", layers, m, d, qkv),
                ("mlp1", "linear", layers, m, mlp, d), ("mlp2", "linear", layers, m, d, mlp),
                ("head", "linear", 1, batch, mlp, d * rows)]
        width = mlp
    out.append(("classifier", "classifier", 1, batch, s["classes"], width))
    return out


# ---------------------------------------------------------------------------------------------------------
# Initialisation helpers (random, never zeros)
# ---------------------------------------------------------------------------------------------------------

def linear(k, n, bias=True):
    """nn.Linear with PyTorch's default U(+-1/sqrt(K)) weights and bias (as graph_builder.cpp)."""
    return nn.Linear(k, n, bias=bias)


def layernorm(d):
    ln = nn.LayerNorm(d, eps=1e-5)
    with torch.no_grad():  # gain ~1, bias ~0, but not exactly (no all-zero tensors)
        ln.weight.copy_(1 + 0.02 * torch.randn(d))
        ln.bias.copy_(0.02 * torch.randn(d))
    return ln


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(1 + 0.02 * torch.randn(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Head(nn.Module):
    """Mean pool over time -> [Retrieval: concat the pair -> Linear -> act] -> classifier (build.cpp)."""

    def __init__(self, d, classes, rows, arch, mlp):
        super().__init__()
        self.rows = rows
        if arch == "transformer":
            self.hidden, self.act = linear(d * rows, mlp), F.relu
            width = mlp
        elif rows == 2:
            self.hidden, self.act = linear(2 * d, d), F.gelu
            width = d
        else:
            self.hidden, self.act = None, None
            width = d
        self.classifier = linear(width, classes)

    def forward(self, x):  # x [rows*B, L, d]
        p = x.mean(dim=1)
        if self.rows == 2:
            p = p.reshape(p.shape[0] // 2, 2 * p.shape[1])  # [e1, e2] per sample
        if self.hidden is not None:
            p = self.act(self.hidden(p))
        return self.classifier(p)


# ---------------------------------------------------------------------------------------------------------
# S4D
# ---------------------------------------------------------------------------------------------------------

def s4d_two_sided(k, L):
    """Folds K_fwd (causal, lag 0..L-1) and K_bwd (anti-causal, lag 0..L-1) into one length-2L circular kernel.

    Position 0 holds both lag-0 terms (s4d.cpp's reverse scan includes u_t, as the forward one does);
    positions 1..L-1 K_fwd, position L zero (|t-s| <= L-1 never reaches it), positions L+j K_bwd[L-j]."""
    kf, kb = k[0], k[1]
    zero = torch.zeros_like(kf[:, :1])
    return torch.cat([kf[:, :1] + kb[:, :1], kf[:, 1:], zero, kb[:, 1:].flip(-1)], dim=-1)


def fft_conv(u_bhl, k2, L):
    """y = irfft(rfft(u, 2L) * rfft(k, 2L))[..., :L] for u [B, H, L] and a two-sided kernel k [H, 2L]."""
    n = 2 * L
    uf = torch.fft.rfft(u_bhl, n=n)
    kf = torch.fft.rfft(k2, n=n)
    return torch.fft.irfft(uf * kf, n=n)[..., :L]


class S4DBlock(nn.Module):
    def __init__(self, h, n, prenorm, dt_min, dt_max):
        super().__init__()
        self.prenorm = prenorm
        self.norm = layernorm(h)
        # Two directions: [0] forward (with D), [1] backward. S4D-Real: A_n = -(n+1), B = 1, C ~ N(0, 1).
        self.log_dt = nn.Parameter(torch.empty(2, h).uniform_(math.log(dt_min), math.log(dt_max)))
        self.register_buffer("A", -torch.arange(1, n + 1, dtype=torch.float32))
        self.C = nn.Parameter(torch.randn(2, h, n))
        self.D = nn.Parameter(torch.randn(h))
        self.out = linear(h, 2 * h)  # glu_a and glu_b of the trace, as one Linear(H, 2H) + GLU (as S4 does)
        self._fwd = self.forward_impl

    def kernel(self, L):
        """[2, H, L]: K[l] = sum_n C_n * Bbar_n * Abar_n^l, Abar = exp(dt A), Bbar = (exp(dt A) - 1) / A."""
        dt = torch.exp(self.log_dt)  # [2, H]
        dta = dt.unsqueeze(-1) * self.A  # [2, H, N]
        cb = self.C * (torch.exp(dta) - 1.0) / self.A
        vand = (dta.unsqueeze(-1) * torch.arange(L, device=dta.device, dtype=dta.dtype)).exp_()  # [2, H, N, L]
        return torch.einsum("dhn,dhnl->dhl", cb, vand)

    def ssm(self, u):  # u [B, L, H] -> [B, L, H]
        L = u.shape[1]
        k2 = s4d_two_sided(self.kernel(L), L)  # [H, 2L]
        ut = u.transpose(1, 2)  # [B, H, L] (S4's layout; FFT along the last dim)
        y = fft_conv(ut, k2, L) + self.D.unsqueeze(-1) * ut
        return y.transpose(1, 2)

    def forward_impl(self, x):
        u = self.norm(x) if self.prenorm else x
        y = F.gelu(self.ssm(u), approximate="tanh")
        y = F.glu(self.out(y), dim=-1)  # a * sigmoid(b)
        x = x + y
        return x if self.prenorm else self.norm(x)

    def forward(self, x):
        return self._fwd(x)


class S4DModel(nn.Module):
    def __init__(self, task):
        super().__init__()
        s = shape_info(task, "s4d")
        layers, h, n, pre, dt_min, dt_max = S4D[task]
        self.embed = nn.Embedding(s["vocab"], h)  # N(0, 1)
        self.blocks = nn.ModuleList(S4DBlock(h, n, pre, dt_min, dt_max) for _ in range(layers))
        self.final_norm = layernorm(h) if pre else None
        self.head = Head(h, s["classes"], s["rows"], "s4d", 0)

    def forward(self, tokens):
        x = self.embed(tokens)
        for b in self.blocks:
            x = b(x)
        if self.final_norm is not None:
            x = self.final_norm(x)
        return self.head(x)


# ---------------------------------------------------------------------------------------------------------
# Selective scan (Mamba-1): naive reference and the chunked parallel scan
# ---------------------------------------------------------------------------------------------------------

def scan_naive(u, delta, A, Bm, Cm, D):
    """Sequential reference: h_t = exp(delta_t A) h_{t-1} + delta_t B_t u_t; y_t = C_t . h_t + D u_t.

    u, delta [B, L, E]; A [E, N]; Bm, Cm [B, L, N]; D [E]."""
    b, L, e = u.shape
    h = u.new_zeros(b, e, A.shape[1])
    ys = []
    for t in range(L):
        h = torch.exp(delta[:, t, :, None] * A) * h + (delta[:, t] * u[:, t])[..., None] * Bm[:, t, None, :]
        ys.append((h * Cm[:, t, None, :]).sum(-1))
    return torch.stack(ys, dim=1) + D * u


def _step_inplace(h, dq, A, xq, bq, cq, y_out):
    """One time step for all chunks at once, in place (eager): h [B, C, E, N]; dq, xq [B, C, E]; bq, cq [B, C, N]."""
    da = torch.mul(dq.unsqueeze(-1), A)
    da.exp_()
    h.mul_(da).addcmul_(xq.unsqueeze(-1), bq.unsqueeze(-2))
    if y_out is not None:
        torch.matmul(h, cq.unsqueeze(-1), out=y_out.unsqueeze(-1))  # y = sum_n C_n h_n
    return h


def _step_functional(h, dq, A, xq, bq):
    """The same step without mutation (torch.compile fuses it into one kernel)."""
    return torch.exp(dq.unsqueeze(-1) * A) * h + xq.unsqueeze(-1) * bq.unsqueeze(-2)


def _step_functional_y(h, dq, A, xq, bq, cq):
    h = torch.exp(dq.unsqueeze(-1) * A) * h + xq.unsqueeze(-1) * bq.unsqueeze(-2)
    return h, (h * cq.unsqueeze(-2)).sum(-1)


SCAN_STEPS = {"step": _step_functional, "step_y": _step_functional_y, "compiled": False}


def auto_chunk(L):
    """Chunk length Q: about sqrt(L/8) (balances 2Q in-chunk steps of ~4 kernels against L/Q chunk steps),
    a power of two in [8, 256]."""
    q = 2 ** math.floor(math.log2(max(1.0, math.sqrt(L / 8.0))) + 0.5)
    return int(min(256, max(8, q)))


def scan_chunked(u, delta, A, Bm, Cm, D, chunk=0):
    """Chunked parallel selective scan, exact up to rounding (no exp of a positive number anywhere).

    Time is cut into C = ceil(L/Q) chunks of Q steps. Pass 1 runs the recurrence inside every chunk at once
    (vectorised over batch, chunks, channels and states; a Python loop over the Q steps, not over L) from a
    zero state, giving each chunk's end state; the chunk's total decay is exp(A * sum(delta)), a cumulative
    log-decay. The states entering the chunks then follow from the C-step chunk-level recurrence
    H_c = P_{c-1} H_{c-1} + hend_{c-1}. Pass 2 reruns the in-chunk recurrence from those states and emits
    y_t = C_t . h_t (a batched matrix-vector product per step). Every factor multiplied is a decay
    exp(delta * A) <= 1, so nothing overflows: Mamba-1's decays differ per (channel, state), so the
    SSD/Mamba-2 trick (factor exp(A (S_t - S_s)) = exp(A S_t) exp(-A S_s) to make the in-chunk part a
    matmul) would need exp(-A S_s), which overflows float32 once |A| * sum(delta) over a chunk passes ~88,
    and its stable pairwise form costs Q/2 times the work. Padding steps (delta = 0, u = 0) leave the
    state unchanged."""
    b, L, e = u.shape
    n = A.shape[1]
    q = chunk or auto_chunk(L)
    q = min(q, L)
    nc = (L + q - 1) // q
    lp = nc * q
    x = delta * u
    dl, bm, cm = delta, Bm, Cm
    if lp != L:
        pad = (0, 0, 0, lp - L)
        x, dl, bm, cm = F.pad(x, pad), F.pad(dl, pad), F.pad(bm, pad), F.pad(cm, pad)

    def tmajor(t):  # [B, Lp, X] -> [Q, B, C, X] contiguous: each step's slice is contiguous
        return t.reshape(b, nc, q, t.shape[-1]).permute(2, 0, 1, 3).contiguous()

    dq, xq, bq, cq = tmajor(dl), tmajor(x), tmajor(bm), tmajor(cm)
    compiled = SCAN_STEPS["compiled"]
    # Pass 1: chunk-local end states from zero.
    h = u.new_zeros(b, nc, e, n)
    for i in range(q):
        if compiled:
            h = SCAN_STEPS["step"](h, dq[i], A, xq[i], bq[i])
        else:
            _step_inplace(h, dq[i], A, xq[i], bq[i], None, None)
    # Chunk decays exp(A * sum delta) and the chunk-level recurrence (sequential over the C chunks).
    p = torch.exp(dq.sum(0).unsqueeze(-1) * A).transpose(0, 1)  # [C, B, E, N]
    hend = h.transpose(0, 1)
    hs = u.new_empty(nc, b, e, n)
    hs[0].zero_()
    for c in range(1, nc):
        torch.addcmul(hend[c - 1], p[c - 1], hs[c - 1], out=hs[c])
    # Pass 2: rerun the chunks from their true entering states, emitting y.
    h = hs.transpose(0, 1).contiguous()
    if compiled:
        ys = []
        for i in range(q):
            h, yi = SCAN_STEPS["step_y"](h, dq[i], A, xq[i], bq[i], cq[i])
            ys.append(yi)
        yq = torch.stack(ys)
    else:
        yq = u.new_empty(q, b, nc, e)
        for i in range(q):
            _step_inplace(h, dq[i], A, xq[i], bq[i], cq[i], yq[i])
    y = yq.permute(1, 2, 0, 3).reshape(b, lp, e)[:, :L]
    return y + D * u


SCAN_IMPL = {"chunked": scan_chunked, "naive": scan_naive}


# ---------------------------------------------------------------------------------------------------------
# Mamba
# ---------------------------------------------------------------------------------------------------------

class MambaBlock(nn.Module):
    def __init__(self, d, n, expand, d_conv, dt_min, dt_max, chunk):
        super().__init__()
        e = expand * d
        r = (d + 15) // 16
        self.e, self.n, self.r, self.chunk = e, n, r, chunk
        self.norm = RMSNorm(d)
        self.in_proj = linear(d, 2 * e, bias=False)  # in_x and in_z of the trace, fused as in mamba_simple.py
        self.conv = nn.Conv1d(e, e, d_conv, groups=e, padding=d_conv - 1, bias=True)  # U(+-1/sqrt(d_conv))
        self.x_proj = linear(e, r + 2 * n, bias=False)  # x_dt, x_B, x_C
        self.dt_proj = linear(r, e, bias=True)
        with torch.no_grad():
            self.dt_proj.weight.uniform_(-r ** -0.5, r ** -0.5)
            dt = torch.exp(torch.empty(e).uniform_(math.log(dt_min), math.log(dt_max))).clamp(min=1e-4)
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))  # softplus^-1(dt)
        self.register_buffer("A", -torch.arange(1, n + 1, dtype=torch.float32).repeat(e, 1))  # [E, N]
        self.D = nn.Parameter(torch.ones(e))
        self.out_proj = linear(e, d, bias=False)
        self.scan = "chunked"
        self._pre, self._post = self.pre, self.post

    def pre(self, x):
        L = x.shape[1]
        xz = self.in_proj(self.norm(x))
        xi, z = xz.split(self.e, dim=-1)
        xc = self.conv(xi.transpose(1, 2))[..., :L].transpose(1, 2)  # causal depthwise conv, width 4
        xs = F.silu(xc)
        dtl, bm, cm = self.x_proj(xs).split([self.r, self.n, self.n], dim=-1)
        delta = F.softplus(self.dt_proj(dtl))
        return xs, delta, bm.contiguous(), cm.contiguous(), z

    def post(self, x, y, z):
        return x + self.out_proj(y * F.silu(z))

    def forward(self, x):
        xs, delta, bm, cm, z = self._pre(x)
        if self.scan == "chunked":
            y = scan_chunked(xs, delta, self.A, bm, cm, self.D, self.chunk)
        else:
            y = SCAN_IMPL[self.scan](xs, delta, self.A, bm, cm, self.D)
        return self._post(x, y, z)


class MambaModel(nn.Module):
    def __init__(self, task, chunk=0):
        super().__init__()
        s = shape_info(task, "mamba")
        d = s["d_model"]
        self.embed = nn.Embedding(s["vocab"], d)
        self.blocks = nn.ModuleList(MambaBlock(d, s["d_state"], MAMBA_EXPAND, MAMBA_CONV, s["dt_min"],
                                               s["dt_max"], chunk) for _ in range(s["layers"]))
        self.final_norm = RMSNorm(d)
        self.head = Head(d, s["classes"], s["rows"], "mamba", 0)

    def forward(self, tokens):
        x = self.embed(tokens)
        for b in self.blocks:
            x = b(x)
        return self.head(self.final_norm(x))


# ---------------------------------------------------------------------------------------------------------
# Transformer (LRA baseline)
# ---------------------------------------------------------------------------------------------------------

class TransformerBlock(nn.Module):
    def __init__(self, d, heads, qkv, mlp):
        super().__init__()
        self.heads, self.qkv = heads, qkv
        self.ln1, self.ln2 = layernorm(d), layernorm(d)
        self.in_proj = linear(d, 3 * qkv)  # q, k, v of the trace, fused
        self.attn_out = linear(qkv, d)
        self.mlp1, self.mlp2 = linear(d, mlp), linear(mlp, d)
        self._fwd = self.forward_impl

    def forward_impl(self, x):
        b, L, _ = x.shape
        dh = self.qkv // self.heads
        q, k, v = self.in_proj(self.ln1(x)).view(b, L, 3, self.heads, dh).permute(2, 0, 3, 1, 4).unbind(0)
        a = F.scaled_dot_product_attention(q, k, v)  # bidirectional, scale 1/sqrt(dh)
        x = x + self.attn_out(a.transpose(1, 2).reshape(b, L, self.qkv))
        return x + self.mlp2(F.gelu(self.mlp1(self.ln2(x)), approximate="tanh"))

    def forward(self, x):
        return self._fwd(x)


class TransformerModel(nn.Module):
    def __init__(self, task, seq_len):
        super().__init__()
        s = shape_info(task, "transformer")
        layers, d, heads, qkv, mlp = TRANSFORMER[task]
        self.embed = nn.Embedding(s["vocab"], d)
        self.pos = nn.Parameter(0.02 * torch.randn(seq_len, d))
        self.blocks = nn.ModuleList(TransformerBlock(d, heads, qkv, mlp) for _ in range(layers))
        self.final_norm = layernorm(d)
        self.head = Head(d, s["classes"], s["rows"], "transformer", mlp)

    def forward(self, tokens):
        x = self.embed(tokens) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.final_norm(x))


def build_model(task, arch, seq_len, device, chunk=0):
    if arch == "s4d":
        m = S4DModel(task)
    elif arch == "mamba":
        m = MambaModel(task, chunk)
    else:
        m = TransformerModel(task, seq_len)
    m = m.to(device).eval()
    if arch == "transformer":
        m = m.to(torch.bfloat16)
    return m


def param_count(m):
    return sum(p.numel() for p in m.parameters())


def set_compile(model, arch, mode):
    """Swaps in torch.compile'd per-layer functions (the layers of a model share one compilation).

    Mamba: the parts before and after the scan and the scan's per-step update are compiled; the scan's
    loops stay in Python (a compiled graph unrolled over every step would take far too long to build)."""
    kw = {"mode": mode, "dynamic": False}
    for b in model.blocks:
        if arch == "mamba":
            b._pre, b._post = torch.compile(b.pre, **kw), torch.compile(b.post, **kw)
        else:
            b._fwd = torch.compile(b.forward_impl, **kw)
    if arch == "mamba":
        SCAN_STEPS["step"] = torch.compile(_step_functional, **kw)
        SCAN_STEPS["step_y"] = torch.compile(_step_functional_y, **kw)
        SCAN_STEPS["compiled"] = True


def unset_compile(model, arch):
    for b in model.blocks:
        if arch == "mamba":
            b._pre, b._post = b.pre, b.post
        else:
            b._fwd = b.forward_impl
    SCAN_STEPS.update(step=_step_functional, step_y=_step_functional_y, compiled=False)
    torch._dynamo.reset()  # the next row has other shapes: start from an empty cache (no recompile limit)


# ---------------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------------

def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_callable(fn, device, warmup, min_reps, max_reps, budget_s):
    """Warm-up, then per-repeat timing (CUDA events, or the host clock on a CPU); median and min in ms.

    The number of repeats is adaptive: as many as fit in budget_s, at least min_reps, at most max_reps.
    Warm-up stops early (after at least one run) once it has taken a second: slow rows keep their budget."""
    t0 = time.perf_counter()
    for i in range(warmup):
        fn()
        sync(device)
        if time.perf_counter() - t0 > 1.0:
            break
    t0 = time.perf_counter()
    fn()
    sync(device)
    est = max(time.perf_counter() - t0, 1e-6)
    reps = int(max(min_reps, min(max_reps, budget_s / est)))
    times = []
    if device.type == "cuda":
        evs = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(reps)]
        for s, e in evs:
            s.record()
            fn()
            e.record()
        torch.cuda.synchronize(device)
        times = [s.elapsed_time(e) for s, e in evs]
    else:
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), min(times), reps


def capture_graph(fn, device):
    """Captures fn() into a CUDA graph (after warm-up on a side stream); returns the graph."""
    s = torch.cuda.Stream(device)
    s.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(s):
        for _ in range(2):
            fn()
    torch.cuda.current_stream(device).wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        fn()
    torch.cuda.synchronize(device)
    return g


def is_oom(exc):
    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()


def free(device):
    import gc
    gc.collect()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.empty_cache()


def short_error(exc):
    msg = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {msg[:160]}".replace(",", ";")


def fmt_ms(v):
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def run_row(task, arch, batch, args, device):
    s = shape_info(task, arch, args.seq_len)
    L, rows = s["seq_len"], s["rows"]
    row = dict(s)
    row.update(batch=batch, sequences=rows * batch, eager_ms="", eager_min_ms="", graph_ms="", graph_min_ms="",
               compile_ms="", compile_graph_ms="", best_ms="", best_method="", reps="", params="",
               peak_mem_gib="", chunk="", notes="")
    if arch == "mamba":
        row["chunk"] = args.chunk or auto_chunk(L)
    notes = []
    torch.manual_seed(args.seed)
    model = tokens = None
    try:
        model = build_model(task, arch, L, device, args.chunk)
        row["params"] = param_count(model)
        tokens = torch.randint(0, s["vocab"], (rows * batch, L), device=device)
    except Exception as exc:  # noqa: BLE001 -- one row's failure must not stop the others
        row.update(eager_ms="oom" if is_oom(exc) else "fail", best_ms="oom" if is_oom(exc) else "fail")
        row["notes"] = short_error(exc)
        model = tokens = None
        free(device)
        return row
    fwd = lambda: model(tokens)  # noqa: E731
    budget = args.budget_s
    results = {}
    with torch.inference_mode():
        # Eager.
        try:
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            med, mn, reps = time_callable(fwd, device, args.warmup, args.repeats, args.max_repeats, budget)
            row.update(eager_ms=med, eager_min_ms=mn, reps=reps)
            results["eager"] = med
            if device.type == "cuda":
                row["peak_mem_gib"] = round(torch.cuda.max_memory_allocated(device) / 2 ** 30, 3)
            out = fwd()
            if not torch.isfinite(out.float()).all():
                notes.append("non-finite logits")
            del out
        except Exception as exc:  # noqa: BLE001
            row["eager_ms"] = "oom" if is_oom(exc) else "fail"
            notes.append("eager " + short_error(exc))
        free(device)
        # CUDA graph.
        if device.type == "cuda" and not args.no_graph and "eager" in results:
            g = None
            try:
                g = capture_graph(fwd, device)
                med, mn, _ = time_callable(g.replay, device, 1, args.repeats, args.max_repeats, budget)
                row.update(graph_ms=med, graph_min_ms=mn)
                results["graph"] = med
            except Exception as exc:  # noqa: BLE001
                row["graph_ms"] = "oom" if is_oom(exc) else "fail"
                notes.append("graph " + short_error(exc))
            del g
            free(device)
        elif device.type != "cuda":
            row["graph_ms"] = "n/a"
        # torch.compile (optional).
        if args.compile and "eager" in results:
            try:
                t0 = time.perf_counter()
                set_compile(model, arch, args.compile_mode)
                fwd()
                sync(device)
                notes.append(f"compile {time.perf_counter() - t0:.0f}s")
                med, _, _ = time_callable(fwd, device, args.warmup, args.repeats, args.max_repeats, budget)
                row["compile_ms"] = med
                results["compile"] = med
                if device.type == "cuda" and not args.no_graph:
                    g = None
                    try:
                        g = capture_graph(fwd, device)
                        med, _, _ = time_callable(g.replay, device, 1, args.repeats, args.max_repeats, budget)
                        row["compile_graph_ms"] = med
                        results["compile+graph"] = med
                    except Exception as exc:  # noqa: BLE001
                        row["compile_graph_ms"] = "oom" if is_oom(exc) else "fail"
                        notes.append("compile+graph " + short_error(exc))
                    del g
            except Exception as exc:  # noqa: BLE001
                row["compile_ms"] = "oom" if is_oom(exc) else "fail"
                notes.append("compile " + short_error(exc))
            finally:
                unset_compile(model, arch)
                free(device)
    if results:
        best = min(results, key=results.get)
        row.update(best_ms=results[best], best_method=best)
    else:
        row["best_ms"] = row["eager_ms"]
    row["notes"] = "; ".join(notes)
    model = tokens = fwd = None
    free(device)
    return row


# ---------------------------------------------------------------------------------------------------------
# int8 GEMM (torch._int_mm, cuBLASLt) at the workloads' linear shapes
# ---------------------------------------------------------------------------------------------------------

def int_mm_shape(m, n, k):
    """torch._int_mm needs M > 16 and K, N multiples of 8: pad up (the padded problem is what is timed)."""
    return max(m, 17), -(-n // 8) * 8, -(-k // 8) * 8


def time_int_mm(m, n, k, device, reps):
    """Median / min microseconds of one torch._int_mm(a[M, K], w[N, K]^T) (w row-major, as our kernel).

    CUDA: input sets rotated so together they exceed 4x L2; groups of back-to-back launches queued behind a
    GPU-side wait (torch.cuda._sleep) so host launch overhead is hidden; time = group time / launches."""
    per_set = m * k + n * k + 4 * m * n
    if device.type == "cuda":
        l2 = getattr(torch.cuda.get_device_properties(device), "L2_cache_size", 50 * 2 ** 20)
        sets = int(min(32, max(1, math.ceil(4 * l2 / per_set))))
    else:
        sets = 1
    a = [torch.randint(-128, 128, (m, k), dtype=torch.int8, device=device) for _ in range(sets)]
    w = [torch.randint(-128, 128, (n, k), dtype=torch.int8, device=device) for _ in range(sets)]
    o = [torch.empty(m, n, dtype=torch.int32, device=device) for _ in range(sets)]

    def launch(i):
        torch._int_mm(a[i % sets], w[i % sets].t(), out=o[i % sets])

    med, mn, inner = time_grouped(launch, device, reps)
    return med, mn, inner, sets


def time_grouped(launch, device, reps):
    """Median / min microseconds of one launch(i) (i rotates the caller's input sets), and the group size.

    3 warm-up launches; CUDA: groups of back-to-back launches (~2 ms, sized from a first GPU-timed group)
    queued behind a GPU-side wait (torch.cuda._sleep), CUDA events around each group, time = group / launches,
    median of reps groups. CPU: the host clock around single launches."""
    for i in range(3):
        launch(i)
    sync(device)
    t0 = time.perf_counter()
    launch(0)
    sync(device)
    est = max(time.perf_counter() - t0, 1e-6)
    if device.type != "cuda":
        times = []
        for i in range(reps):
            t = time.perf_counter()
            launch(i)
            times.append((time.perf_counter() - t) * 1e6)
        return statistics.median(times), min(times), 1
    # Size a group to ~2 ms of GPU time using a first timed group.
    inner = int(min(500, max(1, 2e-3 / est)))
    sleep_ok = hasattr(torch.cuda, "_sleep")
    times = []
    for r in range(reps + 1):
        if sleep_ok:
            torch.cuda._sleep(int(min(2e7, 30_000 * inner)))  # ~15 us of host enqueue per launch covered
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        for i in range(inner):
            launch(i)
        e.record()
        e.synchronize()
        if r == 0:  # re-size the group from a GPU-timed one
            per = s.elapsed_time(e) / inner
            inner = int(min(500, max(1, 2.0 / max(per, 1e-4))))
            continue
        times.append(s.elapsed_time(e) * 1e3 / inner)
    return statistics.median(times), min(times), inner


def run_gemms(args, device, tasks, archs, batches):
    rows, cache = [], {}
    for task in tasks:
        for arch in archs:
            for batch in batches:
                for name, kind, count, m, n, k in linear_shapes(task, arch, batch, args.seq_len):
                    mr, nr, kr = int_mm_shape(m, n, k)
                    key = (mr, nr, kr)
                    if key not in cache:
                        try:
                            cache[key] = time_int_mm(mr, nr, kr, device, args.gemm_repeats) + ("",)
                        except Exception as exc:  # noqa: BLE001
                            cache[key] = ("oom" if is_oom(exc) else "fail", "", "", "", short_error(exc))
                        free(device)
                    med, mn, inner, sets, note = cache[key]
                    ok = isinstance(med, float)
                    rows.append(dict(task=task, arch=arch, batch=batch, op=name, kind=kind, count=count, m=m, n=n,
                                     k=k, m_run=mr, n_run=nr, k_run=kr, time_us_median=med, time_us_min=mn,
                                     tops=round(2 * m * n * k / med / 1e6, 3) if ok else "",
                                     tops_run=round(2 * mr * nr * kr / med / 1e6, 3) if ok else "",
                                     inner=inner, buffer_sets=sets, notes=note))
    return rows


# ---------------------------------------------------------------------------------------------------------
# scaled_dot_product_attention alone at the transformer workloads' attention shapes
# ---------------------------------------------------------------------------------------------------------

SDPA_BACKENDS = ("flash", "efficient", "cudnn", "math")
SDPA_DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}


def sdpa_shapes(task, batch, seq_len=None):
    """The attention op of lra:<task>:transformer as (sequences, heads, L, head_dim, causal, ops per forward).

    Retrieval runs both documents through the encoder, so its attention batch is 2 * batch (as run_row's
    tokens and the trace's batch dimension); the LRA encoder's attention is bidirectional (transformer.cpp:
    causal false), scale 1/sqrt(head_dim)."""
    s = shape_info(task, "transformer", seq_len)
    return s["rows"] * batch, s["heads"], s["seq_len"], s["qkv_dim"] // s["heads"], False, s["layers"]


def sdpa_backend_context(name):
    """A context manager that allows only backend `name`, or None where this torch cannot force it."""
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
        enum = {"flash": "FLASH_ATTENTION", "efficient": "EFFICIENT_ATTENTION", "cudnn": "CUDNN_ATTENTION",
                "math": "MATH"}[name]
        if not hasattr(SDPBackend, enum):
            return None
        return sdpa_kernel([getattr(SDPBackend, enum)])
    except ImportError:
        if name == "cudnn" or not hasattr(torch.backends.cuda, "sdp_kernel"):
            return None
        return torch.backends.cuda.sdp_kernel(enable_flash=name == "flash", enable_math=name == "math",
                                              enable_mem_efficient=name == "efficient")


def sdpa_dispatched(fn):
    """Which backend PyTorch's default dispatch ran for fn(): the aten op it called, seen by the profiler
    (flash / efficient / cudnn / math / overrideable), or 'default' where no such op shows."""
    try:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            fn()
        keys = [k.key for k in prof.key_averages()]
    except Exception:  # noqa: BLE001 -- the profiler is optional
        return "default"
    for k in keys:
        if "_scaled_dot_product_" not in k:
            continue
        for tag, name in (("cudnn", "cudnn"), ("efficient", "efficient"), ("flash", "flash"), ("math", "math"),
                          ("overrideable", "overrideable")):
            if tag in k:
                return name
    return "default"


def time_sdpa(sequences, heads, L, dh, causal, dtype, device, reps, backend=None):
    """(median us, min us, group size, input sets, backend that ran) of one F.scaled_dot_product_attention.

    q, k, v are views of one packed [S, L, 3, H, dh] tensor permuted to [S, H, L, dh] (the layout
    TransformerBlock passes: last dim contiguous), random N(0, 1); sets of them rotated so together they
    exceed 4x L2 (as time_int_mm); backend None = PyTorch's default dispatch, else only that backend."""
    esize = torch.empty(0, dtype=dtype).element_size()
    per_set = 4 * sequences * L * heads * dh * esize  # q, k, v and the output
    if device.type == "cuda":
        l2 = getattr(torch.cuda.get_device_properties(device), "L2_cache_size", 50 * 2 ** 20)
        sets = int(min(32, max(1, math.ceil(4 * l2 / per_set))))
    else:
        sets = 1
    qkv = []
    for _ in range(sets):
        packed = torch.randn(sequences, L, 3, heads, dh, device=device, dtype=dtype)
        qkv.append(packed.permute(2, 0, 3, 1, 4).unbind(0))

    def launch(i):
        q, k, v = qkv[i % sets]
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)

    ctx = None if backend is None else sdpa_backend_context(backend)
    if backend is not None and ctx is None:
        raise NotImplementedError(f"this torch cannot force the {backend} backend")
    import contextlib
    with torch.inference_mode(), (ctx if ctx is not None else contextlib.nullcontext()):
        ran = backend or sdpa_dispatched(lambda: launch(0))
        med, mn, inner = time_grouped(launch, device, reps)
    return med, mn, inner, sets, ran


def sdpa_error(exc):
    """'oom', 'unsupported' (no kernel of the forced backend takes this shape/dtype/device) or 'fail'."""
    if is_oom(exc):
        return "oom"
    msg = str(exc).lower()
    if (isinstance(exc, NotImplementedError) or "no available kernel" in msg or "no viable backend" in msg
            or "not supported" in msg):
        return "unsupported"
    return "fail"


def run_sdpa(args, device, tasks, batches):
    """One row per (transformer workload, batch, dtype): the default dispatch's time and backend, and each
    backend forced alone (columns <backend>_us: median, or oom / unsupported / fail)."""
    backends = [b for b in args.sdpa_backends.split(",") if b]
    rows = []
    for task in tasks:
        for batch in batches:
            S, H, L, dh, causal, count = sdpa_shapes(task, batch, args.seq_len)
            for dname in args.sdpa_dtypes.split(","):
                dtype = SDPA_DTYPES[dname]
                row = dict(workload=f"lra:{task}:transformer", batch=batch, sequences=S, heads=H, seq_len=L,
                           head_dim=dh, causal=int(causal), count=count, dtype=dname, backend="",
                           sdpa_us_median="", sdpa_us_min="", inner="", buffer_sets="", tflops="",
                           best_backend="", best_us_median="", notes="")
                notes = []
                try:
                    med, mn, inner, sets, ran = time_sdpa(S, H, L, dh, causal, dtype, device, args.gemm_repeats)
                    row.update(backend=ran, sdpa_us_median=med, sdpa_us_min=mn, inner=inner, buffer_sets=sets,
                               tflops=round(4 * S * H * L * L * dh / med / 1e6, 3))
                except Exception as exc:  # noqa: BLE001 -- one row's failure must not stop the others
                    row.update(sdpa_us_median=sdpa_error(exc), sdpa_us_min="")
                    notes.append("default " + short_error(exc))
                free(device)
                best = None
                for b in backends:
                    try:
                        med, _, _, _, _ = time_sdpa(S, H, L, dh, causal, dtype, device, args.gemm_repeats, b)
                        row[f"{b}_us"] = med
                        if best is None or med < best[1]:
                            best = (b, med)
                    except Exception as exc:  # noqa: BLE001
                        row[f"{b}_us"] = sdpa_error(exc)
                        if row[f"{b}_us"] != "unsupported":
                            notes.append(f"{b} " + short_error(exc))
                    free(device)
                if best:
                    row.update(best_backend=best[0], best_us_median=best[1])
                row["notes"] = "; ".join(notes)
                rows.append(row)
                print(f"sdpa {task:>10} B={batch:<3} S={S:<3} H={H} L={L:<6} dh={dh:<3} {dname:>8}: "
                      f"{fmt_short(row['sdpa_us_median'])} us ({row['backend']}); "
                      + ", ".join(f"{b} {fmt_short(row.get(b + '_us', ''))}" for b in backends), flush=True)
    return rows, backends


# ---------------------------------------------------------------------------------------------------------
# Provenance, CSV, table
# ---------------------------------------------------------------------------------------------------------

def provenance(device, args):
    lines = []
    gpu = driver = smi_cuda = ""
    try:
        q = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=20)
        if q.returncode == 0 and q.stdout.strip():
            gpu, driver = [x.strip() for x in q.stdout.strip().splitlines()[0].split(",")[:2]]
        full = subprocess.run(["nvidia-smi"], capture_output=True, text=True, timeout=20).stdout
        for tok in full.split("|"):
            if "CUDA Version" in tok:
                smi_cuda = tok.split("CUDA Version:")[-1].strip()
    except Exception:  # noqa: BLE001 -- nvidia-smi is optional
        pass
    if device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        gpu = gpu or p.name
        lines.append(f"gpu: {gpu} ({p.multi_processor_count} SMs, {p.total_memory / 2 ** 30:.1f} GiB, "
                     f"compute capability {p.major}.{p.minor})")
        if not driver:
            try:
                driver = str(torch._C._cuda_getDriverVersion())  # e.g. 13000 (the CUDA API version the driver has)
            except Exception:  # noqa: BLE001
                driver = "unknown"
    else:
        lines.append(f"device: cpu ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)")
    lines.append(f"driver: {driver or 'n/a'}; CUDA (driver, nvidia-smi): {smi_cuda or 'n/a'}; "
                 f"CUDA (torch build): {torch.version.cuda}; cuDNN: {torch.backends.cudnn.version()}")
    lines.append(f"torch: {torch.__version__}; python: {sys.version.split()[0]}")
    lines.append("date_utc: " + datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    lines.append("commit: " + os.environ.get("SSMSIM_COMMIT", "unknown (SSMSIM_COMMIT not set)"))
    cmd = " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0]) if os.path.exists(sys.argv[0])
                                             else sys.argv[0]] + sys.argv[1:])
    out = os.environ.get("OUT", "")
    if out:
        cmd = cmd.replace(out.rstrip("/"), "$OUT")
    lines.append("command: " + cmd)
    return lines


def method_lines(args, device):
    tf = "TF32 allowed" if args.tf32 else "TF32 off (strict float32 matmuls and convolutions)"
    return [
        "models: the float networks of workloads/lra/*.cpp (docs/workloads.md) with random weights (PyTorch "
        "default Linear init, N(0,1) embeddings, S4D-Real / Mamba A = -(n+1), norm gains 1+N(0,.02)) and random "
        "tokens in [0, vocab); retrieval runs 2 documents per sample (sequences = 2 * batch)",
        "s4d: float32, FFT convolution as state-spaces/s4 (S4D kernel by Vandermonde exp from [H, N] params "
        "each forward, bidirectional as one two-sided length-2L kernel, rfft/irfft n = 2L, + D*u); mamba: "
        "float32, chunked stable parallel scan (chunk = column 'chunk'; Python loop over chunk steps, never "
        "over L); transformer: bfloat16, F.scaled_dot_product_attention (backend chosen by PyTorch)",
        f"timing: {args.warmup} warm-up forwards, then CUDA events around each forward pass under "
        f"torch.inference_mode(), median (and min) of reps >= {args.repeats} (adaptive, ~{args.budget_s}s per "
        f"method, at most {args.max_repeats}); eager = forward as launched from Python; graph = "
        "torch.cuda.CUDAGraph capture of the same forward (2 warm-ups on a side stream), replay timed; "
        "compile = torch.compile per layer (mode " + (args.compile_mode if args.compile else "not run") + "); "
        "best = fastest of these; 'oom' = out of memory for that row",
        f"numerics: {tf}; clocks as found; peak_mem_gib = torch.cuda.max_memory_allocated during eager runs",
    ]


def write_csv(path, header_lines, rows, columns):
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    commented_csv.write(path, ["# " + line for line in header_lines], columns,
                        [{k: fmt_ms(v) if isinstance(v, float) else v for k, v in r.items()} for r in rows],
                        ignore_extra=True)


MODEL_COLUMNS = ["task", "arch", "batch", "sequences", "seq_len", "d_model", "layers", "d_state", "d_inner",
                 "dt_rank", "heads", "qkv_dim", "mlp_dim", "vocab", "classes", "prenorm", "bidirectional",
                 "dtype", "params", "chunk", "eager_ms", "eager_min_ms", "graph_ms", "graph_min_ms", "compile_ms",
                 "compile_graph_ms", "best_ms", "best_method", "reps", "peak_mem_gib", "notes"]
SDPA_COLUMNS = ["workload", "batch", "sequences", "heads", "seq_len", "head_dim", "causal", "count", "dtype",
                "backend", "sdpa_us_median", "sdpa_us_min", "inner", "buffer_sets", "tflops"]
SDPA_TAIL = ["best_backend", "best_us_median", "notes"]
GEMM_COLUMNS = ["task", "arch", "batch", "op", "kind", "count", "m", "n", "k", "m_run", "n_run", "k_run",
                "time_us_median", "time_us_min", "tops", "tops_run", "inner", "buffer_sets", "notes"]


def print_table(rows, cols, title):
    print("\n" + title)
    cells = [[fmt_short(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(x[i]) for x in cells)) if cells else len(c) for i, c in enumerate(cols)]
    print("  ".join(c.rjust(w) for c, w in zip(cols, widths)))
    for x in cells:
        print("  ".join(v.rjust(w) for v, w in zip(x, widths)))


def fmt_short(v):
    if isinstance(v, float):
        return f"{v:.3f}" if v < 100 else f"{v:.1f}"
    return str(v)


# ---------------------------------------------------------------------------------------------------------
# Self-test (float64 references; CPU or GPU)
# ---------------------------------------------------------------------------------------------------------

def rel_err(a, b):
    return ((a - b).norm() / b.norm()).item()


def s4d_naive(u, blk):
    """Two explicit recurrences (s4d.cpp): forward with D, backward (reverse) without; summed."""
    dt = torch.exp(blk.log_dt)
    dta = dt.unsqueeze(-1) * blk.A
    abar, bbar = torch.exp(dta), (torch.exp(dta) - 1.0) / blk.A  # [2, H, N]
    b, L, h = u.shape
    out = torch.zeros_like(u)
    for d, order in ((0, range(L)), (1, range(L - 1, -1, -1))):
        st = u.new_zeros(b, h, blk.A.shape[0])
        for t in order:
            st = abar[d] * st + bbar[d] * u[:, t, :, None]
            out[:, t] += (st * blk.C[d]).sum(-1)
    return out + blk.D * u


def self_test(device):
    torch.manual_seed(0)
    f64 = torch.float64
    results = []

    def check(name, err, tol, what="relative error"):
        ok = err < tol and math.isfinite(err)
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {what} {err:.3g} (tolerance {tol:g})")

    # 1. Chunked selective scan == sequential scan (float64), incl. L not a multiple of Q, Q > L, large decays.
    cases = [(2, 64, 8, 4, 16), (1, 100, 6, 16, 8), (3, 37, 5, 3, 64), (2, 257, 16, 16, 0), (1, 512, 4, 16, 32)]
    for b, L, e, n, q in cases:
        for big in (False, True):
            u = torch.randn(b, L, e, dtype=f64, device=device)
            delta = F.softplus(torch.randn(b, L, e, dtype=f64, device=device) + (1.5 if big else -3.0))
            A = -torch.arange(1, n + 1, dtype=f64, device=device).repeat(e, 1) * torch.rand(e, 1, dtype=f64,
                                                                                          device=device).add(0.5)
            bm = torch.randn(b, L, n, dtype=f64, device=device)
            cm = torch.randn(b, L, n, dtype=f64, device=device)
            D = torch.randn(e, dtype=f64, device=device)
            ref = scan_naive(u, delta, A, bm, cm, D)
            got = scan_chunked(u, delta, A, bm, cm, D, q)
            check(f"chunked scan float64 B={b} L={L} E={e} N={n} Q={q or auto_chunk(L)}"
                  f"{' (large delta)' if big else ''}", rel_err(got, ref), 1e-5)
    # float32 chunked vs float64 sequential (what the benchmark runs)
    b, L, e, n = 2, 1024, 32, 16
    u = torch.randn(b, L, e, dtype=f64, device=device)
    delta = F.softplus(torch.randn(b, L, e, dtype=f64, device=device) - 3.0)
    A = -torch.arange(1, n + 1, dtype=f64, device=device).repeat(e, 1)
    bm, cm = torch.randn(b, L, n, dtype=f64, device=device), torch.randn(b, L, n, dtype=f64, device=device)
    D = torch.ones(e, dtype=f64, device=device)
    ref = scan_naive(u, delta, A, bm, cm, D)
    got = scan_chunked(*(t.float() for t in (u, delta, A, bm, cm, D)), 0).double()
    check(f"chunked scan float32 vs float64 sequential B={b} L={L} E={e} N={n}", rel_err(got, ref), 1e-4)

    # 2. S4D bidirectional FFT convolution == two explicit recurrences (float64), both norms.
    for L, h, n, pre in ((64, 8, 16, True), (77, 6, 8, False), (200, 4, 64, True)):
        blk = S4DBlock(h, n, pre, 1e-3, 1e-1).to(device=device, dtype=f64)
        u = torch.randn(2, L, h, dtype=f64, device=device)
        check(f"s4d FFT conv vs recurrences float64 L={L} H={h} N={n}", rel_err(blk.ssm(u), s4d_naive(u, blk)),
              1e-5)

    # 3. Whole models: Mamba with the chunked vs the sequential scan; S4D FFT vs recurrences (float64).
    for task in ("image", "retrieval"):
        torch.manual_seed(1)
        m = build_model(task, "mamba", 48, device, chunk=8).double()
        tok = torch.randint(0, TASKS[task][2], (TASKS[task][3] * 2, 48), device=device)
        with torch.inference_mode():
            y = m(tok)
            for blk in m.blocks:
                blk.scan = "naive"
            ref = m(tok)
        check(f"mamba model ({task}) chunked vs sequential scan, float64", rel_err(y, ref), 1e-5)
        m = build_model(task, "s4d", 40, device).double()
        with torch.inference_mode():
            y = m(tok[:, :40])
            for blk in m.blocks:
                blk.ssm = (lambda bb: (lambda u: s4d_naive(u, bb)))(blk)
            ref = m(tok[:, :40])
        check(f"s4d model ({task}) FFT vs recurrences, float64", rel_err(y, ref), 1e-5)

    # 4. Transformer block: SDPA vs explicit softmax attention (float64).
    blk = TransformerBlock(32, 4, 16, 32).to(device=device, dtype=f64)
    x = torch.randn(2, 50, 32, dtype=f64, device=device)
    with torch.inference_mode():
        y = blk(x)
        b, L, _ = x.shape
        q, k, v = blk.in_proj(blk.ln1(x)).view(b, L, 3, 4, 4).permute(2, 0, 3, 1, 4).unbind(0)
        a = torch.softmax(q @ k.transpose(-1, -2) / 2.0, -1) @ v
        x1 = x + blk.attn_out(a.transpose(1, 2).reshape(b, L, 16))
        ref = x1 + blk.mlp2(F.gelu(blk.mlp1(blk.ln2(x1)), approximate="tanh"))
    check("transformer block SDPA vs explicit attention, float64", rel_err(y, ref), 1e-10)

    # 5. int8 GEMM through torch._int_mm with padding == exact integer product.
    for m, n, k in ((1, 10, 128), (40, 16, 24), (33, 24, 8)):
        mr, nr, kr = int_mm_shape(m, n, k)
        a = torch.zeros(mr, kr, dtype=torch.int8, device=device)
        w = torch.zeros(nr, kr, dtype=torch.int8, device=device)
        a[:m, :k] = torch.randint(-128, 128, (m, k), dtype=torch.int8, device=device)
        w[:n, :k] = torch.randint(-128, 128, (n, k), dtype=torch.int8, device=device)
        try:
            got = torch._int_mm(a, w.t())[:m, :n]
            ref = (a[:m, :k].long() @ w[:n, :k].long().t()).to(torch.int32)
            err = float((got != ref).sum().item())
            check(f"torch._int_mm padded {m}x{n}x{k} -> {mr}x{nr}x{kr}", err, 0.5, "mismatching elements")
        except Exception as exc:  # noqa: BLE001
            print(f"SKIP  torch._int_mm on {device.type}: {short_error(exc)}")

    # 6. Shapes table matches what the models hold (parameter shapes of the first layer).
    for task in TASKS:
        s = shape_info(task, "mamba")
        blk = MambaModel(task).blocks[0]
        ok = (blk.in_proj.weight.shape == (2 * s["d_inner"], s["d_model"])
              and blk.x_proj.weight.shape == (s["dt_rank"] + 2 * s["d_state"], s["d_inner"]))
        check(f"mamba {task} layer shapes", 0.0 if ok else 1.0, 0.5, "mismatches")
    # 7. SDPA timing shapes: the attention op's (sequences, heads, L, head_dim) and count agree with the
    # model (retrieval: both documents) and with linear_shapes' q projection; one tiny timed call runs.
    for task in TASKS:
        S, H, L, dh, causal, count = sdpa_shapes(task, 3, 40)
        q = next(x for x in linear_shapes(task, "transformer", 3, 40) if x[0] == "q")
        ok = (S * L == q[3] and H * dh == q[4] and count == q[2] and not causal
              and S == TASKS[task][3] * 3 and L == 40)
        check(f"sdpa shape {task}: S={S} H={H} L={L} dh={dh}", 0.0 if ok else 1.0, 0.5, "mismatches")
    try:
        med, _, _, _, ran = time_sdpa(2, 2, 16, 8, False, torch.float32, device, 3)
        ok = math.isfinite(med) and med > 0 and ran in ("flash", "efficient", "cudnn", "math", "overrideable",
                                                        "default")
        check(f"sdpa timed alone ({ran}, {med:.1f} us)", 0.0 if ok else 1.0, 0.5, "failures")
    except Exception as exc:  # noqa: BLE001
        check(f"sdpa timed alone: {short_error(exc)}", 1.0, 0.5, "failures")
    failed = results.count(False)
    print(f"\n{results.count(True)} passed, {failed} failed")
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------

def bench_scan(args, device, tasks, batches):
    """Times scan_chunked alone (CUDA graph replay, median) at the Mamba workloads' scan shapes for several
    chunk lengths, to choose auto_chunk."""
    chunks = [int(x) for x in args.bench_chunks.split(",")]
    for task in tasks:
        s = shape_info(task, "mamba", args.seq_len)
        L, e, n = s["seq_len"], s["d_inner"], s["d_state"]
        for batch in batches:
            b = s["rows"] * batch
            torch.manual_seed(0)
            u = torch.randn(b, L, e, device=device)
            delta = F.softplus(torch.randn(b, L, e, device=device) - 4.0)
            A = -torch.arange(1, n + 1, dtype=torch.float32, device=device).repeat(e, 1)
            bm, cm = torch.randn(b, L, n, device=device), torch.randn(b, L, n, device=device)
            D = torch.ones(e, device=device)
            line = []
            for q in chunks:
                fn = lambda: scan_chunked(u, delta, A, bm, cm, D, q)  # noqa: E731
                try:
                    with torch.inference_mode():
                        if device.type == "cuda":
                            g = capture_graph(fn, device)
                            med, _, _ = time_callable(g.replay, device, 1, 10, 50, 0.5)
                            del g
                        else:
                            med, _, _ = time_callable(fn, device, 1, 3, 5, 0.5)
                    line.append(f"Q={q}: {med:.3f}")
                except Exception as exc:  # noqa: BLE001
                    line.append(f"Q={q}: {short_error(exc)[:40]}")
                free(device)
            print(f"scan {task:>10} B*rows={b:<3} L={L:<6} E={e:<5} N={n} auto Q={auto_chunk(L)}  ms: "
                  + ", ".join(line), flush=True)
            u = delta = bm = cm = fn = None
            free(device)


def parse_list(text, allowed, what):
    items = [x.strip() for x in text.split(",") if x.strip()]
    for x in items:
        if x not in allowed:
            sys.exit(f"--{what}: '{x}' is not one of {', '.join(allowed)}")
    return items


def print_shapes(seq_len):
    cols = ["task", "arch", "seq_len", "rows", "vocab", "classes", "layers", "d_model", "d_state", "d_inner",
            "dt_rank", "heads", "qkv_dim", "mlp_dim", "prenorm", "dtype", "params"]
    rows = []
    for t in TASKS:
        for a in ARCHS:
            s = shape_info(t, a, seq_len)
            torch.manual_seed(0)
            s["params"] = param_count(build_model(t, a, s["seq_len"], torch.device("cpu")))
            rows.append(s)
    print_table(rows, cols, "LRA workload shapes (rows = sequences per sample; retrieval: 2 documents)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--out", help="CSV of model timings")
    p.add_argument("--gemm-out", help="CSV of torch._int_mm (cuBLASLt int8) timings at the linear shapes")
    p.add_argument("--gemm-only", action="store_true", help="time the GEMMs only (needs --gemm-out)")
    p.add_argument("--sdpa-out", help="CSV of F.scaled_dot_product_attention alone at the transformer workloads' "
                                      "attention shapes (default dispatch and each backend forced)")
    p.add_argument("--sdpa-dtypes", default="bfloat16,float16")
    p.add_argument("--sdpa-backends", default=",".join(SDPA_BACKENDS),
                   help="backends also timed forced alone (empty: only the default dispatch)")
    p.add_argument("--batch", default="1,32", help="comma-separated batch sizes (samples)")
    p.add_argument("--tasks", default=",".join(TASKS))
    p.add_argument("--archs", default=",".join(ARCHS))
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seq-len", type=int, default=0, help="override every task's length (testing)")
    p.add_argument("--chunk", type=int, default=0, help="Mamba scan chunk length (0: about sqrt(L/8))")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeats", type=int, default=20, help="minimum timed repeats per method")
    p.add_argument("--max-repeats", type=int, default=200)
    p.add_argument("--budget-s", type=float, default=1.5, help="target seconds of timed repeats per method")
    p.add_argument("--gemm-repeats", type=int, default=20)
    p.add_argument("--no-graph", action="store_true", help="skip CUDA graph capture")
    p.add_argument("--compile", action="store_true", help="also time torch.compile'd layers (slow to build)")
    p.add_argument("--compile-mode", default="max-autotune-no-cudagraphs")
    p.add_argument("--tf32", action="store_true", help="allow TF32 in float32 matmuls/convolutions")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--self-test", action="store_true", help="float64 checks of the scan, FFT conv, attention")
    p.add_argument("--shapes", action="store_true", help="print the workload shapes and exit")
    p.add_argument("--bench-scan", action="store_true", help="time the Mamba scan alone for --bench-chunks")
    p.add_argument("--bench-chunks", default="8,16,32,64,128,256")
    args = p.parse_args()

    device = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    if args.shapes:
        print_shapes(args.seq_len or None)
        return 0
    if args.self_test:
        return self_test(device)
    if args.bench_scan:
        bench_scan(args, device, parse_list(args.tasks, list(TASKS), "tasks"),
                   [int(x) for x in args.batch.split(",") if x.strip()])
        return 0
    if not args.out and not args.gemm_out and not args.sdpa_out:
        p.error("give --out, --gemm-out and/or --sdpa-out (or --self-test / --shapes)")
    for x in args.sdpa_dtypes.split(","):
        if x not in SDPA_DTYPES:
            p.error(f"--sdpa-dtypes: '{x}' is not one of {', '.join(SDPA_DTYPES)}")
    for x in args.sdpa_backends.split(","):
        if x and x not in SDPA_BACKENDS:
            p.error(f"--sdpa-backends: '{x}' is not one of {', '.join(SDPA_BACKENDS)}")
    tasks = parse_list(args.tasks, list(TASKS), "tasks")
    archs = parse_list(args.archs, list(ARCHS), "archs")
    batches = [int(x) for x in args.batch.split(",") if x.strip()]
    args.seq_len = args.seq_len or None
    head = provenance(device, args)
    print("\n".join("# " + x for x in head), flush=True)
    t_start = time.perf_counter()

    if args.out and not args.gemm_only:
        rows = []
        for task in tasks:
            for arch in archs:
                for batch in batches:
                    t0 = time.perf_counter()
                    r = run_row(task, arch, batch, args, device)
                    rows.append(r)
                    print(f"{task:>10} {arch:>11} B={batch:<3} L={r['seq_len']:<6} eager {fmt_short(r['eager_ms'])}"
                          f" ms, graph {fmt_short(r['graph_ms'])} ms, best {fmt_short(r['best_ms'])} ms"
                          f" ({r['best_method']}) [{time.perf_counter() - t0:.1f}s] {r['notes']}", flush=True)
                    write_csv(args.out, ["PyTorch float baseline of the LRA workloads "
                                         "(kernels/tools/torch_baseline.py)"] + head + method_lines(args, device),
                              rows, MODEL_COLUMNS)  # rewritten after every row: a kill keeps what was done
    if args.gemm_out:
        grows = run_gemms(args, device, tasks, archs, batches)
        write_csv(args.gemm_out, [
            "torch._int_mm (int8 x int8 -> int32, cuBLASLt) at the LRA workloads' linear shapes "
            "(kernels/tools/torch_baseline.py)"] + head + [
            "shapes: y[M, N] = x[M, K] w[N, K]^T per linear op of the trace (M = sequences * L; head and "
            "classifier M = batch); count = such ops per forward; m_run/n_run/k_run = the padded problem timed "
            "(torch._int_mm needs M > 16 and N, K multiples of 8)",
            f"method: 3 warm-up launches; groups of back-to-back launches (~2 ms) queued behind a GPU-side wait "
            f"(torch.cuda._sleep), CUDA events around each group, time = group / launches; median of "
            f"{args.gemm_repeats} groups; weights row-major [N, K] passed as w.t(); inputs random int8 rotated over "
            f"buffer_sets copies (together >= 4x L2); tops = 2*m*n*k / time (unpadded), tops_run padded"],
            grows, GEMM_COLUMNS)
        seen, uniq = set(), []
        for r in grows:
            key = (r["m"], r["n"], r["k"])
            if key not in seen:
                seen.add(key)
                uniq.append(r)
        print_table(uniq, ["task", "arch", "batch", "op", "m", "n", "k", "time_us_median", "tops"],
                    "torch._int_mm int8 GEMM, us (median), each shape once (first op that has it)")
    if args.sdpa_out:
        srows, backends = run_sdpa(args, device, tasks, batches)
        write_csv(args.sdpa_out, [
            "F.scaled_dot_product_attention alone at the attention op of each LRA transformer workload "
            "(kernels/tools/torch_baseline.py --sdpa-out)"] + head + [
            "shapes: q, k, v [sequences, heads, seq_len, head_dim] (sequences = batch, retrieval 2 * batch: both "
            "documents), not causal (workloads/lra/transformer.cpp), scale 1/sqrt(head_dim); count = attention ops "
            "per forward; q, k, v views of one packed [S, L, 3, H, dh] tensor (the layout TransformerBlock passes), "
            "N(0, 1), rotated over buffer_sets copies (at most 32; together >= 4x L2 where 32 suffice)",
            f"method: 3 warm-up launches; groups of back-to-back launches (~2 ms; inner = launches per group) queued "
            f"behind a GPU-side wait (torch.cuda._sleep), CUDA events around each group, time = group / launches; "
            f"median (and min) of {args.gemm_repeats} groups; under torch.inference_mode()",
            "backend: the one PyTorch's default dispatch ran (the aten op seen by torch.profiler; 'default' if none "
            "shows); sdpa_us_* its time; <backend>_us: the same call with only that backend allowed "
            "(torch.nn.attention.sdpa_kernel), 'unsupported' if it takes no such shape, dtype or device; best_*: "
            "the fastest of those; tflops = 4 * sequences * heads * seq_len^2 * head_dim / sdpa time; 'oom' = out "
            "of memory"],
            srows, SDPA_COLUMNS + [f"{b}_us" for b in backends] + SDPA_TAIL)
        print_table(srows, ["workload", "batch", "sequences", "heads", "seq_len", "head_dim", "dtype", "backend",
                            "sdpa_us_median"] + [f"{b}_us" for b in backends] + ["best_backend"],
                    "F.scaled_dot_product_attention alone, us (median)")
    if args.out and not args.gemm_only:  # last, so the end of the output shows it
        print_table(rows, ["task", "arch", "batch", "seq_len", "dtype", "params", "eager_ms", "graph_ms",
                           "compile_ms", "best_ms", "peak_mem_gib"], "PyTorch forward pass, ms (median)")
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
