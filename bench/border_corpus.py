#!/usr/bin/env python3
"""Writes a border-region corpus for the event-extraction throughput of `make bench`: the
sample articles' bodies and the seed articles, repeated 20 times, as JSONL on stdout.

GeoWebNews is world news and yields few events in the border region, so its figure is
mostly geoparsing; these articles report several events each and exercise the extractor.

Usage: border_corpus.py [SHARED_EVAL_DIR]   (default ../shared/eval)
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent
shared = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root.parent / "shared/eval")
records = []
for path in sorted((root / "examples/articles").glob("*.txt")):
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    published = next((line.split(":", 1)[1].strip() for line in header.splitlines()
                      if line.startswith("Published:")), None)
    records.append({"id": path.stem, "text": body, "published": published})
for gold in sorted((shared / "seeds").glob("*.json")):
    published = json.loads(gold.read_text(encoding="utf-8")).get("published")
    records.append({"id": gold.stem, "text": gold.with_suffix(".txt").read_text(encoding="utf-8"),
                    "published": published})
for round_ in range(20):
    for record in records:
        print(json.dumps({**record, "id": f"{record['id']}#{round_}"}, ensure_ascii=False))
