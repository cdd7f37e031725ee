"""Routing latency with the evaluation set's 4,984 routes, and worker start-up time.

    .venv/bin/python benchmarks/routing_latency.py [--queries 1000] [--starts 3]

1. Worker start: a fresh Python process (django.setup(), load the encoder, build the router
   from the database's persisted vectors, route one query), timed from process spawn to
   "ready", and how many texts it had to encode (0 when vectors are reused).
2. Per-query latency of ``Router.route`` on distinct test-split queries (each one a cache
   miss; encode included), wall time and the thread's CPU time (CPU time is what the
   process costs; wall time also includes waiting for a core on a shared machine), with
   the encode and scoring parts apart, and a repeated query (LRU cache hit).
3. Encode p50 for each local runtime: int8 ONNX (default), fp32 ONNX, PyTorch.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from routing_common import ROOT, dataset_arguments, machine, setup_django

WORKER = """
import json, os, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import django
django.setup()
t_django = time.perf_counter()
from apps.routing.encoders import get_encoder
encoder = get_encoder()
count = {{"texts": 0}}
inner_encode = encoder.inner.encode
def counted(texts):
    count["texts"] += len(texts)
    return inner_encode(texts)
encoder.inner.encode = counted
t_encoder = time.perf_counter()
from apps.routing.services import router_warm, router_get
router_warm()
t_ready = time.perf_counter()
print(json.dumps({{"django_s": t_django - t0, "encoder_s": t_encoder - t_django,
                  "router_s": t_ready - t_encoder, "in_process_s": t_ready - t0,
                  "encoded_texts": count["texts"] - 1, "routes": len(router_get().index)}}))
"""


def worker_start(db: Path) -> dict[str, float]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", WORKER.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    total = time.perf_counter() - started
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["spawn_to_ready_s"] = total
    return data


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    dataset_arguments(parser)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--runtimes", action="store_true", help="also time fp32 and torch")
    parser.add_argument(
        "--prior",
        action="store_true",
        help="each query from a simulated workspace (5 connectors, 2 used operations each)",
    )
    args = parser.parse_args()

    setup_django(args.db)
    from routing_common import load_routes

    from apps.routing.encoders.local import MiniLMEncoder
    from apps.routing.evaluation import load_examples
    from apps.routing.scenarios import workspace_priors
    from apps.routing.services import router_get

    load_routes(args.routes)
    router = router_get(force=True)  # encodes whatever is missing, once
    print(f"machine: {machine()}")
    print(
        f"routes: {len(router.index)}, utterance vectors: {len(router.index.utterances)}, "
        f"connectors: {len(router.index.connectors)}, encoder: {router.encoder.key}"
    )

    starts = [worker_start(args.db) for _ in range(args.starts)]
    best = min(starts, key=lambda s: s["spawn_to_ready_s"])
    print(
        f"worker start (fresh process, persisted vectors), {args.starts} runs: spawn->ready "
        f"{', '.join(format(s['spawn_to_ready_s'], '.2f') for s in starts)} s "
        f"(django {best['django_s']:.2f} s, encoder {best['encoder_s']:.2f} s, router "
        f"{best['router_s']:.2f} s); texts encoded at start: "
        f"{max(s['encoded_texts'] for s in starts)}"
    )

    queries = []
    seen = set()
    for ex in load_examples(args.labelled):
        if ex.query not in seen:
            seen.add(ex.query)
            queries.append(ex.query)
    queries = queries[: args.queries]
    priors = (
        workspace_priors(router.index, [-1] * len(queries), "connected", seed=2)
        if args.prior
        else [None] * len(queries)
    )
    for q in queries[:20]:
        router.route(q + " warm-up", use_llm=False)
    wall, cpu, enc_wall, score_wall = [], [], [], []
    inner = router.encoder.inner
    for q, prior in zip(queries, priors, strict=True):
        w0, c0 = time.perf_counter(), time.thread_time()
        router.route(q, use_llm=False, prior=prior)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        w1 = time.perf_counter()
        vector = inner.encode([q])[0]
        w2 = time.perf_counter()
        router.route(q, use_llm=False, vector=vector, prior=prior)
        enc_wall.append((w2 - w1) * 1000)
        score_wall.append((time.perf_counter() - w2) * 1000)
    hits = []
    for _ in range(200):
        w0 = time.perf_counter()
        router.route(queries[0], use_llm=False)
        hits.append((time.perf_counter() - w0) * 1000)
    print(
        f"route() over {len(queries)} distinct queries, encode included (ms): "
        f"wall p50 {pct(wall, 50):.2f} p95 {pct(wall, 95):.2f}; "
        f"CPU p50 {pct(cpu, 50):.2f} p95 {pct(cpu, 95):.2f}"
    )
    print(
        f"  parts (wall p50): encode {pct(enc_wall, 50):.2f} ms, scoring+decision "
        f"{pct(score_wall, 50):.2f} ms; repeated query (LRU hit) p50 {pct(hits, 50):.2f} ms"
    )

    if args.runtimes:
        sample = queries[:200]
        for runtime in ("onnx-int8", "onnx", "torch"):
            enc = MiniLMEncoder(runtime=runtime, threads=1)
            for q in sample[:10]:
                enc.encode([q])
            times = []
            for q in sample:
                w0 = time.perf_counter()
                enc.encode([q])
                times.append((time.perf_counter() - w0) * 1000)
            print(
                f"  encode p50, 1 thread, {runtime}: {pct(times, 50):.2f} ms "
                f"(p95 {pct(times, 95):.2f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
