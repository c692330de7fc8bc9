"""How fast the numpy MiniLM embeds: catalog throughput and single-query latency.

Throughput matters when a catalog is ingested; query latency is paid on every
recommendation. The pad-to-256 rows run the same texts the way a naive
implementation would, to show what padding each batch only to its own longest
text buys. Run: `.venv/bin/python -m bench.embedder_bench [--json]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from memory.embedder import MiniLMEmbedder

TARGET_TEXTS_PER_S = 250.0
_GENRES = ["thriller", "comedy", "drama", "science-fiction epic", "horror film", "romance",
           "documentary", "animated adventure", "western", "crime saga", "musical", "war film"]
_HEROES = ["a retired detective", "two estranged sisters", "a young astronaut",
           "a small-town baker", "an ambitious lawyer", "a grieving father", "a teenage hacker",
           "a washed-up boxer", "an undercover journalist", "a shy violinist"]
_PLACES = ["in 1970s New York", "on a remote Scottish island", "aboard a failing starship",
           "in post-war Tokyo", "across the Mexican desert", "inside a crumbling mansion",
           "in a near-future Lagos", "during a Parisian winter", "on the Mississippi"]
_PLOTS = ["uncovers a conspiracy that reaches the highest levels of power",
          "must confront a past they have spent decades trying to forget",
          "falls in love with the last person they expected",
          "races against time to stop a catastrophe nobody else believes in",
          "plans one final heist that goes spectacularly wrong",
          "befriends a mysterious stranger with a dangerous secret"]
_EXTRAS = ["The film is praised for its luminous cinematography and a haunting score.",
           "Critics called the lead performance fearless, funny and quietly devastating.",
           "Its pacing is deliberate, rewarding patient viewers with a shattering finale.",
           "Shot on location, it blends practical effects with a handful of striking set pieces.",
           "Based on a best-selling novel, the screenplay trims subplots but keeps the heart.",
           "Expect sharp dialogue, morally grey characters and an ending that divides audiences.",
           "It won awards at Cannes and Sundance before becoming a word-of-mouth hit."]


def catalog_texts(n: int = 512, seed: int = 7) -> list[str]:
    """Deterministic movie-like descriptions of 60-120 words, like a real catalog's."""
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        want = rng.randint(60, 120)
        words = (f"Movie {i}: a {rng.choice(_GENRES)} where {rng.choice(_HEROES)} "
                 f"{rng.choice(_PLACES)} {rng.choice(_PLOTS)}.").split()
        while len(words) < want:
            words += rng.choice(_EXTRAS).split()
        texts.append(" ".join(words[:want]).rstrip(".,:") + ".")
    return texts


def query_texts(n: int = 200, seed: int = 11) -> list[str]:
    """Distinct ~10-word requests, the shape of a chat turn's search query."""
    rng = random.Random(seed)
    moods = ["funny", "dark", "slow", "romantic", "scary", "uplifting", "weird", "tense"]
    return [f"something {rng.choice(moods)} like a {rng.choice(_GENRES)} {rng.choice(_PLACES)}"
            for _ in range(n)]


def _busy_cpu_s() -> float | None:
    """CPU-seconds all processes have been busy (Linux); None where /proc is missing."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def measure(n_texts: int = 512, batch_sizes: tuple[int, ...] = (16, 32, 64),
            n_queries: int = 200, cache_dir: Path | None = None,
            repeat: int = 1) -> dict[str, Any]:
    """Best of `repeat` runs per row: on shared cores the minimum is the honest number."""
    busy0, mine0, wall0 = _busy_cpu_s(), _own_cpu_s(), time.perf_counter()
    emb = MiniLMEmbedder(cache_dir=cache_dir)
    t0 = time.perf_counter()
    model = emb.model  # verify + load, outside the timed runs
    load_s = time.perf_counter() - t0
    texts = catalog_texts(n_texts)
    lengths = [len(ids) for ids in model.tokenize(texts)]
    model.encode(texts[:16])  # warm-up: first-touch page faults, BLAS thread start
    rows: list[dict[str, Any]] = []
    for bs in batch_sizes:
        for padding, pad_to in (("longest", None), ("256", 256)):
            dt = float("inf")
            for _ in range(repeat):
                t0 = time.perf_counter()
                model.encode(texts, batch_size=bs, pad_to=pad_to)
                dt = min(dt, time.perf_counter() - t0)
            rows.append({"batch_size": bs, "padding": padding, "seconds": round(dt, 3),
                         "texts_per_s": round(len(texts) / dt, 1)})
    latencies = []
    for q in query_texts(n_queries):
        t0 = time.perf_counter()
        emb.embed_one(q)
        latencies.append((time.perf_counter() - t0) * 1000)
    best = max(float(r["texts_per_s"]) for r in rows if r["padding"] == "longest")
    busy1, wall = _busy_cpu_s(), time.perf_counter() - wall0
    # Share of the machine other processes used meanwhile: they skew every number here.
    others = (None if busy0 is None or busy1 is None else max(
        0.0, (busy1 - busy0) - (_own_cpu_s() - mine0)) / (wall * (os.cpu_count() or 1)))
    return {
        "model": emb.name, "cpus": os.cpu_count(), "load_s": round(load_s, 3),
        "other_processes_cpu_share": None if others is None else round(others, 3),
        "texts": len(texts), "mean_tokens": round(float(np.mean(lengths)), 1),
        "max_tokens": max(lengths), "throughput": rows,
        "query_ms": {"n": n_queries, "p50": round(float(np.percentile(latencies, 50)), 2),
                     "p95": round(float(np.percentile(latencies, 95)), 2)},
        "target_texts_per_s": TARGET_TEXTS_PER_S, "target_met": best >= TARGET_TEXTS_PER_S,
    }


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def render(r: dict[str, Any]) -> str:
    lines = [f"{r['model']}: {r['texts']} catalog texts, mean {r['mean_tokens']} tokens "
             f"(max {r['max_tokens']}), {r['cpus']} CPUs, load+verify {r['load_s']:.2f}s",
             "", f"{'batch':>5}  {'pad to':>8}  {'texts/s':>8}  {'seconds':>8}"]
    for row in r["throughput"]:
        lines.append(f"{row['batch_size']:>5}  {row['padding']:>8}  "
                     f"{row['texts_per_s']:>8.1f}  {row['seconds']:>8.2f}")
    q = r["query_ms"]
    verdict = "met" if r["target_met"] else "MISSED"
    other = r["other_processes_cpu_share"]
    share = "unknown" if other is None else f"{other:.0%}" + (" (numbers skewed)" if other > 0.1 else "")
    lines += ["", f"single query ({q['n']}x): p50 {q['p50']:.2f} ms, p95 {q['p95']:.2f} ms",
              f"target {r['target_texts_per_s']:.0f} texts/s: {verdict}",
              f"CPU share used by other processes during the run: {share}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--texts", type=int, default=512, help="catalog texts (default 512)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per row")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where to keep the weights' verification stamp")
    args = parser.parse_args(argv)
    result = measure(args.texts, tuple(args.batch_sizes), args.queries, args.cache_dir,
                     args.repeat)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
