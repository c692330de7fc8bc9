"""The recommender's front door: recommend, search, similar, score, explain, resolve, train.

`Engine(memory)` is cheap to build. Per catalog version it caches what every
request needs (tools/catalog_state.py) and per process the embeddings of recent
request texts, so the steady-state cost of a request is one query embedding,
two or three Chroma k-NN queries and some numpy over a few hundred candidates.
All ranking goes through tools/hybrid.py + tools/ranking.py; `score_item` and
`explain` go through the very same functions, which is what makes them faithful.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from memory.bootstrap import Memory
from memory.catalog import CatalogError
from memory.items import Item
from tools.catalog_state import CatalogState, version_key
from tools.collaborative import CFConfig, Progress, TrainReport
from tools.explain import Explanation, build_explanation
from tools.filters import Filters, broken_rule
from tools.hybrid import HybridConfig, Request, build_request, score_items
from tools.profile import Profile
from tools.ranker import RankerModel
from tools.ranking import rank, rank_filled
from tools.scoring import Ranked
from tools.titles import Resolution
from tools.training import train_catalog

K_MAX = 100
EMBED_CACHE = 256


@dataclass
class RecommendResult:
    items: list[Ranked]
    notes: list[str] = field(default_factory=list)
    query: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "notes": list(self.notes),
                "items": [r.to_dict() for r in self.items]}


def check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= K_MAX:
        raise ValueError(f"k must be a whole number from 1 to {K_MAX}, got {k!r}")
    return k


def check_diversity(value: float | None, default: float) -> float:
    value = default if value is None else float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"diversity must be between 0 and 1, got {value}")
    return value


class Engine:
    def __init__(self, memory: Memory, *, diversity: float | None = None,
                 config: HybridConfig | None = None, cf_config: CFConfig | None = None) -> None:
        self.memory = memory
        chosen = diversity if diversity is not None else memory.settings.diversity
        self._diversity = None if chosen is None else check_diversity(chosen, 0.0)
        self._config = config
        self.cf_config = cf_config or CFConfig()
        self._state: CatalogState | None = None
        self._embeddings: OrderedDict[str, np.ndarray] = OrderedDict()
        self._blas: Any = None
        self._lock = threading.Lock()

    @property
    def ranker(self) -> RankerModel:
        """The active catalog's learned ranker (weights, recency, MMR lambda)."""
        return self.state.ranker

    @property
    def diversity(self) -> float:
        """An explicit setting wins; otherwise the MMR lambda chosen at `tastebud train`."""
        return self._diversity if self._diversity is not None else self.ranker.diversity

    @diversity.setter
    def diversity(self, value: float | None) -> None:
        self._diversity = None if value is None else check_diversity(value, 0.0)

    @property
    def config(self) -> HybridConfig:
        if self._config is not None:
            return self._config
        r = self.ranker
        return HybridConfig(recency_tau=r.recency_tau, cf_dislike_weight=r.cf_dislike_weight)

    # caches -------------------------------------------------------------------
    def refresh(self) -> None:
        """Forget everything cached; call after ingest or training in this process."""
        self.memory.catalog.refresh()
        self._state = None

    @property
    def state(self) -> CatalogState:
        catalog = self.memory.catalog
        if self._state is None or self._state.catalog is not catalog \
                or self._state.key != version_key(catalog):
            self._state = CatalogState(catalog, self.memory.store, self.memory.settings.models_dir)
        return self._state

    def _ready(self) -> CatalogState:
        state = self.state
        if not state.items:
            raise CatalogError(f"catalog {self.memory.catalog.name!r} is empty: ingest one with"
                               " `tastebud ingest PATH` (or start `tastebud` once for the demo)")
        return state

    def _one_blas_thread(self) -> Any:
        """A request's linear algebra is tiny (a 64x64 solve, a 30x30 Gram); OpenBLAS's own
        threads only add wake-up stalls of several ms on a busy 2-core machine (measured)."""
        if self._blas is None:
            from threadpoolctl import ThreadpoolController

            self._blas = ThreadpoolController()
        return self._blas.limit(limits=1, user_api="blas")

    def embed(self, text: str) -> np.ndarray:
        key = f"{self.memory.embedder.name}\n{text}"
        with self._lock:
            vec = self._embeddings.get(key)
            if vec is not None:
                self._embeddings.move_to_end(key)
                return vec
        vec = np.asarray(self.memory.embedder.embed([text])[0], dtype=np.float32)
        with self._lock:
            self._embeddings[key] = vec
            if len(self._embeddings) > EMBED_CACHE:
                self._embeddings.popitem(last=False)
        return vec

    def clear_caches(self) -> None:
        """Forget remembered query embeddings and k-NN answers (not the catalog data)."""
        with self._lock:
            self._embeddings.clear()
        if self._state is not None:
            self._state.clear_caches()

    def _request(self, state: CatalogState, profile: Profile, query: str | None,
                 like_ids: Sequence[str], **kw: Any) -> Request:
        return build_request(state, self.embed, profile, query=(query or "").strip() or None,
                             like_ids=like_ids, config=self.config, **kw)

    # ranking ------------------------------------------------------------------
    def recommend(self, profile: Profile, *, query: str | None = None,
                  filters: Filters | None = None, k: int = 10, like_ids: Sequence[str] = (),
                  exclude_ids: Collection[str] = (), diversity: float | None = None,
                  include_rated: bool = False) -> RecommendResult:
        """The hybrid list for a user, optionally steered by words and seed items.

        Everything the user has interacted with (liked, disliked, rated, seen) is
        left out unless `include_rated`; `exclude_ids` (what this conversation
        showed) is left out too, but refills the list rather than shorten it.
        """
        check_k(k)
        lam = check_diversity(diversity, self.diversity)
        state = self._ready()
        with self._one_blas_thread():
            req = self._request(state, profile, query, self._known_ids(state, like_ids),
                                exclude_known=not include_rated)
            items, notes = rank_filled(state, req, k=k, filters=filters, shown_ids=exclude_ids,
                                       diversity=lam)
        return RecommendResult(items, notes, req.query)

    def search(self, query: str, *, filters: Filters | None = None, k: int = 10,
               profile: Profile | None = None) -> RecommendResult:
        """Items by description only (content), within filters and the user's hard rules."""
        check_k(k)
        if not query or not query.strip():
            raise ValueError("search needs a description to look for")
        state = self._ready()
        with self._one_blas_thread():
            req = self._request(state, profile or Profile(user_id="anonymous"), query, (),
                                use_history=False, components=("content",), exclude_known=False)
            items, notes = rank(state, req, k=k, filters=filters, diversity=0.0)
        return RecommendResult(items, notes, req.query)

    def similar(self, item_id: str, *, k: int = 10, profile: Profile | None = None,
                diversity: float | None = None) -> RecommendResult:
        """"More like X": X is the only taste; the profile adds its rules and exclusions."""
        check_k(k)
        state = self._ready()
        self._item(state, item_id)
        lam = check_diversity(diversity, self.diversity)
        with self._one_blas_thread():
            req = self._request(state, profile or Profile(user_id="anonymous"), None, (item_id,),
                                use_history=False)
            items, notes = rank(state, req, k=k, diversity=lam)
        return RecommendResult(items, notes, None)

    def score_item(self, profile: Profile, item_id: str, *, query: str | None = None,
                   like_ids: Sequence[str] = ()) -> Ranked:
        """One item's score and breakdown, exactly as `recommend` with the same inputs ranks it."""
        state = self._ready()
        item = self._item(state, item_id)
        with self._one_blas_thread():
            req = self._request(state, profile, query, self._known_ids(state, like_ids))
            b = score_items(state, req, [item_id])[0]
        return Ranked(item, b.total, b)

    def score_many(self, profile: Profile, item_ids: Sequence[str]) -> list[Ranked]:
        """`score_item` for many items with one request (no query, no seeds): an import's credit."""
        state = self._ready()
        items = [self._item(state, i) for i in item_ids]
        with self._one_blas_thread():
            req = self._request(state, profile, None, ())
            bds = score_items(state, req, list(item_ids))
        return [Ranked(item, b.total, b) for item, b in zip(items, bds, strict=True)]

    def explain(self, profile: Profile, item_id: str, *, query: str | None = None,
                like_ids: Sequence[str] = ()) -> Explanation:
        state = self._ready()
        item = self._item(state, item_id)
        with self._one_blas_thread():
            req = self._request(state, profile, query, self._known_ids(state, like_ids))
            b = score_items(state, req, [item_id])[0]
        rule = broken_rule(item, profile.hard)
        excluded = (f"it breaks your rule '{rule.describe()}'" if rule else
                    "you have seen it" if item_id in profile.seen else
                    "you disliked it" if item_id in profile.disliked else
                    "you already liked it" if item_id in profile.liked else None)
        return build_explanation(state, req, Ranked(item, b.total, b), excluded)

    def resolve(self, title: str) -> Resolution:
        return self.state.titles.resolve(title)

    # training -----------------------------------------------------------------
    def train(self, progress: Progress | None = None) -> TrainReport:
        catalog = self.memory.catalog
        if not catalog.exists:
            raise CatalogError(f"catalog {catalog.name!r} is empty: ingest it before training")
        report = train_catalog(self.state, self.cf_config, self.memory.settings.models_dir, progress)
        self.refresh()
        return report

    def ensure_trained(self, progress: Progress | None = None) -> TrainReport | None:
        """Train when the catalog has interactions but no collaborative model yet."""
        catalog = self.memory.catalog
        if not catalog.exists or catalog.has_cf:
            return None
        if not self.memory.store.count_interactions(catalog.name):
            return None
        return self.train(progress)

    # helpers ------------------------------------------------------------------
    @staticmethod
    def _item(state: CatalogState, item_id: str) -> Item:
        item = state.items.get(item_id)
        if item is None:
            raise LookupError(f"no item with id {item_id!r} in catalog {state.catalog.name!r}")
        return item

    @staticmethod
    def _known_ids(state: CatalogState, ids: Sequence[str]) -> tuple[str, ...]:
        unknown = [i for i in ids if i not in state.items]
        if unknown:
            raise LookupError(f"unknown item id(s) {', '.join(map(repr, unknown))} in catalog"
                              f" {state.catalog.name!r}")
        return tuple(ids)
