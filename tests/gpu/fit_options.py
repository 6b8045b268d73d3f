#!/usr/bin/env python3
"""`ssmsim-gpu-calibrate fit` does what its options say (docs/models/gpu.md, "Validation"): --rounds 0 leaves
every cost as the config has it; from costs made worse, two rounds (narrow or --wide) improve them; every fitted cost is
non-negative; --kernel fits that kernel's keys only; a bad --rounds value is refused with exit 2 naming it.
Usage: fit_options.py CALIBRATE_TOOL SOURCE_DIR"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

tool, src = sys.argv[1], pathlib.Path(sys.argv[2])
config = src / "configs" / "gpu-h200.json"
grid = src / "reference" / "gpu-timings" / "h200.csv"
costs = json.loads(config.read_text())["kernels"]["map_f32"]  # add_f32's rows calibrate kernels.map_f32


def fit(*extra, cfg=config):
    r = subprocess.run([tool, "fit", "--config", str(cfg), "--csv", str(grid), "--all-rows", "--kernel",
                        "add_f32", *extra], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    m = re.search(r"calibration MAPE\s+([0-9.]+)% ->\s+([0-9.]+)%", r.stderr)
    assert m, r.stderr
    values = dict(line.split("=", 1) for line in r.stdout.split())
    return float(m[1]), float(m[2]), {k: float(v) for k, v in values.items()}


start, end, values = fit("--rounds", "0")
assert end == start, (start, end)
assert set(values) == {"kernels.map_f32.instr", "kernels.map_f32.latency", "kernels.map_f32.fixed_ns"}, values
for key, v in values.items():
    have = costs[key.split(".")[-1]]
    assert abs(v - have) <= 1e-5 * max(1.0, abs(have)), (key, v, have)

# From costs far off (three times the fitted instructions), the descent must improve, and never go negative.
off = json.loads(config.read_text())
off["kernels"]["map_f32"]["instr"] *= 3
with tempfile.TemporaryDirectory() as tmp:
    off_config = pathlib.Path(tmp) / "gpu-h200-off.json"
    off_config.write_text(json.dumps(off))
    for extra in (["--rounds", "2"], ["--rounds", "2", "--wide"]):
        s, e, v = fit(*extra, cfg=off_config)
        assert e < s, (extra, s, e)
        assert all(x >= 0 for x in v.values()), (extra, v)

for bad in ("-1", "two", "3x"):
    r = subprocess.run([tool, "fit", "--config", str(config), "--csv", str(grid), "--rounds", bad],
                       capture_output=True, text=True)
    assert r.returncode == 2, (bad, r.returncode, r.stderr)
    assert "--rounds" in r.stderr and bad in r.stderr, r.stderr
print("fit options: --rounds 0 keeps the config; --rounds 2 and --wide improve worse costs; bad --rounds refused")
