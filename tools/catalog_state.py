"""What the engine keeps per catalog version, so a request pays only for itself.

Loaded lazily and dropped when the catalog's pointer moves (ingest, training):
the items, the content matrix, the collaborative model, the popularity counts,
the title index, and a small cache of k-NN answers. The k-NN cache also makes
a repeated request (recommend, then explain the third item) see exactly the
same calibration, whatever the index does internally.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

import numpy as np

from memory.catalog import Catalog
from memory.items import Item
from memory.store import Store
from tools.collaborative import CFModel
from tools.content import ContentIndex
from tools.titles import TitleIndex

KNN_CACHE = 64


def version_key(catalog: Catalog) -> tuple:
    rec = catalog.record
    if rec is None:
        return (catalog.name, None)
    return (catalog.name, rec.content_collection, rec.cf_collection, rec.updated)


@dataclass(frozen=True)
class Popularity:
    """How many users liked each item (or the catalog's own popularity field)."""

    counts: dict[str, float]
    max_count: float
    source: str  # "interactions" | "item popularity" | "none"
    top: list[str]

    @property
    def available(self) -> bool:
        return self.max_count > 0

    def normalized(self, raw: list[float]) -> list[float]:
        """log1p(count) / log1p(max), per item with math.log1p: identical alone or in a batch."""
        if self.max_count <= 0:
            return [0.0] * len(raw)
        scale = math.log1p(self.max_count)
        return [min(1.0, math.log1p(max(r, 0.0)) / scale) for r in raw]

    @classmethod
    def build(cls, catalog: Catalog, store: Store, threshold: float = 4.0) -> Popularity:
        rows = store.interactions(catalog.name)
        items = catalog.items
        counts: dict[str, float] = {}
        source = "none"
        if rows:
            implicit = all(r.value == 1.0 for r in rows)
            liked = Counter(r.item_id for r in rows
                            if r.item_id in items and (implicit or r.value >= threshold))  # fmt: skip
            counts = {i: float(c) for i, c in liked.items()}
            source = "interactions"
        if not counts:
            counts = {i: float(it.popularity) for i, it in items.items() if it.popularity}
            source = "item popularity" if counts else "none"
        top = sorted(counts, key=lambda i: (-counts[i], i))
        return cls(counts, max(counts.values(), default=0.0), source, top)


class CatalogState:
    def __init__(self, catalog: Catalog, store: Store) -> None:
        self.catalog = catalog
        self.store = store
        self.key = version_key(catalog)
        self.items: dict[str, Item] = catalog.items
        self._content: ContentIndex | None = None
        self._cf: CFModel | None = None
        self._cf_loaded = False
        self._popularity: Popularity | None = None
        self._titles: TitleIndex | None = None
        self._knn: OrderedDict[tuple, list[tuple[str, float]]] = OrderedDict()
        self._lock = threading.Lock()  # the TUI asks from worker threads

    @property
    def content(self) -> ContentIndex:
        if self._content is None:
            self._content = ContentIndex.load(self.catalog)
        return self._content

    @property
    def cf(self) -> CFModel | None:
        if not self._cf_loaded:
            self._cf = CFModel.load(self.catalog)
            self._cf_loaded = True
        return self._cf

    @property
    def popularity(self) -> Popularity:
        if self._popularity is None:
            self._popularity = Popularity.build(self.catalog, self.store)
        return self._popularity

    @property
    def titles(self) -> TitleIndex:
        if self._titles is None:
            self._titles = TitleIndex(self.items.values())
        return self._titles

    def knn(self, space: str, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Chroma k-NN in the content or CF space, memoised on the exact vector."""
        vec = np.ascontiguousarray(vector, dtype=np.float32)
        key = (space, vec.tobytes(), n)
        with self._lock:
            hit = self._knn.get(key)
            if hit is not None:
                self._knn.move_to_end(key)
                return hit
        query = self.catalog.content_query if space == "content" else self.catalog.cf_query
        result = query(vec, n)
        with self._lock:
            self._knn[key] = result
            if len(self._knn) > KNN_CACHE:
                self._knn.popitem(last=False)
        return result

    def clear_caches(self) -> None:
        """Forget memoised k-NN answers (the latency benchmark measures cold requests)."""
        with self._lock:
            self._knn.clear()
