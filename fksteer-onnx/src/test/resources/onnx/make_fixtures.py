#!/usr/bin/env python3
"""Regenerates the ONNX test fixtures of fksteer-onnx: models, model cards, mixture files and golden outputs.

Run from this folder with Debian's python3-torch (1.13, CPU); no onnx or onnxruntime package is needed:

    /usr/bin/python3 make_fixtures.py                 # writes next to this script
    /usr/bin/python3 make_fixtures.py --out DIR       # writes into DIR (created if missing)
    /usr/bin/python3 make_fixtures.py --time          # also times conv.onnx's torch module at batch 64

Everything is deterministic: fixed seeds, fixed inputs, opset 17. The exact mixture models compute in
float64 inside the graph and cast their result to float32; before each of them is written, it is
checked against a plain per-row float64 evaluation in numpy (written separately below), and the script
raises if they differ by more than 1e-6. See README.md in this folder for what each file holds.
"""
import argparse
import json
import math
import os
import struct
import time

import numpy as np
import torch
from torch import nn

OPSET = 17
N_GOLDEN = 7

# ---------------------------------------------------------------------------------------------------
# The mixtures. Each fixture has its own, so that a test which loads the wrong JSON for a model fails.
# ---------------------------------------------------------------------------------------------------

VP_MIXTURE = {
    "weights": [0.25, 0.35, 0.4],
    "means": [[-1.5, 0.5], [0.0, -1.0], [1.5, 1.0]],
    "stds": [0.4, 0.5, 0.3],
    "classes": [0, 0, 1],
}
FLOW_MIXTURE = {
    "weights": [0.2, 0.5, 0.3],
    "means": [[-2.0, -1.0], [0.5, 1.5], [2.0, -0.5]],
    "stds": [0.3, 0.5, 0.4],
}
SD3_MIXTURE = {
    "weights": [0.6, 0.4],
    "means": [[1.0, 1.0], [-1.0, -0.5]],
    "stds": [0.5, 0.35],
}
VP_PROCESS = {"kind": "vp", "schedule": "linear"}
FLOW_PROCESS = {"kind": "flow"}
SD3_PROCESS = {"kind": "flow", "noiseAt": 1, "shift": 3.0}
SD3_TIME_SCALE = 1000.0
NULL_CLASS = 2            # mixture-vp's label for "no condition": the whole mixture
SCORER_CENTRE = [1.0, 0.5]


def linear_alphas_cumprod(beta_start=1e-4, beta_end=0.02, steps=1000):
    """alpha-bar_0 .. alpha-bar_{T-1} of the linear schedule, in the same float64 operations as
    fksteer's BetaSchedule.linear(): beta_i = start + (end - start) * i / (T - 1), then a running product
    of (1 - beta_i) in index order. Training step t = 0 is the least noisy."""
    out = np.empty(steps, dtype=np.float64)
    p = 1.0
    for i in range(steps):
        beta = beta_start + (beta_end - beta_start) * i / (steps - 1)
        p *= 1.0 - beta
        out[i] = p
    return out


# ---------------------------------------------------------------------------------------------------
# File writers
# ---------------------------------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata=None):
    """Writes float32 tensors in the safetensors layout: 8-byte little-endian header length, a JSON
    header (padded with spaces to a multiple of 8 bytes) naming dtype, shape and data_offsets of each
    tensor, then the raw little-endian data, the tensors' ranges tiling it in order."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, off = [], 0
    for name, value in tensors.items():
        a = np.array(value, dtype="<f4", order="C")              # keeps rank 0 (np.ascontiguousarray would not)
        data = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """The reverse, for the checkerboard weights (F32 only, which is what that file holds)."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {entry['dtype']}, expected F32")
        b, e = entry["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(entry["shape"]).copy()
    return out


def dumps_readable(obj):
    """JSON with the top-level object one field per line (2-space indent) and every nested value on
    the line of its field."""
    inner = lambda v: json.dumps(v, separators=(", ", ": "))
    lines = [f"  {json.dumps(k)}: {inner(v)}" for k, v in obj.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps_readable(obj))


def export(module, args, path, input_names, output_names, batch_inputs):
    """torch.onnx.export at opset 17 with axis 0 of the named inputs and of every output dynamic ("n")."""
    axes = {name: {0: "n"} for name in batch_inputs}
    axes.update({name: {0: "n"} for name in output_names})
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=input_names, output_names=output_names,
                          dynamic_axes=axes, do_constant_folding=True)


# ---------------------------------------------------------------------------------------------------
# The exact mixture networks, in torch (exported)
# ---------------------------------------------------------------------------------------------------

class MixtureCore(nn.Module):
    """The prediction c0 E[x0 | x] + ce E[eps | x] of sum_j pi_j N(mu_j, s_j^2 I) at a state
    x = a x0 + s eps, in float64, as fksteer's MixtureNetwork defines it. Given component j,
    x ~ N(a mu_j, v_j I) with v_j = a^2 s_j^2 + s^2, E[x0 | x, j] = mu_j + (a s_j^2 / v_j)(x - a mu_j) and
    E[eps | x, j] = (s / v_j)(x - a mu_j); the posterior weights w_j(x) come from a log-sum-exp over
    log pi_j - (d/2) log v_j - |x - a mu_j|^2 / (2 v_j), plus a penalty (0, or -1e30 for a component
    outside the class asked for)."""

    def __init__(self, mixture):
        super().__init__()
        w = np.asarray(mixture["weights"], dtype=np.float64)
        self.register_buffer("log_pi", torch.from_numpy(np.log(w)))                               # [m]
        self.register_buffer("mu", torch.tensor(mixture["means"], dtype=torch.float64))            # [m, d]
        sd = torch.tensor(mixture["stds"], dtype=torch.float64)
        self.register_buffer("sd2", sd * sd)                                                       # [m]
        self.half_d = 0.5 * len(mixture["means"][0])

    def forward(self, x, a, s, c0, ce, penalty=None):
        # x [n, d]; a, s [n, 1] or [1, 1]; c0, ce python floats; penalty [n, m] or None; tensors float64
        v = a * a * self.sd2 + s * s                                                               # [n, m]
        r = x.unsqueeze(1) - a.unsqueeze(-1) * self.mu                                             # [n, m, d]
        q = (r * r).sum(-1)                                                                        # [n, m]
        lw = self.log_pi - self.half_d * torch.log(v) - 0.5 * q / v
        if penalty is not None:
            lw = lw + penalty
        lw = lw - lw.amax(dim=1, keepdim=True)
        w = torch.exp(lw)
        w = w / w.sum(dim=1, keepdim=True)                                                         # posterior weights
        gamma = c0 * a * self.sd2 / v + ce * s / v                                                 # [n, m]
        m_j = c0 * self.mu + gamma.unsqueeze(-1) * r                                               # [n, m, d]
        return (w.unsqueeze(-1) * m_j).sum(1)


class MixtureVp(nn.Module):
    """Epsilon prediction of a class-conditional mixture under VP: x (float32 [n, d]), t (int64 [n],
    the training step 0..T-1), y (int64 [n], a class label, or the null id for the whole mixture)."""

    def __init__(self, mixture, alphas_cumprod, null_class):
        super().__init__()
        self.core = MixtureCore(mixture)
        self.register_buffer("alphas_cumprod", torch.from_numpy(alphas_cumprod))                  # [T] float64
        classes = mixture["classes"]
        pen = np.full((null_class + 1, len(classes)), -1e30, dtype=np.float64)
        for j, c in enumerate(classes):
            pen[c, j] = 0.0
        pen[null_class, :] = 0.0                                                                   # the null row keeps all
        self.register_buffer("class_penalty", torch.from_numpy(pen))                              # [C + 1, m]

    def forward(self, x, t, y):
        ab = self.alphas_cumprod[t].unsqueeze(1)                                                   # [n, 1]
        a, s = torch.sqrt(ab), torch.sqrt(1.0 - ab)
        eps = self.core(x.double(), a, s, 0.0, 1.0, self.class_penalty[y])
        return eps.float()


class MixtureFlow(nn.Module):
    """Velocity of a mixture on the flow with noise at t = 0: x_t = (1 - t) eps + t x0, u = x0 - eps.
    x float32 [n, d], t float32 [n, 1]."""

    def __init__(self, mixture):
        super().__init__()
        self.core = MixtureCore(mixture)

    def forward(self, x, t):
        u = t.double()
        return self.core(x.double(), u, 1.0 - u, 1.0, -1.0).float()


class MixtureSd3(nn.Module):
    """Velocity of a mixture on the SD3-style flow with noise at sigma = 1: x_sigma = (1 - sigma) x0 + sigma eps,
    u = d x_sigma / d sigma = eps - x0. hidden_states float32 [n, d]; timestep a float32 scalar (rank 0)
    holding sigma * 1000, shared by all rows."""

    def __init__(self, mixture, time_scale):
        super().__init__()
        self.core = MixtureCore(mixture)
        self.time_scale = time_scale

    def forward(self, hidden_states, timestep):
        sigma = (timestep.double() / self.time_scale).reshape(1, 1)
        return self.core(hidden_states.double(), 1.0 - sigma, sigma, -1.0, 1.0).float()


class MixtureClassifier(nn.Module):
    """log p(c | x) of the clean data mixture with class labels: logits_c = log sum_{j in c} pi_j N(x; mu_j, s_j^2 I),
    normalised over c (a per-row constant) so that float32 keeps their differences exactly."""

    def __init__(self, mixture):
        super().__init__()
        d = len(mixture["means"][0])
        w = np.asarray(mixture["weights"], dtype=np.float64)
        sd = np.asarray(mixture["stds"], dtype=np.float64)
        self.register_buffer("log_norm", torch.from_numpy(np.log(w) - 0.5 * d * np.log(2 * math.pi * sd * sd)))  # [m]
        self.register_buffer("mu", torch.tensor(mixture["means"], dtype=torch.float64))
        self.register_buffer("sd2", torch.from_numpy(sd * sd))
        classes = mixture["classes"]
        pen = np.full((max(classes) + 1, len(classes)), -1e30, dtype=np.float64)
        for j, c in enumerate(classes):
            pen[c, j] = 0.0
        self.register_buffer("class_penalty", torch.from_numpy(pen))                              # [C, m]

    def forward(self, x):
        r = x.double().unsqueeze(1) - self.mu                                                      # [n, m, d]
        lj = self.log_norm - 0.5 * (r * r).sum(-1) / self.sd2                                      # [n, m]
        z = lj.unsqueeze(1) + self.class_penalty                                                   # [n, C, m]
        zmax = z.amax(dim=2, keepdim=True)
        logits = torch.log(torch.exp(z - zmax).sum(2)) + zmax.squeeze(2)                           # [n, C]
        lmax = logits.amax(dim=1, keepdim=True)
        lse = torch.log(torch.exp(logits - lmax).sum(1, keepdim=True)) + lmax
        return (logits - lse).float()


class QuadraticScorer(nn.Module):
    """r(x) = -|x - c|^2, float32 [n, 1] (computed in float64)."""

    def __init__(self, centre):
        super().__init__()
        self.register_buffer("c", torch.tensor(centre, dtype=torch.float64))

    def forward(self, x):
        r = x.double() - self.c
        return (-(r * r).sum(1, keepdim=True)).float()


class Decoder(nn.Module):
    """latent [n, 2] -> pixels [n, 3] = [2 x0 + 1, 2 x1 - 1, x0 x1], in float32."""

    def forward(self, latent):
        x0, x1 = latent[:, 0:1], latent[:, 1:2]
        return torch.cat([2.0 * x0 + 1.0, 2.0 * x1 - 1.0, x0 * x1], dim=1)


class TinyConvEps(nn.Module):
    """A randomly initialised epsilon-net for [n, 1, 28, 28] images with a float time input t [n] (the
    training step as a float): a sinusoidal embedding of t, an MLP to per-channel biases, and three 3x3
    convolutions (1 -> C -> C -> 1, padding 1) with SiLU. Not trained: a fixture for shapes and speed."""

    def __init__(self, channels=32, emb=32):
        super().__init__()
        half = emb // 2
        self.register_buffer("freqs", torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half))
        self.time_mlp = nn.Sequential(nn.Linear(emb, 64), nn.SiLU(), nn.Linear(64, 2 * channels))
        self.conv_in = nn.Conv2d(1, channels, 3, padding=1)
        self.conv_mid = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv_out = nn.Conv2d(channels, 1, 3, padding=1)
        self.act = nn.SiLU()
        self.channels = channels
        # He-normal hidden convolutions keep the activations O(1); the last layer is drawn smaller
        # (std 1/sqrt(fan_in) instead of sqrt(2/fan_in)), so the output is O(1) too (std about 0.3)
        with torch.no_grad():
            for conv in (self.conv_in, self.conv_mid):
                nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
                conv.bias.zero_()
            nn.init.normal_(self.conv_out.weight, std=1.0 / math.sqrt(9 * channels))
            self.conv_out.bias.zero_()

    def forward(self, x, t):
        ang = t.unsqueeze(1) * self.freqs                                                          # [n, half]
        bias = self.time_mlp(torch.cat([torch.sin(ang), torch.cos(ang)], dim=1))                   # [n, 2C]
        b1 = bias[:, :self.channels].unsqueeze(-1).unsqueeze(-1)
        b2 = bias[:, self.channels:].unsqueeze(-1).unsqueeze(-1)
        h = self.act(self.conv_in(x) + b1)
        h = self.act(self.conv_mid(h) + b2)
        return self.conv_out(h)


class CheckerboardMlp(nn.Module):
    """fksteer's built-in checkerboard flow: nn.Sequential(Linear, ELU, ..., Linear) on [t, x], t first."""

    def __init__(self, weights):
        super().__init__()
        layers, l = [], 0
        while f"net.{2 * l}.weight" in weights:
            w = torch.from_numpy(weights[f"net.{2 * l}.weight"])
            b = torch.from_numpy(weights[f"net.{2 * l}.bias"])
            lin = nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                lin.weight.copy_(w)
                lin.bias.copy_(b)
            layers += [lin, nn.ELU()]
            l += 1
        self.net = nn.Sequential(*layers[:-1])                                                     # no ELU after the last
        if len(weights) != 2 * l:
            raise ValueError(f"unexpected tensors in the checkerboard weights: {sorted(weights)}")

    def forward(self, x, t):
        return self.net(torch.cat([t, x], dim=1))


# ---------------------------------------------------------------------------------------------------
# The numpy cross-check: a per-row loop over components in float64, from the posterior's definition
# ---------------------------------------------------------------------------------------------------

def np_mixture_x0_eps(x, a, s, mixture, allowed):
    """(E[x0 | x], E[eps | x]) for one row x at x = a x0 + s eps, over the allowed components."""
    d = len(x)
    logs, x0s, epss = [], [], []
    for j in allowed:
        mu = np.asarray(mixture["means"][j], dtype=np.float64)
        sj = mixture["stds"][j]
        var = a * a * sj * sj + s * s
        r = x - a * mu
        logs.append(math.log(mixture["weights"][j]) - 0.5 * d * math.log(2 * math.pi * var) - 0.5 * float(r @ r) / var)
        x0s.append(mu + (a * sj * sj / var) * r)
        epss.append((s / var) * r)
    logs = np.asarray(logs)
    p = np.exp(logs - logs.max())
    p /= p.sum()
    x0 = sum(pj * v for pj, v in zip(p, x0s))
    eps = sum(pj * v for pj, v in zip(p, epss))
    # the pair is consistent with the state: a x0 + s eps = x exactly
    if np.max(np.abs(a * x0 + s * eps - x)) > 1e-9 * (1 + np.max(np.abs(x))):
        raise AssertionError("numpy reference: a E[x0] + s E[eps] != x")
    return x0, eps


def np_vp_eps(x, t, y, mixture, ac, null_class):
    out = np.empty_like(x)
    m = len(mixture["weights"])
    for i in range(len(x)):
        allowed = range(m) if y[i] == null_class else [j for j in range(m) if mixture["classes"][j] == y[i]]
        a, s = math.sqrt(ac[t[i]]), math.sqrt(1.0 - ac[t[i]])
        out[i] = np_mixture_x0_eps(x[i], a, s, mixture, allowed)[1]
    return out


def np_flow_velocity(x, t, mixture):
    out = np.empty_like(x)
    for i in range(len(x)):
        x0, eps = np_mixture_x0_eps(x[i], t[i], 1.0 - t[i], mixture, range(len(mixture["weights"])))
        out[i] = x0 - eps                              # d/dt of (1 - t) eps + t x0
    return out


def np_sd3_velocity(x, sigma, mixture):
    out = np.empty_like(x)
    for i in range(len(x)):
        x0, eps = np_mixture_x0_eps(x[i], 1.0 - sigma, sigma, mixture, range(len(mixture["weights"])))
        out[i] = eps - x0                              # d/dsigma of (1 - sigma) x0 + sigma eps
    return out


def np_class_log_posterior(x, mixture):
    classes = mixture["classes"]
    k = max(classes) + 1
    out = np.empty((len(x), k))
    for i in range(len(x)):
        dens = np.zeros(k)
        for j, c in enumerate(classes):
            mu = np.asarray(mixture["means"][j], dtype=np.float64)
            sj = mixture["stds"][j]
            r = x[i] - mu
            dens[c] += mixture["weights"][j] * math.exp(-0.5 * float(r @ r) / (sj * sj)) / (2 * math.pi * sj * sj) ** (len(mu) / 2)
        out[i] = np.log(dens) - math.log(dens.sum())
    return out


def check_close(name, got, want, tol=1e-6):
    got = np.asarray(got, dtype=np.float64)
    err = np.max(np.abs(got - want) / (1.0 + np.abs(want)))
    if not err <= tol:
        raise AssertionError(f"{name}: torch and the numpy reference differ by {err:.3g} (> {tol})")
    print(f"  self-check {name}: max relative difference {err:.2g}")


# ---------------------------------------------------------------------------------------------------
# Building everything
# ---------------------------------------------------------------------------------------------------

def golden_x(seed, n=N_GOLDEN, scale=1.5):
    """n points in 2-D: seeded normal draws, the last row far out (stability of the log-sum-exp)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g, dtype=torch.float32) * scale
    x[-1] = torch.tensor([6.0, -5.0])
    return x


def card(file, prediction, process, shape, inputs, time_format, time_scale, data_range, condition=None, decoder=None):
    c = {"type": "onnx", "file": file, "prediction": prediction, "process": process, "shape": shape, "inputs": inputs,
         "timeFormat": time_format, "timeScale": time_scale}
    if condition is not None:
        c["condition"] = condition
    c["dataRange"] = data_range
    if decoder is not None:
        c["decoder"] = decoder
    return c


def mixture_json(mixture, process, prediction):
    m = {"type": "gaussian-mixture", "weights": mixture["weights"], "means": mixture["means"], "stds": mixture["stds"],
         "process": process, "prediction": prediction}
    if "classes" in mixture:
        m["classes"] = mixture["classes"]
    return m


def dtype_metadata(**dtypes):
    """The golden files' metadata: each tensor's dtype in the model (all are stored as F32 values)."""
    md = {"generator": "make_fixtures.py", "note": "all tensors are stored as F32; dtype:NAME is the ONNX input's dtype"}
    md.update({f"dtype:{k}": v for k, v in dtypes.items()})
    return md


def build(out, checkerboard_path):
    golden = os.path.join(out, "golden")
    os.makedirs(golden, exist_ok=True)
    p = lambda name: os.path.join(out, name)
    ac = linear_alphas_cumprod()

    # a. mixture-vp ---------------------------------------------------------------------------------
    model = MixtureVp(VP_MIXTURE, ac, NULL_CLASS).eval()
    x = golden_x(11)
    t = torch.tensor([0, 1, 10, 250, 500, 750, 999], dtype=torch.int64)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 2], dtype=torch.int64)
    with torch.no_grad():
        o = model(x, t, y)
    check_close("mixture-vp", o.numpy(), np_vp_eps(x.double().numpy(), t.numpy(), y.numpy(), VP_MIXTURE, ac, NULL_CLASS))
    export(model, (x, t, y), p("mixture-vp.onnx"), ["x", "t", "y"], ["eps"], ["x", "t", "y"])
    write_safetensors(os.path.join(golden, "mixture-vp.safetensors"), {"x": x, "t": t.float(), "y": y.float(), "out": o},
                      dtype_metadata(x="float32", t="int64", y="int64", out="float32"))
    write_json(p("mixture-vp.json"), mixture_json(VP_MIXTURE, VP_PROCESS, "epsilon"))
    vp_card = card("mixture-vp.onnx", "epsilon", VP_PROCESS, [2], {"sample": "x", "time": "t", "condition": "y"}, "index", 1.0,
                   [-3, 3], condition={"type": "class", "classes": 2, "null": NULL_CLASS})
    write_json(p("mixture-vp.card.json"), vp_card)
    write_json(p("mixture-vp-decoded.card.json"), dict(vp_card, decoder="decoder.onnx"))

    # c. mixture-flow (noise at t = 0) -----------------------------------------------------------------
    model = MixtureFlow(FLOW_MIXTURE).eval()
    x = golden_x(12)
    t = torch.tensor([[0.0], [0.05], [0.2], [0.5], [0.8], [0.95], [1.0]], dtype=torch.float32)
    with torch.no_grad():
        o = model(x, t)
    check_close("mixture-flow", o.numpy(), np_flow_velocity(x.double().numpy(), t.double().numpy()[:, 0], FLOW_MIXTURE))
    export(model, (x, t), p("mixture-flow.onnx"), ["x", "t"], ["v"], ["x", "t"])
    write_safetensors(os.path.join(golden, "mixture-flow.safetensors"), {"x": x, "t": t, "out": o},
                      dtype_metadata(x="float32", t="float32", out="float32"))
    write_json(p("mixture-flow.json"), mixture_json(FLOW_MIXTURE, FLOW_PROCESS, "velocity"))
    write_json(p("mixture-flow.card.json"), card("mixture-flow.onnx", "velocity", FLOW_PROCESS, [2], {"sample": "x", "time": "t"},
                                                 "continuous", 1.0, [-3, 3]))

    # d. mixture-sd3 (noise at sigma = 1, timestep = sigma * 1000, a rank-0 input) -------------------
    model = MixtureSd3(SD3_MIXTURE, SD3_TIME_SCALE).eval()
    timesteps = [1000.0, 750.0, 250.0, 20.0]
    exported = False
    for k, ts in enumerate(timesteps):
        x = golden_x(13 + k)
        tt = torch.tensor(ts, dtype=torch.float32)                                                 # shape []
        with torch.no_grad():
            o = model(x, tt)
        sigma = float(tt) / SD3_TIME_SCALE
        check_close(f"mixture-sd3 (timestep {ts:g})", o.numpy(), np_sd3_velocity(x.double().numpy(), sigma, SD3_MIXTURE))
        if not exported:
            export(model, (x, tt), p("mixture-sd3.onnx"), ["hidden_states", "timestep"], ["v"], ["hidden_states"])
            exported = True
        write_safetensors(os.path.join(golden, f"mixture-sd3.{k}.safetensors"), {"hidden_states": x, "timestep": tt, "out": o},
                          dtype_metadata(hidden_states="float32", timestep="float32 (rank 0)", out="float32"))
    write_json(p("mixture-sd3.json"), mixture_json(SD3_MIXTURE, SD3_PROCESS, "velocity"))
    write_json(p("mixture-sd3.card.json"), card("mixture-sd3.onnx", "velocity", SD3_PROCESS, [2],
                                                {"sample": "hidden_states", "time": "timestep"}, "continuous", SD3_TIME_SCALE, [-3, 3]))

    # e. conv ------------------------------------------------------------------------------------------
    torch.manual_seed(2024)
    model = TinyConvEps().eval()
    g = torch.Generator().manual_seed(14)
    x = torch.randn(N_GOLDEN, 1, 28, 28, generator=g).clamp(-3, 3)
    t = torch.tensor([0.0, 1.0, 100.0, 250.0, 500.0, 750.0, 999.0])
    with torch.no_grad():
        o = model(x, t)
    if not torch.isfinite(o).all() or o.abs().max() > 10:
        raise AssertionError(f"conv: output not O(1): max |out| = {o.abs().max():.3g}")
    print(f"  conv: output std {o.std():.3g}, max |out| {o.abs().max():.3g}")
    export(model, (x, t), p("conv.onnx"), ["x", "t"], ["eps"], ["x", "t"])
    write_safetensors(os.path.join(golden, "conv.safetensors"), {"x": x, "t": t, "out": o},
                      dtype_metadata(x="float32", t="float32", out="float32"))
    write_json(p("conv.card.json"), card("conv.onnx", "epsilon", VP_PROCESS, [1, 28, 28], {"sample": "x", "time": "t"}, "index", 1.0,
                                         [-1, 1]))

    # f. classifier (the clean mixture of a) ------------------------------------------------------------
    model = MixtureClassifier(VP_MIXTURE).eval()
    x = golden_x(15)
    with torch.no_grad():
        o = model(x)
    check_close("classifier", o.numpy(), np_class_log_posterior(x.double().numpy(), VP_MIXTURE))
    export(model, (x,), p("classifier.onnx"), ["x"], ["logits"], ["x"])
    write_safetensors(os.path.join(golden, "classifier.safetensors"), {"x": x, "out": o}, dtype_metadata(x="float32", out="float32"))

    # g. scorer ----------------------------------------------------------------------------------------
    model = QuadraticScorer(SCORER_CENTRE).eval()
    x = golden_x(16)
    with torch.no_grad():
        o = model(x)
    xd = x.double().numpy()
    check_close("scorer", o.numpy(), -((xd - np.asarray(SCORER_CENTRE)) ** 2).sum(1, keepdims=True))
    export(model, (x,), p("scorer.onnx"), ["x"], ["score"], ["x"])
    write_safetensors(os.path.join(golden, "scorer.safetensors"), {"x": x, "out": o}, dtype_metadata(x="float32", out="float32"))

    # h. decoder ---------------------------------------------------------------------------------------
    model = Decoder().eval()
    x = golden_x(17)
    with torch.no_grad():
        o = model(x)
    xd = x.double().numpy()
    check_close("decoder", o.numpy(), np.stack([2 * xd[:, 0] + 1, 2 * xd[:, 1] - 1, xd[:, 0] * xd[:, 1]], axis=1))
    export(model, (x,), p("decoder.onnx"), ["latent"], ["pixels"], ["latent"])
    write_safetensors(os.path.join(golden, "decoder.safetensors"), {"latent": x, "out": o}, dtype_metadata(latent="float32", out="float32"))

    # i. checkerboard MLP ------------------------------------------------------------------------------
    weights = read_safetensors(checkerboard_path)
    model = CheckerboardMlp(weights).eval()
    x = golden_x(18, scale=2.0)
    t = torch.tensor([[0.0], [0.1], [0.3], [0.5], [0.7], [0.9], [1.0]], dtype=torch.float32)
    with torch.no_grad():
        o = model(x, t)
    h = np.concatenate([t.double().numpy(), x.double().numpy()], axis=1)
    n_layers = len(weights) // 2
    for l in range(n_layers):
        h = h @ weights[f"net.{2 * l}.weight"].astype(np.float64).T + weights[f"net.{2 * l}.bias"].astype(np.float64)
        if l < n_layers - 1:
            h = np.where(h > 0, h, np.expm1(np.minimum(h, 0)))
    check_close("checkerboard-mlp (float32 torch vs float64 numpy)", o.numpy(), h, tol=1e-5)
    export(model, (x, t), p("checkerboard-mlp.onnx"), ["x", "t"], ["v"], ["x", "t"])
    write_safetensors(os.path.join(golden, "checkerboard-mlp.safetensors"), {"x": x, "t": t, "out": o},
                      dtype_metadata(x="float32", t="float32", out="float32"))
    write_json(p("checkerboard-mlp.card.json"), card("checkerboard-mlp.onnx", "velocity", FLOW_PROCESS, [2],
                                                     {"sample": "x", "time": "t"}, "continuous", 1.0, [-3, 3]))

    for name in sorted(os.listdir(out)):
        if name.endswith(".onnx"):
            size = os.path.getsize(p(name))
            print(f"  {name}: {size} bytes")
            if size > 300_000 and name != "checkerboard-mlp.onnx":
                raise AssertionError(f"{name} is {size} bytes, over the 300 KB budget")


def time_conv(batch=64, threads=2, runs=30):
    """Median wall time of one forward pass of the conv fixture's torch module."""
    torch.set_num_threads(threads)
    torch.manual_seed(2024)
    model = TinyConvEps().eval()
    x = torch.randn(batch, 1, 28, 28)
    t = torch.linspace(0, 999, batch)
    with torch.no_grad():
        for _ in range(5):
            model(x, t)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            model(x, t)
            times.append(time.perf_counter() - t0)
    times.sort()
    print(f"conv forward, batch {batch}, {threads} threads, torch {torch.__version__}: median {1e3 * times[runs // 2]:.2f} ms "
          f"(min {1e3 * times[0]:.2f} ms) over {runs} runs")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=here, help="folder to write into (default: this script's folder)")
    ap.add_argument("--checkerboard", default=os.path.normpath(os.path.join(
        here, "../../../../../fksteer-core/src/main/resources/models/checkerboard.safetensors")),
        help="the built-in checkerboard weights (default: fksteer-core's resource)")
    ap.add_argument("--time", action="store_true", help="also time the conv fixture's forward pass at batch 64 on 2 threads")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    build(args.out, args.checkerboard)
    if args.time:
        time_conv()


if __name__ == "__main__":
    main()
