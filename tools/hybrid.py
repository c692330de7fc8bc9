"""Hybrid ranking: retrieve from every source, score every candidate the same way, blend.

A request is turned into a `Request` first: the user's CF vector and scores,
the content vector, and the calibration of each component (tools/normalize.py).
All of it depends on (profile, query, seed items) only, never on which items
end up as candidates. Scoring an item is then a pure function of the request
and the item, which is why `score_item` (and so `explain`) reproduces the
breakdown an item had in a list, to the last bit:

    score = sum_k w_k * z_k  +  sum of adjustments        (tools/scoring.py)

with w the user's blend weights renormalized over the available components,
and z_k each component's normalized score. Each source is a small retriever
(tools/retrievers.py) that returns its candidates and scores any item: the
content k-NN (request vector, and the bare query), the collaborative factor
space and neighbour scores, and the popularity prior's top items. Candidates
are their union; w are the catalog's learned weights (tools/ranker.py) as
moved by the user's feedback. The ranked list comes from tools/ranking.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tools.adjustments import (
    AdjustmentScales,
    bias_terms,
    canonical_map,
    preference_terms,
    query_gate,
    watchlist_term,
)
from tools.catalog_state import CatalogState
from tools.collaborative import CFModel
from tools.normalize import CALIBRATION_DEPTH, Calibration
from tools.profile import COMPONENTS, Profile
from tools.retrievers import RETRIEVERS, ContentRetriever, Context
from tools.scoring import Adjustment, Breakdown, ComponentScore

Embed = Callable[[str], np.ndarray]


@dataclass(frozen=True)
class HybridConfig:
    depth: int = CALIBRATION_DEPTH  # k-NN over-fetch per retriever, and the calibration rank
    popular_candidates: int = 50
    query_share: float = 0.7  # content vector: the request's words vs the user's taste
    seed_share: float = 0.6  # taste: this request's seed items vs the whole history
    dislike_share: float = 0.3
    cf_dislike_weight: float = 0.5
    recency_tau: float = 20.0  # the n-th most recent like weighs exp(-n / tau)
    seed_weight: float = 1.0
    scales: AdjustmentScales = field(default_factory=AdjustmentScales)


@dataclass
class Request:
    profile: Profile
    query: str | None
    like_ids: tuple[str, ...]
    weights: dict[str, float]
    available: dict[str, bool]
    notes: list[str]
    known: set[str]
    content_vec: np.ndarray | None = None
    content_cal: Calibration | None = None
    query_vec: np.ndarray | None = None
    query_cal: Calibration | None = None
    cf: CFModel | None = None
    cf_user: np.ndarray | None = None
    cf_scores: np.ndarray | None = None
    cf_cal: Calibration | None = None
    liked_ids: list[str] = field(default_factory=list)
    affinities: dict[str, float] = field(default_factory=dict)
    soft: dict[str, float] = field(default_factory=dict)
    candidates: list[str] = field(default_factory=list)
    config: HybridConfig = field(default_factory=HybridConfig)


def user_item_weights(profile: Profile, like_ids: Sequence[str], use_history: bool,
                      config: HybridConfig) -> dict[str, float]:
    """Liked items weighted by recency (profile.liked is oldest first), seeds in full, dislikes < 0."""
    history = list(profile.liked.items()) if use_history else []
    n = len(history)
    weights = {i: float(s) * math.exp(-(n - 1 - k) / config.recency_tau)
               for k, (i, s) in enumerate(history) if s > 0}
    for seed in like_ids:
        weights[seed] = max(weights.get(seed, 0.0), config.seed_weight)
    if use_history:
        for d in profile.disliked:
            weights.setdefault(d, -config.cf_dislike_weight)
    return weights


def build_request(state: CatalogState, embed: Embed, profile: Profile, *, query: str | None,
                  like_ids: Sequence[str] = (), use_history: bool = True,
                  components: Sequence[str] = COMPONENTS, exclude_known: bool = True,
                  config: HybridConfig | None = None) -> Request:
    config = config or HybridConfig()
    seeds = tuple(dict.fromkeys(i for i in like_ids if i in state.items))
    weights_by_item = user_item_weights(profile, seeds, use_history, config)
    known = (set(profile.liked) | profile.disliked | profile.seen | set(seeds)) if exclude_known \
        else set(seeds)
    req = Request(profile=profile, query=query or None, like_ids=seeds, weights={},
                  available={}, notes=[], known=known,
                  liked_ids=[i for i, w in weights_by_item.items() if w > 0],
                  affinities=canonical_map(profile.affinities), soft=canonical_map(profile.soft),
                  config=config)
    ctx = Context(query=query or None, seeds=seeds, weights_by_item=weights_by_item,
                  disliked=frozenset(profile.disliked), use_history=use_history,
                  known=frozenset(known), embed=embed, config=config)
    candidates: dict[str, None] = {}
    for retriever in RETRIEVERS:
        if retriever.name in components:
            candidates.update(dict.fromkeys(retriever.retrieve(state, ctx, req)))
        elif isinstance(retriever, ContentRetriever):
            retriever.vectors(state, ctx, req)
    model = state.cf if "collaborative" in components else None
    req.available = {
        "collaborative": req.cf_scores is not None,
        "content": req.content_cal is not None,
        "popularity": "popularity" in components and state.popularity.available,
    }
    _weights_and_notes(req, state, components, model is not None)
    req.candidates = [i for i in candidates if i in state.items]
    return req


def _weights_and_notes(req: Request, state: CatalogState, components: Sequence[str],
                       has_model: bool) -> None:
    raw = {c: max(0.0, float(req.profile.weights.get(c, 0.0))) if req.available[c] else 0.0
           for c in COMPONENTS}
    total = sum(raw.values())
    if total <= 0:  # every available component has weight 0: fall back to equal shares
        raw = {c: 1.0 if req.available[c] else 0.0 for c in COMPONENTS}
        total = sum(raw.values())
    req.weights = {c: (v / total if total else 0.0) for c, v in raw.items()}
    used = [c for c in COMPONENTS if req.available[c]]
    missing: list[str] = []
    if "collaborative" in components and not req.available["collaborative"]:
        missing.append("no collaborative model yet" if not has_model and not state.catalog.has_cf
                       else "no liked films the collaborative model knows yet")
    if "content" in components and not req.available["content"]:
        missing.append("no request text and no liked films for content matching")
    if "popularity" in components and not req.available["popularity"]:
        missing.append("no popularity data in this catalog")
    if missing:
        ranked_by = " and ".join(used) if used else "catalog order (nothing to rank by yet)"
        req.notes.append(f"{'; '.join(missing)}; ranked by {ranked_by}")


@dataclass
class ScoreArrays:
    """Every candidate's component scores and preference terms, before any Breakdown exists.

    Ranking needs breakdowns only for the few items that can make the list, so it
    sorts on `approx_totals` and builds `breakdown(n)` for those; `score_items`
    builds them all. Both read the same numbers, so they cannot disagree.
    """

    ids: list[str]
    comp: dict[str, tuple[list[float], list[float]]]
    pop_z: list[float] | None
    q_raw: list[float] | None
    q_z: list[float] | None
    terms: list[list[Adjustment]]  # preference and bias terms per item

    def approx_totals(self, req: Request) -> np.ndarray:
        total = np.zeros(len(self.ids))
        for name, (_, z) in self.comp.items():
            total += req.weights[name] * np.asarray(z)
        total += np.array([sum(a.value for a in t) for t in self.terms])
        if self.q_z is not None and req.query:
            gate = -req.config.scales.query_gate * (1.0 - np.asarray(self.q_z))
            total += np.where(gate > -0.005, 0.0, gate)
        return total

    def breakdown(self, req: Request, n: int) -> Breakdown:
        b = Breakdown(notes=list(req.notes))
        for name in COMPONENTS:
            if name in self.comp:
                r, z = self.comp[name][0][n], self.comp[name][1][n]
                w = req.weights[name]
                b.components.append(ComponentScore(name, float(r), float(z), w, w * float(z)))
            else:
                b.components.append(ComponentScore(name, 0.0, 0.0, 0.0, 0.0, available=False))
        b.adjustments.extend(self.terms[n])
        if self.q_raw is not None and self.q_z is not None and req.query:
            gate = query_gate(req.query, self.q_z[n], self.q_raw[n], req.config.scales)
            if gate is not None:
                b.adjustments.append(gate)
        return b


def score_arrays(state: CatalogState, req: Request, ids: Sequence[str]) -> ScoreArrays:
    """Component scores of `ids`, computed identically for one item or thousands."""
    content = state.content
    rows = np.array([content.row[i] for i in ids], dtype=np.int64)
    comp: dict[str, tuple[list[float], list[float]]] = {}
    for retriever in RETRIEVERS:
        got = retriever.features(state, req, ids, rows)
        if got is not None:
            comp[retriever.name] = (got[0].tolist(), got[1].tolist())
    pop = state.popularity
    pop_z = pop.normalized([pop.counts.get(i, 0.0) for i in ids]) if pop.available else None
    q_raw = q_z = None
    if req.query and req.query_vec is not None and req.query_cal is not None:
        q_arr = content.similarity(rows, req.query_vec)
        q_raw, q_z = q_arr.tolist(), req.query_cal.many(q_arr).tolist()
    novelty = _novelty(state, req, rows) if req.profile.novelty_bias else None
    scales = req.config.scales
    terms: list[list[Adjustment]] = []
    for n, item_id in enumerate(ids):
        t = preference_terms(state.items[item_id], req.affinities, req.soft, scales)
        if item_id in req.profile.wanted:
            t.append(watchlist_term(scales))
        if req.profile.popularity_bias or req.profile.novelty_bias:
            t.extend(bias_terms(req.profile, pop_z[n] if pop_z is not None else None,
                                novelty[n] if novelty is not None else None, scales))
        terms.append(t)
    return ScoreArrays(list(ids), comp, pop_z, q_raw, q_z, terms)


def score_items(state: CatalogState, req: Request, ids: Sequence[str]) -> list[Breakdown]:
    """The breakdown of each item (what `score_item` and `explain` show)."""
    if not ids:
        return []
    arrays = score_arrays(state, req, ids)
    return [arrays.breakdown(req, n) for n in range(len(ids))]


def _novelty(state: CatalogState, req: Request, rows: np.ndarray) -> list[float] | None:
    """1 - the highest content similarity to a liked item: how unlike your favourites it is."""
    content = state.content
    liked = [v for v in (content.vector(i) for i in req.liked_ids) if v is not None]
    if not liked:
        return None
    best = np.max(np.stack([content.similarity(rows, v) for v in liked]), axis=0)
    return [min(1.0, max(0.0, 1.0 - float(s))) for s in best]
