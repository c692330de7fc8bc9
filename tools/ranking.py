"""From a scored request to the list a person sees: eligibility, ordering, diversity.

Filters, hard rules and exclusions (seen, disliked, already liked, the seed
items, what this session already showed) decide which candidates may appear;
they never change a score. If the retrieved candidates run short (a narrow
filter), the rest of the catalog that passes is scanned, so "westerns from the
50s" does not come back empty just because no retriever thought of them.

The MMR diversity re-rank (maximal marginal relevance: trade a little score for
a list that is not ten of a kind) only reorders: each item keeps its own score
and breakdown, and an item placed differently from its score order says so in
a note. Scores in the list are therefore exactly what `score_item` gives.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from memory.items import Item
from tools.catalog_state import CatalogState
from tools.filters import Filters, broken_rule, passes_filters
from tools.hybrid import Request, score_arrays
from tools.scoring import Ranked

POOL = 3  # MMR chooses the k items from the POOL * k best by score
SCAN_CAP = 2000  # after a catalog scan, only this many (best by a cheap score) get breakdowns


def eligible(item: Item, req: Request, excluded: Collection[str], filters: Filters | None) -> bool:
    return (item.id not in excluded and passes_filters(item, filters)
            and broken_rule(item, req.profile.hard) is None)


def rank(state: CatalogState, req: Request, *, k: int, filters: Filters | None = None,
         exclude_ids: Collection[str] = (), diversity: float = 0.0,
         only: Collection[str] | None = None) -> tuple[list[Ranked], list[str]]:
    """The top k eligible items, diversified; plus the request's notes.

    `only` restricts the list to those ids (used to refill a list from items
    shown earlier, see `rank_filled`).
    """
    excluded = set(req.known) | set(exclude_ids)
    items = state.items
    pool_ids = req.candidates if only is None else [i for i in only if i in items]
    ids = [i for i in pool_ids if eligible(items[i], req, excluded, filters)]
    notes = list(req.notes)
    if len(ids) < POOL * k and only is None:
        seen = set(ids)
        extra = [i for i, it in items.items() if i not in seen and eligible(it, req, excluded, filters)]
        ids.extend(_cheap_order(state, req, extra)[:SCAN_CAP])
    if not ids:
        what = f" matching {filters.describe()}" if filters is not None and not filters.empty else ""
        notes.append(f"no items left{what} after exclusions and your rules")
        return [], notes
    arrays = score_arrays(state, req, ids)
    approx = arrays.approx_totals(req)
    size = max(POOL * k, k)
    if len(ids) > size:  # breakdowns only near the top; the margin absorbs float reordering
        cutoff = np.partition(approx, len(ids) - size)[len(ids) - size] - 1e-9
        near = np.flatnonzero(approx >= cutoff).tolist()
    else:
        near = list(range(len(ids)))
    breakdowns = {n: arrays.breakdown(req, n) for n in near}
    order = sorted(near, key=lambda n: (-breakdowns[n].total, ids[n]))
    pool = order[:size]
    relevance = np.array([breakdowns[n].total for n in pool])
    vectors = state.content.vectors[state.content.rows(ids[n] for n in pool)]
    picks = mmr_order(relevance, vectors, diversity, k)
    ranked: list[Ranked] = []
    for position, pick in enumerate(picks):
        n = pool[pick.index]
        b = breakdowns[n]
        if pick.index != position:
            why = "; moved up for variety"
            if pick.nearest is not None and position > pick.index:
                why = f"; moved down: close to {items[ids[pool[pick.nearest]]].label}" \
                      f" ({pick.similarity:.2f})"
            b.notes.append(f"diversity re-rank (lambda {diversity:.2f}): shown #{position + 1},"
                           f" #{pick.index + 1} by score{why}")
        ranked.append(Ranked(items[ids[n]], b.total, b, position + 1, pick.index + 1))
    return ranked, notes


def rank_filled(state: CatalogState, req: Request, *, k: int, filters: Filters | None = None,
                shown_ids: Collection[str] = (), diversity: float = 0.0,
                ) -> tuple[list[Ranked], list[str]]:
    """`rank` without what this conversation already showed, but never a short list because of it.

    When too few unseen items are left, the remaining slots are filled from the
    items shown earlier (best first, after the new ones) and a note says so.
    """
    ranked, notes = rank(state, req, k=k, filters=filters, exclude_ids=shown_ids,
                         diversity=diversity)
    if len(ranked) >= k or not shown_ids:
        return ranked, notes
    taken = {r.item.id for r in ranked}
    more, _ = rank(state, req, k=k - len(ranked), filters=filters, exclude_ids=taken,
                   diversity=diversity, only=[i for i in shown_ids if i not in taken])
    if not more:
        return ranked, notes
    offset = len(ranked)  # the refill continues the list: its places follow the new films'
    more = [replace(r, rank=(r.rank or 0) + offset, score_rank=(r.score_rank or 0) + offset)
            for r in more]
    notes = [n for n in notes if not n.startswith("no items left")]
    notes.append(f"only {len(ranked)} film(s) not shown earlier in this conversation fit;"
                 f" the last {len(more)} were shown before (start afresh with `recommend --new`)")
    return ranked + more, notes


def _cheap_order(state: CatalogState, req: Request, ids: Sequence[str]) -> list[str]:
    """Scanned items pre-sorted by their blended component scores (no adjustments)."""
    if len(ids) <= SCAN_CAP:
        return list(ids)
    rows = state.content.rows(ids)
    base = np.zeros(len(ids))
    if req.available["content"] and req.content_vec is not None and req.content_cal is not None:
        base += req.weights["content"] * req.content_cal.many(
            state.content.similarity(rows, req.content_vec))
    pop = state.popularity
    if req.available["popularity"]:
        base += req.weights["popularity"] * np.array(pop.normalized(
            [pop.counts.get(i, 0.0) for i in ids]))
    if req.available["collaborative"] and req.cf is not None and req.cf_scores is not None:
        assert req.cf_cal is not None
        cf_raw = np.array([req.cf_scores[req.cf.row[i]] if i in req.cf.row else 0.0 for i in ids])
        base += req.weights["collaborative"] * req.cf_cal.many(cf_raw)
    return [ids[j] for j in np.argsort(-base, kind="stable")]


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
