"""Top-k ranking metrics, written out so the benchmark's numbers can be checked by hand.

For one user with recommended list L (best first) and held-out relevant set T:

- NDCG@k = DCG / IDCG, DCG = sum over positions p < k of [L[p] in T] / log2(p + 2),
  IDCG = the DCG of a perfect list: sum over p < min(k, |T|) of 1 / log2(p + 2);
- Recall@k = |L[:k] & T| / |T|  (the plain definition, not divided by min(k, |T|));

both averaged over users. Over all users' top-k lists:

- coverage = distinct recommended items / items in the catalog;
- mean popularity = mean over every recommended slot of the item's number of
  positive training interactions (lower = less mainstream).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence


def dcg(hits: Sequence[bool]) -> float:
    return sum(1.0 / math.log2(p + 2) for p, hit in enumerate(hits) if hit)


def ndcg_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    rel = set(relevant)
    if not rel:
        return 0.0
    ideal = dcg([True] * min(k, len(rel)))
    return dcg([i in rel for i in ranked[:k]]) / ideal


def recall_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    rel = set(relevant)
    if not rel:
        return 0.0
    return len(rel.intersection(ranked[:k])) / len(rel)


def coverage(lists: Iterable[Sequence[str]], n_items: int, k: int) -> float:
    if n_items <= 0:
        return 0.0
    return len({i for ranked in lists for i in ranked[:k]}) / n_items


def mean_popularity(lists: Iterable[Sequence[str]], counts: Mapping[str, float], k: int) -> float:
    values = [counts.get(i, 0.0) for ranked in lists for i in ranked[:k]]
    return sum(values) / len(values) if values else 0.0


def evaluate(lists: Mapping[str, Sequence[str]], test: Mapping[str, Iterable[str]],
             counts: Mapping[str, float], n_items: int, k: int = 10, k_large: int = 50,
             lists_large: Mapping[str, Sequence[str]] | None = None) -> dict[str, float]:
    """All five metrics for one system; users without a list score 0.

    `lists_large` (for recall@k_large) defaults to `lists`; a diversified system
    passes its separately requested long list, since MMR's top 10 of 50 is not its top 10.
    """
    users = list(test)
    n = max(len(users), 1)
    tops = [lists.get(u, []) for u in users]
    long = lists_large if lists_large is not None else lists
    return {
        f"ndcg@{k}": sum(ndcg_at_k(lists.get(u, []), test[u], k) for u in users) / n,
        f"recall@{k}": sum(recall_at_k(lists.get(u, []), test[u], k) for u in users) / n,
        f"recall@{k_large}": sum(recall_at_k(long.get(u, []), test[u], k_large) for u in users) / n,
        "coverage": coverage(tops, n_items, k),
        "mean_popularity": mean_popularity(tops, counts, k),
    }
