"""workloads/training/lra_models.py against itself and against ssmsim's float32 reference.

Run: SSMSIM_CLI=build/ssmsim SSMSIM_SOURCE_DIR=. python3 tests/python/test_training_models.py
(needs torch and numpy; the comparisons with the CLI skip when SSMSIM_CLI is unset).

- The fast forms (FFT convolution, chunked selective scan) that training uses compute what the exact
  recurrences of the float32 contract compute, at lengths around the chunk size and with decays that reach
  the chunked scan's clamp.
- The model's weights, written by save_ssmsim_weights and loaded with `--weights`, give ssmsim's float32
  reference the model's own logits on the data set's examples (relative max-norm 1e-5; docs/accuracy.md
  gives the measured figures). This is what makes trained weights usable by every ssmsim model.
"""
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.environ.get("SSMSIM_SOURCE_DIR", "."), "workloads", "training"))
from lra_models import CHUNK, LraModel, selective_scan_chunked, selective_scan_recurrent  # noqa: E402

CLI = os.environ.get("SSMSIM_CLI")
TOLERANCE = 1e-5


def rel(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


class FastFormsAreExact(unittest.TestCase):
    def test_chunked_selective_scan(self):
        torch.manual_seed(0)
        for length in (1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3, 300):
            for scale in (0.1, 0.6):  # 0.6 * 16: log decays past the clamp of a step
                u, b, c = torch.randn(2, length, 6), torch.randn(2, length, 4), torch.randn(2, length, 4)
                delta = torch.rand(2, length, 6) * scale
                a, d = -torch.rand(6, 4) * 16, torch.randn(6)
                fast = selective_scan_chunked(u, delta, a, b, c, d)
                exact = selective_scan_recurrent(u, delta, a, b, c, d)
                self.assertLess(rel(fast.numpy(), exact.numpy()), 1e-5, f"L={length} scale={scale}")

    def test_models(self):
        torch.manual_seed(1)
        for task in ("listops", "pathfinder"):
            for arch in ("s4d", "mamba"):
                model = LraModel(task, arch).eval()
                tokens = torch.randint(0, model.cfg["vocab"], (2, 40))
                with torch.no_grad():
                    fast, exact = model(tokens).numpy(), model(tokens, exact=True).numpy()
                self.assertLess(rel(fast, exact), 1e-5, f"{task}:{arch}")

    def test_weights_are_every_parameter_under_its_trace_name(self):
        names = set(LraModel("listops", "s4d").ssmsim_weights())
        self.assertIn("l7.ssm_bwd.Abar", names)
        self.assertIn("l0.postnorm.gamma", names)  # ListOps' S4D is post-norm
        self.assertNotIn("final_norm.gamma", names)
        names = set(LraModel("pathfinder", "mamba").ssmsim_weights())
        self.assertTrue({"l5.A", "l5.D", "l5.dt_proj.b", "final_norm.gamma", "classifier.w"} <= names)


@unittest.skipUnless(CLI, "SSMSIM_CLI is not set")
class SameModelInSsmsim(unittest.TestCase):
    def test_float32_reference_gives_the_models_logits(self):
        torch.manual_seed(2)
        for task in ("listops", "pathfinder"):
            for arch in ("s4d", "mamba"):
                with tempfile.TemporaryDirectory() as tmp:
                    model = LraModel(task, arch).eval()
                    model.save_ssmsim_weights(os.path.join(tmp, "weights"))
                    subprocess.run([CLI, "dataset", f"lra:{task}", "--count", "2", "--seed", "77", "--seq-len", "64",
                                    "--out", os.path.join(tmp, "ds")], check=True, capture_output=True)
                    subprocess.run([CLI, "run", "-q", "--workload", f"lra:{task}:{arch}", "--numerics", "float32",
                                    "--seed", "77", "--seq-len", "64", "--batch", "2", "--weights",
                                    os.path.join(tmp, "weights"), "--out", os.path.join(tmp, "run")],
                                   check=True, capture_output=True)
                    ours = np.load(os.path.join(tmp, "run", "outputs", "logits.npy"))
                    tokens = torch.from_numpy(np.load(os.path.join(tmp, "ds", "tokens.npy")))
                    with torch.no_grad():
                        theirs = model(tokens, exact=True).numpy()
                    self.assertLess(rel(ours, theirs), TOLERANCE, f"{task}:{arch}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
