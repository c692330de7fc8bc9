"""Why an item was recommended, in numbers and in words.

An `Explanation` is read off the breakdown `score_item` computes, which is the
very computation the list used (tools/hybrid.py), so it cannot drift from the
ranking: its contributions sum to the score, and raising a weight raises that
component's contribution here exactly as it does in the list. On top of the
numbers it collects evidence a person understands: the liked films nearest to
the item in collaborative and in content space, the words of the request the
item carries, and the preference adjustments that fired.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from memory.items import Item
from tools.catalog_state import CatalogState
from tools.content import match_terms, query_terms
from tools.hybrid import Request
from tools.item_json import (
    AdjustmentJSON,
    EvidenceJSON,
    ExplanationJSON,
    NeighbourJSON,
    ranked_json,
    variety_note,
)
from tools.scoring import Breakdown, Ranked

NEAREST = 3


@dataclass
class Explanation:
    item: Item
    score: float
    breakdown: Breakdown
    query: str | None = None
    cf_neighbours: list[tuple[Item, float]] = field(default_factory=list)
    content_neighbours: list[tuple[Item, float]] = field(default_factory=list)
    matched_genres: list[str] = field(default_factory=list)
    matched_keywords: list[str] = field(default_factory=list)
    matched_words: list[str] = field(default_factory=list)
    excluded: str | None = None  # why the item would not be listed now, if it would not
    rank: int | None = None  # its place in the list it was shown in, if it was
    score_rank: int | None = None  # the place its score alone gave it there

    @property
    def variety(self) -> str | None:
        """"moved up for variety; its score alone would place it 5th", when that happened."""
        return variety_note(self.rank, self.score_rank)

    def to_dict(self) -> dict[str, Any]:
        """The item JSON (tools/item_json.py) plus the evidence and the request it was for."""
        ranked = Ranked(self.item, self.score, self.breakdown, self.rank, self.score_rank)
        evidence = EvidenceJSON(
            collaborative_neighbours=[_pair(i, s) for i, s in self.cf_neighbours],
            content_neighbours=[_pair(i, s) for i, s in self.content_neighbours],
            matched_genres=self.matched_genres, matched_keywords=self.matched_keywords,
            matched_words=self.matched_words,
            adjustments=[AdjustmentJSON(**asdict(a)) for a in self.breakdown.adjustments],
        )
        return ExplanationJSON(**ranked_json(ranked), query=self.query, variety=self.variety,
                               evidence=evidence, excluded=self.excluded).model_dump()

    def text(self) -> str:
        """Plain words with the numbers, for the chat and `tastebud explain`."""
        lines = [f"{self.item.label}: score {self.score:.3f}"]
        if self.variety:
            lines.append(f"  listed #{self.rank}: {self.variety}")
        for c in self.breakdown.components:
            if not c.available:
                lines.append(f"  {c.name}: not used for this request")
                continue
            lines.append(f"  {c.name}: {c.normalized:.2f} of 1 (raw {c.raw:.3f})"
                         f" x weight {c.weight:.2f} = {c.contribution:+.3f}")
        for a in self.breakdown.adjustments:
            lines.append(f"  {a.value:+.3f} {a.reason}")
        if self.cf_neighbours:
            lines.append("  people who liked it also liked your "
                         + ", ".join(f"{i.label} ({s:.2f})" for i, s in self.cf_neighbours))
        if self.content_neighbours:
            lines.append("  it is close in content to your "
                         + ", ".join(f"{i.label} ({s:.2f})" for i, s in self.content_neighbours))
        matched = ([f"genre {g}" for g in self.matched_genres]
                   + [f"keyword {k}" for k in self.matched_keywords]
                   + [f"'{w}'" for w in self.matched_words])
        if self.query:
            found = ", ".join(matched) if matched else "no words literally, only in meaning"
            lines.append(f"  your request {self.query!r} matches: {found}")
        lines.extend(f"  note: {n}" for n in self.breakdown.notes)
        if self.excluded:
            lines.append(f"  not listed now: {self.excluded}")
        return "\n".join(lines)


def _pair(item: Item, sim: float) -> NeighbourJSON:
    return NeighbourJSON(id=item.id, title=item.title, year=item.year, similarity=round(sim, 4))


def build_explanation(state: CatalogState, req: Request, ranked: Ranked,
                      excluded: str | None = None) -> Explanation:
    item = ranked.item
    exp = Explanation(item=item, score=ranked.score, breakdown=ranked.breakdown,
                      query=req.query, excluded=excluded)
    liked = [i for i in req.liked_ids if i != item.id and i in state.items]
    if req.cf is not None:
        exp.cf_neighbours = [(state.items[i], s) for i, s in req.cf.nearest(item.id, liked, NEAREST)
                             if s > 0]
    content = state.content
    target = content.vector(item.id)
    if target is not None and liked:
        rows = content.rows(liked)
        sims = content.similarity(rows, target)
        order = sims.argsort()[::-1][:NEAREST]
        exp.content_neighbours = [(state.items[content.ids[rows[j]]], float(sims[j])) for j in order]
    if req.query:
        m = match_terms(query_terms(req.query), item)
        exp.matched_genres, exp.matched_keywords, exp.matched_words = m.genres, m.keywords, m.words
    return exp


# ---- the same numbers and words wherever an explanation is shown ---------------------------
Row = tuple[str, str, str, str, str]
HEADER: Row = ("part", "raw", "value", "× weight", "= points")


def breakdown_rows(breakdown: dict[str, Any]) -> list[Row]:
    """One row per component and per adjustment, formatted once for the `w` modal, the chat
    and any other view, so they cannot show different numbers. The total is not a row: each
    view says it in its own place."""
    rows: list[Row] = []
    for c in breakdown.get("components", []):
        if not c.get("available", True):
            rows.append((c["name"], "—", "—", f"{c['weight']:.2f}", "n/a"))
            continue
        rows.append((c["name"], f"{c['raw']:.3f}", f"{c['normalized']:.3f}", f"{c['weight']:.2f}",
                     f"{c['contribution']:+.3f}"))
    rows += [(a["reason"] or a["name"], "", "", "", f"{a['value']:+.3f}")
             for a in breakdown.get("adjustments", [])]
    return rows


def compact_rows(breakdown: dict[str, Any], most: int = 6) -> list[Row]:
    """At most `most` rows for the chat: every component, then the largest adjustments, the
    smaller ones folded into one row with their sum, so the rows still add up to the score.
    Kept rows are exactly the `w` modal's; the modal lists every adjustment."""
    rows = breakdown_rows(breakdown)
    n = len(breakdown.get("components", []))
    values = [a["value"] for a in breakdown.get("adjustments", [])]
    room = max(2, most - n)
    if len(values) <= room:
        return rows
    order = sorted(range(len(values)), key=lambda i: -abs(values[i]))
    keep, rest = sorted(order[: room - 1]), [values[i] for i in order[room - 1 :]]
    folded = (f"{len(rest)} smaller adjustments (all in w)", "", "", "", f"{sum(rest):+.3f}")
    return rows[:n] + [rows[n + i] for i in keep] + [folded]


def evidence_lines(data: dict[str, Any]) -> list[str]:
    """The reasons beyond the numbers, in words, from `Explanation.to_dict()`."""
    ev = data.get("evidence")
    if not isinstance(ev, dict):
        return []

    def films(key: str) -> str:
        return ", ".join(f"{f['title']} ({f['similarity']:.2f})" for f in ev.get(key, []))

    lines = []
    if films("collaborative_neighbours"):
        lines.append("People who liked it also liked your " + films("collaborative_neighbours"))
    if films("content_neighbours"):
        lines.append("Close in content to your " + films("content_neighbours"))
    matched = [f"genre {g}" for g in ev.get("matched_genres", [])]
    matched += [f"keyword {k}" for k in ev.get("matched_keywords", [])]
    matched += [f"'{w}'" for w in ev.get("matched_words", [])]
    if data.get("query"):
        found = ", ".join(matched) or "nothing literally, only in meaning"
        lines.append(f"Your request '{data['query']}' matches: {found}")
    if data.get("excluded"):
        lines.append(f"Not listed now: {data['excluded']}")
    return lines
