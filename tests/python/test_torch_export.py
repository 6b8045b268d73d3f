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

class TinyMamba(nn.Module):
    """Token embedding, two Mamba blocks, final RMSNorm, mean pool, classifier: an LRA Mamba in small."""

    def __init__(self, vocab=16, d_model=32, d_state=8, classes=10):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.layers = nn.ModuleList([blocks.MambaBlock(d_model, d_state) for _ in range(2)])
        self.norm = blocks.RMSNorm(d_model)
        self.pool = blocks.MeanPool()
        self.head = blocks.Classifier(d_model, classes)

    def forward(self, tokens):
        x = self.embed(tokens)
        for layer in self.layers:
            x = layer(x)
        return self.head(self.pool(self.norm(x)))


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

    def test_mamba2(self):
        self.assert_refused(WithMamba2(), torch.randn(2, 16, 8), "mixer:", "Mamba-2", "no SSD op")

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
