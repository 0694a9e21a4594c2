#!/usr/bin/env python3
"""Prints borderwatch's geoparse throughput next to the spaCy peer's, measured in the same run.

Usage: ratio.py GEOPARSE_OUTPUT SPACY_JSON
GEOPARSE_OUTPUT is what `cargo bench -p extract --bench geoparse` printed (its last JSON line counts);
SPACY_JSON is the line `bench/spacy_peer.py` printed.
"""
import json
import sys


def last_json(path):
    lines = [line for line in open(path, encoding="utf-8") if line.strip().startswith("{")]
    if not lines:
        sys.exit(f"ratio.py: no JSON line in {path}")
    return json.loads(lines[-1])


ours, peer = last_json(sys.argv[1]), last_json(sys.argv[2])
print(f"{'system':<45} {'MB/s':>8} {'articles/s':>11}")
for row in (ours, peer):
    print(f"{row['system']:<45} {row['mb_per_s']:>8.3f} {row['docs_per_s']:>11.1f}")
print(f"ratio (borderwatch / spaCy, same text, same machine, one core each): {ours['mb_per_s'] / peer['mb_per_s']:.0f}x")
