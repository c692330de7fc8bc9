"""Ingest throughput end to end: items/s into a fresh catalog, fp32 and int8 MiniLM.

"End to end" is what `tastebud ingest` does after reading the file: embed every
item, write the Chroma collection, load the interactions into SQLite and flip
the catalog pointer. The onnx models are built (and int8 gated) before the clock
starts, as they are after a data dir's first use. Catalogs: MovieLens small
(short texts: title, genres, tags), ReDial's films (one-line plots) and the
Wikipedia films (plots up to 1,500 characters, the hard case). `--limit` keeps a
run short on shared cores; items/s is what the target is about.

Run: `.venv/bin/python -m bench.ingest_speed_bench [--limit 1000] [--json]`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.embedder_bench import other_cpu_share
from memory.bootstrap import open_memory
from memory.embedder import MiniLMEmbedder
from memory.ingest.pipeline import ingest
from memory.ingest.readers import Parsed, read_catalog
from memory.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"minilm-l6-v2": 80.0, "minilm-l6-v2-int8": 150.0}  # items/s, catalogs with plots


def shared() -> Path:
    return Path(os.environ.get("TASTEBUD_SHARED", ROOT.parent / "shared")) / "data"


def load(catalog: str, limit: int) -> Parsed:
    data = shared()
    if catalog == "movielens":
        parsed = read_catalog(data / "movielens-small", "movielens")
    elif catalog == "redial":
        parsed = read_catalog(data / "redial" / "movies.json", "redial")
    else:
        from bench.latency_bench import wikipedia_items

        parsed = Parsed(source="wikipedia")
        parsed.items = wikipedia_items(data / "wikipedia-movies")
    rng = np.random.default_rng(0)  # a spread of decades and lengths, not the first N
    keep = sorted(rng.choice(len(parsed.items), size=min(limit, len(parsed.items)),
                             replace=False))
    parsed.items = [parsed.items[i] for i in keep]
    ids = {i.id for i in parsed.items}
    parsed.interactions = [r for r in parsed.interactions if r.item_id in ids]
    parsed.errors = []
    return parsed


def measure(catalog: str, variant: str, limit: int, models: Path) -> dict[str, Any]:
    embedder = MiniLMEmbedder(cache_dir=models, variant=variant)  # type: ignore[arg-type]
    model = embedder.model  # built, gated and loaded outside the timed part
    parsed = load(catalog, limit)
    tokens = [len(t) for t in model.tokenize([i.embedding_text() for i in parsed.items])]
    with tempfile.TemporaryDirectory(prefix="tastebud-ingest-") as tmp:
        memory = open_memory(Settings(data_dir=Path(tmp), catalog=catalog), embedder=embedder)
        share = other_cpu_share()
        cpu0, t0 = time.process_time(), time.perf_counter()
        report = ingest(parsed, catalog=catalog, client=memory.client, store=memory.store,
                        embedder=embedder)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        others = share()
    return {"catalog": catalog, "embedder": embedder.name, "items": report.items,
            "interactions": report.interactions, "mean_tokens": round(float(np.mean(tokens)), 1),
            "seconds": round(wall, 2), "items_per_s": round(report.items / wall, 1),
            "items_per_cpu_s": round(report.items / cpu, 1),
            "other_processes_cpu_share": others}


def render(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'catalog':<10} {'embedder':<18} {'items':>6} {'tokens':>6} {'items/s':>8}"
             f" {'items/cpu-s':>11} {'others':>7}  target"]
    for r in rows:
        target = TARGETS.get(r["embedder"]) if r["catalog"] != "movielens" else None
        verdict = "" if target is None else (
            f"{target:.0f}: {'met' if r['items_per_s'] >= target else 'MISSED'}")
        share = r["other_processes_cpu_share"]
        lines.append(f"{r['catalog']:<10} {r['embedder']:<18} {r['items']:>6} {r['mean_tokens']:>6}"
                     f" {r['items_per_s']:>8.1f} {r['items_per_cpu_s']:>11.1f}"
                     f" {'?' if share is None else f'{share:.0%}':>7}  {verdict}")
    lines.append("others = share of the machine's CPU other processes used during the run;"
                 " items/cpu-s is this process's CPU time, less skewed by them.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=1000, help="items per catalog (default 1000)")
    parser.add_argument("--catalogs", nargs="+", default=["movielens", "redial", "wikipedia"],
                        choices=["movielens", "redial", "wikipedia"])
    parser.add_argument("--variants", nargs="+", default=["fp32", "int8"], choices=["fp32", "int8"])
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="cache for the onnx models (default: a scratch dir, built once)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not shared().exists():
        print(f"skipped: {shared()} is absent")
        return 0
    with tempfile.TemporaryDirectory(prefix="tastebud-models-") as scratch:
        models = args.models_dir or Path(scratch)
        rows = [measure(c, v, args.limit, models) for c in args.catalogs for v in args.variants]
    print(json.dumps(rows, indent=2) if args.json else render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
