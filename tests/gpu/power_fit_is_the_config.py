#!/usr/bin/env python3
"""configs/gpu-h200.json's energy.* must be what `ssmsim-gpu-calibrate fit-power` fits on the committed
kernel-grid power (reference/gpu-timings/h200-power.csv) with that config's timing costs: a refit of either
the timing costs or the power data that does not carry into the config fails here (docs/models/gpu.md,
"Energy"). Usage: power_fit_is_the_config.py CALIBRATE_TOOL SOURCE_DIR"""
import json
import pathlib
import subprocess
import sys

tool, src = sys.argv[1], pathlib.Path(sys.argv[2])
config = src / "configs" / "gpu-h200.json"
out = subprocess.run([tool, "fit-power", "--config", str(config), "--csv",
                      str(src / "reference" / "gpu-timings" / "h200-power.csv")],
                     check=True, capture_output=True, text=True).stdout
energy = json.loads(config.read_text())["energy"]
fitted = dict(line.split("=", 1) for line in out.split())
assert len(fitted) == 8, f"expected 8 fitted keys, got {fitted}"
bad = []
for key, value in fitted.items():
    name = key.removeprefix("energy.")
    have = energy.get(name)
    if have is None or abs(float(value) - have) > 1e-5 * max(1.0, abs(have)):
        bad.append(f"{key}: fitted {value}, config has {have}")
if bad:
    sys.exit("configs/gpu-h200.json energy.* differs from the fit:\n  " + "\n  ".join(bad))
print("configs/gpu-h200.json energy.* equals the fit:", ", ".join(f"{k}={v}" for k, v in fitted.items()))
