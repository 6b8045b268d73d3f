#!/usr/bin/env python3
"""Writes tests/bad_inputs/cli_cases.json, the red-team corpus of ssmsim command lines (run by
tests/cli/test_cli_corpus.cpp, which documents the keys of a case):

    python3 tests/bad_inputs/make_cli_cases.py > tests/bad_inputs/cli_cases.json
"""
import json, sys
W = ["--workload", "lra:listops:s4d", "--seq-len", "16"]
RUN = ["run", "-q"] + W
SYS = ["run", "-q", "--model", "systolic"] + W + ["--timing-only"]
GPU = ["run", "-q", "--model", "gpu"] + W + ["--timing-only"]
NEU = ["run", "-q", "--model", "neuromorphic"]
OUT = ["--out", "{tmp}/out"]
NOREPORT = ["out/report.json", "out/outputs"]
def sweep(**kw):
    d = {"models": ["systolic"], "workloads": ["lra:listops:s4d"], "seq_len": 16, "grid": {"array.rows": [8]}}
    d.update(kw)
    return {k: v for k, v in d.items() if v is not None}
cases = {}
def case(name, area, why, argv, exit, fragments, **extra):
    assert name not in cases, name
    c = {"area": area, "why": why, "argv": argv, "exit": exit, "fragments": fragments}
    c.update(extra)
    cases[name] = c

# --set
case("set_fraction_where_range_allows", "set", "sm.issue_per_cycle is a number in [0.125, 64]; the shipped 4 made 0.5 a 'type change'.",
     GPU + ["--set", "sm.issue_per_cycle=0.5"], 0, ["gpu"])
case("set_fraction_for_count", "set", "A bank count of 2.5 is refused, never truncated to 2.",
     SYS + ["--set", "array.rows=2.5"] + OUT, 2, ["--set array.rows=2.5", "expected an integer in [1, 4096]", "2.5 (a fraction"], absent=NOREPORT)
case("set_exponent_for_count", "set", "1e3 is a JSON float: a count must be written as an integer.",
     SYS + ["--set", "array.rows=1e3"], 2, ["expected an integer in [1, 4096]", "write an integer"])
case("set_duplicate_key_in_value", "set", "A JSON value of --set goes through the one checked parser: a key twice is refused, not kept last.",
     SYS + ["--set", 'array={"rows": 8, "rows": 16}'], 2, ["--set array", "the key 'rows' twice"])
case("set_value_nested_too_deep", "set", "A --set value nested 70 levels deep is refused by the same depth rule as files.",
     SYS + ["--set", "array.rows=" + "[" * 70 + "]" * 70], 2, ["--set array.rows", "nested at most 64 levels"])
case("set_u64_max", "set", "2^64-1 used to be echoed as -1.",
     SYS + ["--set", "array.rows=18446744073709551615"], 2, ["found 18446744073709551615"])
case("set_beyond_64_bits", "set", "An integer no 64-bit type holds: JSON reads it as a float.",
     SYS + ["--set", "array.rows=99999999999999999999999"], 2, ["expected an integer in [1, 4096]", "(beyond 64-bit integers)"])
case("set_int64_max", "set", "Beyond the range, echoed as given.",
     SYS + ["--set", "array.rows=9223372036854775807"], 2, ["expected an integer in [1, 4096], found 9223372036854775807"])
case("set_negative_count", "set", "A negative count.",
     SYS + ["--set", "array.rows=-1"], 2, ["expected an integer in [1, 4096], found -1"])
case("set_zero_count", "set", "Zero rows.",
     SYS + ["--set", "array.rows=0"], 2, ["--set array.rows=0: expected an integer in [1, 4096], found 0"])
case("set_string_for_count", "set", "A word where a count is expected.",
     SYS + ["--set", "array.rows=big"], 2, ["expected an integer, found a string"])
case("set_bool_for_count", "set", "true where a count is expected.",
     SYS + ["--set", "array.rows=true"], 2, ["--set array.rows=true", "found a boolean"])
case("set_number_for_choice", "set", "A number where a dataflow name is expected.",
     SYS + ["--set", "array.dataflow=3"], 2, ["--set array.dataflow=3", "a string"])
case("set_unknown_choice", "set", "A dataflow that does not exist.",
     SYS + ["--set", "array.dataflow=xs"], 2, ["array.dataflow", "\"ws\"", "found \"xs\""])
case("set_unknown_key", "set", "A key the model does not have.",
     SYS + ["--set", "array.colums=8"], 2, ["unknown key 'array.colums'"])
case("set_group_key", "set", "A group, not a leaf.",
     SYS + ["--set", "array=8"], 2, ["a leaf key", "the group 'array'"])
case("set_model_key", "set", "The config's model field is not a setting.",
     SYS + ["--set", "model=gpu"], 2, ["unknown key 'model'"])
case("set_no_equals", "set", "No '=' at all.",
     SYS + ["--set", "array.rows"] + OUT, 2, ["--set array.rows", "key=value"], absent=NOREPORT)
case("set_empty_key", "set", "Nothing before '='.",
     SYS + ["--set", "=8"], 2, ["key=value", "'=8'"])
case("set_deep_value", "set", "A value nested 70 levels deep.",
     SYS + ["--set", "array.rows=" + "[" * 70 + "]" * 70], 2, ["nested at most 64 levels"])
case("set_on_reference", "set", "The reference has no configuration.",
     RUN + ["--set", "array.rows=8"], 2, ["no configuration"])
case("set_gpu_zero_sms", "set", "A GPU with no SMs.",
     GPU + ["--set", "sm.count=0"], 2, ["--set sm.count=0: expected an integer in [1, 4096], found 0"])
case("set_x86_cores_zero_with_attention", "set", "0 x86 cores used to be treated as 1; a transformer needs them for attention.",
     NEU + ["--workload", "lra:listops:transformer", "--seq-len", "16", "--set", "chip.x86_cores=0"] + OUT, 2,
     ["op 'l0.attn' (attention)", "found chip.x86_cores = 0"], absent=NOREPORT)
case("set_x86_cores_zero_without_attention", "set", "0 x86 cores is honoured: an S4D model needs none.",
     NEU + W + ["--set", "chip.x86_cores=0"], 0, ["neuromorphic"])
case("set_threshold_fraction", "set", "A fractional spike threshold.",
     NEU + W + ["--set", "sigma_delta.threshold=0.5"], 2, ["sigma_delta.threshold", "0.5 (a fraction"])

# flags
case("seq_len_fraction", "flags", "CLI11 truncated or refused in its own words.",
     ["run"] + W[:2] + ["--seq-len", "1.5"], 2, ["--seq-len: expected an integer in [0, 4194304]", "found '1.5'"])
case("seq_len_exponent", "flags", "1e3 is not an integer argument.",
     ["run"] + W[:2] + ["--seq-len", "1e3"], 2, ["--seq-len", "found '1e3'"])
case("seq_len_negative", "flags", "A negative length.",
     ["run"] + W[:2] + ["--seq-len", "-5"], 2, ["--seq-len", "found '-5'"])
case("seq_len_above_bound", "flags", "One step more than the bound.",
     ["run"] + W[:2] + ["--seq-len", "4194305"], 2, ["--seq-len", "found '4194305'"])
case("seq_len_beyond_64_bits", "flags", "A number no integer type holds.",
     ["run"] + W[:2] + ["--seq-len", "99999999999999999999"], 2, ["--seq-len", "found '99999999999999999999'"])
case("seed_negative", "flags", "Seeds are unsigned.",
     RUN + ["--seed", "-1"], 2, ["--seed: expected an integer in [0, 18446744073709551615]", "found '-1'"])
case("seed_beyond_64_bits", "flags", "2^64 does not fit a seed.",
     RUN + ["--seed", "18446744073709551616"], 2, ["--seed", "found '18446744073709551616'"])
case("seed_hex", "flags", "Hexadecimal is not read as a seed.",
     RUN + ["--seed", "0x10"], 2, ["--seed", "found '0x10'"])
case("seed_with_trace_folder", "flags", "A trace folder fixes its seed: --seed used to be ignored.",
     ["run", "-q", "--workload", "{trace}", "--seed", "7"] + OUT, 2, ["--seed applies to lra: workloads only"], absent=NOREPORT)
case("numerics_with_trace_folder", "flags", "A trace folder fixes its numerics: --numerics used to be ignored.",
     ["run", "-q", "--workload", "{trace}", "--numerics", "float32"], 2, ["--numerics applies to lra: workloads only"])
case("seq_len_with_trace_folder", "flags", "A trace folder fixes its shapes.",
     ["run", "-q", "--workload", "{trace}", "--seq-len", "8"], 2, ["no --seq-len with a trace folder"])
case("batch_with_trace_folder", "flags", "A trace folder fixes its batch.",
     ["run", "-q", "--workload", "{trace}", "--batch", "2"], 2, ["no --batch with a trace folder"])
case("weights_with_trace_folder", "flags", "A trace folder carries its weights.",
     ["run", "-q", "--workload", "{trace}", "--weights", "{tmp}"], 2, ["--weights", "an lra: workload"])
case("numerics_unknown", "flags", "int4 is not a numerics mode.",
     RUN + ["--numerics", "int4"], 2, ["--numerics: expected int8 or float32, found 'int4'"])
case("batch_zero", "flags", "An empty batch.",
     RUN + ["--batch", "0"], 2, ["--batch: expected an integer in [1, 1048576] (samples), found '0'"])
case("batch_fraction", "flags", "Half a sample.",
     RUN + ["--batch", "1.5"], 2, ["--batch", "found '1.5'"])
case("jobs_zero", "flags", "No worker processes.",
     ["sweep", "{tmp}/s.json", "--out", "{tmp}/o", "--jobs", "0"], 2, ["--jobs: expected an integer in [1, 4096] (processes), found '0'"])
case("jobs_fraction", "flags", "Half a process.",
     ["sweep", "{tmp}/s.json", "--out", "{tmp}/o", "--jobs", "2.5"], 2, ["--jobs", "found '2.5'"])
case("missing_required_option", "flags", "run without --workload: CLI11's message in ssmsim's form.",
     ["run", "--model", "reference"], 2, ["ssmsim: error: --workload is required"])
case("unknown_option", "flags", "An option that does not exist.",
     RUN + ["--frobnicate"], 2, ["ssmsim: error: ", "--frobnicate"])
case("no_subcommand", "flags", "Nothing to do.",
     [], 2, ["ssmsim: error: A subcommand is required"])
case("unknown_subcommand", "flags", "A subcommand that does not exist.",
     ["simulate"], 2, ["ssmsim: error: ", "simulate"])
case("option_without_value", "flags", "--seq-len at the end of the line.",
     ["run", "--workload", "lra:listops:s4d", "--seq-len"], 2, ["ssmsim: error: ", "--seq-len"])
case("scan_unit_unknown", "flags", "Not a scan unit.",
     ["run", "--model", "systolic"] + W + ["--scan-unit", "vhdl"], 2, ["ssmsim: error: --scan-unit", "vhdl"])
case("model_unknown", "flags", "Not a registered model.",
     ["run", "--model", "tpu"] + W, 2, ["--model: expected one of", "found 'tpu'"])
case("workload_task_unknown", "flags", "Not an LRA task.",
     ["run", "--workload", "lra:nosuch"], 2, ["'nosuch'"])
case("workload_folder_missing", "flags", "A folder that is not there.",
     ["run", "--workload", "{tmp}/nothing"] + OUT, 2, ["{tmp}/nothing", "no such file"], absent=NOREPORT)
case("trace_json_is_a_directory", "flags", "trace.json is a folder: used to be exit 1.",
     ["run", "--workload", "{tmp}/t"] + OUT, 2, ["trace.json", "a directory"], dirs=["t/trace.json"], absent=NOREPORT)
case("validate_trace_json_is_a_directory", "flags", "The same for validate.",
     ["validate", "{tmp}/t"], 2, ["trace.json", "a directory"], dirs=["t/trace.json"])
case("gen_not_lra", "flags", "gen makes lra: workloads only.",
     ["gen", "{trace}", "--out", "{tmp}/g"], 2, ["gen: expected a workload of the form lra:"])
case("report_without_results", "flags", "report on a folder that is neither a sweep nor a run.",
     ["report", "{tmp}"], 2, ["results.json", "report.json", "found none of them"])

# budgets
case("budget_longest_lra_before_generation", "budget", "4M steps used to be generated first and end in bad_alloc.",
     ["run", "--workload", "lra:listops:transformer", "--seq-len", "4194304", "--memory-budget-mib", "4096"] + OUT, 2,
     ["lra:listops:transformer: memory budget (--memory-budget-mib)", "to generate the workload"], absent=NOREPORT)
case("budget_live_tensors_before_generation", "budget", "The int8 lower bound refuses before Path-X's input is drawn.",
     ["gen", "lra:pathx:s4d", "--seq-len", "4194304", "--memory-budget-mib", "512", "--out", "{tmp}/g"], 2,
     ["lra:pathx:s4d: memory budget", "found at least 4097 MiB"], absent=["g/trace.json"])
case("budget_batch", "budget", "A batch over the budget names --batch.",
     RUN + ["--batch", "65536", "--memory-budget-mib", "16"], 2, ["--batch 65536: memory budget (--memory-budget-mib)", "lower --batch"])
case("budget_validate", "budget", "validate applied no budget.",
     ["validate", "{tmp}/img", "--memory-budget-mib", "8"], 2, ["memory budget (--memory-budget-mib)", "at most 8 MiB"],
     setup=["gen", "lra:image:mamba", "--shape-only", "--out", "{tmp}/img"])
case("budget_2_to_43_mib", "budget", "2^43 MiB overflowed int64 and refused everything.",
     RUN + ["--memory-budget-mib", "8796093022208"], 0, ["reference"])
case("budget_int64_max", "budget", "The largest budget means no limit.",
     RUN + ["--memory-budget-mib", "9223372036854775807"], 0, ["reference"])
case("budget_beyond_64_bits", "budget", "A budget no integer holds.",
     RUN + ["--memory-budget-mib", "99999999999999999999"], 2, ["--memory-budget-mib: expected an integer in [0, 9223372036854775807]"])
case("budget_negative", "budget", "A negative budget.",
     RUN + ["--memory-budget-mib", "-1"], 2, ["--memory-budget-mib", "found '-1'"])
case("budget_fraction", "budget", "Half a MiB.",
     RUN + ["--memory-budget-mib", "0.5"], 2, ["--memory-budget-mib", "found '0.5'"])
case("sweep_grid_10_to_10_points", "budget", "Ten axes of ten values: used to expand for 12 s and end in bad_alloc.",
     ["sweep", "{tmp}/s.json", "--out", "{tmp}/o"], 2, ["/grid: expected at most 1000000 design points", "found 10000000000 points"],
     files={"s.json": sweep(grid={f"k{i}": list(range(10)) for i in range(10)})}, absent=["o"])
case("sweep_grid_beyond_64_bits", "budget", "Twenty axes of ten values overflow any count.",
     ["sweep", "{tmp}/s.json", "--out", "{tmp}/o"], 2, ["found more than 2^63 points"],
     files={"s.json": sweep(grid={f"k{i}": list(range(10)) for i in range(20)})})
case("sweep_samples_too_many", "budget", "Two million samples.",
     ["sweep", "{tmp}/s.json", "--out", "{tmp}/o"], 2, ["/samples/count: expected an integer in [1, 1000000]"],
     files={"s.json": sweep(grid=None, samples={"count": 2000000, "space": {"array.rows": {"min": 4, "max": 8}}})})
case("sweep_points_times_workloads", "budget", "A grid under the bound, over it once multiplied by the workloads.",
     ["sweep", "{tmp}/s.json", "--out", "{tmp}/o"], 2, ["found 1200000 points"],
     files={"s.json": sweep(workloads=["lra:listops:s4d", "lra:text:s4d"], grid={"a": list(range(1000)), "b": list(range(600))})})

# sweep files
def sw(name, why, doc, fragments, **extra):
    case(name, "sweep", why, ["sweep", "{tmp}/s.json", "--out", "{tmp}/o", "-q"], 2, fragments, files={"s.json": doc}, **extra)
sw("sweep_name_not_text", "name as a number used to end in exit 1.", sweep(name=5), ["s.json:/name: expected a string, found 5"])
sw("sweep_description_not_text", "description as an object.", sweep(description={"a": 1}), ["s.json:/description: expected a string"])
sw("sweep_log_not_boolean", "log as a string used to end in exit 1.",
   sweep(grid=None, samples={"count": 4, "space": {"array.rows": {"min": 4, "max": 8, "log": "yes"}}}),
   ["/samples/space/array.rows/log: expected true or false, found \"yes\""])
sw("sweep_integer_not_boolean", "integer as a number.",
   sweep(grid=None, samples={"count": 4, "space": {"array.rows": {"min": 4, "max": 8, "integer": 1}}}),
   ["/samples/space/array.rows/integer: expected true or false, found 1"])
sw("sweep_method_not_text", "method as a number used to end in exit 1.",
   sweep(grid=None, samples={"method": 3, "count": 4, "space": {"array.rows": {"min": 4, "max": 8}}}),
   ["/samples/method: expected a string, found 3"])
sw("sweep_count_fraction", "2.5 samples were truncated to 2.",
   sweep(grid=None, samples={"count": 2.5, "space": {"array.rows": {"min": 4, "max": 8}}}),
   ["/samples/count: expected an integer in [1, 1000000], found 2.5 (a fraction"])
sw("sweep_seq_len_fraction", "A fractional length was truncated.", sweep(seq_len=16.5), ["s.json:/seq_len: expected an integer in [0, 4194304], found 16.5"])
sw("sweep_seed_negative", "A negative seed.", sweep(seed=-1), ["s.json:/seed: expected an integer in [0, 18446744073709551615], found -1"])
sw("sweep_seed_fraction", "A fractional seed was truncated.", sweep(seed=1.5), ["s.json:/seed", "1.5 (a fraction"])
sw("sweep_metric_pointer_huge_index", "An index beyond any array ended the sweep with exit 1 after its first point.",
   sweep(metrics=["/ops/99999999999999999999/cycles"]), ["s.json:/metrics/0", "array indices below 10^9"], absent=["o"])
sw("sweep_metric_pointer_malformed", "A pointer with a bad escape.", sweep(metrics=["/a~2b"]), ["s.json:/metrics/0"])
sw("sweep_unknown_workload", "An unknown task failed point by point.", sweep(workloads=["lra:listops:s4d", "lra:nosuch:s4d"]),
   ["s.json:/workloads/1", "'nosuch'"], absent=["o"])
sw("sweep_workload_folder_missing", "A folder that is no trace failed point by point.", sweep(workloads=["{tmp}/nothing"]),
   ["s.json:/workloads/0", "no such file"], absent=["o"])
sw("sweep_unknown_model", "An unknown model failed point by point.", sweep(models=["systolic", "tpu"]),
   ["s.json:/models/1: expected a model: one of", "found 'tpu'"], absent=["o"])
sw("sweep_unknown_key", "A misspelt top-level key.", sweep(gird={"a": [1]}), ["s.json:/gird", "unknown key 'gird'"])
sw("sweep_unknown_config_key", "A swept key the model does not have.", sweep(grid={"array.colums": [8]}),
   ["s.json:/grid/array.colums", "a config key of model 'systolic'"])
sw("sweep_timing_only_text", "timing_only as a string.", sweep(timing_only="yes"), ["s.json:/timing_only: expected true or false"])
sw("sweep_empty_axis", "A grid axis without values.", sweep(grid={"array.rows": []}), ["s.json:/grid/array.rows: expected a non-empty array"])
sw("sweep_workloads_not_strings", "A number among the workloads.", sweep(workloads=["lra:listops:s4d", 3]), ["s.json:/workloads/1: expected a string"])
sw("sweep_not_json", "Not JSON at all.", "models: systolic", ["s.json"])

# outputs
case("out_is_a_file", "output", "--out naming a file ended in exit 1 after the run.",
     SYS + ["--out", "{tmp}/f"], 2, ["--out {tmp}/f: expected a folder ssmsim can write, found a regular file"], files={"f": "x"})
case("out_under_a_file", "output", "--out below a file.",
     SYS + ["--out", "{tmp}/f/sub"], 2, ["--out {tmp}/f/sub: expected a folder ssmsim can write", "cannot be created"], files={"f": "x"})
case("out_is_dev_null", "output", "A character device.",
     SYS + ["--out", "/dev/null"], 2, ["--out /dev/null: expected a folder ssmsim can write, found a character device"])
case("out_unwritable_folder", "output", "A folder that exists but cannot be written (root included): used to fail after the run.",
     SYS + ["--out", "/proc/1"], 2, ["--out /proc/1: expected a folder ssmsim can write, found a folder it cannot write"])
case("gen_out_is_a_file", "output", "gen into a file.",
     ["gen", "lra:listops:s4d", "--seq-len", "16", "--out", "{tmp}/f"], 2, ["--out {tmp}/f: expected a folder ssmsim can write"], files={"f": "x"})
case("sweep_out_is_a_file", "output", "sweep into a file ended in exit 1.",
     ["sweep", "{tmp}/s.json", "--out", "{tmp}/f"], 2, ["--out {tmp}/f: expected a folder ssmsim can write"], files={"f": "x", "s.json": sweep()})
case("failed_run_leaves_no_outputs", "output", "A failed run into a folder of an earlier run: no report.json, no outputs/*.npy, no temporaries.",
     RUN + ["--set", "array.rows=8"] + OUT, 2, ["no configuration"],
     files={"out/report.json": "{}", "out/outputs/logits.npy": "old", "out/report.json.tmp.12345": "{", "out/timeline.json": "[]"},
     absent=["out/report.json", "out/outputs/logits.npy", "out/report.json.tmp.12345", "out/timeline.json"])
case("run_replaces_old_outputs", "output", "A new run kept the old outputs/*.npy.",
     RUN + OUT, 0, ["reference"], files={"out/outputs/stale.npy": "old", "out/report.json.tmp.999": "{"},
     absent=["out/outputs/stale.npy", "out/report.json.tmp.999"])

# names
case("set_key_with_newline", "names", "A newline in a name broke the one-line message.",
     SYS + ["--set", "array.ro\nws=8"], 2, ["unknown key 'array.ro\\nws'"])
case("workload_with_newline", "names", "A newline in a folder name.",
     ["run", "--workload", "{tmp}/a\nb"], 2, ["{tmp}/a\\nb"])
case("tensor_name_with_nul", "names", "A NUL and an escape in a trace's op name.",
     ["validate", "{tmp}/t"], 2, ["\\x00", "\\x1b"],
     files={"t/trace.json": json.dumps({"format": "ssmsim-trace", "version": 1, "name": "n", "numerics": "int8", "meta": {},
        "tensors": {"x": {"dtype": "int8", "shape": [1, 4]}, "y": {"dtype": "int8", "shape": [1, 4]}},
        "ops": [{"name": "a\u0000b\u001b[31m", "kind": "no_such_op", "inputs": ["x"], "outputs": ["y"]}],
        "outputs": ["y"]})})
case("sweep_workload_with_newline", "names", "A newline in a sweep's workload.",
     ["sweep", "{tmp}/s.json", "--out", "{tmp}/o"], 2, ["s.json:/workloads/0", "\\n"], files={"s.json": sweep(workloads=["lra:list\nops"])})

# compare (docs/compare.md): every argument checked before anything runs or --out is created
CMP = ["compare", "-q", "--workloads", "lra:listops:s4d", "--seq-len", "16", "--timing-only"]
COUT = ["--out", "{tmp}/cmp"]
case("compare_label_with_newline", "compare", "A newline in a --models label.",
     CMP + ["--models", "gpu@a\nb"] + COUT, 2, ["--models gpu@a\\nb", "a tag of letters"], absent=["cmp"])
case("compare_config_of_unlisted_label", "compare", "--config for a label --models does not list.",
     CMP + ["--models", "gpu", "--config", "systolic=systolic-epochcore"] + COUT, 2,
     ["--config systolic=systolic-epochcore", "a label listed in --models (gpu)", "found 'systolic'"], absent=["cmp"])
case("compare_config_of_other_model", "compare", "A systolic config given to the GPU model's label.",
     CMP + ["--models", "gpu", "--config", "gpu=systolic-epochcore"] + COUT, 2, ["systolic"], absent=["cmp"])
case("compare_set_without_label", "compare", "A run-style --set without the label.",
     CMP + ["--models", "gpu", "--set", "clock_hz=1e9"] + COUT, 2, ["--set clock_hz=1e9", "<label>:<key>=<value>"], absent=["cmp"])
case("compare_set_on_measured", "compare", "A measured source has no config to override.",
     CMP + ["--models", "gpu,measured-gpu", "--set", "measured-gpu:clock_hz=1e9"] + COUT, 2, ["measured source"], absent=["cmp"])
case("compare_batch_trailing_comma", "compare", "An empty batch after a comma.",
     CMP + ["--models", "gpu", "--batch", "1,"] + COUT, 2, ["--batch", "no empty item"], absent=["cmp"])
case("compare_batch_too_big", "compare", "A batch beyond the limit.",
     CMP + ["--models", "gpu", "--batch", "1,99999999999"] + COUT, 2, ["--batch", "found '99999999999'"], absent=["cmp"])
case("compare_task_typo", "compare", "A misspelt task in lra:<task>.",
     ["compare", "-q", "--workloads", "lra:imgae", "--models", "gpu"] + COUT, 2, ["imgae"], absent=["cmp"])
case("compare_baseline_unlisted", "compare", "A baseline that is not one of the labels.",
     CMP + ["--models", "gpu,systolic", "--baseline", "measured-gpu"] + COUT, 2, ["--baseline", "'measured-gpu'"], absent=["cmp"])
case("compare_reference_timing_only", "compare", "The reference computes every output: not with --timing-only.",
     CMP + ["--models", "reference,gpu"] + COUT, 2, ["--models reference", "runs without data"], absent=["cmp"])
case("compare_trace_with_seq_len", "compare", "A trace folder fixes its length.",
     ["compare", "-q", "--workloads", "{trace}", "--seq-len", "8", "--models", "gpu"] + COUT, 2,
     ["--seq-len", "trace folder"], absent=["cmp"])
case("compare_out_is_a_file", "compare", "--out naming a file.",
     CMP + ["--models", "gpu", "--out", "{tmp}/f"], 2, ["--out {tmp}/f: expected a folder ssmsim can write"], files={"f": "x"})

json.dump(cases, sys.stdout, indent=1, ensure_ascii=True)
print()
