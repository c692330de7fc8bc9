"""Content retrieval: items whose embedded text is near a request or a taste.

Two kinds of vector, both unit length in the catalog's embedding space:
- a query vector: the user's words ("slow-burn space horror") through the
  memory's embedder;
- a taste vector: the centroid of the liked items' vectors, moved away from
  the disliked ones by `dislike_share`.
A request with both blends them (`query_share` for the words), so "something
funny" for a user who loves Ghibli leans to funny animation.

`ContentIndex` keeps the catalog's vectors in one numpy matrix (loaded once per
catalog version) so a request can score its candidates exactly, without a
Chroma round trip per item. Chroma still answers the k-NN queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from memory.catalog import Catalog
from memory.items import Item, normalize_genre
from tools.normalize import unit

QUERY_SHARE = 0.7
DISLIKE_SHARE = 0.3
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_STOP = frozenset({
    "a", "an", "and", "any", "are", "as", "at", "be", "but", "by", "for", "from", "good", "i",
    "in", "into", "is", "it", "like", "me", "movie", "movies", "film", "films", "my", "not", "of",
    "on", "or", "please", "show", "some", "something", "that", "the", "these", "this", "to",
    "want", "watch", "what", "with",
})


class ContentIndex:
    """All content vectors of one catalog version, as a float32 matrix with an id index."""

    def __init__(self, ids: list[str], vectors: np.ndarray) -> None:
        self.ids = ids
        self.row = {i: n for n, i in enumerate(ids)}
        self.vectors = vectors.astype(np.float32, copy=False)

    @classmethod
    def load(cls, catalog: Catalog) -> ContentIndex:
        ids, vectors = catalog.all_content_vectors()
        return cls(ids, vectors)

    def rows(self, ids: Iterable[str]) -> np.ndarray:
        return np.array([self.row[i] for i in ids if i in self.row], dtype=np.int64)

    def vector(self, item_id: str) -> np.ndarray | None:
        n = self.row.get(item_id)
        return None if n is None else self.vectors[n]

    def similarity(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Cosine of each row with `vector`, in float64, the same for one row or many.

        An elementwise product summed per row (not BLAS gemv, whose blocking varies
        with the number of rows) keeps an item's score bit-identical whether it is
        scored alone (explain) or with its whole candidate set (recommend).
        """
        if len(rows) == 0:
            return np.zeros(0)
        return (self.vectors[rows].astype(np.float64) * vector.astype(np.float64)).sum(axis=1)

    def taste_vector(self, liked: Mapping[str, float], disliked: Iterable[str] = (),
                     dislike_share: float = DISLIKE_SHARE) -> np.ndarray | None:
        """Weighted centroid of liked items minus a share of the disliked centroid (unit)."""
        pos = [(self.row[i], w) for i, w in liked.items() if i in self.row and w > 0]
        if not pos:
            return None
        rows, weights = zip(*pos, strict=True)
        centroid = np.average(self.vectors[list(rows)].astype(np.float64), axis=0,
                              weights=np.asarray(weights, dtype=np.float64))
        neg = self.rows(disliked)
        if len(neg) and dislike_share > 0:
            centroid = centroid - dislike_share * self.vectors[neg].astype(np.float64).mean(axis=0)
        return unit(centroid).astype(np.float32)


def blend_vectors(query: np.ndarray | None, taste: np.ndarray | None,
                  query_share: float = QUERY_SHARE) -> np.ndarray | None:
    """The content request vector: the query, the taste, or a unit blend of both."""
    if query is None or taste is None:
        return query if query is not None else taste
    mixed = query_share * query.astype(np.float64) + (1.0 - query_share) * taste.astype(np.float64)
    return unit(mixed).astype(np.float32)


def query_terms(text: str) -> list[str]:
    """The words of a request that can match an item (no stop words, no duplicates)."""
    words = [w.strip("'-") for w in _WORD.findall(text.lower())]
    return list(dict.fromkeys(w for w in words if w and w not in _STOP))


@dataclass(frozen=True)
class TermMatch:
    genres: list[str]
    keywords: list[str]
    words: list[str]  # other query words found in the title or description


def match_terms(terms: Sequence[str], item: Item) -> TermMatch:
    """Which words of the request the item visibly carries: evidence for an explanation."""
    genres: list[str] = []
    keywords: list[str] = []
    words: list[str] = []
    item_keywords = {k.lower() for k in item.keywords}
    text = f" {item.title.lower()} {item.description.lower()} "
    for term in terms:
        genre = normalize_genre(term) or normalize_genre(term.rstrip("s"))
        if genre and genre in item.genres:
            if genre not in genres:
                genres.append(genre)
        elif term in item_keywords or any(term in k.split("-") for k in item_keywords):
            keywords.append(term)
        elif re.search(rf"\b{re.escape(term)}", text):
            words.append(term)
    return TermMatch(genres, keywords, words)
