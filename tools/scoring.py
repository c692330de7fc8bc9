"""The score breakdown: the one structure ranking, explanations, learning and the UI share.

Invariant (tested): `score == sum(c.contribution for c in components) +
sum(a.value for a in adjustments)`, exactly as computed, because the final
score is *defined* as that sum. An explanation is read off this object, never
recomputed, which is what makes it faithful.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from memory.items import Item
from tools.item_json import ranked_json


@dataclass(frozen=True)
class ComponentScore:
    name: str  # "collaborative" | "content" | "popularity" | ...
    raw: float  # the retriever's own score (cosine, log-count, ...)
    normalized: float  # on the common [0, 1] scale
    weight: float  # the user's blend weight for this component
    contribution: float  # weight * normalized
    available: bool = True  # False when the component had nothing to say (cold user, no model)


@dataclass(frozen=True)
class Adjustment:
    name: str  # e.g. "genre:Horror", "soft:genre:Horror", "popularity_bias", "mmr"
    value: float
    reason: str  # words a person understands


@dataclass
class Breakdown:
    components: list[ComponentScore] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # fallbacks: "no collaborative model yet"

    @property
    def total(self) -> float:
        return sum(c.contribution for c in self.components) + sum(a.value for a in self.adjustments)

    def component(self, name: str) -> ComponentScore | None:
        return next((c for c in self.components if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "components": [asdict(c) for c in self.components],
            "adjustments": [asdict(a) for a in self.adjustments],
            "notes": list(self.notes),
            "total": self.total,
        }


@dataclass
class Ranked:
    item: Item
    score: float
    breakdown: Breakdown
    rank: int | None = None  # place in the list shown, 1 = top (None outside a list)
    score_rank: int | None = None  # place by score alone, before the diversity re-rank

    def to_dict(self) -> dict[str, Any]:
        """The `--json` item (tools/item_json.py, documented in the README)."""
        return ranked_json(self)


def breakdown_from_dict(data: dict[str, Any]) -> Breakdown:
    """The inverse of Breakdown.to_dict, for breakdowns stored with a shown list."""
    return Breakdown(
        components=[ComponentScore(**c) for c in data.get("components", [])],
        adjustments=[Adjustment(**a) for a in data.get("adjustments", [])],
        notes=list(data.get("notes", [])),
    )
