"""Would a bigger sentence encoder route better? Dense top-1 and encode latency, side by side.

    .venv/bin/python benchmarks/routing_encoders.py [--model DIR ...] [--routes R --labelled L]

Each model (a sentence-transformers directory read offline; default: the packaged
all-MiniLM-L6-v2 the router uses) encodes every route utterance and every labelled test
query of a set, both in PyTorch fp32 so that models are compared alike; a query's answer is
the route of its most similar utterance (the "nearest-utterance cosine" baseline of
routing_eval.py). Latency: one query per encode, one thread, p50 over 200 test queries.
No database: the route maps and the labelled set are read directly.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from routing_common import EVALSET, ROOT, machine

sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, action="append", help="repeatable")
    parser.add_argument("--routes", type=Path, default=EVALSET / "routes.json.gz")
    parser.add_argument("--labelled", type=Path, default=EVALSET / "labelled.json.gz")
    args = parser.parse_args()

    from apps.routing.encoders.local import model_path, offline_mode

    offline_mode()
    import torch
    from sentence_transformers import SentenceTransformer

    keys, texts, owner = [], [], []
    for route_map in json.loads(gzip.decompress(args.routes.read_bytes())):
        for route in route_map["routes"]:
            if route["utterances"]:
                keys.append((route_map["connector"], route["tool"]))
                texts += route["utterances"]
                owner += [len(keys) - 1] * len(route["utterances"])
    position = {key: i for i, key in enumerate(keys)}
    examples = json.loads(gzip.decompress(args.labelled.read_bytes()))["examples"]
    test = [
        ex for ex in examples if ex["split"] == "test" and (ex["connector"], ex["tool"]) in position
    ]
    gold = np.array([position[(ex["connector"], ex["tool"])] for ex in test])
    starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    print(f"machine: {machine()}")
    print(f"{len(keys)} routes, {len(texts)} utterances, {len(test)} labelled test queries")
    print("| model | dimensions | dense top-1 | dense top-5 | encode p50, 1 thread | corpus |")
    print("|---|---:|---:|---:|---:|---:|")
    for directory in args.model or [model_path()]:
        torch.set_num_threads(os.cpu_count() or 1)
        model = SentenceTransformer(str(directory), device="cpu")
        started = time.perf_counter()
        utterances = model.encode(texts, batch_size=64, normalize_embeddings=True)
        corpus_s = time.perf_counter() - started
        queries = model.encode([ex["query"] for ex in test], normalize_embeddings=True)
        per_route = np.maximum.reduceat(queries @ utterances.T, starts, axis=1)
        ranked = np.argsort(-per_route, axis=1)[:, :5]
        top1 = float((ranked[:, 0] == gold).mean())
        top5 = float((ranked == gold[:, None]).any(axis=1).mean())
        torch.set_num_threads(1)
        label = "/".join(Path(directory).parts[-2:])  # the packaged model's directory is "model"
        latencies = []
        for ex in test[:200]:
            started = time.perf_counter()
            model.encode([ex["query"]])
            latencies.append((time.perf_counter() - started) * 1000)
        print(
            f"| {label} | {utterances.shape[1]} | {100 * top1:.1f} % | "
            f"{100 * top5:.1f} % | {np.median(latencies):.2f} ms | {corpus_s:.0f} s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
