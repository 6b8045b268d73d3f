#!/usr/bin/env python3
"""Trains one LRA model (S4D or Mamba, at ssmsim's shapes) on a data set from `ssmsim dataset`, and writes
what `--weights` loads plus the run's record (docs/accuracy.md, "Training"):

  OUT/weights/<tensor>.npy   float32 parameters under their trace names (lra_models.py)
  OUT/training.csv           step, examples, wall_s, lr, train_loss, train_acc (running), test_acc
  OUT/probe_logits.npy       float32 [K, classes]: the exact-form model's logits on test examples 0..K-1,
                             computed in float32 without TF32 (the float32 contract's recurrences)
  OUT/provenance.json        GPU, driver, torch and CUDA versions, commit, command, seeds, steps, wall time,
                             data sets, final accuracies

The budget is a wall-clock time (--minutes) or a step count (--steps); the learning-rate schedule and the
curriculum's switch follow the fraction of it used. The record gives the steps, so `--steps N` with the same
seeds reruns a timed run's schedule. Every random draw comes from --seed (torch.manual_seed), and the
batch order from a generator seeded by it too.
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lra_models import LraModel, TASKS  # noqa: E402


def load_dataset(folder, task, full_length=True):
    with open(os.path.join(folder, "dataset.json")) as f:
        meta = json.load(f)
    if meta.get("task") != task:
        raise SystemExit(f"{folder}/dataset.json: expected task '{task}', found '{meta.get('task')}'")
    if full_length and meta.get("difficulty", "hard") != "hard":
        raise SystemExit(f"{folder}/dataset.json: difficulty '{meta['difficulty']}'; --train and --test hold the "
                         "published (hard) examples, easier ones go in a --curriculum stage")
    if full_length and meta.get("seq_len") != TASKS[task]["seq_len"]:
        print(f"note: {folder} holds examples of length {meta.get('seq_len')}, not the task's full "
              f"{TASKS[task]['seq_len']} (provenance.json records it)", flush=True)
    tokens = np.load(os.path.join(folder, "tokens.npy"))
    labels = np.load(os.path.join(folder, "labels.npy"))
    return meta, torch.from_numpy(tokens.astype(np.uint8 if meta["vocab"] <= 256 else np.int32)), \
        torch.from_numpy(labels.astype(np.int64))


def evaluate(model, tokens, labels, device, batch):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(tokens), batch):
            logits = model(tokens[i:i + batch].to(device))
            correct += (logits.argmax(-1).cpu() == labels[i:i + batch]).sum().item()
    model.train()
    return correct / len(tokens)


def gpu_record(device):
    rec = {"torch": torch.__version__, "cuda": torch.version.cuda, "python": platform.python_version()}
    if device.type == "cuda":
        rec["gpu"] = torch.cuda.get_device_name(device)
        try:
            rec["driver"] = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                           capture_output=True, text=True, check=True).stdout.split()[0]
        except (OSError, subprocess.CalledProcessError, IndexError):
            rec["driver"] = "unknown"
    else:
        rec["gpu"] = "none (CPU: " + platform.processor() + ")"
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", required=True, choices=sorted(TASKS))
    ap.add_argument("--arch", required=True, choices=["s4d", "mamba"])
    ap.add_argument("--train", required=True, help="folder from `ssmsim dataset` (training examples)")
    ap.add_argument("--test", required=True, help="folder from `ssmsim dataset` with a seed training never used")
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=0.0, help="wall-clock budget of the training loop")
    ap.add_argument("--steps", type=int, default=0, help="step budget (instead of --minutes)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--curriculum", action="append", default=[],
                    help="DIR:UNTIL: train on DIR (the task at a shorter length, or an easier Pathfinder "
                         "difficulty) until that fraction of the budget is used; repeat for stages of growing "
                         "length or difficulty (UNTIL increasing)")
    ap.add_argument("--init", default="",
                    help="checkpoint.pt of an earlier run of the same task and architecture to start from (its "
                         "schedule starts afresh: a warm restart)")
    ap.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (the SSM parameters: a third)")
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval-every", type=float, default=120.0, help="seconds between test evaluations")
    ap.add_argument("--probe", type=int, default=4, help="test examples whose exact-form logits are written")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--compile", action="store_true",
                    help="train through torch.compile (eager if it is missing or fails at the first step)")
    a = ap.parse_args()
    if (a.minutes > 0) == (a.steps > 0):
        ap.error("give exactly one of --minutes and --steps")

    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = True  # training only; the probe logits turn it off
    torch.backends.cudnn.allow_tf32 = True
    train_meta, train_x, train_y = load_dataset(a.train, a.task)
    test_meta, test_x, test_y = load_dataset(a.test, a.task)
    if train_meta["seed"] == test_meta["seed"]:
        raise SystemExit(f"--train and --test share seed {train_meta['seed']}: the test set must be unseen")
    train_x, train_y = train_x.to(device), train_y.to(device)

    model = LraModel(a.task, a.arch).to(device)
    if a.init:
        model.load_state_dict(torch.load(a.init, map_location=device))
    ssm = {id(p) for p in model.ssm_parameters()}
    groups = [{"params": [p for p in model.parameters() if id(p) not in ssm], "weight_decay": a.weight_decay},
              {"params": model.ssm_parameters(), "weight_decay": 0.0, "lr_scale": 1.0 / 3.0}]
    opt = torch.optim.AdamW(groups, lr=a.lr)
    order = torch.Generator(device="cpu").manual_seed(a.seed)

    os.makedirs(a.out, exist_ok=True)
    log_path = os.path.join(a.out, "training.csv")
    log = open(log_path + ".partial", "w")
    log.write("step,examples,wall_s,lr,train_loss,train_acc,test_acc\n")

    # Progress through the budget (0 to 1) drives the schedule: steps done, or wall time used.
    budget_s = a.minutes * 60

    def progress():
        return step / a.steps if a.steps else (time.time() - start) / budget_s

    # The curriculum's shorter examples first, each stage until its fraction of the budget; then --train.
    phases = []
    for stage in a.curriculum:
        folder, until = stage.rsplit(":", 1)
        if not 0.0 < float(until) < 1.0 or (phases and float(until) <= phases[-1][0]):
            raise SystemExit(f"--curriculum {stage}: expected UNTIL in (0, 1), above the previous stage's")
        cur_meta, cur_x, cur_y = load_dataset(folder, a.task, full_length=False)
        if cur_meta["seed"] == test_meta["seed"]:
            raise SystemExit(f"--curriculum {stage} and --test share seed {cur_meta['seed']}")
        phases.append((float(until), cur_x.to(device), cur_y.to(device), cur_meta))
    phases.append((1.0, train_x, train_y, train_meta))
    warmup = 100
    start = time.time()
    last_eval = start
    step, seen, seen_train, run_loss, run_correct, run_n = 0, 0, 0, 0.0, 0, 0
    model.train()
    forward = model
    if a.compile and hasattr(torch, "compile"):
        forward = torch.compile(model)
    phase = -1
    final_acc, final_acc_step = None, -1
    while progress() < 1.0:
        if phase < 0 or progress() >= phases[phase][0]:
            while progress() >= phases[phase + 1][0] and phase + 2 < len(phases):  # a stage whose time is up
                phase += 1
            phase += 1
            _, xs, ys, meta = phases[phase]
            perm, pos = torch.randperm(len(xs), generator=order), 0
            print(f"{a.task}:{a.arch}: step {step}: training on {meta['count']} examples of length "
                  f"{meta['seq_len']} (seed {meta['seed']}"
                  + (f", difficulty {meta['difficulty']})" if "difficulty" in meta else ")"), flush=True)
        if pos + a.batch > len(perm):
            perm, pos = torch.randperm(len(xs), generator=order), 0
        idx = perm[pos:pos + a.batch].to(device)
        pos += a.batch
        lr = a.lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(progress(), 1.0)))
        for g in opt.param_groups:
            g["lr"] = lr * g.get("lr_scale", 1.0)
        opt.zero_grad(set_to_none=True)
        try:
            logits = forward(xs[idx])
            loss = F.cross_entropy(logits, ys[idx])
            loss.backward()
        except Exception as e:  # noqa: BLE001 (torch.compile's failures have many types)
            if forward is model or step > 0:
                raise
            print(f"torch.compile failed ({type(e).__name__}: {str(e)[:200]}); training eagerly", flush=True)
            forward = model
            opt.zero_grad(set_to_none=True)
            logits = model(xs[idx])
            loss = F.cross_entropy(logits, ys[idx])
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += a.batch
        seen_train += a.batch if phase == len(phases) - 1 else 0  # the curriculum's examples are not epochs
        run_loss += loss.item() * a.batch
        run_correct += (logits.argmax(-1) == ys[idx]).sum().item()
        run_n += a.batch
        now = time.time()
        test_acc = ""
        if now - last_eval >= a.eval_every or progress() >= 1.0:
            final_acc, final_acc_step = evaluate(model, test_x, test_y, device, 64), step
            test_acc = f"{final_acc:.4f}"
            # The weights so far, so that a run stopped by a limit still leaves a model (provenance.json is
            # written only by a run that ends normally).
            model.save_ssmsim_weights(os.path.join(a.out, "weights"))
            torch.save(model.state_dict(), os.path.join(a.out, "checkpoint.pt"))
            last_eval = time.time()
        if step % 50 == 0 or test_acc:
            log.write(f"{step},{seen},{now - start:.1f},{lr:.6g},{run_loss / run_n:.4f},"
                      f"{run_correct / run_n:.4f},{test_acc}\n")
            log.flush()
            print(f"{a.task}:{a.arch} step {step} loss {run_loss / run_n:.3f} acc {run_correct / run_n:.3f}"
                  + (f" test {test_acc}" if test_acc else ""), flush=True)
            run_loss, run_correct, run_n = 0.0, 0, 0
    wall = time.time() - start
    if final_acc_step != step:  # the budget ran out between the last step's check and the loop's
        final_acc = evaluate(model, test_x, test_y, device, 64)
    log.close()
    os.replace(log_path + ".partial", log_path)

    # The exact form, in float32 without TF32: what ssmsim's float32 reference computes.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    model.eval()
    with torch.no_grad():
        probe = model(test_x[:a.probe].to(device), exact=True).float().cpu().numpy()
        fast = model(test_x[:a.probe].to(device)).float().cpu().numpy()
    np.save(os.path.join(a.out, "probe_logits.npy"), probe)
    model.save_ssmsim_weights(os.path.join(a.out, "weights"))
    rec = {
        "task": a.task, "arch": a.arch, "seed": a.seed, "steps": step, "batch": a.batch,
        "examples_seen": seen, "epochs": seen_train / len(train_x), "wall_s": round(wall, 1),
        "budget": f"{a.minutes} minutes" if a.minutes > 0 else f"{a.steps} steps",
        "curriculum": [{"until": p[0], **{k: p[3][k] for k in ("seed", "count", "seq_len", "difficulty") if k in p[3]}}
                       for p in phases[:-1]],
        "init": a.init or None,
        "lr": a.lr, "weight_decay": a.weight_decay, "compiled": forward is not model, "warmup_steps": warmup, "schedule": "cosine",
        "train_set": {k: train_meta[k] for k in ("task", "seed", "count", "seq_len", "generator")},
        "test_set": {k: test_meta[k] for k in ("task", "seed", "count", "seq_len", "generator")},
        "test_accuracy_fast_form": final_acc,
        "probe": {"examples": a.probe, "test_seed": test_meta["seed"],
                  "exact_vs_fast_max_abs": float(np.abs(probe - fast).max())},
        "parameters": sum(p.numel() for p in model.parameters()),
        "commit": os.environ.get("SSMSIM_COMMIT", "unknown"),
        "command": " ".join(sys.argv),
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        **gpu_record(device),
    }
    with open(os.path.join(a.out, "provenance.json"), "w") as f:
        json.dump(rec, f, indent=2)
        f.write("\n")
    print(f"{a.task}:{a.arch}: {step} steps in {wall:.0f} s, test accuracy {final_acc:.4f}", flush=True)


if __name__ == "__main__":
    main()
