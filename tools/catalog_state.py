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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from memory.catalog import Catalog
from memory.items import Interaction, Item
from memory.model_files import load_array, load_lines, load_meta, model_dir
from memory.store import Store
from tools.collaborative import CFModel
from tools.content import ContentIndex
from tools.ranker import RankerModel
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
    implicit: bool = False  # every interaction is 1.0 (mentions, clicks): each one is a like

    @property
    def available(self) -> bool:
        return self.max_count > 0

    def normalized(self, raw: list[float]) -> list[float]:
        """log1p(count) / log1p(max), per item with math.log1p: identical alone or in a batch."""
        if self.max_count <= 0:
            return [0.0] * len(raw)
        scale = math.log1p(self.max_count)
        return [min(1.0, math.log1p(max(r, 0.0)) / scale) for r in raw]

    def to_dict(self) -> dict:
        """Stored with the trained model, so a cold start need not count 100k interactions."""
        return {"counts": self.counts, "source": self.source, "implicit": self.implicit}

    @classmethod
    def from_dict(cls, data: Mapping, items: Mapping[str, Item]) -> Popularity:
        counts = {str(i): float(c) for i, c in data.get("counts", {}).items() if i in items}
        top = sorted(counts, key=lambda i: (-counts[i], i))
        return cls(counts, max(counts.values(), default=0.0), str(data.get("source", "none")), top,
                   bool(data.get("implicit", False)))

    @classmethod
    def build(cls, catalog: Catalog, store: Store, threshold: float = 4.0) -> Popularity:
        return cls.from_rows(store.interactions(catalog.name), catalog.items, threshold)

    @classmethod
    def from_rows(cls, rows: Sequence[Interaction], items: Mapping[str, Item],
                  threshold: float = 4.0) -> Popularity:
        counts: dict[str, float] = {}
        source = "none"
        implicit = bool(rows) and all(r.value == 1.0 for r in rows)
        if rows:
            liked = Counter(r.item_id for r in rows
                            if r.item_id in items and (implicit or r.value >= threshold))
            counts = {i: float(c) for i, c in liked.items()}
            source = "interactions"
        if not counts:
            counts = {i: float(it.popularity) for i, it in items.items() if it.popularity}
            source = "item popularity" if counts else "none"
        top = sorted(counts, key=lambda i: (-counts[i], i))
        return cls(counts, max(counts.values(), default=0.0), source, top, implicit)


class CatalogState:
    def __init__(self, catalog: Catalog, store: Store, models_dir: Path | None = None) -> None:
        self.catalog = catalog
        self.store = store
        self.models_dir = models_dir
        self.key = version_key(catalog)
        self._meta: dict | None = None
        self._content: ContentIndex | None = None
        self._cf: CFModel | None = None
        self._cf_loaded = False
        self._popularity: Popularity | None = None
        self._ranker: RankerModel | None = None
        self.items: dict[str, Item] = self._cached_items() or catalog.items
        self._titles: TitleIndex | None = None
        self._knn: OrderedDict[tuple, list[tuple[str, float]]] = OrderedDict()
        self._lock = threading.Lock()  # the TUI asks from worker threads

    @property
    def content(self) -> ContentIndex:
        if self._content is None:
            cache = self._copy_dir()
            vectors = load_array(cache, "content_vectors") if cache is not None else None
            ids = self.model_meta.get("content_ids")
            self._content = ContentIndex([str(i) for i in ids], vectors) \
                if vectors is not None and isinstance(ids, list) and len(ids) == len(vectors) \
                else ContentIndex.load(self.catalog)
        return self._content

    def _copy_dir(self) -> Path | None:
        """The model dir, if its copy of items and vectors is of the current content version."""
        rec = self.catalog.record
        if self.models_dir is None or rec is None or not rec.cf_collection \
                or self.model_meta.get("content_collection") != rec.content_collection:
            return None
        return model_dir(self.models_dir, rec.cf_collection)

    def _cached_items(self) -> dict[str, Item] | None:
        cache = self._copy_dir()
        lines = load_lines(cache, "items") if cache is not None else None
        if lines is None:
            return None
        items = {}
        for line in lines:
            item = Item.from_json(line)
            items[item.id] = item
        self.catalog.prime_items(items)
        return items

    @property
    def cf(self) -> CFModel | None:
        if not self._cf_loaded:
            name = self.catalog.record.cf_collection if self.catalog.record else None
            if self.model_meta and self.models_dir is not None and name:
                self._cf = CFModel.from_files(model_dir(self.models_dir, name), self.model_meta)
            else:
                self._cf = CFModel.load(self.catalog, self.models_dir)
            self._cf_loaded = True
        return self._cf

    @property
    def model_meta(self) -> dict:
        """The JSON `tastebud train` stored with this catalog version ({} before training)."""
        if self._meta is None:
            name = self.catalog.record.cf_collection if self.catalog.record else None
            meta = load_meta(model_dir(self.models_dir, name)) \
                if self.models_dir is not None and name else None
            self._meta = meta or {}
        return self._meta

    @property
    def ranker(self) -> RankerModel:
        """The ranking model `tastebud train` learned for this version (defaults before that)."""
        if self._ranker is None:
            found = self.model_meta.get("ranker")
            self._ranker = RankerModel.from_dict(found) if isinstance(found, dict) else RankerModel()
        return self._ranker

    @classmethod
    def for_validation(cls, catalog: Catalog, store: Store, cf: CFModel | None,
                       popularity: Popularity) -> CatalogState:
        """The catalog's items and content with a model and counts from training rows only."""
        state = cls(catalog, store)
        state._cf, state._cf_loaded, state._popularity = cf, True, popularity
        state._ranker = RankerModel()
        return state

    @property
    def popularity(self) -> Popularity:
        if self._popularity is None:
            stored = self.model_meta.get("popularity")
            self._popularity = Popularity.from_dict(stored, self.items) if isinstance(stored, dict) \
                else Popularity.build(self.catalog, self.store)
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
        result = self._content_knn(vec, n) if space == "content" else self.catalog.cf_query(vec, n)
        with self._lock:
            self._knn[key] = result
            if len(self._knn) > KNN_CACHE:
                self._knn.popitem(last=False)
        return result

    def _content_knn(self, vec: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Exact cosine top-n over the in-memory content matrix (one BLAS matvec, ~ms at 36k).

        Chroma's HNSW index answers the same question approximately, but opening it
        costs a cold process far more than scanning the matrix the engine holds anyway.
        """
        content = self.content
        if n <= 0 or not content.ids:
            return []
        sims = content.vectors @ vec
        n = min(n, len(sims))
        top = np.argpartition(-sims, n - 1)[:n] if n < len(sims) else np.arange(len(sims))
        top = top[np.lexsort((top, -sims[top]))]
        return [(content.ids[j], float(sims[j])) for j in top]

    def clear_caches(self) -> None:
        """Forget memoised k-NN answers (the latency benchmark measures cold requests)."""
        with self._lock:
            self._knn.clear()
