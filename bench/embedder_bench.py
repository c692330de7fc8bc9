"""How fast MiniLM embeds: onnxruntime fp32 and int8 against the numpy reference.

Throughput matters when a catalog is ingested; query latency is paid on every
request with words in it. All three implementations run in one process on the
same texts, interleaved, best of `--repeat`: on shared cores the ratios are the
stable numbers, and texts per CPU-second is less skewed by other processes than
texts per second. Model build and load happen before the clock starts.
Run: `.venv/bin/python -m bench.embedder_bench [--json] [--texts 512] [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from memory.embedder import MiniLMEmbedder, locate_model_dir
from memory.minilm import MiniLM

TARGETS = {"onnx fp32": 100.0, "onnx int8": 200.0}  # texts/s on catalog texts, 2 cores
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


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def other_cpu_share() -> Callable[[], float | None]:
    """Start watching; the returned call gives the machine share other processes used since."""
    busy0, mine0, wall0 = _busy_cpu_s(), _own_cpu_s(), time.perf_counter()

    def done() -> float | None:
        busy1, wall = _busy_cpu_s(), time.perf_counter() - wall0
        if busy0 is None or busy1 is None or wall <= 0:
            return None
        others = max(0.0, (busy1 - busy0) - (_own_cpu_s() - mine0))
        return round(others / (wall * (os.cpu_count() or 1)), 3)

    return done


def _timed(encode: Callable[[Sequence[str]], Any], texts: list[str]) -> tuple[float, float]:
    cpu0, t0 = _own_cpu_s(), time.perf_counter()
    encode(texts)
    return time.perf_counter() - t0, _own_cpu_s() - cpu0


def measure(n_texts: int = 512, n_queries: int = 100, repeat: int = 3,
            models: Path | None = None) -> dict[str, Any]:
    share = other_cpu_share()
    texts = catalog_texts(n_texts)
    with tempfile.TemporaryDirectory(prefix="tastebud-models-") as scratch:
        cache = models or Path(scratch)
        loads: dict[str, float] = {}
        impls: dict[str, Any] = {}
        for label, variant in (("onnx fp32", "fp32"), ("onnx int8", "int8")):
            MiniLMEmbedder(cache_dir=cache, variant=variant).embed_one("build")  # type: ignore[arg-type]
            emb = MiniLMEmbedder(cache_dir=cache, variant=variant)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            impls[label] = emb.model  # a cached model: hash check, session, tokenizer
            loads[label] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        impls = {"numpy reference": MiniLM(locate_model_dir()), **impls}
        loads["numpy reference"] = round(time.perf_counter() - t0, 3)
        lengths = [len(i) for i in impls["onnx fp32"].tokenize(texts)]
        for model in impls.values():
            model.encode(texts[:16])  # warm-up: first-touch pages, thread pools
        best = {label: (float("inf"), float("inf")) for label in impls}
        for _ in range(repeat):  # interleaved, so a burst of load hits every row alike
            for label, model in impls.items():
                wall, cpu = _timed(model.encode, texts)
                best[label] = (min(best[label][0], wall), min(best[label][1], cpu))
        queries: dict[str, dict[str, float]] = {}
        for label in ("onnx fp32", "onnx int8"):
            lat = []
            for q in query_texts(n_queries):
                t0 = time.perf_counter()
                impls[label].encode([q])
                lat.append((time.perf_counter() - t0) * 1000)
            queries[label] = {"p50": round(float(np.percentile(lat, 50)), 2),
                              "p95": round(float(np.percentile(lat, 95)), 2)}
        threads = impls["onnx fp32"].session.get_session_options().intra_op_num_threads
    base_wall, base_cpu = best["numpy reference"]
    rows = [{"impl": label, "seconds": round(wall, 3), "texts_per_s": round(len(texts) / wall, 1),
             "texts_per_cpu_s": round(len(texts) / cpu, 1),
             "x_numpy_wall": round(base_wall / wall, 2), "x_numpy_cpu": round(base_cpu / cpu, 2),
             "load_s": loads[label], "query_ms": queries.get(label),
             "target": TARGETS.get(label)} for label, (wall, cpu) in best.items()]
    return {"texts": len(texts), "mean_tokens": round(float(np.mean(lengths)), 1),
            "max_tokens": max(lengths), "cpus": os.cpu_count(), "intra_op_threads": threads,
            "repeat": repeat, "rows": rows, "other_processes_cpu_share": share()}


def render(r: dict[str, Any]) -> str:
    lines = [f"{r['texts']} catalog texts, mean {r['mean_tokens']} tokens (max {r['max_tokens']}),"
             f" {r['cpus']} CPUs, onnx intra-op threads {r['intra_op_threads']},"
             f" best of {r['repeat']}", "",
             f"{'implementation':<16} {'texts/s':>8} {'x numpy':>8} {'texts/cpu-s':>11}"
             f" {'x numpy':>8} {'load s':>7} {'query p50/p95 ms':>17}  target"]
    for row in r["rows"]:
        q = row["query_ms"]
        query = f"{q['p50']:.1f}/{q['p95']:.1f}" if q else "-"
        target = row["target"]
        verdict = "" if target is None else (
            f"{target:.0f}: {'met' if row['texts_per_s'] >= target else 'MISSED'}")
        lines.append(f"{row['impl']:<16} {row['texts_per_s']:>8.1f} {row['x_numpy_wall']:>8.2f}"
                     f" {row['texts_per_cpu_s']:>11.1f} {row['x_numpy_cpu']:>8.2f}"
                     f" {row['load_s']:>7.2f} {query:>17}  {verdict}")
    other = r["other_processes_cpu_share"]
    share = "unknown" if other is None else f"{other:.0%}" + (" (numbers skewed)" if other > 0.1 else "")
    lines += ["", f"CPU share used by other processes during the run: {share}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--texts", type=int, default=512, help="catalog texts (default 512)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per row")
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="cache for the onnx models (default: a scratch dir, built once)")
    args = parser.parse_args(argv)
    result = measure(args.texts, args.queries, args.repeat, args.models_dir)
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
