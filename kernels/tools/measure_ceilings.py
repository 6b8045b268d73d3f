#!/usr/bin/env python3
"""Measures the two ceilings the kernels are judged against, on the GPU at hand (METHOD.md: datasheet rates
are leads): the device-to-device copy bandwidth (bytes read + written) and the int8 matrix rate of the
vendor library (cuBLASLt through torch._int_mm, int8 x int8 -> int32). Random data, warmed up, CUDA events,
median of the timed runs, two buffer sets rotated so the copy is not served from L2.

Usage: measure_ceilings.py [--json FILE]
"""
import argparse
import json
import statistics

import torch


def time_ms(fn, reps):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times), min(times), max(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json")
    args = p.parse_args()
    torch.manual_seed(0)
    dev = torch.device("cuda")
    res = {"gpu": torch.cuda.get_device_name(), "torch": torch.__version__, "cuda": torch.version.cuda}

    n = 1 << 30  # 1 GiB per buffer, far beyond L2
    srcs = [torch.randint(-128, 127, (n,), dtype=torch.int8, device=dev) for _ in range(2)]
    dsts = [torch.empty_like(s) for s in srcs]
    state = {"i": 0}

    def copy():
        i = state["i"] = state["i"] ^ 1
        dsts[i].copy_(srcs[i])

    med, lo, hi = time_ms(copy, 20)
    res["d2d_copy"] = {"bytes_each_way": n, "ms_median": med, "ms_min": lo, "ms_max": hi,
                       "gbps_read_plus_write": 2 * n / med / 1e6}
    del srcs, dsts

    res["int8_mm"] = []
    for m in (4096, 8192, 16384):
        a = torch.randint(-128, 127, (m, m), dtype=torch.int8, device=dev)
        b = torch.randint(-128, 127, (m, m), dtype=torch.int8, device=dev).t().contiguous().t()  # column-major B
        med, lo, hi = time_ms(lambda: torch._int_mm(a, b), 10)
        res["int8_mm"].append({"m": m, "n": m, "k": m, "ms_median": med, "ms_min": lo, "ms_max": hi,
                               "tops": 2 * m**3 / med / 1e9})
        del a, b
    print(json.dumps(res, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
