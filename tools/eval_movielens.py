"""The MovieLens benchmark: our collaborative, content and hybrid rankers against real baselines.

Data: a MovieLens folder (ml-latest-small: movies.csv, ratings.csv, tags.csv).

Split (per user, in time order; ties broken by movie id): a rating >= 4.0 is a
positive. For a user with at least 5 positives, the last 20 % of their positives
(at least one; round-half-even of 0.2 x count) are the TEST set, and TRAIN is
everything the user rated before the first test positive; anything rated after
that point that is not a test positive is dropped. Users with fewer than 5
positives stay in TRAIN and are not evaluated. A VALIDATION split is carved
from TRAIN the same way; every hyper-parameter (baselines' and ours) is chosen
on it, then each system is refit on the full TRAIN and scored once on TEST.
Items' tag keywords exclude tags a user gave to one of their held-out films.

Systems: most-popular, ItemKNN (implicit CosineRecommender), ALS (implicit),
EASE (numpy closed form), and ours through `tools.engine.Engine`: collaborative
alone, content alone (profile centroid of MiniLM item embeddings) and the hybrid.
Metrics (tools/metrics.py): NDCG@10, Recall@10, Recall@50, coverage, mean popularity.
"""

from __future__ import annotations

import csv
import random
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from memory.bootstrap import open_memory
from memory.embedder import Embedder
from memory.ingest.readers import read_catalog
from memory.items import Interaction, Item
from memory.settings import Settings
from tools import baselines as bl
from tools import eval_engine as ours
from tools.collaborative import CFConfig
from tools.engine import Engine
from tools.metrics import evaluate, ndcg_at_k

K_LARGE = 50
BASELINE_GRIDS: list[tuple[Callable[..., bl.Scorer], dict[str, list[Any]]]] = [
    (bl.MostPopular, {}),
    (bl.ItemKNN, {"K": [20, 50, 100, 200]}),
    (bl.ALS, {"factors": [32, 64, 128], "regularization": [0.05, 0.5], "alpha": [1.0, 5.0]}),
    (bl.EASE, {"lam": [100.0, 200.0, 400.0, 800.0]}),
]


@dataclass
class Split:
    train: list[Interaction]
    test: dict[str, list[str]]


def temporal_split(rows: Sequence[Interaction], *, frac: float = 0.2, threshold: float = 4.0,
                   min_positives: int = 5) -> Split:  # fmt: skip
    by_user: dict[str, list[Interaction]] = defaultdict(list)
    for r in rows:
        by_user[r.user_id].append(r)
    train: list[Interaction] = []
    test: dict[str, list[str]] = {}
    for user in sorted(by_user):
        events = sorted(by_user[user], key=lambda r: (r.ts, r.item_id))
        pos = [n for n, r in enumerate(events) if r.value >= threshold]
        if len(pos) < min_positives:
            train.extend(events)
            continue
        held = pos[len(pos) - max(1, round(frac * len(pos))):]
        test[user] = [events[n].item_id for n in held]
        train.extend(events[: held[0]])
    return Split(train, test)


def prepare_items(items: Sequence[Item], data_dir: Path, held: set[tuple[str, str]],
                  top_tags: int = 8) -> list[Item]:  # fmt: skip
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
            for i in items]  # fmt: skip


def _sample(users: Iterable[str], n: int | None, seed: int) -> list[str]:
    pool = sorted(users)
    return pool if n is None or n >= len(pool) else sorted(random.Random(seed).sample(pool, n))


def _tune_baseline(factory: Callable[..., bl.Scorer], options: dict[str, list[Any]],
                   data: bl.MatrixData, split: Split, users: list[str], k: int):  # type: ignore[no-untyped-def]  # fmt: skip
    best: tuple[float, dict[str, Any]] = (-1.0, {})
    for params in bl.grid(options):
        model = factory(**params)
        model.fit(data)
        lists = bl.recommend_all(model, data, users, k)
        score = sum(ndcg_at_k(lists[u], split.test[u], k) for u in users) / max(len(users), 1)
        if score > best[0]:
            best = (score, params)
    return best


def run(data_dir: Path, *, seed: int = 0, k: int = 10, users: int | None = None,
        embedder: Embedder | None = None, work_dir: Path | None = None,
        say: Callable[[str], None] | None = None) -> dict[str, Any]:  # fmt: skip
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
        bl.MatrixData.build(val.train, item_ids)  # fmt: skip
    counts = dict(zip(item_ids, test_data.counts.tolist(), strict=True))
    systems: dict[str, dict[str, float]] = {}
    tuned: dict[str, Any] = {}
    for factory, options in BASELINE_GRIDS:
        val_score, params = _tune_baseline(factory, options, val_data, val, val_users, k)
        model = factory(**params)
        model.fit(test_data)
        lists = bl.recommend_all(model, test_data, test_users, K_LARGE)
        systems[model.name] = evaluate(lists, {u: split.test[u] for u in test_users}, counts,
                                       len(items), k, K_LARGE)  # fmt: skip
        tuned[model.name] = {**params, "val_ndcg": round(val_score, 4)}
        say(f"{model.name}: {params} -> test NDCG@{k} {systems[model.name][f'ndcg@{k}']:.4f}")

    with tempfile.TemporaryDirectory(prefix="tastebud-eval-") as tmp:
        work = Path(work_dir) if work_dir is not None else Path(tmp)
        memory = open_memory(Settings(data_dir=work, catalog=ours.CATALOG), embedder)
        als = tuned["ALS"]
        base = CFConfig(factors=als["factors"], regularization=als["regularization"],
                        alpha=als["alpha"], seed=seed)  # fmt: skip
        base = replace(base, neighbours=replace(base.neighbours, ease_lambda=tuned["EASE"]["lam"]))
        ours.load_phase(memory, items, val.train)
        cf_cfg, hybrid_cfg, tuned["our collaborative"] = ours.tune_collaborative(
            val.train, val.test, val_users, base, k, say)
        engine = Engine(memory, config=hybrid_cfg, cf_config=cf_cfg)
        engine.train()
        val_profiles = ours.profiles(val.train)
        weights, val_ndcg = ours.tune_weights(engine, val_profiles, val.test, val_users, k, say)
        lam = ours.tune_diversity(engine, val_profiles, val.test, val_users, weights, k, say)
        tuned["our hybrid"] = {"weights": weights, "diversity": lam, "val_ndcg": round(val_ndcg, 4)}

        ours.load_phase(memory, items, split.train)
        engine.refresh()
        say(f"training on the full training split: {engine.train()}")
        profs = ours.profiles(split.train)
        test = {u: split.test[u] for u in test_users}
        for name, w, div in (("our collaborative", {"collaborative": 1.0}, 0.0),
                             ("our content", {"content": 1.0}, 0.0),
                             ("our hybrid", weights, lam)):  # fmt: skip
            long = ours.ranked_lists(engine, profs, test_users, w, K_LARGE, div)
            short = ours.ranked_lists(engine, profs, test_users, w, k, div) if div > 0 else long
            systems[name] = evaluate(short, test, counts, len(items), k, K_LARGE, long)
            say(f"{name}: test NDCG@{k} {systems[name][f'ndcg@{k}']:.4f}")
        memory.store.close()

    baseline_names = [m for m in ("most-popular", "ItemKNN", "ALS", "EASE") if m in systems]
    best = max(baseline_names, key=lambda m: systems[m][f"ndcg@{k}"])
    hybrid = systems["our hybrid"]
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
    }  # fmt: skip


def format_table(result: dict[str, Any]) -> str:
    k = result["k"]
    cols = [f"ndcg@{k}", f"recall@{k}", f"recall@{K_LARGE}", "coverage", "mean_popularity"]
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in result["systems"].items():
        cells = [f"{m[c]:.4f}" if c != "mean_popularity" else f"{m[c]:.1f}" for c in cols]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    t = result["target"]
    lines.append("")
    lines.append(f"hybrid / best baseline ({t['best_baseline']}) NDCG@{k}: {t['ndcg_ratio']:.3f}"
                 f" (target >= 1.05: {'met' if t['ndcg_ok'] else 'NOT met'}); hybrid mean popularity"
                 f" below most-popular's: {'yes' if t['popularity_ok'] else 'NO'}")  # fmt: skip
    s = result["split"]
    lines.append(f"{s['items']} items, {s['train_interactions']} training interactions,"
                 f" {s['test_users']} test users, {s['test_positives']} held-out positives;"
                 f" {result['seconds']:.0f}s")  # fmt: skip
    return "\n".join(lines)
