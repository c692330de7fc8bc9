"""Latency of a hybrid recommend, including the query's embedding, at three catalog sizes.

`python -m bench.latency_bench [--json]`:
- ~10k items: MovieLens ml-latest-small with its ratings (collaborative model trained);
- ~36k items: the Wikipedia movie plots (content only: no interactions, no popularity);
- 100k synthetic items: random unit vectors written straight into Chroma, random
  CF factors and popularity, so every component runs at that size.

Each request is `Engine.recommend(profile, query=..., k=10)` for a user with ten
liked films, a distinct query each time, with the engine's embedding and k-NN
caches cleared so every request embeds its query and asks Chroma afresh. The
same process also times a plain Chroma k-NN query (10 results) on the same
collection; the table reports both and their p95 ratio. It also times title
resolution (`Engine.resolve`) of catalog titles typed carelessly: no leading
"the", two letters swapped. Built data dirs are
cached under bench/results/cache/ (git-ignored): the first run embeds 46k texts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CACHE = ROOT / "bench" / "results" / "cache" / "latency"
QUERIES = [
    "slow-burn space horror", "funny heist with a great cast", "romantic comedy in paris",
    "gritty crime thriller", "animated family adventure", "war drama about brothers",
    "mind-bending science fiction", "western with a lone gunslinger", "feel-good sports movie",
    "haunted house ghost story", "coming of age summer", "political conspiracy thriller",
    "musical with big dance numbers", "dark fantasy with dragons", "courtroom drama",
    "detective mystery in london", "survival in the wilderness", "time travel paradox",
    "martial arts revenge", "biopic of a musician", "road trip comedy", "zombie apocalypse",
    "heartbreaking love story", "submarine war thriller", "superhero origin story",
]
Say = Callable[[str], None]


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1000.0
    return {"p50_ms": float(np.percentile(arr, 50)), "p95_ms": float(np.percentile(arr, 95)),
            "n": len(samples)}


def open_scale(name: str, settings_catalog: str) -> Any:
    from memory.bootstrap import open_memory
    from memory.settings import Settings

    return open_memory(Settings(data_dir=CACHE / name, catalog=settings_catalog))


def build_movielens(say: Say) -> Any:
    from memory.ingest.pipeline import ingest
    from memory.ingest.readers import read_catalog

    memory = open_scale("movielens", "movielens")
    if not memory.catalog.exists:
        say("ingesting MovieLens (~10k films) with MiniLM; cached for later runs")
        parsed = read_catalog(SHARED / "movielens-small", "movielens")
        ingest(parsed, catalog="movielens", client=memory.client, store=memory.store,
               embedder=memory.embedder, skip_invalid=True)
        memory.catalog.refresh()
    return memory


def wikipedia_items(folder: Path) -> list[Any]:
    from memory.ingest.rows import slugify
    from memory.items import Item

    items, used = [], set()
    for path in sorted(folder.glob("movies-*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            if not row.get("title"):
                continue
            base = f"wiki-{slugify(row['title'])}-{row.get('year') or 'na'}"
            item_id, n = base, 1
            while item_id in used:
                n += 1
                item_id = f"{base}-{n}"
            used.add(item_id)
            year = row.get("year") if isinstance(row.get("year"), int) else None
            items.append(Item(id=item_id, title=row["title"], year=year,
                              genres=tuple(row.get("genres") or ()), cast=tuple(row.get("cast") or ())[:6],
                              description=str(row.get("extract") or "")[:1500]))
    return items


def build_wikipedia(say: Say) -> Any:
    from memory.ingest.pipeline import ingest
    from memory.ingest.readers import Parsed

    memory = open_scale("wikipedia", "wikipedia")
    if not memory.catalog.exists:
        items = wikipedia_items(SHARED / "wikipedia-movies")
        say(f"ingesting {len(items)} Wikipedia films with MiniLM (minutes, once; cached)")
        parsed = Parsed(source="wikipedia", items=items,
                        item_lines={i.id: n for n, i in enumerate(items, 1)})
        ingest(parsed, catalog="wikipedia", client=memory.client, store=memory.store,
               embedder=memory.embedder,
               progress=lambda d, t: say(f"  embedded {d}/{t}") if d % 5120 == 0 else None)
        memory.catalog.refresh()
    return memory


def build_synthetic(n: int, say: Say, seed: int = 0) -> Any:
    from memory.catalog import add_in_batches, collection_name
    from memory.items import GENRES, Item
    from memory.store import CatalogRecord, Store

    memory = open_scale(f"synthetic-{n}", "synthetic")
    if memory.catalog.exists:
        return memory
    say(f"writing {n} random unit vectors straight into Chroma")
    rng = np.random.default_rng(seed)
    vecs = rng.standard_normal((n, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    items = [Item(id=f"syn-{i}", title=f"Synthetic Film {i}", year=int(1930 + i % 95),
                  genres=(GENRES[i % len(GENRES)],), popularity=float(rng.zipf(1.6) % 5000))
             for i in range(n)]
    name = collection_name("synthetic", "content", 1)
    col = memory.client.create_collection(name, embedding_function=None,
                                          configuration={"hnsw": {"space": "cosine"}})
    add_in_batches(col, [i.id for i in items], vecs, [{"json": i.to_json()} for i in items], None,
                   memory.client.get_max_batch_size())
    with memory.store.transaction() as conn:
        Store.put_catalog_record(conn, CatalogRecord("synthetic", name, None, "random-384", n,
                                                     "synthetic", time.time()))
    memory.catalog.refresh()
    factors = rng.standard_normal((n, 64)).astype(np.float32) * 0.1
    memory.catalog.write_cf_factors([i.id for i in items], factors, space="ip")
    return memory


def measure(memory: Any, label: str, say: Say, requests: int, train: bool) -> dict[str, Any]:
    from tools.engine import Engine
    from tools.profile import Profile

    engine = Engine(memory)
    if train:
        engine.ensure_trained()
    started = time.perf_counter()
    state = engine.state
    ids = sorted(state.items)
    rng = np.random.default_rng(1)
    liked = {ids[j]: 1.0 for j in rng.choice(len(ids), 10, replace=False)}
    profile = Profile("bench", liked=liked)
    engine.recommend(profile, query="warm up", k=10)
    first = time.perf_counter() - started
    hybrid, embed_only, knn = [], [], []
    for n in range(requests):
        query = f"{QUERIES[n % len(QUERIES)]} {n // len(QUERIES) or ''}".strip()
        engine.clear_caches()
        t0 = time.perf_counter()
        result = engine.recommend(profile, query=query, k=10)
        hybrid.append(time.perf_counter() - t0)
        assert len(result.items) == 10
        t0 = time.perf_counter()
        vec = memory.embedder.embed([query + " again"])[0]
        embed_only.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        memory.catalog.content_query(vec, 10)
        knn.append(time.perf_counter() - t0)
    started = time.perf_counter()
    engine.resolve("warm up")  # builds the title index once per catalog version
    index_s = time.perf_counter() - started
    resolves = []
    for j in rng.choice(len(ids), requests, replace=False):
        title = _typo(state.items[ids[j]].title.lower(), rng)
        t0 = time.perf_counter()
        engine.resolve(title)
        resolves.append(time.perf_counter() - t0)
    out = {"scale": label, "items": len(ids), "first_request_s": first,
           "resolve": percentiles(resolves), "title_index_s": index_s,
           "hybrid": percentiles(hybrid), "embed": percentiles(embed_only),
           "chroma_knn": percentiles(knn),
           "components": [c.name for c in result.items[0].breakdown.components if c.available]}
    out["ratio_p95"] = out["hybrid"]["p95_ms"] / max(out["chroma_knn"]["p95_ms"], 1e-9)
    say(f"{label}: hybrid p50 {out['hybrid']['p50_ms']:.1f} ms, p95 {out['hybrid']['p95_ms']:.1f} ms")
    return out


def _typo(title: str, rng: np.random.Generator) -> str:
    """What a person types: no leading "the", and two neighbouring letters swapped."""
    title = title.removeprefix("the ")
    if len(title) > 4:
        k = int(rng.integers(1, len(title) - 2))
        title = title[:k] + title[k + 1] + title[k] + title[k + 2 :]
    return title


def format_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| catalog | items | components | hybrid p50 / p95 (ms) | query embedding p50 (ms) |"
             " plain Chroma k-NN p50 / p95 (ms) | p95 ratio | first request (s) |"
             " title resolve p50 / p95 (ms) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['scale']} | {r['items']} | {', '.join(r['components'])} |"
                     f" {r['hybrid']['p50_ms']:.1f} / {r['hybrid']['p95_ms']:.1f} |"
                     f" {r['embed']['p50_ms']:.1f} | {r['chroma_knn']['p50_ms']:.1f} /"
                     f" {r['chroma_knn']['p95_ms']:.1f} | {r['ratio_p95']:.1f}x |"
                     f" {r['first_request_s']:.1f} | {r['resolve']['p50_ms']:.1f} /"
                     f" {r['resolve']['p95_ms']:.1f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="latency_bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true")
    p.add_argument("--requests", type=int, default=60)
    p.add_argument("--synthetic", type=int, default=100_000)
    p.add_argument("--only", choices=["movielens", "wikipedia", "synthetic"], action="append")
    p.add_argument("--out", type=Path, default=None, help="also write the JSON rows here")
    args = p.parse_args(argv)

    def say(msg: str) -> None:
        print(f"[latency] {msg}", file=sys.stderr, flush=True)

    wanted = args.only or ["movielens", "wikipedia", "synthetic"]
    rows = []
    if "movielens" in wanted and (SHARED / "movielens-small").exists():
        rows.append(measure(build_movielens(say), "MovieLens", say, args.requests, train=True))
    if "wikipedia" in wanted and (SHARED / "wikipedia-movies").exists():
        rows.append(measure(build_wikipedia(say), "Wikipedia", say, args.requests, train=False))
    if "synthetic" in wanted:
        rows.append(measure(build_synthetic(args.synthetic, say), "synthetic", say, args.requests,
                            train=False))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=2))
    print(json.dumps(rows, indent=2) if args.json else format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
