#!/usr/bin/env python3
"""kernels/tools/commented_csv.py, the reader/writer of the '#'-commented CSVs of reference/gpu-timings/:
a byte-identical round trip (of a made-up file and of every committed one), the row merge (including new keys,
which gpu_comparison.py --merge used to drop from the per-op CSV), and number()."""
import argparse
import os
import pathlib
import sys
import tempfile
import unittest

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO / "kernels" / "tools"))
import commented_csv  # noqa: E402
import gpu_comparison  # noqa: E402

SAMPLE = ('# provenance, commit abc\n# method: "quoted", with commas\n'
          'task,arch,batch,time_ms,notes\nlistops,s4d,1,0.125,\ntext,mamba,32,oom,"a, b"\n')


class RoundTrip(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = pathlib.Path(self.dir.name) / "x.csv"

    def tearDown(self):
        self.dir.cleanup()

    def test_read(self):
        self.path.write_text(SAMPLE)
        comments, columns, rows = commented_csv.read(self.path)
        self.assertEqual(comments, ["# provenance, commit abc", '# method: "quoted", with commas'])
        self.assertEqual(columns, ["task", "arch", "batch", "time_ms", "notes"])
        self.assertEqual(rows[1], {"task": "text", "arch": "mamba", "batch": "32", "time_ms": "oom", "notes": "a, b"})

    def test_write_is_byte_identical(self):
        self.path.write_text(SAMPLE)
        out = pathlib.Path(self.dir.name) / "y.csv"
        commented_csv.write(out, *commented_csv.read(self.path))
        self.assertEqual(out.read_bytes(), SAMPLE.encode())
        self.assertEqual(sorted(os.listdir(self.dir.name)), ["x.csv", "y.csv"])  # no temporary file left

    def test_committed_files_round_trip(self):
        checked = 0
        for path in sorted((REPO / "reference" / "gpu-timings").glob("*.csv")):
            data = path.read_bytes().decode()
            if "\r\n" in data:  # h100-lra-ops.csv: written before the tools wrote "\n" line ends
                continue
            with self.subTest(path.name):
                self.assertEqual(commented_csv.text(*commented_csv.read(path)), data)
                checked += 1
        self.assertGreaterEqual(checked, 10)

    def test_crlf_file_reads_the_same(self):
        self.path.write_bytes(SAMPLE.replace("\n", "\r\n").encode())
        crlf = commented_csv.read(self.path)
        self.path.write_text(SAMPLE)
        self.assertEqual(crlf, commented_csv.read(self.path))

    def test_missing_cells_empty_extra_keys(self):
        data = commented_csv.text(["# c"], ["a", "b"], [{"a": 1}])
        self.assertEqual(data, "# c\na,b\n1,\n")
        with self.assertRaises(ValueError):
            commented_csv.text([], ["a"], [{"a": 1, "z": 2}])
        self.assertEqual(commented_csv.text([], ["a"], [{"a": 1, "z": 2}], ignore_extra=True), "a\n1\n")


class MergeRows(unittest.TestCase):
    def test_replace_keep_append(self):
        old = [{"k": "a", "v": "1"}, {"k": "b", "v": "2"}, {"k": "c", "v": "3"}]
        new = [{"k": "d", "v": "40"}, {"k": "b", "v": "20"}]
        self.assertEqual([r["k"] + r["v"] for r in commented_csv.merge_rows(old, new, ["k"])],
                         ["a1", "b20", "c3", "d40"])

    def test_groups_replace_all_rows_of_a_key_in_place(self):
        # per-op CSVs: every op of a workload is one key; a new run may have a different number of ops
        old = [{"w": "x", "i": 0}, {"w": "y", "i": 0}, {"w": "y", "i": 1}, {"w": "z", "i": 0}]
        new = [{"w": "y", "i": 0, "new": 1}, {"w": "y", "i": 1, "new": 1}, {"w": "y", "i": 2, "new": 1},
               {"w": "q", "i": 0, "new": 1}]
        out = commented_csv.merge_rows(old, new, lambda r: r["w"])
        self.assertEqual([(r["w"], r["i"], "new" in r) for r in out],
                         [("x", 0, False), ("y", 0, True), ("y", 1, True), ("y", 2, True), ("z", 0, False),
                          ("q", 0, True)])

    def test_key_function_compares_numbers(self):
        old = [{"batch": "1", "v": "old"}]
        out = commented_csv.merge_rows(old, [{"batch": 1, "v": "new"}], lambda r: int(r["batch"]))
        self.assertEqual(out, [{"batch": 1, "v": "new"}])


class GpuComparisonMerge(unittest.TestCase):
    """The bug: a committed e2e row whose workload had no committed per-op rows got its e2e row replaced, but
    its new op rows were dropped. They must be added (at the end), and the other ops kept in place."""

    E2E_COLUMNS = ["task", "arch", "batch", "seq_len", "ours_graph_ms", "scan_ms", "attention_ms", "gemm_ms",
                   "other_ms", "cublaslt_gemm_ms", "gemm_fraction_of_cublaslt", "torch_best_ms", "torch_method",
                   "torch_over_ours"]

    def test_new_ops_of_a_workload_without_committed_ops_are_kept(self):
        with tempfile.TemporaryDirectory() as d:
            e2e, ops = pathlib.Path(d) / "e2e.csv", pathlib.Path(d) / "ops.csv"
            e2e.write_text("# e2e\n" + ",".join(self.E2E_COLUMNS) + "\n"
                           "text,s4d,1,4096,1,0,0,0.5,0,0.25,0.5,2.0,graph,2.0\n"
                           "text,mamba,1,4096,1,0,0,0.5,0,,,oom,,\n")
            ops.write_text("# ops\nworkload,batch,op_index,op\nlra:text:s4d,1,0,old\nlra:text:s4d,1,1,old\n")
            new = [{"task": t, "arch": a, "batch": 1, "seq_len": "", "ours_graph_ms": 0.5, "scan_ms": 0.0,
                    "attention_ms": 0.0, "gemm_ms": 0.25, "other_ms": 0.0, "cublaslt_gemm_ms": "",
                    "gemm_fraction_of_cublaslt": "", "torch_best_ms": "", "torch_method": "",
                    "torch_over_ours": "", "_date": "2026-01-01"} for t, a in (("text", "s4d"), ("text", "mamba"))]
            new_ops = [{"workload": "lra:text:s4d", "batch": 1, "op_index": 0, "op": "new"},
                       {"workload": "lra:text:mamba", "batch": 1, "op_index": 0, "op": "new"},
                       {"workload": "lra:text:mamba", "batch": 1, "op_index": 1, "op": "new"}]
            args = argparse.Namespace(note="", driver="1", commit="c")
            sys.stdout, out = open(os.devnull, "w"), sys.stdout
            try:
                rows = gpu_comparison.merge(args, e2e, ops, new, new_ops, "GPU")
            finally:
                sys.stdout.close()
                sys.stdout = out
            self.assertEqual([str(r["torch_over_ours"]) for r in rows], ["4.0", ""])  # committed torch 2.0 ms
            self.assertEqual([str(r["gemm_fraction_of_cublaslt"]) for r in rows], ["1.0", ""])
            _, _, op_rows = commented_csv.read(ops)
            self.assertEqual([(r["workload"], r["op_index"], r["op"]) for r in op_rows],
                             [("lra:text:s4d", "0", "new"), ("lra:text:mamba", "0", "new"),
                              ("lra:text:mamba", "1", "new")])


class Number(unittest.TestCase):
    def test_number(self):
        self.assertEqual(commented_csv.number("1.5"), 1.5)
        self.assertEqual(commented_csv.number(" 2 "), 2.0)
        self.assertEqual(commented_csv.number(3), 3.0)
        for missing in ("", "oom", "fail", "unsupported", "nan", "inf", None):
            self.assertIsNone(commented_csv.number(missing), missing)


if __name__ == "__main__":
    unittest.main()
