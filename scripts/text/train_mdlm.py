#!/usr/bin/env python3
"""Trains and exports the masked-diffusion (MDLM) character model of `fksteer demo text`, on CPU, with Debian's PyTorch.

    /usr/bin/python3 scripts/text/train_mdlm.py all       # train, evaluate, sample, export, golden (about 40 min on 2 free cores)
    /usr/bin/python3 scripts/text/train_mdlm.py train     # models/text/fortunes.pt (the weights; not committed)
    /usr/bin/python3 scripts/text/train_mdlm.py eval      # held-out NELBO of fortunes.pt on data/text/heldout-eval.txt
    /usr/bin/python3 scripts/text/train_mdlm.py sample    # a dozen ancestral samples from fortunes.pt
    /usr/bin/python3 scripts/text/train_mdlm.py export    # models/text/fortunes.onnx + fortunes.json (the model card)
    /usr/bin/python3 scripts/text/train_mdlm.py golden    # models/text/golden/fortunes.json
    /usr/bin/python3 scripts/text/train_mdlm.py timing [d,layers,heads[,batch] ...]   # seconds per training step (no files)

`all` also writes models/text/training.json (settings, losses, wall times, samples) for the README.

Data: data/text/train.txt (7,224 quotations, made by make_corpus.py); heldout-eval.txt is only evaluated
on, and heldout-ngram.txt is never read. Tokens: ids 0..94 are the ASCII characters 0x20..0x7e
(id = ord(c) - 32), 95 is <pad>, 96 is <mask> (the absorbing state). Every quotation is encoded and
right-padded with <pad> to L = 128; pad positions are predicted and are in the loss (the model learns
where a text ends).

Process (MDLM, Sahoo et al. 2024, github.com/kuleshov-group/mdlm): log-linear schedule with eps = 1e-3,
so at time t in (0, 1] each token is independently <mask> with probability (1 - eps) t. SUBS
parameterisation: the <mask> logit is set to -inf before the log-softmax, and only masked positions are
in the loss. The continuous-time NELBO of this schedule weights each masked position's -log p(x0) by
1 / t; the loss sums over positions and divides by L (nats per token, as MDLM). Training times are
low-discrepancy: t_i = (u + i / B) mod 1 for a batch of B with one uniform u, then
t = 1e-3 + (1 - 1e-3) t_i (MDLM's sampling_eps), so 1 / t <= 1000.

Model: a bidirectional pre-LayerNorm transformer (token + learned positional embeddings; blocks of
LN, multi-head self-attention written with matmul/softmax, residual, LN, GELU MLP 4x, residual; final LN;
linear head to 97 logits). No time input (MDLM's time_conditioning False). The attention also rotates
queries and keys by rotary position embeddings (as MDLM's DiT does): with learned absolute positions
alone the model sat at the unigram level (about 4.7 bits per character) for the first 400 steps, since a
masked position's own input says nothing and every bit of context must come through attention; with
rotary embeddings it leaves that plateau within about 150 steps. The ONNX graph takes `tokens` int64
[n, 128] and gives `logits` float32 [n, 128, 97], the raw logits: fksteer applies SUBS.

Training: AdamW, linear warm-up then cosine decay, gradient clipping at 1.0, a fixed number of steps
(CONFIG below, chosen from `timing` and short pilot runs; see models/text/README.md).

Deterministic: fixed seeds, one thread count (FKSTEER_TRAIN_THREADS, default 2), the data order and all
noise from seeded generators. Exports at opset 17 (the highest Debian's torch 1.13 supports), batch
axis dynamic.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "data", "text")
OUT = os.path.join(ROOT, "models", "text")
OPSET = 17
L = 128
V = 97
PAD, MASK = 95, 96
EPS = 1e-3           # the schedule's eps: P(mask at t) = (1 - EPS) t
SAMPLING_EPS = 1e-3  # the floor of the training / evaluation times (MDLM's sampling_eps)
torch.set_num_threads(int(os.environ.get("FKSTEER_TRAIN_THREADS", "2")))

# The shipped configuration (see the README for how it was chosen).
CONFIG = {"d_model": 192, "layers": 5, "heads": 6, "dropout": 0.0, "rope": True,
          "batch": 64, "steps": int(os.environ.get("FKSTEER_TEXT_STEPS", "1600")),
          "lr": 1e-3, "warmup": 200, "min_lr_ratio": 0.1, "weight_decay": 0.01, "betas": [0.9, 0.99],
          "seed": 1}
EVAL_T_SAMPLES = 8   # t samples per held-out sequence in the NELBO estimate
EVAL_SEED = 12345


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------

def vocab():
    return [chr(32 + i) for i in range(95)] + ["<pad>", "<mask>"]


def encode(text):
    ids = [ord(c) - 32 for c in text]
    if len(ids) > L or any(not 0 <= i < 95 for i in ids):
        raise ValueError(f"not <= {L} printable ASCII characters: {text!r}")
    return ids + [PAD] * (L - len(ids))


def decode(ids):
    out = []
    for i in ids:
        if i == PAD:
            break
        out.append("_" if i == MASK else chr(32 + i))
    return "".join(out)


def load(name):
    with open(os.path.join(DATA, name), encoding="ascii") as f:
        lines = [l.rstrip("\n") for l in f]
    return torch.tensor([encode(l) for l in lines], dtype=torch.int64), lines


# ------------------------------------------------------------------------------------------------
# Network
# ------------------------------------------------------------------------------------------------

def rotary_tables(dh):
    """cos and sin [L, dh] of rotary position embeddings (RoFormer; MDLM's DiT uses them), base 10000."""
    inv = 1.0 / (10000 ** (torch.arange(0, dh, 2, dtype=torch.float32) / dh))
    a = torch.arange(L, dtype=torch.float32)[:, None] * inv[None, :]
    a = torch.cat([a, a], dim=1)
    return torch.cos(a), torch.sin(a)


def rotate(x, cos, sin):
    h = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., h:], x[..., :h]], dim=-1) * sin


class Block(nn.Module):
    def __init__(self, d, heads, dropout, rope):
        super().__init__()
        self.heads, self.dh, self.rope = heads, d // heads, rope
        if rope:
            cos, sin = rotary_tables(self.dh)
            self.register_buffer("cos", cos, persistent=False)
            self.register_buffer("sin", sin, persistent=False)
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.ln1(x)
        qkv = self.qkv(h).view(-1, L, 3, self.heads, self.dh).permute(2, 0, 3, 1, 4)      # [3, n, H, L, dh]
        q, k, v = qkv[0], qkv[1], qkv[2]
        if self.rope:
            q, k = rotate(q, self.cos, self.sin), rotate(k, self.cos, self.sin)
        att = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(self.dh)), dim=-1)
        a = torch.matmul(att, v).transpose(1, 2).reshape(-1, L, self.heads * self.dh)
        x = x + self.drop(self.proj(a))
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.ln2(x)))))


class MDLM(nn.Module):
    """tokens [n, 128] int64 -> raw logits [n, 128, 97]; bidirectional, no time input."""

    def __init__(self, d_model, layers, heads, dropout=0.0, rope=False, pos_init="normal", **_):
        super().__init__()
        self.tok = nn.Embedding(V, d_model)
        self.pos = nn.Parameter(torch.zeros(1, L, d_model))
        self.blocks = nn.ModuleList([Block(d_model, heads, dropout, rope) for _ in range(layers)])
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, V)
        self.drop = nn.Dropout(dropout)
        for name, p in self.named_parameters():          # GPT-2's initialisation
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() >= 2 and "ln" not in name:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(("proj.weight", "fc2.weight")) else 0.02
                nn.init.normal_(p, std=std)
        if pos_init == "sinusoidal":                     # the learned positions start as Transformer sinusoids
            with torch.no_grad():
                cos, sin = rotary_tables(d_model)
                self.pos.copy_(torch.cat([sin[:, :d_model // 2], cos[:, :d_model // 2]], dim=1)[None] * 0.1)

    def forward(self, tokens):
        x = self.drop(self.tok(tokens) + self.pos)
        for b in self.blocks:
            x = b(x)
        return self.head(self.ln(x))


def params(m):
    return sum(p.numel() for p in m.parameters())


def subs_log_probs(logits):
    """SUBS: the <mask> logit to -inf, then log-softmax over the vocabulary."""
    logits = logits.clone()
    logits[..., MASK] = -float("inf")
    return torch.log_softmax(logits, dim=-1)


# ------------------------------------------------------------------------------------------------
# Loss
# ------------------------------------------------------------------------------------------------

def low_discrepancy_t(n, g):
    """MDLM's antithetic times: (u + i / n) mod 1, floored at SAMPLING_EPS."""
    u = torch.rand(1, generator=g)
    t = (u + torch.arange(n, dtype=torch.float32) / n) % 1.0
    return SAMPLING_EPS + (1 - SAMPLING_EPS) * t


def mask_at(x0, t, g):
    move = torch.rand(x0.shape, generator=g) < ((1 - EPS) * t)[:, None]
    return torch.where(move, torch.full_like(x0, MASK), x0), move


def nelbo_per_sequence(net, x0, t, g):
    """The continuous-time NELBO's one-sample estimate for each sequence, in nats: sum over masked l of -log p(x0_l) / t."""
    xt, move = mask_at(x0, t, g)
    logp = subs_log_probs(net(xt))
    nll = -logp.gather(-1, x0[..., None]).squeeze(-1)
    return (nll * move).sum(1) / t


def evaluate(net, x0, t_samples, seed, batch=128):
    """NELBO in nats per sequence, averaged over t_samples stratified times per sequence (u per sequence, seeded)."""
    g = torch.Generator().manual_seed(seed)
    net.eval()
    total = torch.zeros(len(x0), dtype=torch.float64)
    with torch.no_grad():
        for k in range(t_samples):
            for b in range(0, len(x0), batch):
                xb = x0[b:b + batch]
                u = torch.rand(len(xb), generator=g)
                t = SAMPLING_EPS + (1 - SAMPLING_EPS) * ((u + k / t_samples) % 1.0)
                total[b:b + batch] += nelbo_per_sequence(net, xb, t, g).double()
    return total / t_samples


def summarize(per_seq, lines):
    nats_tok = float(per_seq.mean()) / L
    chars = sum(len(l) for l in lines)
    return {"natsPerToken": round(nats_tok, 5), "bitsPerToken": round(nats_tok / math.log(2), 5),
            "natsPerSequence": round(float(per_seq.mean()), 3),
            "bitsPerTextChar": round(float(per_seq.sum()) / math.log(2) / chars, 4)}


# ------------------------------------------------------------------------------------------------
# Training
# ------------------------------------------------------------------------------------------------

def batches(n, batch, g):
    """Endless seeded epochs: a permutation of the training set per epoch, cut into batches that may span epochs."""
    buf = torch.empty(0, dtype=torch.int64)
    while True:
        while len(buf) < batch:
            buf = torch.cat([buf, torch.randperm(n, generator=g)])
        yield buf[:batch]
        buf = buf[batch:]


def train(cfg, log_every=100, heldout=None):
    x_all, _ = load("train.txt")
    torch.manual_seed(cfg["seed"])
    g = torch.Generator().manual_seed(cfg["seed"])
    net = MDLM(**cfg)
    decay = [p for n, p in net.named_parameters() if p.dim() >= 2 and "ln" not in n and n != "pos"]
    other = [p for n, p in net.named_parameters() if not (p.dim() >= 2 and "ln" not in n and n != "pos")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weight_decay"]}, {"params": other, "weight_decay": 0.0}],
                            lr=cfg["lr"], betas=tuple(cfg["betas"]))
    steps, warm, floor = cfg["steps"], cfg["warmup"], cfg["min_lr_ratio"]

    def lr_factor(s):
        if s < warm:
            return (s + 1) / warm
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, steps - warm)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    order = batches(len(x_all), cfg["batch"], g)
    print(f"model: {params(net):,} parameters; {steps} steps at batch {cfg['batch']} "
          f"({steps * cfg['batch'] / len(x_all):.1f} epochs)", flush=True)
    t0, recent, log = time.time(), [], []
    net.train()
    for s in range(steps):
        x0 = x_all[next(order)]
        t = low_discrepancy_t(len(x0), g)
        loss = nelbo_per_sequence(net, x0, t, g).mean() / L
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        recent.append(loss.item())
        if (s + 1) % log_every == 0 or s == steps - 1:
            row = {"step": s + 1, "trainLoss": round(float(np.mean(recent)), 4), "seconds": round(time.time() - t0, 1)}
            if heldout is not None:
                row["heldoutSubset"] = round(float(evaluate(net, heldout, 2, EVAL_SEED).mean()) / L, 4)
                net.train()
            log.append(row)
            print(f"step {s + 1}/{steps} loss {row['trainLoss']:.4f} (mean of the last {len(recent)}) "
                  + (f"held-out subset {row['heldoutSubset']:.4f} " if heldout is not None else "")
                  + f"({row['seconds']:.0f} s)", flush=True)
            recent = []
    net.eval()
    return net, {"wallSeconds": round(time.time() - t0, 1), "log": log, "finalTrainLoss": log[-1]["trainLoss"]}


def load_net():
    net = MDLM(**CONFIG)
    net.load_state_dict(torch.load(os.path.join(OUT, "fortunes.pt")))
    return net.eval()


# ------------------------------------------------------------------------------------------------
# Sampling
# ------------------------------------------------------------------------------------------------

def ancestral_sample(net, n, steps, g):
    """MDLM's ancestral (DDPM-style) sampler from all-<mask>: times linspace(1, EPS, steps + 1); from t to
    s = t - (1 - EPS) / steps a masked position stays masked with probability s / t, else takes v with
    probability ((t - s) / t) p(v); unmasked tokens are carried over. Last, still-masked positions take the argmax."""
    x = torch.full((n, L), MASK, dtype=torch.int64)
    ts = torch.linspace(1.0, EPS, steps + 1, dtype=torch.float64)
    dt = (1 - EPS) / steps
    with torch.no_grad():
        for i in range(steps):
            t = float(ts[i])
            s = t - dt
            p = subs_log_probs(net(x)).double().exp()
            q = p * ((t - s) / t)
            q[..., MASK] = s / t
            draw = torch.multinomial(q.view(-1, V), 1, generator=g).view(n, L)
            x = torch.where(x == MASK, draw, x)
        last = subs_log_probs(net(x)).argmax(-1)
        x = torch.where(x == MASK, last, x)
    return x


# ------------------------------------------------------------------------------------------------
# Export, card, golden
# ------------------------------------------------------------------------------------------------

def write_json(path, obj):
    """Indented JSON with lists of numbers or strings kept on one line."""
    def enc(o, ind):
        pad = "  " * (ind + 1)
        if isinstance(o, dict):
            if not o:
                return "{}"
            return "{\n" + ",\n".join(pad + json.dumps(k) + ": " + enc(v, ind + 1) for k, v in o.items()) + "\n" + "  " * ind + "}"
        if isinstance(o, list) and any(isinstance(v, (dict, list)) for v in o):
            return "[\n" + ",\n".join(pad + enc(v, ind + 1) for v in o) + "\n" + "  " * ind + "]"
        return json.dumps(o)
    with open(path, "w", encoding="utf-8") as f:
        f.write(enc(obj, 0) + "\n")


def export(net):
    path = os.path.join(OUT, "fortunes.onnx")
    net.eval()
    with torch.no_grad():
        torch.onnx.export(net, (torch.full((2, L), MASK, dtype=torch.int64),), path, opset_version=OPSET,
                          input_names=["tokens"], output_names=["logits"],
                          dynamic_axes={"tokens": {0: "n"}, "logits": {0: "n"}}, do_constant_folding=True)
    write_json(os.path.join(OUT, "fortunes.json"), {
        "type": "onnx",
        "file": "fortunes.onnx",
        "process": {"kind": "masked", "schedule": "log-linear", "eps": EPS},
        "shape": [L],
        "inputs": {"tokens": "tokens"},
        "vocab": {"tokens": vocab(), "pad": PAD, "mask": MASK},
        "referenceTexts": "../../data/text/heldout-ngram.txt"})
    print(f"wrote {path} ({os.path.getsize(path):,} bytes) and fortunes.json", flush=True)


GOLDEN_POSITIONS = [0, 1, 5, 31, 64, 65, 100, 127]


def golden_inputs():
    x, lines = load("heldout-eval.txt")
    g = torch.Generator().manual_seed(2024)
    full = x[0].clone()                                                     # a held-out quotation, no mask
    half = torch.where(torch.rand(L, generator=g) < 0.5, torch.full_like(full, MASK), full)   # about half masked
    allmask = torch.full((L,), MASK, dtype=torch.int64)                     # fully masked
    short = next(i for i, l in enumerate(lines) if 20 <= len(l) <= 40)      # a short quotation: pads from <= 40 on
    mid = x[short].clone()
    mid[48:96] = MASK                                                       # pads 48..95 masked, pads around them
    return torch.stack([full, half, allmask, mid])


def golden(net):
    inputs = golden_inputs()
    with torch.no_grad():
        logits = net(inputs)[:, GOLDEN_POSITIONS, :]
    gold = os.path.join(OUT, "golden")
    os.makedirs(gold, exist_ok=True)
    obj = {"generator": "scripts/text/train_mdlm.py golden",
           "note": "raw logits (no SUBS) of fortunes.onnx's PyTorch module, at the given positions, 6 significant digits",
           "inputs": inputs.tolist(), "positions": GOLDEN_POSITIONS,
           "logits": [[[float(f"{v:.6g}") for v in pos] for pos in seq] for seq in logits.tolist()]}
    with open(os.path.join(gold, "fortunes.json"), "w", encoding="utf-8") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote golden/fortunes.json ({os.path.getsize(os.path.join(gold, 'fortunes.json')):,} bytes)", flush=True)


# ------------------------------------------------------------------------------------------------
# Steps
# ------------------------------------------------------------------------------------------------

N_SAMPLES, SAMPLE_STEPS, SAMPLE_SEED = 12, 128, 7


def step_eval(net):
    x, lines = load("heldout-eval.txt")
    t0 = time.time()
    r = summarize(evaluate(net, x, EVAL_T_SAMPLES, EVAL_SEED), lines)
    r["tSamplesPerSequence"], r["seconds"] = EVAL_T_SAMPLES, round(time.time() - t0, 1)
    print(f"held-out NELBO ({len(lines)} quotations, {EVAL_T_SAMPLES} t each): {r['natsPerToken']:.4f} nats/token, "
          f"{r['bitsPerToken']:.4f} bits/token, {r['natsPerSequence']:.1f} nats/sequence, "
          f"{r['bitsPerTextChar']:.3f} bits per text character ({r['seconds']:.0f} s)", flush=True)
    return r


def step_sample(net):
    g = torch.Generator().manual_seed(SAMPLE_SEED)
    texts = [decode(s) for s in ancestral_sample(net, N_SAMPLES, SAMPLE_STEPS, g).tolist()]
    print(f"{N_SAMPLES} ancestral samples ({SAMPLE_STEPS} steps, seed {SAMPLE_SEED}):")
    for s in texts:
        print("  " + s)
    return texts


TIMING_CANDIDATES = ["192,4,6", "192,5,6", "256,3,8", "224,4,7", "160,6,5", "128,6,4"]


def step_timing(cands):
    """Seconds per training step of candidate sizes "d_model,layers,heads[,batch]" (default TIMING_CANDIDATES,
    batch CONFIG's); 3 warm-up steps, then 10 timed."""
    x_all, _ = load("train.txt")
    for c in cands or TIMING_CANDIDATES:
        d, layers, heads, batch = (list(map(int, c.split(","))) + [CONFIG["batch"]])[:4]
        cfg = dict(CONFIG, d_model=d, layers=layers, heads=heads, batch=batch)
        torch.manual_seed(0)
        g = torch.Generator().manual_seed(0)
        net = MDLM(**cfg).train()
        opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
        order = batches(len(x_all), cfg["batch"], g)
        for s in range(13):
            if s == 3:
                t0 = time.time()
            x0 = x_all[next(order)]
            loss = nelbo_per_sequence(net, x0, low_discrepancy_t(len(x0), g), g).mean() / L
            opt.zero_grad()
            loss.backward()
            opt.step()
        dt = (time.time() - t0) / 10
        print(f"d_model {d}, {layers} layers, {heads} heads: {params(net):,} parameters, {dt:.3f} s/step at batch "
              f"{cfg['batch']} -> {int(2700 / dt)} steps in 45 min", flush=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    pt = os.path.join(OUT, "fortunes.pt")
    if what == "timing":
        step_timing(sys.argv[2:])
    elif what in ("all", "train"):
        held, _ = load("heldout-eval.txt")
        net, info = train(CONFIG, heldout=held[:128])
        torch.save(net.state_dict(), pt)
        print(f"training: {info['wallSeconds']:.0f} s, final train loss {info['finalTrainLoss']:.4f}", flush=True)
        if what == "all":
            ev = step_eval(net)
            texts = step_sample(net)
            export(net)
            golden(net)
            write_json(os.path.join(OUT, "training.json"), {
                "config": CONFIG, "parameters": params(net), "threads": torch.get_num_threads(),
                "torch": torch.__version__, "training": info, "heldoutEval": ev,
                "samples": {"n": N_SAMPLES, "steps": SAMPLE_STEPS, "seed": SAMPLE_SEED, "texts": texts}})
    elif what == "eval":
        step_eval(load_net())
    elif what == "sample":
        step_sample(load_net())
    elif what == "export":
        export(load_net())
    elif what == "golden":
        golden(load_net())
    else:
        raise SystemExit(f"unknown step '{what}'; one of all, train, eval, sample, export, golden, timing")


if __name__ == "__main__":
    main()
