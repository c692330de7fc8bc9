"""One small retriever per source: candidates for a request, and the feature it scores items by.

In the spirit of lkpy's pipeline components, each source of evidence is its own
object with two steps:

- `retrieve(state, ctx, req)` reads the request context (the user's weighted
  history, seed items, words) and returns its candidates, best first. It also
  fixes on `req` whatever scoring needs later (vectors, calibrations, the
  user's score array), all of it a function of the request alone;
- `features(state, req, ids, rows)` gives the raw and the calibrated [0, 1]
  score of any items, so one item scored alone (explain) gets exactly the
  numbers it had among thousands (recommend).

The hybrid (tools/hybrid.py) unions the candidates and the ranker's learned
weights combine the features linearly (tools/ranker.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from tools.catalog_state import CatalogState
from tools.content import blend_vectors
from tools.normalize import Calibration, calibrate_array

if TYPE_CHECKING:
    from tools.hybrid import HybridConfig, Request

Embed = Callable[[str], np.ndarray]
Features = tuple[np.ndarray, np.ndarray]  # raw scores, calibrated scores


@dataclass(frozen=True)
class Context:
    """What every retriever may read about a request."""

    query: str | None
    seeds: tuple[str, ...]
    weights_by_item: Mapping[str, float]  # recency-weighted likes (> 0) and dislikes (< 0)
    disliked: frozenset[str]
    use_history: bool
    known: frozenset[str]  # excluded from every retriever's answer
    embed: Embed
    config: HybridConfig

    @property
    def depth(self) -> int:
        return self.config.depth

    @property
    def fetch(self) -> int:
        """k-NN over-fetch: known items are dropped from the answer afterwards."""
        return self.depth + min(len(self.known), 4 * self.depth)


class Retriever(Protocol):
    name: str

    def retrieve(self, state: CatalogState, ctx: Context, req: Request) -> list[str]: ...

    def features(self, state: CatalogState, req: Request, ids: Sequence[str],
                 rows: np.ndarray) -> Features | None: ...


class ContentRetriever:
    """Items whose text is near the request's words, the user's taste, or a blend of both."""

    name = "content"

    def vectors(self, state: CatalogState, ctx: Context, req: Request) -> np.ndarray | None:
        """The request's vectors (its words; its words blended with the taste); returns the taste.

        Computed even when content does not rank (the query gate still reads them).
        """
        content, cfg = state.content, ctx.config
        if ctx.query:
            req.query_vec = np.asarray(ctx.embed(ctx.query), dtype=np.float32)
        hist = {i: w for i, w in ctx.weights_by_item.items() if w > 0 and i not in ctx.seeds}
        taste = blend_vectors(content.taste_vector(dict.fromkeys(ctx.seeds, 1.0)),
                              content.taste_vector(hist, ctx.disliked if ctx.use_history else (),
                                                   cfg.dislike_share),
                              cfg.seed_share)
        req.content_vec = blend_vectors(req.query_vec, taste, cfg.query_share)
        return taste

    def retrieve(self, state: CatalogState, ctx: Context, req: Request) -> list[str]:
        taste = self.vectors(state, ctx, req)
        if req.content_vec is None:
            return []
        hits = [h for h in state.knn("content", req.content_vec, ctx.fetch) if h[0] not in ctx.known]
        req.content_cal = Calibration.from_scores([s for _, s in hits], ctx.depth)
        out = [i for i, _ in hits[: ctx.depth]]
        if req.query_vec is not None and taste is not None:
            q_hits = [h for h in state.knn("content", req.query_vec, ctx.fetch)
                      if h[0] not in ctx.known]
            req.query_cal = Calibration.from_scores([s for _, s in q_hits], ctx.depth)
            out += [i for i, _ in q_hits[: ctx.depth]]
        elif req.query_vec is not None:
            req.query_cal = req.content_cal
        return out

    def features(self, state: CatalogState, req: Request, ids: Sequence[str],
                 rows: np.ndarray) -> Features | None:
        if not req.available.get("content") or req.content_vec is None or req.content_cal is None:
            return None
        raw = state.content.similarity(rows, req.content_vec)
        return raw, req.content_cal.many(raw)


class CollaborativeRetriever:
    """Neighbour scores of the user's history (EASE + "liked next"), and the ALS factor space."""

    name = "collaborative"

    def retrieve(self, state: CatalogState, ctx: Context, req: Request) -> list[str]:
        model = state.cf
        if model is None:
            return []
        req.cf, req.cf_user = model, model.fold_in(ctx.weights_by_item)
        if req.cf_user is None:
            return []
        known_rows = [model.row[i] for i in ctx.known if i in model.row]
        scores = model.scores(ctx.weights_by_item, req.cf_user)
        masked = scores.copy()
        masked[known_rows] = -np.inf
        req.cf_scores, req.cf_cal = scores, calibrate_array(masked, ctx.depth)
        factor = (model.factors @ req.cf_user).astype(np.float64)
        factor[known_rows] = -np.inf  # the factor space's nearest items, numpy not Chroma
        out = [model.ids[j] for j in top_indices(factor, ctx.depth) if np.isfinite(factor[j])]
        return out + [model.ids[j] for j in top_indices(masked, ctx.depth) if np.isfinite(masked[j])]

    def features(self, state: CatalogState, req: Request, ids: Sequence[str],
                 rows: np.ndarray) -> Features | None:
        cf, scores, cal = req.cf, req.cf_scores, req.cf_cal
        if not req.available.get("collaborative") or cf is None or scores is None or cal is None:
            return None
        raw = np.array([scores[cf.row[i]] if i in cf.row else 0.0 for i in ids])
        return raw, cal.many(raw)


class PopularityRetriever:
    """The most-liked items; log-scaled like-counts as the feature."""

    name = "popularity"

    def retrieve(self, state: CatalogState, ctx: Context, req: Request) -> list[str]:
        pop = state.popularity
        if not pop.available:
            return []
        return [i for i in pop.top[: ctx.config.popular_candidates + len(ctx.known)]
                if i not in ctx.known]

    def features(self, state: CatalogState, req: Request, ids: Sequence[str],
                 rows: np.ndarray) -> Features | None:
        pop = state.popularity
        if not req.available.get("popularity") or not pop.available:
            return None
        raw = [pop.counts.get(i, 0.0) for i in ids]
        return np.asarray(raw, dtype=np.float64), np.asarray(pop.normalized(raw))


RETRIEVERS: tuple[Retriever, ...] = (ContentRetriever(), CollaborativeRetriever(),
                                     PopularityRetriever())


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first (O(len) selection, then a small sort)."""
    if len(scores) > n:
        part = np.argpartition(-scores, n - 1)[:n]
        return part[np.argsort(-scores[part], kind="stable")]
    return np.argsort(-scores, kind="stable")
