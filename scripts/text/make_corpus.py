#!/usr/bin/env python3
"""Builds fksteer's text corpus from Debian's `fortunes` package (the inoffensive fortune files).

Usage (once; the result is committed):
    apt-get download fortunes          # fortunes_1%3a1.99.1-7.3_all.deb
    dpkg-deb -x fortunes_*.deb fortunes-deb
    python3 scripts/text/make_corpus.py fortunes-deb/usr/share/games/fortunes data/text

What it keeps: every quotation of every plain file in the folder (links and .dat indexes skipped), except the
files in EXCLUDED; whitespace runs (newlines, tabs) become one space; quotations that then hold a
character outside printable ASCII (0x20-0x7e) are dropped, as are those longer than MAX_CHARS.
Debian already keeps the offensive fortunes in a separate package (fortunes-off); EXCLUDED drops the
files of this package that still joke about ethnic groups and the sexes, and the ASCII art.

Split, by each quotation's position i in the sorted, de-duplicated list:
    i % 10 == 8  -> heldout-ngram.txt (fits the n-gram model of the perplexity reward and metric)
    i % 10 == 9  -> heldout-eval.txt  (real quotations' reference perplexity; never fitted on)
    otherwise    -> train.txt         (trains the masked diffusion model)
One quotation per line, UTF-8 (all ASCII). manifest.json records counts and SHA-256s.
"""
import hashlib
import json
import os
import re
import sys

MAX_CHARS = 128
EXCLUDED = {"ethnic", "men-women", "ascii-art", "art"}


def quotations(folder):
    out = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(".dat") or os.path.islink(path) or not os.path.isfile(path) or name in EXCLUDED:
            continue
        text = open(path, encoding="utf-8", errors="strict").read()
        for q in re.split(r"\n%\n", text):
            q = re.sub(r"\s+", " ", q).strip().rstrip("%").strip()
            if q and len(q) <= MAX_CHARS and all(0x20 <= ord(c) <= 0x7E for c in q):
                out.append(q)
    return sorted(set(out))


def main(src, dst):
    qs = quotations(src)
    parts = {"train.txt": [], "heldout-ngram.txt": [], "heldout-eval.txt": []}
    for i, q in enumerate(qs):
        parts["heldout-ngram.txt" if i % 10 == 8 else "heldout-eval.txt" if i % 10 == 9 else "train.txt"].append(q)
    os.makedirs(dst, exist_ok=True)
    manifest = {"source": "Debian package fortunes 1:1.99.1-7.3 (/usr/share/games/fortunes)",
                "excludedFiles": sorted(EXCLUDED), "maxChars": MAX_CHARS, "quotations": len(qs), "files": {}}
    for name, lines in parts.items():
        body = "".join(l + "\n" for l in lines).encode("ascii")
        with open(os.path.join(dst, name), "wb") as f:
            f.write(body)
        manifest["files"][name] = {"quotations": len(lines), "chars": sum(map(len, lines)),
                                   "sha256": hashlib.sha256(body).hexdigest()}
    with open(os.path.join(dst, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: make_corpus.py FORTUNES_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
