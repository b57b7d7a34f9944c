#!/usr/bin/env python3
"""Times the reference walkthrough's PyTorch algorithms on this machine, for BENCHMARKS.md.

Re-implements (in our own words) the walkthrough's midpoint-SDE FK steering loop and its training step
in PyTorch, loads fksteer's shipped checkerboard weights so both sides run the same network, and
prints median wall times. Run with Debian's python3-torch (1.13):

    /usr/bin/python3 scripts/pytorch_reference_bench.py src/main/resources/models/checkerboard.safetensors
"""
import json
import statistics
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype="<f4").copy().reshape(t["shape"]))
    return out


class Flow(nn.Module):
    def __init__(self, dim=2, h=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim + 1, h), nn.ELU(), nn.Linear(h, h), nn.ELU(),
                                 nn.Linear(h, h), nn.ELU(), nn.Linear(h, dim))

    def forward(self, t, x):
        return self.net(torch.cat((t, x), -1))


def fk_run(flow, n=1024, steps=100, k=0.1, lam=10.0, target=(2.0, 0.5)):
    h = 1.0 / steps
    target = torch.tensor(target)
    resample_at = set(np.linspace(60, 95, 5).round().astype(int).tolist())
    x = torch.randn(n, 2)
    prev = torch.zeros(n)
    for s in range(steps):
        t = torch.full((n, 1), s * h)
        if s in resample_at:
            r = 1.0 / ((x - target).pow(2).sum(-1) + 1e-3)
            w = torch.exp(lam * (r - prev)).clamp(0, 1e10)
            w[torch.isnan(w)] = 0.0
            if float(w.sum()) <= 0:  # all weights underflowed: the reference would crash here
                w = torch.ones(n)
            idx = torch.multinomial(w, n, replacement=True)
            x, prev = x[idx], r[idx]
        v = flow(t + h / 2, x + flow(t, x) * h / 2)
        x = x + (v - 0.5 * k * t * v + 0.5 * k * x) * h + h * torch.randn_like(x) * (k * (1 - t)) ** 0.5
    return x


def checkerboard(n):
    out = np.empty((0, 2))
    while len(out) < n:
        c = np.random.uniform(-3, 3, (2 * n, 2))
        keep = (np.floor(c[:, 0] / 1.5) + np.floor(c[:, 1] / 1.5)) % 2 == 0
        out = np.concatenate([out, c[keep]])
    return torch.tensor(out[:n], dtype=torch.float32)


def median_ms(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)


def main(weights):
    flow = Flow()
    flow.load_state_dict(load_safetensors(weights))
    flow.eval()
    res = {"torch": torch.__version__}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        with torch.no_grad():
            res[f"fk_1024x100_ms_{threads}t"] = median_ms(lambda: fk_run(flow), 3, 15)
            x = torch.cat([torch.full((1024, 1), 0.5), torch.randn(1024, 2)], -1)
            res[f"mlp_forward_1024_ms_{threads}t"] = median_ms(lambda: flow.net(x), 50, 300)
            x8 = torch.cat([torch.full((8192, 1), 0.5), torch.randn(8192, 2)], -1)
            res[f"mlp_forward_8192_ms_{threads}t"] = median_ms(lambda: flow.net(x8), 20, 100)
        train = Flow()
        opt = torch.optim.Adam(train.parameters(), 1e-2)

        def step():
            x1 = checkerboard(8192)
            x0 = torch.randn_like(x1)
            t = torch.rand(len(x1), 1)
            loss = ((train(t, (1 - t) * x0 + t * x1) - (x1 - x0)) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        res[f"train_step_8192_ms_{threads}t"] = median_ms(step, 20, 100)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
