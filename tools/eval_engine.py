"""Our systems in the MovieLens benchmark, run through the real Engine on a real Chroma catalog.

Two phases over one temporary data dir:
1. validation: the catalog holds the validation-train interactions; the
   collaborative settings (co-visitation strength and decay, recency, weight of
   dislikes), the hybrid's blend weights and the MMR lambda are chosen by
   NDCG@10 on the validation users' held-out positives;
2. test: the same items with the full training interactions, the model is
   retrained with the chosen settings, and each user is ranked by
   `Engine.recommend` exactly as in the app (profile = training history).

Tuning the blend reuses each candidate's breakdown (`score_items`) and re-weights
its normalized component scores, which is the engine's own formula; the MMR
lambda is then tuned with full `Engine.recommend` calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from memory.bootstrap import Memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import Parsed
from memory.items import Interaction, Item
from tools.baselines import grid
from tools.collaborative import CFConfig, CFModel, TrainingData
from tools.engine import Engine
from tools.hybrid import HybridConfig, score_items, user_item_weights
from tools.metrics import ndcg_at_k
from tools.neighbours import build_neighbours, ease_block
from tools.profile import COMPONENTS, Profile

CATALOG = "movielens-eval"
Say = Callable[[str], None]
CF_GRID = {"seq_weight": [0.0, 0.5, 1.0], "seq_decay": [20.0, 50.0]}
USER_GRID = {"recency_tau": [20.0, 1e9], "cf_dislike_weight": [0.0, 0.5]}
DIVERSITY_GRID = [0.0, 0.1, 0.3]


def profiles(train: Sequence[Interaction], threshold: float = 4.0,
             dislike_below: float = 3.0) -> dict[str, Profile]:  # fmt: skip
    """Each user's profile from their training history: likes in time order, dislikes, seen."""
    out: dict[str, Profile] = {}
    for r in sorted(train, key=lambda r: (r.ts, r.item_id)):
        p = out.setdefault(r.user_id, Profile(user_id=r.user_id))
        p.seen.add(r.item_id)
        if r.value >= threshold:
            p.liked[r.item_id] = 1.0
        elif r.value < dislike_below:
            p.disliked.add(r.item_id)
    return out


def load_phase(memory: Memory, items: list[Item], train: list[Interaction]) -> None:
    """Point the eval catalog at these items and interactions (unchanged items are not re-embedded)."""
    parsed = Parsed(source="movielens-eval", items=items, interactions=train,
                    item_lines={i.id: n for n, i in enumerate(items, 1)})  # fmt: skip
    ingest(parsed, catalog=CATALOG, client=memory.client, store=memory.store,
           embedder=memory.embedder)  # fmt: skip
    memory.switch_catalog(CATALOG)


def tune_collaborative(train: list[Interaction], test: Mapping[str, Sequence[str]],
                       users: Sequence[str], base: CFConfig, k: int,
                       say: Say) -> tuple[CFConfig, HybridConfig, dict[str, Any]]:  # fmt: skip
    """Co-visitation, recency and dislike settings by validation NDCG@k of the CF score alone."""
    data = TrainingData.from_rows(train, base)
    ease = ease_block(data.positives, base.neighbours)
    profs = profiles(train)
    best: tuple[float, dict[str, Any]] = (-1.0, {})
    for nb in grid(CF_GRID):
        nb_cfg = replace(base.neighbours, **nb)
        model = CFModel(data.item_ids, np.zeros((len(data.item_ids), 1), np.float32),
                        build_neighbours(data.positives, data.sequences, nb_cfg, ease), base)  # fmt: skip
        for user_opts in grid(USER_GRID):
            hc = HybridConfig(**user_opts)
            total = 0.0
            for u in users:
                p = profs.get(u)
                if p is None:
                    continue
                s = model.scores(user_item_weights(p, (), True, hc), None)
                s[[model.row[i] for i in p.seen if i in model.row]] = -np.inf
                top = np.argsort(-s, kind="stable")[:k]
                total += ndcg_at_k([model.ids[j] for j in top], test[u], k)
            score = total / max(len(users), 1)
            if score > best[0]:
                best = (score, {**nb, **user_opts})
    say(f"collaborative tuned on validation: {best[1]} (NDCG@{k} {best[0]:.4f})")
    chosen = best[1]
    cf = replace(base, neighbours=replace(base.neighbours, seq_weight=chosen["seq_weight"],
                                          seq_decay=chosen["seq_decay"]))  # fmt: skip
    hybrid = HybridConfig(recency_tau=chosen["recency_tau"],
                          cf_dislike_weight=chosen["cf_dislike_weight"])  # fmt: skip
    return cf, hybrid, {**chosen, "val_ndcg": best[0]}


def tune_weights(engine: Engine, profs: Mapping[str, Profile], test: Mapping[str, Sequence[str]],
                 users: Sequence[str], k: int, say: Say) -> tuple[dict[str, float], float]:  # fmt: skip
    """Blend weights on a 0.1 simplex grid, by validation NDCG@k, from each user's breakdowns."""
    state = engine.state
    cached = []
    for u in users:
        p = profs.get(u)
        if p is None:
            continue
        req = engine._request(state, p, None, ())
        ids = [i for i in req.candidates if i not in req.known]
        bds = score_items(state, req, ids)
        z = np.array([[c.normalized if c.available else 0.0 for c in b.components] for b in bds])
        adj = np.array([sum(a.value for a in b.adjustments) for b in bds])
        avail = np.array([req.available[c] for c in COMPONENTS], dtype=float)
        cached.append((u, ids, z.reshape(len(ids), len(COMPONENTS)), adj, avail))
    best: tuple[float, dict[str, float]] = (-1.0, {})
    steps = [round(0.1 * n, 1) for n in range(11)]
    for wc in steps:
        for wt in steps:
            wp = round(1.0 - wc - wt, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
            if wp < 0:
                continue
            w = np.array([wc, wt, wp])
            total = 0.0
            for u, ids, z, adj, avail in cached:
                eff = w * avail
                eff = eff / eff.sum() if eff.sum() > 0 else avail / max(avail.sum(), 1.0)
                s = z @ eff + adj
                top = np.argsort(-s, kind="stable")[:k]
                total += ndcg_at_k([ids[j] for j in top], test[u], k)
            score = total / max(len(users), 1)
            if score > best[0]:
                best = (score, dict(zip(COMPONENTS, (wc, wt, wp), strict=True)))
    say(f"blend weights tuned on validation: {best[1]} (NDCG@{k} {best[0]:.4f} before MMR)")
    return best[1], best[0]


def ranked_lists(engine: Engine, profs: Mapping[str, Profile], users: Sequence[str],
                 weights: Mapping[str, float], k: int, diversity: float) -> dict[str, list[str]]:  # fmt: skip
    out: dict[str, list[str]] = {}
    for u in users:
        p = profs.get(u) or Profile(user_id=u)
        p = replace(p, weights=dict(weights))
        out[u] = [r.item.id for r in engine.recommend(p, k=k, diversity=diversity).items]
    return out


def tune_diversity(engine: Engine, profs: Mapping[str, Profile], test: Mapping[str, Sequence[str]],
                   users: Sequence[str], weights: Mapping[str, float], k: int, say: Say) -> float:  # fmt: skip
    scores = {}
    for lam in DIVERSITY_GRID:
        lists = ranked_lists(engine, profs, users, weights, k, lam)
        scores[lam] = sum(ndcg_at_k(lists[u], test[u], k) for u in users) / max(len(users), 1)
    best = max(DIVERSITY_GRID, key=lambda lam: (scores[lam], -lam))
    say("MMR lambda on validation: " + ", ".join(f"{lam}: {s:.4f}" for lam, s in scores.items()))
    return best
