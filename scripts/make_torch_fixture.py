#!/usr/bin/env python3
"""Writes the PyTorch cross-check fixture for fksteer's safetensors loader.

Builds the reference walkthrough's Flow module (nn.Sequential of Linear/ELU layers on [t, x]) with a
small hidden width, saves its state_dict as safetensors (written by hand: the format is an 8-byte
little-endian header length, a JSON header, then raw little-endian tensors), and records PyTorch's
outputs on a few inputs. Run with Debian's python3-torch:

    /usr/bin/python3 scripts/make_torch_fixture.py src/test/resources/fixtures
"""
import json
import struct
import sys

import torch
from torch import nn


class Flow(nn.Module):
    def __init__(self, dim=2, h=16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim + 1, h), nn.ELU(),
            nn.Linear(h, h), nn.ELU(),
            nn.Linear(h, h), nn.ELU(),
            nn.Linear(h, dim))

    def forward(self, t, x_t):
        return self.net(torch.cat((t, x_t), -1))


def save_safetensors(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main(out_dir):
    torch.manual_seed(1234)
    flow = Flow()
    # push the weights away from the small default init so ELU's negative side is exercised
    with torch.no_grad():
        for p in flow.parameters():
            p.mul_(3.0)
    save_safetensors(f"{out_dir}/torch_flow.safetensors", flow.state_dict())
    t = torch.tensor([[0.0], [0.25], [0.5], [0.9], [1.0], [0.33]])
    x = torch.randn(6, 2) * 2
    with torch.no_grad():
        v = flow(t, x)
    with open(f"{out_dir}/torch_flow_outputs.json", "w") as f:
        json.dump({"torch": torch.__version__, "t": t[:, 0].tolist(), "x": x.tolist(), "v": v.tolist()}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
