"""The Python API against the executable: same report.json bytes, same errors, working sweeps and frames.

Run by CTest (tests/python/CMakeLists.txt) with PYTHONPATH=<build>/python and SSMSIM_CLI=<the executable>.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import ssmsim

CLI = os.environ["SSMSIM_CLI"]


def cli(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)


def files(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class ApiEqualsCli(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def test_run_writes_the_executables_files_byte_for_byte(self):
        # A config override, a batch and a seed: every argument path the API builds, on a timing model.
        r = cli("run", "--model", "systolic", "--workload", "lra:image:mamba", "--seq-len", "64", "--batch", "2",
                "--seed", "7", "--set", "array.rows=16", "--set", "array.cols=16", "--quiet",
                "--out", self.tmp / "cli")
        self.assertEqual(r.returncode, 0, r.stderr)
        report = ssmsim.run("lra:image:mamba", model="systolic", seq_len=64, batch=2, seed=7,
                            set={"array.rows": 16, "array.cols": 16}, out=self.tmp / "py")
        want, got = files(self.tmp / "cli"), files(self.tmp / "py")
        self.assertEqual(sorted(want), sorted(got))
        self.assertIn("report.json", got)
        for name in want:
            self.assertEqual(want[name], got[name], name)
        self.assertEqual(report, json.loads(want["report.json"]))
        self.assertEqual(report["config"]["array"]["rows"], 16)

    def test_a_config_given_as_a_dict_is_the_file_it_stands_for(self):
        source = Path(os.environ["SSMSIM_SOURCE_DIR"])
        cfg = json.loads((source / "configs" / "systolic-edge.json").read_text())
        cfg["name"] = "edge-8x8"
        cfg["array"]["rows"] = cfg["array"]["cols"] = 8
        path = self.tmp / "cfg.json"
        path.write_text(json.dumps(cfg))
        r = cli("run", "--model", "systolic", "--workload", "lra:listops:s4d", "--seq-len", "32", "--quiet",
                "--config", path, "--out", self.tmp / "cli")
        self.assertEqual(r.returncode, 0, r.stderr)
        report = ssmsim.run("lra:listops:s4d", model="systolic", seq_len=32, config=cfg)
        cli_report = json.loads((self.tmp / "cli" / "report.json").read_text())
        self.assertEqual(report["config"]["array"], cli_report["config"]["array"])
        self.assertEqual(report["cycles"], cli_report["cycles"])
        self.assertEqual(report["config"]["array"]["rows"], 8)

    def test_every_model_at_once(self):
        reports = ssmsim.run("lra:listops:mamba", model="all", seq_len=32)
        self.assertEqual(sorted(reports), ["gpu", "neuromorphic", "reference", "systolic"])
        hashes = {m: r["output_sha256"] for m, r in reports.items()}
        self.assertEqual(len(set(hashes.values())), 1, hashes)  # the models are bit-exact

    def test_bad_input_raises_the_executables_message(self):
        for kwargs, words in (({"set": {"array.nonsense": 3}}, "array.nonsense"),
                              ({"seq_len": -5}, "--seq-len"),
                              ({"model": "no-such-model"}, "no-such-model")):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(ssmsim.InputError) as ctx:
                    ssmsim.run("lra:image:mamba", **{"model": "systolic", **kwargs})
                self.assertIsInstance(ctx.exception, ValueError)
                self.assertIn(words, str(ctx.exception))
        with self.assertRaises(ssmsim.InputError) as ctx:
            ssmsim.validate(self.tmp / "missing")
        self.assertIn("missing", str(ctx.exception))
        # The process survives an error: the next command runs.
        self.assertEqual(ssmsim.cli("list"), 0)

    def test_quantize_writes_the_executables_trace(self):
        ssmsim.gen("lra:text:mamba", self.tmp / "f32", seq_len=32, numerics="float32")
        r = cli("quantize", self.tmp / "f32", "--out", self.tmp / "q-cli")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = ssmsim.quantize(self.tmp / "f32", self.tmp / "q-py")
        self.assertEqual(files(self.tmp / "q-cli"), files(self.tmp / "q-py"))
        self.assertTrue(rows and {"name", "kind", "saturations"} <= set(rows[0]), rows[:1])

    def test_sweep_runs_points_in_the_bundled_executable(self):
        spec = {"name": "api", "models": ["systolic"], "workloads": ["lra:listops:mamba"], "seq_len": 32,
                "grid": {"array.rows": [8, 16]}}
        records = ssmsim.sweep(spec, self.tmp / "sweep", jobs=2)
        self.assertEqual([r["status"] for r in records], ["ok", "ok"])
        self.assertGreater(records[0]["cycles"], records[1]["cycles"])  # a smaller array takes longer
        frame = ssmsim.sweep_frame(self.tmp / "sweep")
        self.assertEqual(list(frame["array.rows"]), [8, 16])

    def test_frames(self):
        report = ssmsim.run("lra:image:mamba", model="gpu", seq_len=64, out=self.tmp / "run")
        ops = ssmsim.ops_frame(report)
        self.assertEqual(len(ops), len(report["ops"]))
        self.assertEqual(list(ops["name"]), [o["name"] for o in report["ops"]])
        self.assertEqual(ops["cycles"].sum(), sum(o["cycles"] for o in report["ops"]))
        runs = ssmsim.runs_frame([report, self.tmp / "run"])
        self.assertEqual(len(runs), 2)
        self.assertEqual(list(runs["cycles"]), [report["cycles"]] * 2)

    def test_the_summary_table_is_printed_only_when_asked(self):
        code = "import ssmsim; ssmsim.run('lra:listops:mamba', model='systolic', seq_len=32{})"
        runs = {echo: subprocess.run([sys.executable, "-c", code.format(", echo=True" if echo else "")],
                                     capture_output=True, text=True) for echo in (False, True)}
        for r in runs.values():
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(runs[False].stdout, "")
        self.assertIn("output_sha256", runs[True].stdout)  # the table's header
        self.assertIn("systolic", runs[True].stdout)

    def test_compare_returns_compare_json(self):
        doc = ssmsim.compare("lra:listops:mamba", "systolic,gpu", seq_len=32, out=self.tmp / "cmp")
        self.assertEqual(doc, json.loads((self.tmp / "cmp" / "compare.json").read_text()))
        self.assertEqual({r["label"] for r in doc["rows"]}, {"systolic", "gpu"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
