#!/usr/bin/env python3
"""The LRA Mamba workloads in PyTorch with mamba-ssm's fused selective-scan CUDA kernel (a stronger baseline).

torch_baseline.py's Mamba runs the fastest pure-PyTorch scan we wrote (chunked, float32). The Mamba authors'
own kernel (state-spaces/mamba, `selective_scan_cuda`: one fused kernel per layer, the gate, softplus and
delta bias inside) is what a user of Mamba runs on a GPU, so it is the baseline our int8 kernels must be
compared with. The device machine has no network: the mamba-ssm source distribution is carried to it
(`pip download mamba-ssm --no-deps --no-binary :all:`, unpacked) and only the selective-scan extension is
compiled, for sm_90, with the package's own nvcc flags (torch.utils.cpp_extension.load, cached in --build).
With --conv-src, causal-conv1d's kernel (conv and SiLU fused) is built too and used as mamba_simple.py
does; without it the conv runs as F.conv1d, as mamba_simple.py does when causal-conv1d is missing.

The model is torch_baseline.MambaModel (same shapes, same initialisation, same seed), with each block's
scan replaced by mamba_simple.py's non-fused path: in_proj -> causal conv1d + SiLU -> x_proj -> dt_proj weight ->
selective_scan_cuda.fwd(u, delta, A, B, C, D, z, dt_proj.bias, delta_softplus=True) -> out_proj. A
self-check compares its logits with torch_baseline's chunked scan on the same weights before timing.

Usage (on the GPU machine):
  mamba_ssm_baseline.py --src mamba_ssm-2.3.2.post1 --build build-mamba --out mamba-ssm.csv [--batch 1,32]
Then, here, with the CSV committed as reference/gpu-timings/h200-mamba-ssm.csv:
  mamba_ssm_baseline.py --merge reference/gpu-timings/h200-mamba-ssm.csv reference/gpu-timings/h200-lra-e2e.csv
puts the fused figure (the faster dtype) in the e2e CSV's PyTorch columns of each Mamba row where it is
faster than the pure-PyTorch scan, and one '# torch mamba rows' line with its provenance (app/measured.cpp
reads it: `ssmsim compare`'s pytorch rows).
"""

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import commented_csv  # noqa: E402
import torch_baseline as tb  # noqa: E402

NVCC_FLAGS = ["-O3", "-std=c++17", "-U__CUDA_NO_HALF_OPERATORS__", "-U__CUDA_NO_HALF_CONVERSIONS__",
              "-U__CUDA_NO_BFLOAT16_OPERATORS__", "-U__CUDA_NO_BFLOAT16_CONVERSIONS__",
              "-U__CUDA_NO_BFLOAT162_OPERATORS__", "-U__CUDA_NO_BFLOAT162_CONVERSIONS__",
              "--expt-relaxed-constexpr", "--expt-extended-lambda", "--use_fast_math", "-lineinfo",
              "-gencode", "arch=compute_90,code=sm_90"]


def build_extension(src: Path, build: Path):
    """Compiles mamba-ssm's selective_scan_cuda (forward and backward: its binding references both)."""
    from torch.utils.cpp_extension import load
    d = src / "csrc" / "selective_scan"
    sources = [d / "selective_scan.cpp"] + sorted(d.glob("selective_scan_fwd_*.cu")) + \
        sorted(d.glob("selective_scan_bwd_*.cu"))
    build.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    ext = load(name="selective_scan_cuda", sources=[str(s) for s in sources], extra_include_paths=[str(d)],
               extra_cflags=["-O3", "-std=c++17"], extra_cuda_cflags=NVCC_FLAGS, build_directory=str(build),
               verbose=False)
    print(f"selective_scan_cuda built/loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    return ext


def build_conv_extension(src: Path, build: Path):
    """Compiles causal-conv1d's causal_conv1d_cuda (the conv and SiLU in one kernel, as mamba_simple.py uses)."""
    from torch.utils.cpp_extension import load
    d = src / "csrc"
    build.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    ext = load(name="causal_conv1d_cuda", sources=[str(s) for s in [d / "causal_conv1d.cpp"] + sorted(d.glob("*.cu"))],
               extra_include_paths=[str(d)], extra_cflags=["-O3", "-std=c++17"], extra_cuda_cflags=NVCC_FLAGS,
               build_directory=str(build), verbose=False)
    print(f"causal_conv1d_cuda built/loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    return ext


class FusedScanBlock(tb.MambaBlock):
    """torch_baseline's Mamba block computed as mamba_simple.py's path: its layouts ([B, E, L] with unit
    stride in time), causal-conv1d's kernel when built (else F.conv1d), and the fused CUDA scan."""

    ext = None
    conv_ext = None

    def forward(self, x):  # x [B, L, d]
        b, L, d = x.shape
        xn = self.norm(x)
        # "b l d -> d (b l)", the projection, "d (b l) -> b d l": time has unit stride, as the kernels want
        xz = (self.in_proj.weight @ xn.reshape(b * L, d).t()).view(2 * self.e, b, L).permute(1, 0, 2)
        xi, z = xz.chunk(2, dim=1)
        w = self.conv.weight.view(self.e, -1)
        if self.conv_ext is not None:
            xc = torch.empty_like(xi, memory_format=torch.contiguous_format)
            self.conv_ext.causal_conv1d_fwd(xi, w, self.conv.bias, None, None, xc, None, True)
        else:
            xc = F.silu(F.conv1d(xi, self.conv.weight, self.conv.bias, padding=self.conv.padding[0],
                                 groups=self.e)[..., :L])
        dtl, bm, cm = self.x_proj(xc.transpose(1, 2).reshape(b * L, self.e)).split([self.r, self.n, self.n], dim=-1)
        delta = (self.dt_proj.weight @ dtl.t()).view(self.e, b, L).permute(1, 0, 2)  # bias, softplus: in the kernel
        bm = bm.view(b, L, self.n).transpose(1, 2).unsqueeze(1).contiguous()  # [B, 1 group, N, L]
        cm = cm.view(b, L, self.n).transpose(1, 2).unsqueeze(1).contiguous()
        _, _, y = self.ext.fwd(xc, delta, self.A.float(), bm, cm, self.D.float(), z, self.dt_proj.bias.float(), True)
        return x + self.out_proj(y.transpose(1, 2))


def fused_model(task, device, dtype):
    torch.manual_seed(1)
    model = tb.MambaModel(task)
    for b in model.blocks:
        b.__class__ = FusedScanBlock
    model = model.to(device=device, dtype=dtype).eval()
    return model


def self_check(task, device, seq_len):
    """The fused model's logits against torch_baseline's chunked scan, same weights, float32."""
    s = tb.shape_info(task, "mamba", seq_len)
    torch.manual_seed(1)
    ref = tb.MambaModel(task).to(device).eval()
    fused = fused_model(task, device, torch.float32)
    fused.load_state_dict(ref.state_dict())
    tokens = torch.randint(0, s["vocab"], (s["rows"] * 2, s["seq_len"]), device=device)
    with torch.inference_mode():
        a, b = ref(tokens).float(), fused(tokens).float()
    err = ((a - b).abs().max() / a.abs().max()).item()
    print(f"self-check {task} L={s['seq_len']}: max|fused - chunked| / max|chunked| = {err:.2e}", flush=True)
    if not err < 1e-3:
        sys.exit(f"mamba_ssm_baseline: the fused model disagrees with the chunked scan ({err:.2e})")
    return err


def time_row(task, batch, dtype, device, args):
    s = tb.shape_info(task, "mamba")
    row = {"task": task, "arch": "mamba", "batch": batch, "seq_len": s["seq_len"], "dtype": str(dtype)[6:],
           "eager_ms": "", "graph_ms": "", "best_ms": "", "best_method": "", "notes": ""}
    try:
        model = fused_model(task, device, dtype)
        tokens = torch.randint(0, s["vocab"], (s["rows"] * batch, s["seq_len"]), device=device)
        fwd = lambda: model(tokens)  # noqa: E731
        with torch.inference_mode():
            eager, _, _ = tb.time_callable(fwd, device, 3, args.repeats, 200, args.budget_s)
            g = tb.capture_graph(fwd, device)
            graph, _, _ = tb.time_callable(g.replay, device, 1, args.repeats, 200, args.budget_s)
        row.update(eager_ms=round(eager, 4), graph_ms=round(graph, 4))
        best = "graph" if graph <= eager else "eager"
        row.update(best_ms=round(min(eager, graph), 4), best_method=best)
    except Exception as exc:  # noqa: BLE001 -- one row's failure must not stop the others
        row.update(best_ms="oom" if tb.is_oom(exc) else "fail", notes=tb.short_error(exc))
    tb.free(device)
    return row


def merge(fused_csv, e2e_csv):
    """The fused timings into the e2e CSV's torch columns (Mamba rows), with the provenance line."""
    number = commented_csv.number
    comments, _, fused = commented_csv.read(fused_csv)
    best = {}
    for r in fused:
        if number(r["best_ms"]) is None:
            continue
        key = (r["task"], r["batch"], r["seq_len"])
        if key not in best or number(r["best_ms"]) < number(best[key]["best_ms"]):
            best[key] = r
    head, columns, rows = commented_csv.read(e2e_csv)
    replaced = 0
    for row in rows:
        f = best.get((row["task"], row["batch"], row["seq_len"])) if row["arch"] == "mamba" else None
        # A row holding an earlier merge's figure takes the new one whatever it is: the provenance line
        # below is replaced, so no row may keep a figure of another run.
        earlier_merge = row["torch_method"].startswith("mamba-ssm ")
        if f is None or (not earlier_merge and number(row["torch_best_ms"]) is not None
                         and number(row["torch_best_ms"]) <= number(f["best_ms"])):
            continue
        row["torch_best_ms"] = f["best_ms"]
        row["torch_method"] = f"mamba-ssm {f['dtype']} {f['best_method']}"
        row["torch_over_ours"] = round(float(f["best_ms"]) / float(row["ours_graph_ms"]), 3)
        replaced += 1
    gpu = next(x for x in comments if x.startswith("# gpu: "))[len("# gpu: "):]
    when = comments[0].split("), ")[-1]
    commit = next(x for x in comments if x.startswith("# commit: ")).split(";")[0][len("# commit: "):]
    source = next(x for x in comments if x.startswith("# source: "))[len("# source: "):]
    line = (f"# torch mamba rows from kernels/tools/mamba_ssm_baseline.py (reference/gpu-timings/"
            f"{Path(fused_csv).name}; the faster of float32 and bfloat16, of eager and graph; {source}), where "
            f"faster than the chunked scan above: {gpu.split(',')[0]}, torch {gpu.split('torch ')[1].split(',')[0]}, "
            f"commit {commit}, {when}")
    head = [x for x in head if not x.startswith("# torch mamba rows")] + [line]
    commented_csv.write(e2e_csv, head, columns, rows)
    print(f"{replaced} Mamba rows now carry the fused baseline")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--merge":
        merge(sys.argv[2], sys.argv[3])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--src", required=True, type=Path, help="the unpacked mamba-ssm source distribution")
    p.add_argument("--build", required=True, type=Path, help="build folder of the extensions (cached)")
    p.add_argument("--conv-src", type=Path, help="the unpacked causal-conv1d source distribution (optional)")
    p.add_argument("--out", required=True)
    p.add_argument("--batch", default="1,32")
    p.add_argument("--tasks", default=",".join(tb.TASKS))
    p.add_argument("--dtypes", default="float32,bfloat16")
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--budget-s", type=float, default=1.0)
    p.add_argument("--check-len", type=int, default=512, help="sequence length of the self-check")
    args = p.parse_args()
    device = torch.device("cuda")
    FusedScanBlock.ext = build_extension(args.src, args.build / "selective_scan")
    if args.conv_src:
        FusedScanBlock.conv_ext = build_conv_extension(args.conv_src, args.build / "causal_conv1d")
    tasks = args.tasks.split(",")
    for t in tasks:
        self_check(t, device, args.check_len)
    rows = []
    for t in tasks:
        for b in map(int, args.batch.split(",")):
            for dt in args.dtypes.split(","):
                r = time_row(t, b, getattr(torch, dt), device, args)
                print(f"{t} b{b} {dt}: eager {r['eager_ms']} graph {r['graph_ms']} ms {r['notes']}", flush=True)
                rows.append(r)
    prop = torch.cuda.get_device_properties(device)
    head = [f"# mamba-ssm fused selective scan baseline (kernels/tools/mamba_ssm_baseline.py), "
            f"{datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}",
            f"# gpu: {prop.name}, torch {torch.__version__}, CUDA {torch.version.cuda}, python {platform.python_version()}",
            f"# source: {args.src.name} (selective_scan_cuda only, sm_90, the package's nvcc flags); conv1d: "
            + (f"{args.conv_src.name} (causal_conv1d_cuda, sm_90)" if args.conv_src else "F.conv1d"),
            f"# commit: {os.environ.get('SSMSIM_COMMIT', 'unknown')}; command: {' '.join(sys.argv)}",
            "# method: torch_baseline.time_callable (CUDA events, median), eager and CUDA-graph replay"]
    commented_csv.write(args.out, head, list(rows[0]), rows)


if __name__ == "__main__":
    main()
