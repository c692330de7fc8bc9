"""Plot search: "the one where a cab driver has to drive a hitman around all night".

The dense retriever (the engine's content-only search) finds candidates by the
meaning of the description; this module re-orders them by how well the words
match each film's synopsis and keywords alone (BM25: no title, no genres, no
popularity, no collaborative signal), and fuses the two orders by reciprocal
rank. A remembered detail ("spaghetti", "faun", "replicants") that a sentence
embedding blurs is exactly what the word match keeps. Each result keeps its
content cosine as the similarity reported to the user.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from memory.items import Item
from tools.scoring import Ranked

RRF_K = 20  # reciprocal-rank fusion constant (smaller = the top ranks weigh more)
POOL = 60  # dense candidates re-ordered
WEAK_MATCH = 0.22  # a best content cosine below this is "nothing matches well"
_STOP = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "from", "by", "with", "about", "into", "over", "after", "before", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "he", "she", "they", "them", "his", "her", "their", "him", "who", "whom", "which", "what", "where", "when", "how", "why", "one", "ones", "film", "films", "movie", "movies", "story", "there", "has", "have", "had", "gets", "get", "got", "goes", "go", "make", "makes", "made", "up", "out", "then", "than", "so", "very", "just", "also", "some", "any", "all", "each", "guy", "man", "woman", "girl", "boy", "people", "thing", "things", "someone", "something", "i", "me", "my", "you", "your", "we", "our", "not", "no"]
)


def words(text: str) -> list[str]:
    """Lower-case content words, lightly stemmed (plural and -ing/-ed endings folded)."""
    out = []
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w in _STOP or len(w) < 3:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                break
        out.append(w)
    return out


class PlotIndex:
    """BM25 over each item's synopsis and keywords."""

    def __init__(self, items: Iterable[Item], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs: dict[str, Counter[str]] = {}
        for item in items:
            text = f"{item.description} {' '.join(k.replace('-', ' ') for k in item.keywords)}"
            self.docs[item.id] = Counter(words(text))
        n = max(1, len(self.docs))
        self.avg = sum(sum(c.values()) for c in self.docs.values()) / n
        df: Counter[str] = Counter(w for c in self.docs.values() for w in c)
        self.idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}

    def score(self, query: Sequence[str], item_id: str) -> float:
        doc = self.docs.get(item_id)
        if not doc:
            return 0.0
        length = sum(doc.values())
        total = 0.0
        for w in set(query):
            tf = doc.get(w, 0)
            if tf:
                norm = tf + self.k1 * (1 - self.b + self.b * length / (self.avg or 1.0))
                total += self.idf.get(w, 0.0) * tf * (self.k1 + 1) / norm
        return total


def similarity(r: Ranked) -> float:
    """The content cosine the dense retriever found (0 when it had none)."""
    comp = r.breakdown.component("content")
    return float(comp.raw) if comp is not None and comp.available else 0.0


def fuse(query: str, dense: list[Ranked], index: PlotIndex, k: int) -> list[Ranked]:
    """The dense candidates re-ordered by reciprocal-rank fusion with the BM25 order."""
    q = words(query)
    lexical = sorted(range(len(dense)), key=lambda n: -index.score(q, dense[n].item.id))
    lex_rank = {n: rank for rank, n in enumerate(lexical)}
    fused = sorted(range(len(dense)),
                   key=lambda n: -(1 / (RRF_K + n + 1) + 1 / (RRF_K + lex_rank[n] + 1)))
    return [dense[n] for n in fused[:k]]
