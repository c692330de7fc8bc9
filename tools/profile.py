"""What the recommender knows about one user when it ranks: the shared contract.

The engine (hybrid.py) reads a Profile; learning.py and preferences.py write the
state it is built from. Keeping the shape here, in one small module, is what
lets the two sides change independently.

Affinity and rule keys are "<facet>:<value>" strings: "genre:Horror",
"decade:1980", "person:Ridley Scott", "keyword:funny".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

COMPONENTS: tuple[str, ...] = ("collaborative", "content", "popularity")
DEFAULT_WEIGHTS: dict[str, float] = {"collaborative": 0.4, "content": 0.4, "popularity": 0.2}

Facet = Literal["genre", "decade", "person", "keyword"]


def facet_key(facet: str, value: str | int) -> str:
    return f"{facet}:{value}"


def split_key(key: str) -> tuple[str, str]:
    facet, _, value = key.partition(":")
    return facet, value


@dataclass(frozen=True)
class HardRule:
    """A rule no score can overcome: "never horror" or "only after 2000".

    kind: "exclude" (facet key must not match), "require" (facet key must
    match), "year_min" / "year_max" (value is the year, inclusive).
    """

    kind: Literal["exclude", "require", "year_min", "year_max"]
    key: str = ""
    year: int | None = None
    rule_id: int | None = None

    def describe(self) -> str:
        if self.kind == "exclude":
            return f"never {split_key(self.key)[1]}"
        if self.kind == "require":
            return f"only {split_key(self.key)[1]}"
        if self.kind == "year_min":
            return f"only from {self.year}"
        return f"only up to {self.year}"


@dataclass
class Profile:
    """Everything ranking needs about a user, read once per request."""

    user_id: str
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    affinities: dict[str, float] = field(default_factory=dict)
    """Learned from rewards, each in [-1, 1]."""
    soft: dict[str, float] = field(default_factory=dict)
    """Stated in words ("less horror" -> genre:Horror: -0.5), each in [-1, 1]."""
    hard: list[HardRule] = field(default_factory=list)
    liked: dict[str, float] = field(default_factory=dict)
    """item id -> positive strength (sum of positive rewards, capped at 1)."""
    disliked: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    wanted: set[str] = field(default_factory=set)
    """The watchlist: wants to see these. Not excluded; a small boost (adjustments.py)."""
    popularity_bias: float = 0.0
    """-1 = more obscure, +1 = more popular."""
    novelty_bias: float = 0.0
    """-1 = more familiar, +1 = more surprising."""
    n_events: int = 0

    @property
    def is_cold(self) -> bool:
        return not self.liked and not self.disliked

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "weights": self.weights,
            "affinities": self.affinities,
            "soft": self.soft,
            "hard": [r.describe() for r in self.hard],
            "liked": sorted(self.liked),
            "disliked": sorted(self.disliked),
            "seen": sorted(self.seen),
            "wanted": sorted(self.wanted),
            "popularity_bias": self.popularity_bias,
            "novelty_bias": self.novelty_bias,
            "n_events": self.n_events,
        }
