"""Writes N distinct articles as JSONL for the ingest-rate figure of `make bench`.

Each record is one of the sample reports in examples/articles/ with a numbered line
appended, so that every record is a new article (a new content hash) with real text.
Usage: python3 bench/sample_batch.py N > articles.jsonl
"""

import json
import pathlib
import sys


def parse(path):
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
    return {"title": meta.get("Title"), "published": meta.get("Published"), "text": body.strip()}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    root = pathlib.Path(__file__).resolve().parent.parent / "examples" / "articles"
    samples = [parse(path) for path in sorted(root.glob("*.txt"))]
    for i in range(n):
        record = dict(samples[i % len(samples)])
        record["id"] = f"bench-{i}"
        record["text"] = f"{record['text']}\nReport {i}."
        print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
