"""One film as JSON, the same shape wherever a script or a model reads it.

`recommend`, `similar`, `ask` and `explain --json`, the stored shown lists and
the agent's tool answers all build their items here, so a consumer learns one
shape: what the film is (id, title, year, genres, directors, the first three of
the cast, runtime, country) and why it is here (score, breakdown, and its place
in the list). The pydantic models below are that shape written down: the README
documents them, and a snapshot test pins their JSON schema, so a field cannot
change silently. Building each item through the model checks it as it is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from memory.items import Item

if TYPE_CHECKING:
    from tools.scoring import Ranked

CAST_SHOWN = 3


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComponentJSON(_Strict):
    name: str
    raw: float
    normalized: float
    weight: float
    contribution: float
    available: bool


class AdjustmentJSON(_Strict):
    name: str
    value: float
    reason: str


class BreakdownJSON(_Strict):
    """score == sum of component contributions + sum of adjustment values == total."""

    components: list[ComponentJSON]
    adjustments: list[AdjustmentJSON]
    notes: list[str]
    total: float


class FilmJSON(_Strict):
    """What the film is, from the catalog as it spells it."""

    id: str
    title: str
    year: int | None
    genres: list[str]
    directors: list[str]
    cast: list[str]
    runtime: int | None
    country: str | None


class ItemJSON(FilmJSON):
    """A ranked film. `rank` is its place in the list shown (1 = top); `score_rank` the place
    its score alone gives it. They differ when the diversity re-rank moved it; both are null
    for a film scored outside a list."""

    score: float
    breakdown: BreakdownJSON
    rank: int | None
    score_rank: int | None


def film_json(item: Item) -> dict[str, Any]:
    return FilmJSON(id=item.id, title=item.title, year=item.year, genres=list(item.genres),
                    directors=list(item.directors), cast=list(item.cast[:CAST_SHOWN]),
                    runtime=item.runtime, country=item.country).model_dump()


def ranked_json(ranked: Ranked) -> dict[str, Any]:
    return ItemJSON(**film_json(ranked.item), score=ranked.score,
                    breakdown=BreakdownJSON(**ranked.breakdown.to_dict()),
                    rank=ranked.rank, score_rank=ranked.score_rank).model_dump()


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def variety_note(rank: int | None, score_rank: int | None) -> str | None:
    """Why a film sits where it does when diversity moved it; None when it did not move."""
    if rank is None or score_rank is None or rank == score_rank:
        return None
    way = "up" if rank < score_rank else "down"
    return f"moved {way} for variety; its score alone would place it {ordinal(score_rank)}"


class NeighbourJSON(_Strict):
    id: str
    title: str
    year: int | None
    similarity: float


class EvidenceJSON(_Strict):
    """The reasons beyond the numbers: liked films nearby, request words the film carries."""

    collaborative_neighbours: list[NeighbourJSON]
    content_neighbours: list[NeighbourJSON]
    matched_genres: list[str]
    matched_keywords: list[str]
    matched_words: list[str]
    adjustments: list[AdjustmentJSON]


class ExplanationJSON(ItemJSON):
    """`explain --json`: the item, plus the request it was scored for and the evidence."""

    query: str | None
    variety: str | None
    evidence: EvidenceJSON
    excluded: str | None
