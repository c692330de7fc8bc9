"""Maximal marginal relevance: trade a little score for a list that is not ten of a kind.

The diversity re-rank changes the ORDER of the list, never an item's score: an
item's score and breakdown stay what `score_item` would compute for it alone,
which is what keeps explanations faithful. Items it moved get a note instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MMRPick:
    index: int  # into the relevance-ordered pool
    nearest: int | None  # the already-picked item it is most similar to
    similarity: float  # cosine to that item


def mmr_order(relevance: np.ndarray, vectors: np.ndarray, lam: float, k: int) -> list[MMRPick]:
    """Pick k of the pool: argmax (1 - lam) * relevance - lam * max cosine to the picks so far.

    `relevance` is in descending order (index 0 is the best item), `vectors` are
    unit rows. lam = 0 returns the relevance order unchanged.
    """
    n = len(relevance)
    k = min(k, n)
    if n == 0:
        return []
    sims = vectors @ vectors.T if lam > 0 else np.zeros((n, n), dtype=np.float32)
    chosen: list[MMRPick] = []
    taken = np.zeros(n, dtype=bool)
    max_sim = np.full(n, -np.inf)
    nearest = np.full(n, -1)
    for _ in range(k):
        redundancy = np.where(np.isfinite(max_sim), max_sim, 0.0)
        value = (1.0 - lam) * relevance - lam * redundancy
        value[taken] = -np.inf
        best = int(np.argmax(value))
        chosen.append(MMRPick(best, int(nearest[best]) if nearest[best] >= 0 else None,
                              float(max_sim[best]) if np.isfinite(max_sim[best]) else 0.0))
        taken[best] = True
        better = sims[best] > max_sim
        nearest[better] = best
        max_sim = np.maximum(max_sim, sims[best])
    return chosen
