"""The MovieLens benchmark: what a user runs ("tastebud (shipped)") against real baselines.

Data: a MovieLens folder (ml-latest-small: movies.csv, ratings.csv, tags.csv).

Split (per user, in time order; ties broken by movie id): a rating >= 4.0 is a
positive. For a user with at least 5 positives, the last 20 % of their positives
(at least one; round-half-even of 0.2 x count) are the TEST set, and TRAIN is
everything the user rated before the first test positive; anything rated after
that point that is not a test positive is dropped. Users with fewer than 5
positives stay in TRAIN and are not evaluated. A VALIDATION split is carved
from TRAIN the same way for the baselines' hyper-parameters; each baseline is
refit on the full TRAIN and scored once on TEST.
Items' tag keywords exclude tags a user gave to one of their held-out films.

Systems: most-popular, ItemKNN (implicit CosineRecommender), ALS (implicit),
EASE (numpy closed form), and Tastebud as shipped: the catalog is ingested with
TRAIN only, `tastebud train` runs unchanged (it cuts its own validation split from
the catalog's interactions and learns the ranker there), and every test user's
list comes from the public facade (`Tastebud.recommend`) with default settings.
No setting is tuned inside this evaluator.
Metrics (bench/metrics.py): NDCG@10, Recall@10, Recall@50, coverage, mean popularity.
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from bench import baselines as bl
from bench.metrics import evaluate, ndcg_at_k
from memory.bootstrap import Memory, open_memory
from memory.embedder import Embedder
from memory.ingest.pipeline import ingest
from memory.ingest.readers import Parsed, read_catalog
from memory.items import Interaction, Item
from memory.settings import Settings
from tools.engine import Engine
from tools.service import Tastebud
from tools.splits import Split, temporal_split

K_LARGE = 50
CATALOG = "movielens-eval"
SHIPPED = "tastebud (shipped)"
BASELINE_GRIDS: list[tuple[Callable[..., bl.Scorer], dict[str, list[Any]]]] = [
    (bl.MostPopular, {}),
    (bl.ItemKNN, {"K": [20, 50, 100, 200]}),
    (bl.ALS, {"factors": [32, 64, 128], "regularization": [0.05, 0.5], "alpha": [1.0, 5.0]}),
    (bl.EASE, {"lam": [100.0, 200.0, 400.0, 800.0]}),
]


def prepare_items(items: Sequence[Item], data_dir: Path, held: set[tuple[str, str]],
                  top_tags: int = 8) -> list[Item]:
    """No popularity field (it counts every rating) and tags without held-out (user, film) pairs."""
    tags: dict[str, Counter[str]] = defaultdict(Counter)
    path = data_dir / "tags.csv"
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if (f"ml-{row['userId']}", row["movieId"]) not in held:
                    tags[row["movieId"]][row["tag"].strip().lower()] += 1
    return [i.model_copy(update={"popularity": None,
                                 "keywords": tuple(t for t, _ in tags[i.id].most_common(top_tags))})
            for i in items]


def _sample(users: Iterable[str], n: int | None, seed: int) -> list[str]:
    pool = sorted(users)
    return pool if n is None or n >= len(pool) else sorted(random.Random(seed).sample(pool, n))


def _tune_baseline(factory: Callable[..., bl.Scorer], options: dict[str, list[Any]],
                   data: bl.MatrixData, split: Split, users: list[str], k: int):  # type: ignore[no-untyped-def]
    best: tuple[float, dict[str, Any]] = (-1.0, {})
    for params in bl.grid(options):
        model = factory(**params)
        model.fit(data)
        lists = bl.recommend_all(model, data, users, k)
        score = sum(ndcg_at_k(lists[u], split.test[u], k) for u in users) / max(len(users), 1)
        if score > best[0]:
            best = (score, params)
    return best


def load_phase(memory: Memory, items: list[Item], train: list[Interaction]) -> None:
    """Point the eval catalog at these items and interactions (unchanged items are not re-embedded)."""
    parsed = Parsed(source="movielens-eval", items=items, interactions=train,
                    item_lines={i.id: n for n, i in enumerate(items, 1)})
    ingest(parsed, catalog=CATALOG, client=memory.client, store=memory.store,
           embedder=memory.embedder)
    memory.switch_catalog(CATALOG)


def shipped_lists(svc: Tastebud, users: Sequence[str], k: int, run_id: str) -> dict[str, list[str]]:
    """Each user's list from the public facade with default settings (a fresh conversation each)."""
    return {u: [r.item.id for r in svc.recommend(u, k=k, thread_id=f"eval-{run_id}-{k}").items]
            for u in users}


def run(data_dir: Path, *, seed: int = 0, k: int = 10, users: int | None = None,
        embedder: Embedder | None = None, work_dir: Path | None = None,
        say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every system on one split; `users` samples that many test (and validation) users."""
    say = say or (lambda _msg: None)
    started = time.perf_counter()
    parsed = read_catalog(Path(data_dir), "movielens")
    split = temporal_split(parsed.interactions)
    val = temporal_split(split.train)
    held = {(u, i) for s in (split, val) for u, items in s.test.items() for i in items}
    items = prepare_items(parsed.items, Path(data_dir), held)
    item_ids = [i.id for i in items]
    test_users, val_users = _sample(split.test, users, seed), _sample(val.test, users, seed)
    say(f"{len(items)} items, {len(split.train)} training ratings, {len(test_users)} test users")
    test_data, val_data = bl.MatrixData.build(split.train, item_ids), \
        bl.MatrixData.build(val.train, item_ids)
    counts = dict(zip(item_ids, test_data.counts.tolist(), strict=True))
    systems: dict[str, dict[str, float]] = {}
    tuned: dict[str, Any] = {}
    for factory, options in BASELINE_GRIDS:
        val_score, params = _tune_baseline(factory, options, val_data, val, val_users, k)
        model = factory(**params)
        model.fit(test_data)
        lists = bl.recommend_all(model, test_data, test_users, K_LARGE)
        systems[model.name] = evaluate(lists, {u: split.test[u] for u in test_users}, counts,
                                       len(items), k, K_LARGE)
        tuned[model.name] = {**params, "val_ndcg": round(val_score, 4)}
        say(f"{model.name}: {params} -> test NDCG@{k} {systems[model.name][f'ndcg@{k}']:.4f}")

    with tempfile.TemporaryDirectory(prefix="tastebud-eval-") as tmp:
        work = Path(work_dir) if work_dir is not None else Path(tmp)
        memory = open_memory(Settings(data_dir=work, catalog=CATALOG, user="bench"), embedder)
        load_phase(memory, items, split.train)  # the catalog holds the training split only
        engine = Engine(memory)
        report = engine.train()  # exactly `tastebud train`: its own validation split, its own search
        say(f"tastebud train: {report}")
        tuned["tastebud (shipped)"] = {k: v for k, v in (report.ranker or {}).items() if k != "search"}
        svc = Tastebud(memory, engine=engine)
        test = {u: split.test[u] for u in test_users}
        run_id = f"{time.time():.0f}"
        long = shipped_lists(svc, test_users, K_LARGE, run_id)
        short = shipped_lists(svc, test_users, k, run_id) if engine.diversity > 0 else long
        systems[SHIPPED] = evaluate(short, test, counts, len(items), k, K_LARGE, long)
        say(f"{SHIPPED}: test NDCG@{k} {systems[SHIPPED][f'ndcg@{k}']:.4f}")
        memory.store.close()

    baseline_names = [m for m in ("most-popular", "ItemKNN", "ALS", "EASE") if m in systems]
    best = max(baseline_names, key=lambda m: systems[m][f"ndcg@{k}"])
    hybrid = systems[SHIPPED]
    ratio = hybrid[f"ndcg@{k}"] / max(systems[best][f"ndcg@{k}"], 1e-12)
    return {
        "k": k, "seed": seed, "systems": systems, "tuned": tuned,
        "split": {"items": len(items), "train_interactions": len(split.train),
                  "test_users": len(test_users), "test_positives": sum(len(v) for v in test.values()),
                  "validation_users": len(val_users)},
        "target": {"best_baseline": best, "ndcg_ratio": ratio, "ndcg_ok": ratio >= 1.05,
                   "popularity_ok": hybrid["mean_popularity"]
                   < systems["most-popular"]["mean_popularity"]},
        "seconds": time.perf_counter() - started,
    }


def format_table(result: dict[str, Any]) -> str:
    k = result["k"]
    cols = [f"ndcg@{k}", f"recall@{k}", f"recall@{K_LARGE}", "coverage", "mean_popularity"]
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in result["systems"].items():
        cells = [f"{m[c]:.4f}" if c != "mean_popularity" else f"{m[c]:.1f}" for c in cols]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    t = result["target"]
    lines.append("")
    lines.append(f"shipped / best baseline ({t['best_baseline']}) NDCG@{k}: {t['ndcg_ratio']:.3f}"
                 f" (target >= 1.05: {'met' if t['ndcg_ok'] else 'NOT met'}); shipped mean popularity"
                 f" below most-popular's: {'yes' if t['popularity_ok'] else 'NO'}")
    s = result["split"]
    lines.append(f"{s['items']} items, {s['train_interactions']} training interactions,"
                 f" {s['test_users']} test users, {s['test_positives']} held-out positives;"
                 f" {result['seconds']:.0f}s")
    return "\n".join(lines)
