#!/usr/bin/env python3
"""Checks the float32 CUDA selective scan against an independent PyTorch formulation.

For each case: random float32 inputs (never zeros) are written as a one-op trace, ssmsim-cuda runs it on the
GPU, and PyTorch recomputes the scan in float64 the way Mamba's reference does (exp(delta*A) and
delta*B*u over (batch, length, channel, state), the recurrence stepped in time, y = sum_n C*h + D*u, gated
by SiLU(z)). Prints the relative L2 and max absolute errors, with those of PyTorch's own float32 run of the
same formulation for scale, and exits 1 if any case is above the tolerance.

Usage: check_scan_torch.py --bin build/ssmsim-cuda --work DIR [--tolerance 1e-4] [--json FILE]
"""
import argparse
import json
import pathlib
import subprocess
import sys

import numpy as np
import torch

CASES = [  # batch, length, channels, states, reverse, gated
    (1, 256, 64, 16, False, False),
    (2, 1024, 256, 16, False, True),
    (1, 4096, 512, 16, False, False),
    (1, 2048, 128, 64, True, False),
    (3, 512, 96, 4, True, True),
    (1, 16384, 256, 16, False, True),
]


def make_inputs(b, l, e, n, gated, seed):
    g = np.random.default_rng(seed)
    f = np.float32
    x = {
        "u": g.standard_normal((b, l, e)).astype(f),
        # delta = softplus(w x + bias) as in Mamba: positive, mostly 0.001 .. 0.1
        "delta": np.log1p(np.exp(g.standard_normal((b, l, e)) - 4.0)).astype(f),
        "A": -np.tile(np.arange(1, n + 1, dtype=f), (e, 1)) * g.uniform(0.5, 1.5, (e, 1)).astype(f),  # S4D-Real
        "B": g.standard_normal((b, l, n)).astype(f),
        "C": g.standard_normal((b, l, n)).astype(f),
        "D": g.standard_normal(e).astype(f),
    }
    if gated:
        x["z"] = g.standard_normal((b, l, e)).astype(f)
    return x


def write_trace(folder, x, reverse):
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for name, arr in x.items():
        np.save(folder / f"{name}.npy", arr)
        tensors[name] = {"dtype": "float32", "shape": list(arr.shape), "file": f"{name}.npy"}
    tensors["y"] = {"dtype": "float32", "shape": list(x["u"].shape)}
    trace = {
        "format": "ssmsim-trace", "version": 1, "name": folder.name, "numerics": "float32",
        "meta": {"note": "float32 selective_scan vs PyTorch (kernels/tools/check_scan_torch.py)"},
        "tensors": tensors,
        "ops": [{"name": "scan", "kind": "selective_scan", "inputs": list(x.keys()), "outputs": ["y"],
                 "attrs": {"reverse": reverse}}],
        "outputs": ["y"],
    }
    (folder / "trace.json").write_text(json.dumps(trace, indent=1))


def torch_scan(x, reverse, dtype, device):
    t = {k: torch.from_numpy(v).to(device=device, dtype=dtype) for k, v in x.items()}
    u, delta, a, bm, cm, d = t["u"], t["delta"], t["A"], t["B"], t["C"], t["D"]
    delta_a = torch.exp(delta.unsqueeze(-1) * a)                          # (b, l, e, n)
    delta_b_u = delta.unsqueeze(-1) * bm.unsqueeze(2) * u.unsqueeze(-1)   # (b, l, e, n)
    b, l, e = u.shape
    h = torch.zeros(b, e, a.shape[1], dtype=dtype, device=device)
    ys = [None] * l
    for i in (range(l - 1, -1, -1) if reverse else range(l)):
        h = delta_a[:, i] * h + delta_b_u[:, i]
        ys[i] = torch.einsum("ben,bn->be", h, cm[:, i])
    y = torch.stack(ys, dim=1) + d * u
    if "z" in t:
        y = y * torch.nn.functional.silu(t["z"])
    return y.double().cpu().numpy()


def errors(out, ref):
    diff = out.astype(np.float64) - ref
    return {"rel_l2": float(np.linalg.norm(diff) / np.linalg.norm(ref)), "max_abs": float(np.abs(diff).max()),
            "max_abs_ref": float(np.abs(ref).max())}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--tolerance", type=float, default=1e-4, help="largest relative L2 error vs float64")
    p.add_argument("--json")
    args = p.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    results, ok = [], True
    print(f"torch {torch.__version__} on {device}; tolerance rel L2 <= {args.tolerance:g}")
    print(f"{'batch':>5} {'len':>6} {'ch':>5} {'N':>3} {'rev':>4} {'gate':>4}  {'cuda rel_l2':>11} "
          f"{'cuda max_abs':>12} {'torch32 rel_l2':>14} {'max|ref|':>9}")
    for i, (b, l, e, n, reverse, gated) in enumerate(CASES):
        x = make_inputs(b, l, e, n, gated, seed=100 + i)
        folder = pathlib.Path(args.work) / f"scan-{b}x{l}x{e}x{n}{'-rev' if reverse else ''}{'-z' if gated else ''}"
        write_trace(folder, x, reverse)
        out_dir = folder / "run"
        subprocess.run([args.bin, "run", "--workload", str(folder), "--out", str(out_dir), "--repeat", "3"],
                       check=True, stdout=subprocess.DEVNULL)
        gpu = np.load(out_dir / "outputs" / "y.npy")
        ref = torch_scan(x, reverse, torch.float64, device)
        own = torch_scan(x, reverse, torch.float32, device)
        ec, et = errors(gpu, ref), errors(own, ref)
        passed = bool(np.isfinite(gpu).all()) and ec["rel_l2"] <= args.tolerance
        ok &= passed
        results.append({"batch": b, "len": l, "ch": e, "state": n, "reverse": reverse, "gated": gated,
                        "cuda_f32_vs_torch_f64": ec, "torch_f32_vs_torch_f64": et, "pass": passed})
        print(f"{b:>5} {l:>6} {e:>5} {n:>3} {str(reverse)[0]:>4} {str(gated)[0]:>4}  {ec['rel_l2']:>11.3e} "
              f"{ec['max_abs']:>12.3e} {et['rel_l2']:>14.3e} {ec['max_abs_ref']:>9.3g}  {'PASS' if passed else 'FAIL'}")
    worst = max(r["cuda_f32_vs_torch_f64"]["rel_l2"] for r in results)
    worst_abs = max(r["cuda_f32_vs_torch_f64"]["max_abs"] for r in results)
    print(f"worst: rel L2 {worst:.3e}, max abs {worst_abs:.3e} -> {'PASS' if ok else 'FAIL'}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"tolerance_rel_l2": args.tolerance, "torch": torch.__version__,
                                                       "cases": results, "pass": ok}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
