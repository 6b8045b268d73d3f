"""ssmsim.torch.export round trips through the ssmsim CLI.

Run: SSMSIM_CLI=build/ssmsim PYTHONPATH=python python3 tests/python/test_torch_export.py
(needs torch and numpy; skips everything that runs the CLI when SSMSIM_CLI is unset).

Float32 outputs are compared by the relative max-norm error max|sim - torch| / max|torch|, per output.
"""
import csv
import json
import os
import subprocess
import tempfile
import unittest

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ssmsim.torch import ExportError, blocks, export

CLI = os.environ.get("SSMSIM_CLI")
MODELS = ("reference", "systolic", "gpu", "neuromorphic")
FLOAT_TOLERANCE = 1e-5  # relative max-norm; see docs/python-export.md for the measured values


def cli(*args):
    done = subprocess.run([CLI, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"ssmsim {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def load_trace(folder):
    with open(os.path.join(folder, "trace.json")) as f:
        return json.load(f)


def relative_error(sim, ref):
    return float(np.max(np.abs(sim.astype(np.float64) - ref)) / max(np.max(np.abs(ref)), 1e-30))


# --- models ---

class TinySSM(nn.Module):
    """Token embedding, two SSM blocks, final RMSNorm, mean pool, classifier: an LRA Mamba in small."""

    def __init__(self, make_block, vocab=16, d_model=32, classes=10):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.layers = nn.ModuleList([make_block(d_model) for _ in range(2)])
        self.norm = blocks.RMSNorm(d_model)
        self.pool = blocks.MeanPool()
        self.head = blocks.Classifier(d_model, classes)

    def forward(self, tokens):
        x = self.embed(tokens)
        for layer in self.layers:
            x = layer(x)
        return self.head(self.pool(self.norm(x)))


def TinyMamba():
    return TinySSM(lambda d: blocks.MambaBlock(d, 8))


def TinyMamba2():
    """Two Mamba-2 blocks of 4 heads of 16 channels, d_state 16."""
    return TinySSM(lambda d: blocks.Mamba2Block(d, 16, headdim=16))


class TinyTransformer(nn.Module):
    """Float features -> input linear + learned positions -> one pre-LN block (self-attention, GELU MLP)
    -> LayerNorm -> mean pool -> classifier."""

    def __init__(self, features=8, d_model=32, heads=4, length=64, classes=10):
        super().__init__()
        self.input = nn.Linear(features, d_model)
        self.length = length
        self.pos = nn.Parameter(0.02 * torch.randn(1, 2 * length, d_model))  # a longer table, sliced
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp1 = nn.Linear(d_model, 64)
        self.act = nn.GELU(approximate="tanh")
        self.mlp2 = nn.Linear(64, d_model)
        self.norm = nn.LayerNorm(d_model)
        self.head = blocks.Classifier(d_model, classes)

    def forward(self, x):
        # pos[:, :L] is folded at export (a function of parameters only), then broadcast over the batch.
        x = self.input(x) + self.pos[:, :self.length]
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        x = x + self.mlp2(self.act(self.mlp1(self.ln2(x))))
        return self.head(self.norm(x).mean(dim=1))


class TinyS4D(nn.Module):
    def __init__(self, features=8, d_model=32, d_state=16, classes=10):
        super().__init__()
        self.input = nn.Linear(features, d_model)
        self.layers = nn.Sequential(blocks.S4DBlock(d_model, d_state, bidirectional=True, prenorm=False),
                                    blocks.S4DBlock(d_model, d_state))
        self.pool = blocks.MeanPool()
        self.head = blocks.Classifier(d_model, classes)

    def forward(self, x):
        features = self.pool(self.layers(self.input(x)))
        return self.head(features), features  # two outputs: both are checked


class ManyForms(nn.Module):
    """The other supported forms: a sigmoid gate from a method, nn.Sequential with ReLU/Dropout/Softplus,
    F.gelu(tanh), torch.exp, a broadcast parameter, LayerNorm without affine, attention without
    need_weights, torch.add/torch.mul, contiguous, reshape and torch.mean; two outputs."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(8, 16)
        self.b = nn.Linear(8, 16, bias=False)
        self.seq = nn.Sequential(nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 16), nn.Softplus())
        self.ln = nn.LayerNorm(16, elementwise_affine=False)
        self.attn = nn.MultiheadAttention(16, 2, batch_first=True)
        self.scale = nn.Parameter(0.1 * torch.randn(16))

    def forward(self, x):
        h = self.a(x) * self.b(x).sigmoid()
        h = F.gelu(self.seq(h), approximate="tanh") + torch.exp(F.relu(h) * self.scale)
        h = self.ln(h)
        h = torch.add(h, self.attn(h, h, h)[0])
        h = torch.mul(h, torch.sigmoid(h)).contiguous()
        return h.reshape(2, -1), torch.mean(h, dim=1)


class WithGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 8)
        self.layers = nn.ModuleList([nn.Identity(), nn.Sequential(nn.GRU(8, 8, batch_first=True))])

    def forward(self, x):
        return self.layers[1](self.proj(x))[0]


class WithDenseConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.mixer = blocks.CausalDepthwiseConv1d.from_conv1d(nn.Conv1d(8, 8, 4, padding=3))  # groups=1

    def forward(self, x):
        return self.mixer(x)


class WithCumsum(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = nn.Sequential(nn.Linear(8, 8))
        self.norm = blocks.RMSNorm(8)

    def forward(self, x):
        return self.norm(torch.cumsum(self.block(x), dim=1))


class Mamba2(nn.Module):  # stands in for mamba_ssm's Mamba2: refused by name
    def forward(self, x):
        return x


class WithMamba2(nn.Module):
    def __init__(self):
        super().__init__()
        self.mixer = Mamba2()

    def forward(self, x):
        return self.mixer(x) + x


class WithErfGelu(nn.Module):
    def forward(self, x):
        return F.gelu(x)


# --- tests ---

@unittest.skipUnless(CLI, "set SSMSIM_CLI to the ssmsim binary")
class RoundTrip(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="ssmsim-torch-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def export_and_run(self, model, example, label):
        """Export, validate, run on the reference, and check every output against PyTorch."""
        trace = os.path.join(self.tmp, label)
        model.eval()  # export runs the module in eval mode; compare like with like
        result = export(model, example, trace)
        with torch.no_grad():
            expected = model(example)
        expected = expected if isinstance(expected, tuple) else (expected,)
        self.assertEqual(len(result.outputs), len(expected))
        for got, want in zip(result.torch_outputs, expected):  # the export's own run is the module's
            np.testing.assert_array_equal(got, want.numpy())
        cli("validate", trace)
        run = os.path.join(self.tmp, label + "-run")
        cli("run", "--model", "reference", "--workload", trace, "--out", run, "--quiet")
        for name, ref in zip(result.outputs, result.torch_outputs):
            sim = np.load(os.path.join(run, "outputs", name + ".npy"))
            self.assertEqual(sim.dtype, np.float32)
            self.assertEqual(sim.shape, ref.shape)
            err = relative_error(sim, ref)
            print(f"\n  {label}: output '{name}' {list(ref.shape)}: max|sim - torch| / max|torch| = {err:.2e}",
                  end="")
            self.assertLessEqual(err, FLOAT_TOLERANCE, f"{label} output '{name}'")
        return trace, result

    def int8_on_every_model(self, trace, example, label):
        """Quantize with the example input as calibration, run the int8 trace on every model, and check
        that their output files are byte-identical (the models are bit-exact with the reference)."""
        calibration = os.path.join(self.tmp, label + "-calibration")
        os.makedirs(calibration)
        for name, array in example.items():
            np.save(os.path.join(calibration, name + ".npy"), array)
        int8 = os.path.join(self.tmp, label + "-int8")
        cli("quantize", trace, "--calibration", calibration, "--out", int8)
        files = {}
        for model_name in MODELS:
            run = os.path.join(self.tmp, f"{label}-int8-{model_name}")
            cli("run", "--model", model_name, "--workload", int8, "--out", run, "--quiet")
            files[model_name] = {}
            for name in load_trace(int8)["outputs"]:
                with open(os.path.join(run, "outputs", name + ".npy"), "rb") as f:
                    files[model_name][name] = f.read()
        for model_name in MODELS[1:]:
            self.assertEqual(files[model_name], files["reference"], f"{label}: {model_name} differs")
        return int8

    def report_int8_logits(self, int8, label, head, ref):
        """int32 logits are in units of s_pool * s_w (docs/numerics.md, classifier): dequantize them and
        report their distance from the float logits. Only a sanity bound is asserted: int8 is not float32."""
        logits = np.load(os.path.join(self.tmp, f"{label}-int8-reference", "outputs", "head.npy"))
        self.assertEqual(logits.dtype, np.int32)
        with open(os.path.join(int8, "quantize_report.csv")) as f:
            s_pool = next(float(r["scale"]) for r in csv.DictReader(f) if r["name"] == "pool")
        s_w = float(np.max(np.abs(head.weight.detach().numpy()))) / 127
        dequantized = logits * (s_pool * s_w)
        agree = int(np.sum(np.argmax(dequantized, 1) == np.argmax(ref, 1)))
        err = relative_error(dequantized, ref)
        print(f"\n  {label} int8: 4 models byte-identical; argmax agrees with float on {agree}/{len(ref)} samples; "
              f"max|int8 - float| / max|float| = {err:.3f}", end="")
        self.assertLess(err, 0.5)

    def test_mamba_float32_then_int8_on_every_model(self):
        torch.manual_seed(0)
        model = TinyMamba()
        tokens = torch.randint(0, 16, (2, 64))
        trace, result = self.export_and_run(model, tokens, "mamba")
        kinds = [op["kind"] for op in load_trace(trace)["ops"]]
        self.assertEqual(kinds.count("selective_scan"), 2)
        self.assertEqual(kinds.count("gate"), 2)  # y * silu(z) became one gate op

        int8 = self.int8_on_every_model(trace, {"tokens": tokens.numpy().astype(np.int32)}, "mamba")

        self.report_int8_logits(int8, "mamba", model.head, result.torch_outputs[0])

    def test_mamba2_float32_then_int8_on_every_model(self):
        torch.manual_seed(5)
        model = TinyMamba2()
        tokens = torch.randint(0, 16, (2, 64))
        trace, result = self.export_and_run(model, tokens, "mamba2")
        ops = load_trace(trace)["ops"]
        block = [op["kind"] for op in ops if op["name"].startswith("layers.1.")]
        self.assertEqual(block, ["rmsnorm"] + ["linear"] * 5 + ["conv1d_causal_depthwise", "silu"] * 3 +
                         ["softplus", "selective_scan", "gate", "rmsnorm", "linear", "add"])
        # The per-head parameters are written per channel: each entry is the head's own value.
        scan = next(op for op in ops if op["name"] == "layers.1.scan")
        a = np.load(os.path.join(trace, scan["inputs"][2] + ".npy"))
        d = np.load(os.path.join(trace, scan["inputs"][5] + ".npy"))
        block1 = model.layers[1]
        heads = (-torch.exp(block1.A_log)).detach().numpy()
        np.testing.assert_array_equal(a, np.repeat(heads, 16)[:, None] * np.ones((1, 16), np.float32))
        np.testing.assert_array_equal(d, np.repeat(block1.D.detach().numpy(), 16))
        dt_op = next(op for op in ops if op["name"] == "layers.1.linear")
        w = np.load(os.path.join(trace, dt_op["inputs"][1] + ".npy"))
        np.testing.assert_array_equal(w, np.repeat(block1.in_dt.weight.detach().numpy(), 16, axis=0))

        int8 = self.int8_on_every_model(trace, {"tokens": tokens.numpy().astype(np.int32)}, "mamba2")
        self.report_int8_logits(int8, "mamba2", model.head, result.torch_outputs[0])

    def test_transformer_float32_then_int8_on_every_model(self):
        torch.manual_seed(1)
        x = torch.randn(2, 64, 8)
        model = TinyTransformer()
        trace, result = self.export_and_run(model, x, "transformer")
        int8 = self.int8_on_every_model(trace, {"x": x.numpy()}, "transformer")
        self.report_int8_logits(int8, "transformer", model.head, result.torch_outputs[0])
        kinds = [op["kind"] for op in load_trace(trace)["ops"]]
        self.assertIn("attention", kinds)

    def test_other_supported_forms_float32(self):
        torch.manual_seed(4)
        trace, _ = self.export_and_run(ManyForms(), torch.randn(2, 16, 8), "forms")
        kinds = [op["kind"] for op in load_trace(trace)["ops"]]
        for kind in ("gate", "relu", "softplus", "gelu", "exp", "layernorm", "attention", "reshape", "pool"):
            self.assertIn(kind, kinds)

    def test_s4d_float32_then_int8_on_every_model(self):
        torch.manual_seed(2)
        x = torch.randn(2, 64, 8)
        model = TinyS4D()
        trace, result = self.export_and_run(model, x, "s4d")
        int8 = self.int8_on_every_model(trace, {"x": x.numpy()}, "s4d")
        self.report_int8_logits(int8, "s4d", model.head, result.torch_outputs[0])
        ops = load_trace(trace)["ops"]
        self.assertEqual([op["attrs"].get("reverse", False) for op in ops if op["kind"] == "s4d_scan"],
                         [False, True, False])


def block_signature(trace, prefix):
    """Each op of the block whose op names start with `prefix`: its kind and, per input, the kind of the op
    in the block that writes it ("param" for a graph input, "in" for the block's input), so that two traces'
    blocks can be compared regardless of names."""
    block = [op for op in trace["ops"] if op["name"].startswith(prefix)]
    inside = {op["outputs"][0]: op["kind"] for op in block}
    produced = {op["outputs"][0] for op in trace["ops"]}
    return [(op["kind"], tuple(inside.get(i, "in" if i in produced else "param") for i in op["inputs"]))
            for op in block]


@unittest.skipUnless(CLI, "set SSMSIM_CLI to the ssmsim binary")
class SameGraphAsGen(unittest.TestCase):
    def test_mamba_block_is_wired_as_mamba_cpp(self):
        with tempfile.TemporaryDirectory() as tmp:
            cli("gen", "lra:image:mamba", "--seq-len", "64", "--numerics", "float32", "--shape-only",
                "--out", os.path.join(tmp, "gen"))
            gen = load_trace(os.path.join(tmp, "gen"))
            torch.manual_seed(0)
            result = export(TinyMamba(), torch.randint(0, 16, (2, 64)), os.path.join(tmp, "ours"))
            ours = load_trace(result.path)
        self.assertEqual(block_signature(ours, "layers.1."), block_signature(gen, "l1."))
        self.assertEqual([op["kind"] for op in ours["ops"][-3:]], [op["kind"] for op in gen["ops"][-3:]])

    def test_s4d_block_is_wired_as_s4d_cpp(self):  # the LRA configs: bidirectional, postnorm
        with tempfile.TemporaryDirectory() as tmp:
            cli("gen", "lra:image:s4d", "--seq-len", "64", "--numerics", "float32", "--shape-only",
                "--out", os.path.join(tmp, "gen"))
            gen = load_trace(os.path.join(tmp, "gen"))
            torch.manual_seed(0)
            result = export(TinyS4D(), torch.randn(2, 64, 8), os.path.join(tmp, "ours"))
            ours = load_trace(result.path)
        self.assertEqual(block_signature(ours, "layers.0."), block_signature(gen, "l1."))


def mamba_simple_reference(sd, hidden, norm_weight, eps=1e-5):
    """state-spaces/mamba's Block(Mamba) forward on its slow path (mamba_simple.py without the fused kernels,
    selective_scan_ref), written from those files in plain torch, [B, L, D] in and out."""
    batch, length, _ = hidden.shape
    e, n = sd["A_log"].shape
    dt_rank = sd["dt_proj.weight"].shape[1]
    h = hidden * torch.rsqrt(hidden.pow(2).mean(-1, keepdim=True) + eps) * norm_weight
    xz = (h @ sd["in_proj.weight"].T).transpose(1, 2)  # b (2e) l
    x, z = xz.chunk(2, dim=1)
    width = sd["conv1d.weight"].shape[2]
    u = F.silu(F.conv1d(x, sd["conv1d.weight"], sd["conv1d.bias"], padding=width - 1, groups=e)[..., :length])
    x_dbl = u.transpose(1, 2).reshape(batch * length, e) @ sd["x_proj.weight"].T
    dt, b, c = torch.split(x_dbl, [dt_rank, n, n], dim=-1)
    dt = (sd["dt_proj.weight"] @ dt.T).reshape(e, batch, length).permute(1, 0, 2)  # b e l
    b = b.reshape(batch, length, n)
    c = c.reshape(batch, length, n)
    delta = F.softplus(dt + sd["dt_proj.bias"][..., None])
    a = -torch.exp(sd["A_log"])
    delta_a = torch.exp(torch.einsum("bdl,dn->bdln", delta, a))
    delta_b_u = torch.einsum("bdl,bln,bdl->bdln", delta, b, u)
    state, ys = torch.zeros(batch, e, n), []
    for i in range(length):
        state = delta_a[:, :, i] * state + delta_b_u[:, :, i]
        ys.append(torch.einsum("bdn,bn->bd", state, c[:, i]))
    y = (torch.stack(ys, dim=2) + u * sd["D"][..., None]) * F.silu(z)
    return y.transpose(1, 2) @ sd["out_proj.weight"].T + hidden


class MambaSimpleWeights(unittest.TestCase):
    def test_from_mamba_simple_matches_its_forward(self):
        torch.manual_seed(3)
        d, e, n, r, w = 32, 64, 8, 2, 4
        sd = {"in_proj.weight": torch.randn(2 * e, d) / d**0.5, "conv1d.weight": torch.randn(e, 1, w) / 2,
              "conv1d.bias": torch.randn(e) / 2, "x_proj.weight": torch.randn(r + 2 * n, e) / e**0.5,
              "dt_proj.weight": torch.randn(e, r) / r**0.5, "dt_proj.bias": torch.rand(e) * -4 - 1,
              "A_log": torch.log(torch.arange(1, n + 1, dtype=torch.float32)).repeat(e, 1) + 0.1 * torch.randn(e, n),
              "D": torch.randn(e), "out_proj.weight": torch.randn(d, e) / e**0.5}
        norm_weight = 1 + 0.1 * torch.randn(d)
        block = blocks.MambaBlock.from_mamba_simple(sd, norm_weight)
        x = torch.randn(2, 64, d)
        with torch.no_grad():
            err = relative_error(block(x).numpy(), mamba_simple_reference(sd, x, norm_weight).numpy())
        print(f"\n  MambaBlock.from_mamba_simple vs mamba_simple.py's forward: {err:.2e}", end="")
        self.assertLessEqual(err, FLOAT_TOLERANCE)


def _segment_sums(a):
    """[..., q] -> [..., q, q]: entry (i, j) is a_{j+1} + ... + a_i for i >= j (0 on the diagonal), -inf above
    it. Summed directly rather than as a difference of cumulative sums, which would cancel."""
    q = a.shape[-1]
    below = torch.tril(torch.ones(q, q, dtype=torch.bool), diagonal=-1)
    sums = torch.cumsum(a[..., :, None].expand(*a.shape, q).masked_fill(~below, 0), dim=-2)
    return sums.masked_fill(~torch.tril(torch.ones(q, q, dtype=torch.bool)), float("-inf"))


def ssd_chunked(x, dt, a_head, b, c, d_head, chunk):
    """Mamba-2's SSD by the chunked algorithm of the Mamba-2 paper (its minimal reference), in plain torch:
    x [B, L, H, P], dt [B, L, H], a_head and d_head [H], b and c [B, L, N] (one group). Per chunk of `chunk`
    steps (the last one shorter when it does not divide L): the intra-chunk output through the decay-masked
    product (C_i . B_j) exp(a_{j+1} + ... + a_i) dt_j x_j; the chunk's final state; the state carried over
    from earlier chunks, decayed to each step and read by C; then the inter-chunk recurrence
    h <- exp(sum of the chunk's a) h + chunk state. Plus the skip D x."""
    batch, length, heads, p = x.shape
    h = x.new_zeros(batch, heads, p, b.shape[-1])
    ys = []
    for start in range(0, length, chunk):
        sl = slice(start, min(start + chunk, length))
        xs, bs, cs = x[:, sl] * dt[:, sl, :, None], b[:, sl], c[:, sl]  # dt-scaled input
        a = (dt[:, sl] * a_head).transpose(1, 2)  # [B, H, q]: log decay of each step
        decay = torch.exp(_segment_sums(a))  # [B, H, q, q]
        y_diag = torch.einsum("bin,bjn,bhij,bjhp->bihp", cs, bs, decay, xs)
        y_off = torch.einsum("bin,bhpn,bhi->bihp", cs, h, torch.exp(torch.cumsum(a, dim=-1)))
        chunk_state = torch.einsum("bjn,bhj,bjhp->bhpn", bs, decay[:, :, -1, :], xs)
        h = torch.exp(a.sum(dim=-1))[:, :, None, None] * h + chunk_state
        ys.append(y_diag + y_off)
    return torch.cat(ys, dim=1) + d_head[:, None] * x


def sequential_ssd(x, dt, a_head, b, c, d_head):
    """The same recurrence step by step (for a float64 check): h = exp(dt A) h + dt B x; y = C h + D x."""
    h = x.new_zeros(x.shape[0], x.shape[2], x.shape[3], b.shape[-1])
    ys = []
    for t in range(x.shape[1]):
        decay = torch.exp(dt[:, t] * a_head)[:, :, None, None]
        h = decay * h + (dt[:, t, :, None, None] * b[:, t, None, None, :]) * x[:, t, :, :, None]
        ys.append(torch.einsum("bn,bhpn->bhp", c[:, t], h))
    return torch.stack(ys, dim=1) + d_head[:, None] * x


def mamba2_reference(sd, hidden, norm_weight, chunk, eps=1e-5):
    """state-spaces/mamba's Block(Mamba2) forward on its reference path (mamba2_simple.py / mamba2.py
    without the fused kernels: in_proj, conv1d + SiLU over xBC, mamba_chunk_scan_combined with
    dt_softplus and dt_bias, RMSNormGated with norm_before_gate=False, out_proj), ngroups = 1, written
    from those files in plain torch with ssd_chunked standing in for the chunked scan kernel."""
    batch, length, _ = hidden.shape
    heads = sd["A_log"].shape[0]
    d_ssm = sd["norm.weight"].shape[0]
    conv_dim, _, width = sd["conv1d.weight"].shape
    n = (conv_dim - d_ssm) // 2
    h = hidden * torch.rsqrt(hidden.pow(2).mean(-1, keepdim=True) + eps) * norm_weight
    zxbcdt = h @ sd["in_proj.weight"].T
    z, xbc, dt = torch.split(zxbcdt, [d_ssm, conv_dim, heads], dim=-1)
    xbc = F.silu(F.conv1d(xbc.transpose(1, 2), sd["conv1d.weight"], sd.get("conv1d.bias"), padding=width - 1,
                          groups=conv_dim)[..., :length].transpose(1, 2))
    x, b, c = torch.split(xbc, [d_ssm, n, n], dim=-1)
    dt = F.softplus(dt + sd["dt_bias"])
    y = ssd_chunked(x.reshape(batch, length, heads, d_ssm // heads), dt, -torch.exp(sd["A_log"]), b, c,
                    sd["D"], chunk).reshape(batch, length, d_ssm)
    y = y * F.silu(z)
    y = y * torch.rsqrt(y.pow(2).mean(-1, keepdim=True) + 1e-5) * sd["norm.weight"]
    return y @ sd["out_proj.weight"].T + hidden


def random_mamba2_state(d=32, heads=4, p=16, n=16, w=4):
    e = heads * p
    return {"in_proj.weight": torch.randn(2 * e + 2 * n + heads, d) / d**0.5,
            "conv1d.weight": torch.randn(e + 2 * n, 1, w) / 2, "conv1d.bias": torch.randn(e + 2 * n) / 2,
            "dt_bias": torch.rand(heads) * -4 - 1, "A_log": torch.log(torch.rand(heads) * 15 + 1),
            "D": torch.randn(heads), "norm.weight": 1 + 0.1 * torch.randn(e),
            "out_proj.weight": torch.randn(d, e) / e**0.5}


SSD_TOLERANCE = 1e-5  # chunked vs sequential, relative max-norm; measured values in docs/python-export.md


class Mamba2Semantics(unittest.TestCase):
    def test_chunked_ssd_equals_the_blocks_selective_scan(self):
        torch.manual_seed(6)
        block = blocks.Mamba2Block(32, d_state=16, headdim=16)
        with torch.no_grad():
            block.A_log.copy_(torch.log(torch.rand(block.nheads) * 15 + 1))
            block.D.copy_(torch.randn(block.nheads))
        seen = {}
        block.scan.register_forward_hook(lambda m, args, out: seen.update(args=args, out=out))
        with torch.no_grad():
            block(torch.randn(2, 64, 32))
        u, delta, b, c, a, d = seen["args"]
        heads, p = block.nheads, block.headdim
        x = u.reshape(2, 64, heads, p)
        dt = delta[..., ::p]
        # Every channel of a head got the head's dt, bit for bit (the repeated dt rows and bias).
        self.assertTrue(torch.equal(delta.reshape(2, 64, heads, p), dt[..., None].expand(2, 64, heads, p)))
        a_head, d_head = -torch.exp(block.A_log.detach()), block.D.detach()
        scan = seen["out"].reshape(2, 64, heads, p)
        exact = sequential_ssd(*(t.double() for t in (x, dt, a_head, b, c, d_head)))
        print(f"\n  sequential scan (Mamba2Block) vs float64: {relative_error(scan.numpy(), exact.numpy()):.2e}",
              end="")
        for chunk in (1, 7, 16, 24, 64, 100):  # 7 and 24 do not divide L = 64; 64 and 100 are >= L
            with torch.no_grad():
                chunked = ssd_chunked(x, dt, a_head, b, c, d_head, chunk)
            err = relative_error(chunked.numpy(), scan.numpy())
            print(f"\n  chunked SSD (Q = {chunk}) vs Mamba2Block's scan: {err:.2e}; vs float64: "
                  f"{relative_error(chunked.numpy(), exact.numpy()):.2e}", end="")
            self.assertLessEqual(err, SSD_TOLERANCE, f"chunk {chunk}")

    def test_from_mamba2_matches_its_forward(self):
        torch.manual_seed(7)
        sd = random_mamba2_state()
        norm_weight = 1 + 0.1 * torch.randn(32)
        block = blocks.Mamba2Block.from_mamba2(sd, norm_weight, d_state=16)
        self.assertEqual((block.nheads, block.headdim, block.d_state), (4, 16, 16))
        x = torch.randn(2, 64, 32)
        for chunk in (16, 256):  # 256: mamba2's default chunk_size, one chunk here
            with torch.no_grad():
                err = relative_error(block(x).numpy(), mamba2_reference(sd, x, norm_weight, chunk).numpy())
            print(f"\n  Mamba2Block.from_mamba2 vs Mamba2's forward (chunk {chunk}): {err:.2e}", end="")
            self.assertLessEqual(err, FLOAT_TOLERANCE)
        del sd["conv1d.bias"]  # conv_bias=False
        block = blocks.Mamba2Block.from_mamba2(sd, norm_weight)
        self.assertIsNone(block.conv_x.conv.bias)
        with torch.no_grad():
            err = relative_error(block(x).numpy(), mamba2_reference(sd, x, norm_weight, 16).numpy())
        self.assertLessEqual(err, FLOAT_TOLERANCE)

    def test_unsupported_mamba2_configurations(self):
        with self.assertRaisesRegex(ValueError, "ngroups = 1 only"):
            blocks.Mamba2Block(32, d_state=16, headdim=16, ngroups=2)
        sd = random_mamba2_state(n=16)
        with self.assertRaisesRegex(ValueError, "ngroups = 2"):  # B, C 16 wide = 2 groups of d_state 8
            blocks.Mamba2Block.from_mamba2(sd, d_state=8)
        with self.assertRaisesRegex(ValueError, "D_has_hdim"):
            blocks.Mamba2Block.from_mamba2(dict(sd, D=torch.ones(64)))
        with self.assertRaisesRegex(ValueError, "in_proj.bias"):
            blocks.Mamba2Block.from_mamba2(dict(sd, **{"in_proj.bias": torch.zeros(164)}))


class Refusals(unittest.TestCase):
    def assert_refused(self, model, example, *fragments):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(ExportError) as caught:
                export(model, example, os.path.join(tmp, "t"))
            self.assertFalse(os.path.exists(os.path.join(tmp, "t", "trace.json")))
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def test_error_is_a_value_error(self):
        self.assertTrue(issubclass(ExportError, ValueError))

    def test_gru(self):
        self.assert_refused(WithGRU(), torch.randn(2, 16, 8), "layers.1.0: torch.nn.GRU is not supported")

    def test_dense_conv(self):
        self.assert_refused(WithDenseConv(), torch.randn(2, 16, 8), "mixer.conv:", "not depthwise")

    def test_bare_conv(self):
        class Bare(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv1d(8, 8, 4, groups=8, padding=3)

            def forward(self, x):
                return self.conv(x)
        self.assert_refused(Bare(), torch.randn(2, 8, 16), "conv:", "CausalDepthwiseConv1d")

    def test_cumsum(self):
        self.assert_refused(WithCumsum(), torch.randn(2, 16, 8), "fx node 'cumsum'", "torch.cumsum is not supported")

    def test_mamba2(self):  # a class named Mamba2 that is not ours (mamba_ssm's fused module, say)
        self.assert_refused(WithMamba2(), torch.randn(2, 16, 8), "mixer:", "Mamba-2", "no SSD op",
                            "blocks.Mamba2Block.from_mamba2")

    def test_scan_parameters_from_activations(self):
        class ScanOfInput(nn.Module):
            def __init__(self):
                super().__init__()
                self.scan = blocks.SelectiveScan(8, 4, parameters=False)
                self.d = nn.Parameter(torch.ones(8))

            def forward(self, x, bc, a):  # A is a model input, not a parameter
                return self.scan(x, x, bc, bc, a, self.d)
        example = (torch.randn(2, 16, 8), torch.randn(2, 16, 4), -torch.rand(8, 4))
        self.assert_refused(ScanOfInput(), example, "scan:", "parameters only")

    def test_linear_weight_from_activations(self):
        class DataWeight(nn.Module):
            def forward(self, x, w):
                return F.linear(x, w)
        self.assert_refused(DataWeight(), (torch.randn(2, 4, 8), torch.randn(8, 8)), "F.linear")

    def test_erf_gelu(self):
        self.assert_refused(WithErfGelu(), torch.randn(2, 16, 8), "fx node 'gelu'", "approximate='tanh'")

    def test_attention_mask(self):
        class Masked(nn.Module):
            def __init__(self):
                super().__init__()
                self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
                self.register_buffer("mask", torch.zeros(16, 16, dtype=torch.bool))

            def forward(self, x):
                return self.attn(x, x, x, attn_mask=self.mask, need_weights=False)[0]
        self.assert_refused(Masked(), torch.randn(2, 16, 8), "attn:", "attn_mask")


if __name__ == "__main__":
    unittest.main(verbosity=2)
