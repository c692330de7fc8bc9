"""`tastebud train`: fit the catalog's collaborative model and its ranker on its own data.

1. A validation split is cut from the catalog's interactions by time
   (tools/splits.py: each user's last 20 % of positives held out). Nothing
   else is ever read: the evaluation benchmarks ingest only their training
   split, so training cannot see their test rows.
2. On the validation-train rows: the collaborative settings (ALS factors, the
   "liked next" co-visitation strength, the history's recency decay, the weight
   of dislikes) are chosen by NDCG@10 of the collaborative score alone.
3. With that model, each validation user's candidates are retrieved and scored
   exactly as a request does (hybrid.build_request / score_arrays), and the
   linear weights are fitted with the listwise softmax loss (tools/ranker.py).
4. The MMR lambda is chosen by NDCG@10 of the full ranking (ranking.rank).
5. The model is refitted on every interaction with the chosen settings and
   stored with the catalog version, the ranker next to it (memory/model_files.py).
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from memory.items import Interaction
from tools.catalog_state import CatalogState, Popularity
from tools.collaborative import (
    CFConfig,
    CFModel,
    FittedCF,
    TrainingData,
    TrainReport,
    fit_als,
    fit_cf,
    store_cf,
)
from tools.hybrid import HybridConfig, Request, build_request, score_arrays, user_item_weights
from tools.neighbours import build_neighbours, ease_block
from tools.profile import COMPONENTS, Profile
from tools.ranker import Group, RankerModel, fit_shortlisted
from tools.ranking import rank
from tools.splits import Split, add_history, temporal_split

Progress = Callable[[int, int], None]
K = 10
VAL_USERS = 300  # validation users sampled (seeded): enough to rank settings, quick to score
MIN_VAL_USERS = 5
FACTOR_GRID = (32, 64)
MIN_ITEMS_FOR_FACTOR_SEARCH = 1000  # below this the factors only retrieve; keep the default
SEQ_GRID = (0.0, 0.5, 1.0)
TAU_GRID = (10.0, 20.0, 50.0, 1e9)
DISLIKE_GRID = (0.0, 0.5)
DIVERSITY_GRID = (0.0, 0.1, 0.3)


def ndcg(ranked: Sequence[str], relevant: Sequence[str], k: int = K) -> float:
    rel = set(relevant)
    dcg = sum(1.0 / math.log2(n + 2) for n, i in enumerate(ranked[:k]) if i in rel)
    ideal = sum(1.0 / math.log2(n + 2) for n in range(min(k, len(rel))))
    return dcg / ideal if ideal else 0.0


@dataclass
class Validation:
    split: Split
    users: list[str]
    profiles: dict[str, Profile]
    implicit: bool

    @classmethod
    def cut(cls, rows: Sequence[Interaction], seed: int = 0, n_users: int = VAL_USERS) -> Validation:
        implicit = bool(rows) and all(r.value == 1.0 for r in rows)
        split = temporal_split(rows, implicit=implicit)
        users = sorted(split.test)
        if len(users) > n_users:
            users = sorted(random.Random(seed).sample(users, n_users))
        by_user: dict[str, list[Interaction]] = defaultdict(list)
        for r in split.train:
            by_user[r.user_id].append(r)
        profiles = {u: add_history(Profile(user_id=u), by_user[u], implicit) for u in users}
        return cls(split, users, profiles, implicit)

    def mean(self, lists: Mapping[str, Sequence[str]]) -> float:
        return sum(ndcg(lists[u], self.split.test[u]) for u in self.users) / max(len(self.users), 1)


def _cf_lists(model: CFModel, val: Validation, hc: HybridConfig, factors: bool) -> dict[str, list[str]]:
    out = {}
    for u in val.users:
        p = val.profiles[u]
        weights = user_item_weights(p, (), True, hc)
        s = model.scores(weights, None) if not factors else \
            (model.factors @ u_vec if (u_vec := model.fold_in(weights)) is not None
             else np.zeros(len(model.ids)))
        s = np.asarray(s, dtype=np.float64).copy()
        s[[model.row[i] for i in p.seen if i in model.row]] = -np.inf
        out[u] = [model.ids[j] for j in np.argsort(-s, kind="stable")[:K]]
    return out


def choose_cf(val: Validation, base: CFConfig,
              search: dict[str, Any]) -> tuple[FittedCF, HybridConfig]:
    """Collaborative settings by validation NDCG@10 of the collaborative score alone."""
    data = TrainingData.from_rows(val.split.train, base)
    ease = ease_block(data.positives, base.neighbours)
    empty = np.zeros((len(data.item_ids), 1), np.float32)
    best: tuple[float, Any, HybridConfig] = (-1.0, None, HybridConfig())
    tried = []
    for seq in SEQ_GRID:
        nb_cfg = replace(base.neighbours, seq_weight=seq)
        nbrs = build_neighbours(data.positives, data.sequences, nb_cfg, ease)
        model = CFModel(data.item_ids, empty, nbrs, base)
        for tau in TAU_GRID:
            for dis in DISLIKE_GRID:
                hc = HybridConfig(recency_tau=tau, cf_dislike_weight=dis)
                score = val.mean(_cf_lists(model, val, hc, factors=False))
                tried.append({"seq_weight": seq, "recency_tau": tau, "cf_dislike_weight": dis,
                              "ndcg": round(score, 4)})
                if score > best[0]:
                    best = (score, (nb_cfg, nbrs), hc)
    nb_cfg, nbrs = best[1]
    factor_scores, chosen_factors = {}, None
    grid = FACTOR_GRID if len(data.item_ids) >= MIN_ITEMS_FOR_FACTOR_SEARCH else (base.factors,)
    for f in grid:
        cfg = replace(base, factors=f, neighbours=nb_cfg)
        fac = fit_als(data, cfg)
        factor_scores[f] = val.mean(_cf_lists(CFModel(data.item_ids, fac, None, cfg), val,
                                              best[2], factors=True))
        if chosen_factors is None or factor_scores[f] > factor_scores[chosen_factors[0]]:
            chosen_factors = (f, fac)
    assert chosen_factors is not None
    cfg = replace(base, factors=chosen_factors[0], neighbours=nb_cfg)
    search["collaborative"] = tried
    search["factors"] = {str(f): round(s, 4) for f, s in factor_scores.items()}
    return FittedCF(data, chosen_factors[1], nbrs, cfg), best[2]


def _requests(state: CatalogState, val: Validation, hc: HybridConfig,
              weights: Mapping[str, float] | None = None) -> dict[str, Request]:
    def no_text(_text: str) -> np.ndarray:
        raise AssertionError("validation requests carry no query text")

    out = {}
    for u in val.users:
        p = val.profiles[u]
        if weights is not None:
            p = replace(p, weights=dict(weights))
        out[u] = build_request(state, no_text, p, query=None, config=hc)
    return out


def feature_groups(state: CatalogState, val: Validation, hc: HybridConfig) -> list[Group]:
    """Each validation user's candidates as rows of component scores, labelled by the held-out set."""
    groups = []
    for u, req in _requests(state, val, hc).items():
        ids = [i for i in req.candidates if i not in req.known]
        if not ids:
            continue
        arrays = score_arrays(state, req, ids)
        feats = np.zeros((len(ids), len(COMPONENTS)))
        for c, name in enumerate(COMPONENTS):
            if name in arrays.comp:
                feats[:, c] = arrays.comp[name][1]
        held = set(val.split.test[u])
        groups.append(Group(feats, np.array([i in held for i in ids]), len(held)))
    return groups


def choose_diversity(state: CatalogState, val: Validation, hc: HybridConfig,
                     weights: Mapping[str, float], search: dict[str, Any]) -> tuple[float, float]:
    reqs = _requests(state, val, hc, weights)
    scores = {}
    for lam in DIVERSITY_GRID:
        lists = {u: [r.item.id for r in rank(state, req, k=K, diversity=lam)[0]]
                 for u, req in reqs.items()}
        scores[lam] = val.mean(lists)
    best = max(DIVERSITY_GRID, key=lambda lam: (scores[lam], -lam))
    search["diversity"] = {str(lam): round(s, 4) for lam, s in scores.items()}
    return best, scores[best]


def learn_ranker(state: CatalogState, rows: Sequence[Interaction], base: CFConfig,
                 seed: int = 0) -> tuple[CFConfig, RankerModel]:
    """The settings and ranker for this catalog, from a validation split of `rows` only."""
    val = Validation.cut(rows, seed)
    if len(val.users) < MIN_VAL_USERS:
        return base, RankerModel(search={"skipped": f"{len(val.users)} validation users"
                                         f" (need {MIN_VAL_USERS})"})
    search: dict[str, Any] = {}
    fitted, hc = choose_cf(val, base, search)
    vstate = CatalogState.for_validation(state.catalog, state.store, fitted.model(),
                                         Popularity.from_rows(val.split.train, state.items))
    w, search["shortlists"] = fit_shortlisted(feature_groups(vstate, val, hc), seed=seed)
    weights = {c: float(x) for c, x in zip(COMPONENTS, w, strict=True)}
    lam, score = choose_diversity(vstate, val, hc, weights, search)
    return fitted.config, RankerModel(weights=weights, diversity=lam, recency_tau=hc.recency_tau,
                                      cf_dislike_weight=hc.cf_dislike_weight,
                                      val_ndcg=round(score, 4), val_users=len(val.users),
                                      search=search)


def train_catalog(state: CatalogState, base: CFConfig, models_dir: Path | None,
                  progress: Progress | None = None) -> TrainReport:
    """Learn the ranker on validation, refit the model on everything, store both."""
    started = time.perf_counter()
    step = progress or (lambda done, total: None)
    catalog = state.catalog
    report = TrainReport(catalog=catalog.name, factors=base.factors)
    step(0, 3)
    rows = [r for r in state.store.interactions(catalog.name) if r.item_id in state.items]
    cf_config, ranker = learn_ranker(state, rows, base)
    step(1, 3)
    fitted = fit_cf(rows, cf_config)
    if fitted is None:
        report.notes.append("no positive interactions in this catalog")
        return report
    data = fitted.data
    report.users, report.items, report.factors = data.users, len(data.item_ids), cf_config.factors
    report.positives, report.negatives = int(data.positives.nnz), int(data.negatives.nnz)
    report.neighbour_links = int(fitted.neighbours.nnz)
    step(2, 3)
    report.seconds = time.perf_counter() - started
    ranker = replace(ranker, trained_at=time.time(), train_seconds=round(report.seconds, 2))
    report.ranker = ranker.to_dict()
    popularity = Popularity.from_rows(rows, state.items).to_dict()
    content = state.content  # a copy of this content version, so a cold start skips Chroma
    meta = {"ranker": asdict(ranker), "popularity": popularity, "content_ids": content.ids,
            "content_collection": catalog.record.content_collection if catalog.record else None}
    report.collection = store_cf(catalog, fitted, models_dir, meta,
                                 {"content_vectors": content.vectors},
                                 {"items": [it.to_json() for it in state.items.values()]})
    step(3, 3)
    return report
