"""The reward table: how each thing a user says or does becomes a number learning can use.

It lives in one place so that chat, the TUI keys, `tastebud feedback` and the
adaptation benchmark all turn "I loved it" into the same reward, and so that the
README's table is rendered from the code instead of drifting away from it.
Rewards are in [-1, 1]; `None` means "no taste signal" (a film already seen).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

SignalKind = Literal["explicit", "implicit"]
README_MARKER = "<!-- reward-table -->"


class RewardError(ValueError):
    """Feedback that cannot become a reward; the message says what would be accepted."""


@dataclass(frozen=True)
class Signal:
    """One row of the table.

    `reward` is None for the two signals whose reward is not a constant: `rate`
    (computed from the rating) and `seen` (no taste signal at all).
    """

    name: str
    kind: SignalKind
    reward: float | None
    description: str
    shown_as: str = ""  # the reward column of the README table when it is not a constant

    @property
    def overridable(self) -> bool:
        return self.reward is not None


DEFAULT_SIGNALS: tuple[Signal, ...] = (
    Signal("like", "explicit", 1.0, "likes the item"),
    Signal("love", "explicit", 1.0, "loves the item"),
    Signal("dislike", "explicit", -1.0, "dislikes the item"),
    Signal("not_for_me", "explicit", -1.0, 'says "not for me"'),
    Signal("rate", "explicit", None, "rates the item r on 1-5", "(r - 3) / 2"),
    Signal("seen", "explicit", None, "has seen it: excluded from later lists, no taste change",
           "none"),
    Signal("want", "explicit", 0.2,
           "wants to see it (a watchlist): its genres and people gain a little, never excluded"),
    Signal("details", "implicit", 0.3, "asks for the details of a shown item"),
    Signal("more_like", "implicit", 0.6, 'asks for "more like X" (reward on X)'),
    Signal("pick", "implicit", 0.2, "picks the item in the UI"),
    Signal("moved_on", "implicit", -0.1,
           "asks for something else right after a list (each shown item not engaged with)"),
)

ALIASES: dict[str, str] = {
    "loved": "love", "liked": "like", "disliked": "dislike", "hate": "dislike",
    "not for me": "not_for_me", "rating": "rate", "rated": "rate", "seen it": "seen",
    "watched": "seen", "watchlist": "want", "wants to see": "want", "want to see": "want",
    "detail": "details", "more like": "more_like", "more like this": "more_like",
    "picked": "pick", "select": "pick", "moved on": "moved_on", "something else": "moved_on",
}


def normalize_signal(name: str) -> str:
    """Lower-case, spaces/hyphens as underscores, aliases resolved: 'Not for me' -> not_for_me."""
    key = " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())
    return ALIASES.get(key, key.replace(" ", "_"))


class RewardTable:
    """The signals and their rewards, with the user's overrides applied."""

    def __init__(self, signals: tuple[Signal, ...] = DEFAULT_SIGNALS) -> None:
        self._signals: dict[str, Signal] = {s.name: s for s in signals}

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, float] | None) -> RewardTable:
        """The default table with `Settings.rewards` applied; a bad entry fails naming it."""
        table = cls()
        signals = dict(table._signals)
        for raw_name, raw_value in (overrides or {}).items():
            name = normalize_signal(raw_name)
            sig = signals.get(name)
            if sig is None:
                raise RewardError(
                    f"unknown signal {raw_name!r} in the reward overrides (TASTEBUD_REWARDS__...);"
                    f" valid signals: {', '.join(table.overridable_names())}"
                )
            if not sig.overridable:
                raise RewardError(
                    f"the reward of {name!r} cannot be overridden ({sig.shown_as or 'computed'});"
                    f" overridable signals: {', '.join(table.overridable_names())}"
                )
            try:
                value = float(raw_value)
            except (TypeError, ValueError):
                raise RewardError(
                    f"reward override for {name!r} must be a number, got {raw_value!r}"
                ) from None
            if not math.isfinite(value) or not -1.0 <= value <= 1.0:
                raise RewardError(f"reward override for {name!r} must be in [-1, 1], got {value}")
            signals[name] = replace(sig, reward=value)
        return cls(tuple(signals.values()))

    @property
    def names(self) -> list[str]:
        return list(self._signals)

    def overridable_names(self) -> list[str]:
        return [n for n, s in self._signals.items() if s.overridable]

    def signal(self, name: str) -> Signal:
        sig = self._signals.get(normalize_signal(name))
        if sig is None:
            raise RewardError(f"unknown signal {name!r}; valid signals: {', '.join(self.names)}")
        return sig

    def reward(self, name: str, value: float | None = None) -> float | None:
        """The reward for one signal; None for `seen`. `value` is the rating for `rate`."""
        sig = self.signal(name)
        if sig.name == "rate":
            if value is None:
                raise RewardError("a rating needs a value: rate N with N from 1 to 5")
            r = float(value)
            if not math.isfinite(r) or not 1.0 <= r <= 5.0:
                raise RewardError(f"rating {value} is outside 1-5; give a number from 1 to 5")
            return (r - 3.0) / 2.0
        return sig.reward

    def render_markdown(self) -> str:
        """The README table, generated so the docs always match the code."""
        lines = ["| signal | kind | reward | meaning |", "|---|---|---|---|"]
        for s in self._signals.values():
            shown = s.shown_as if s.reward is None else f"{s.reward:+g}"
            if s.name == "moved_on":
                shown += " per item"
            lines.append(f"| `{s.name}` | {s.kind} | {shown} | {s.description} |")
        return "\n".join(lines) + "\n"
