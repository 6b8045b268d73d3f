#!/usr/bin/python3
"""Writes configs/gpu-h200.json and configs/gpu-a100.json from configs/gpu-h100-sxm.json.

Both change the hardware to the public specs cited in docs/models/gpu.md. The A100 keeps the H100's kernel
costs (the `kernels` section, generation 441b718, calibrated on reference/gpu-timings/h100.csv). The H200
keeps its own `kernels`, `energy` and `validation` sections (the A100 its own `energy` and `validation`):
generation 34fa29c (the kernels measured on the H200), fitted on
reference/gpu-timings/h200.csv by `ssmsim-gpu-calibrate fit --config configs/gpu-h200.json --csv
reference/gpu-timings/h200.csv`. Run it after recalibrating the H100 config:
/usr/bin/python3 scripts/gpu_configs.py
"""
import collections
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
h100 = json.loads((root / "configs/gpu-h100-sxm.json").read_text(), object_pairs_hook=collections.OrderedDict)


def derived(name, description, change):
    c = json.loads(json.dumps(h100), object_pairs_hook=collections.OrderedDict)
    c["name"] = name
    c["description"] = description
    change(c)
    text = json.dumps(c, indent=2) + "\n"
    (root / "configs" / (name + ".json")).write_text(text)


h200_own = json.loads((root / "configs/gpu-h200.json").read_text(), object_pairs_hook=collections.OrderedDict)


a100_own = json.loads((root / "configs/gpu-a100.json").read_text(), object_pairs_hook=collections.OrderedDict)


def h200(c):  # NVIDIA H200 datasheet: GH100, 141 GB HBM3e at 4.8 TB/s, same SMs and L2
    c["hbm"]["bandwidth_gb_s"] = 4800
    # Calibrated on the H200's own kernel grid and board power, validated on its own runs, its launch gaps
    # measured on it (reference/gpu-timings/h200-launch.json): all its own.
    for key in ("launch", "kernels", "energy", "validation"):
        c[key] = h200_own[key]


def a100(c):  # NVIDIA A100 datasheet and Ampere whitepaper (SXM4 80 GB)
    c["clock_hz"] = 1410000000
    c["sm"].update({"count": 108, "smem_kib": 164, "smem_per_cta_kib": 163, "int8_macs_per_cycle": 2048,
                    "bf16_macs_per_cycle": 1024, "fp32_fmas_per_cycle": 64})
    c["l2"].update({"kib": 40960, "bandwidth_gb_s": 4000, "hit_latency_cycles": 200})
    c["hbm"].update({"bandwidth_gb_s": 2039, "latency_ns": 480})
    for key in ("energy", "validation"):  # its own estimates and statements, not the H100's (which are the H200's)
        c[key] = a100_own[key]


derived("gpu-h200", "NVIDIA H200 SXM 141 GB (GH100 with HBM3e): H100's SMs, L2 and clocks with 4.8 TB/s of HBM "
        "(NVIDIA H200 datasheet). Kernel costs: generation 34fa29c, fitted on its own kernel grid "
        "(reference/gpu-timings/h200.csv); whole-workload errors in docs/models/gpu.md.", h200)
derived("gpu-a100", "NVIDIA A100 SXM4 80 GB (GA100, HBM2e): 108 SMs at 1.41 GHz, 40 MB L2, 164 KB shared memory "
        "per SM, 2.04 TB/s (NVIDIA A100 datasheet and Ampere whitepaper). Kernel costs are H100's, not "
        "validated on an A100.", a100)
