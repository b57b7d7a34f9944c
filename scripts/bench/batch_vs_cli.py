#!/usr/bin/env python3
"""Jobs per second: `fksteer batch --master local[2]` against `fksteer steer` in a loop, on the same jobs,
in one run on this machine. Prints a Markdown table for BENCHMARKS.md.

    python3 scripts/bench/batch_vs_cli.py [--checkerboard N] [--text N]

Each job set is run both ways; every CLI result is checked against the batch's line for the same id
(all fields but the timings and the thread counts in "config", which differ by design: the loop's steer
uses every core, a batch task one). The per-job cost is the mean of the batch's own "wallSeconds" (the
steering run inside the executor, model sessions already open).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FKSTEER = os.path.join(ROOT, "fksteer")


def job_sets(n_cb, n_text):
    cb = [{"id": f"cb-{i}", "model": "checkerboard", "method": "fk", "reward": "quadratic:2,0.5", "lambda": 2,
           "particles": 256, "steps": 100, "seed": i} for i in range(n_cb)]
    text = [{"id": f"text-{i}", "model": "models/text/fortunes.json", "method": "fk", "reward": "sentiment", "lambda": 10,
             "particles": 4, "steps": 32, "seed": i, "prompt": "Love is"} for i in range(n_text)]
    return {"checkerboard FK, 256 particles x 100 steps": cb, "text FK (ONNX MDLM), 4 particles x 32 steps": text}


def flags(job):
    out = []
    for k, v in job.items():
        if k == "id":
            continue
        if isinstance(v, bool):
            if v:
                out.append("--" + k)
            continue
        out += ["--" + k, ",".join(map(str, v)) if isinstance(v, list) else str(v)]
    return out


def comparable(result):
    r = dict(result)
    r.pop("wallSeconds", None)
    cfg = dict(r.pop("config", {}))
    for k in ("threads", "onnxThreads"):
        cfg.pop(k, None)
    r["config"] = cfg
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkerboard", type=int, default=40)
    ap.add_argument("--text", type=int, default=12)
    a = ap.parse_args()
    # build both jars first, outside the timings
    subprocess.run([FKSTEER, "--version"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([FKSTEER, "batch", "--help"], check=True, stdout=subprocess.DEVNULL)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, jobs in job_sets(a.checkerboard, a.text).items():
            jf = os.path.join(tmp, "jobs.jsonl")
            with open(jf, "w") as f:
                for j in jobs:
                    f.write(json.dumps(j) + "\n")
            bout = os.path.join(tmp, "batch-" + str(len(rows)))
            t0 = time.perf_counter()
            subprocess.run([FKSTEER, "batch", "--jobs", jf, "--out", bout, "--master", "local[2]", "--quiet", "--parquet", "none"],
                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            t_batch = time.perf_counter() - t0
            batch = {}
            with open(os.path.join(bout, "results.jsonl")) as f:
                for line in f:
                    r = json.loads(line)
                    assert "error" not in r, r
                    batch[r.pop("id")] = r
            per_job = sum(r["wallSeconds"] for r in batch.values()) / len(batch)
            t0 = time.perf_counter()
            for j in jobs:
                out = os.path.join(tmp, j["id"] + ".json")
                subprocess.run([FKSTEER, "steer"] + flags(j) + ["--out", out, "--quiet"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            t_cli = time.perf_counter() - t0
            for j in jobs:
                with open(os.path.join(tmp, j["id"] + ".json")) as f:
                    alone = json.load(f)
                if comparable(alone) != comparable(batch[j["id"]]):
                    sys.exit(f"{j['id']}: the loop's steer and the batch disagree")
            rows.append((name, len(jobs), t_cli, t_batch, per_job))
        # the fixed cost of a batch: Spark's start and stop, around one tiny job
        jf = os.path.join(tmp, "one.jsonl")
        with open(jf, "w") as f:
            f.write(json.dumps({"id": "one", "model": "checkerboard", "method": "fk", "reward": "point:0,0", "particles": 8, "steps": 4}) + "\n")
        t0 = time.perf_counter()
        subprocess.run([FKSTEER, "batch", "--jobs", jf, "--out", os.path.join(tmp, "one"), "--master", "local[2]", "--quiet", "--parquet", "none"],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        fixed = time.perf_counter() - t0
    print(f"| jobs | n | steer loop: s (jobs/s) | batch local[2]: s (jobs/s) | batch / loop | per-job cost in the batch (1 thread) |")
    print("|---|---|---|---|---|---|")
    for name, n, tc, tb, pj in rows:
        print(f"| {name} | {n} | {tc:.1f} ({n / tc:.2f}) | {tb:.1f} ({n / tb:.2f}) | {tc / tb:.2f}x | {pj * 1000:.0f} ms |")
    print(f"\nfixed cost of a batch (JVM, Spark start and stop, one tiny job): {fixed:.1f} s; cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
