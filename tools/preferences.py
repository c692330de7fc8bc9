"""Preferences stated in words: "less horror", "never horror", "rely more on people like me".

A change is stored as a rule row (with its timestamp and the words that caused
it) and is never folded into the learned state: `load_profile` applies the
active rules on top of what learning produced, every time. That is what makes
`tastebud prefs undo` and `reset` exact: deactivating a row removes its effect.

Three kinds:
- soft: more/less of a genre, decade, person or keyword (Profile.soft), more
  popular vs more obscure (popularity_bias), more familiar vs more surprising
  (novelty_bias). "More popular stuff" is soft popularity: it is about what the
  user wants to see, not about which signal to believe.
- hard: exclude or require a facet, year_min / year_max (Profile.hard).
- trust: a multiplicative tilt of one component's learned weight ("rely more
  on people like me" = collaborative x1.5), renormalized with the floors kept.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from memory.items import GENRES, normalize_genre
from memory.store import Store
from memory.store_lists import PreferenceRow
from tools.profile import COMPONENTS, HardRule, facet_key

FACETS = ("genre", "decade", "person", "keyword")
_DECADE = re.compile(r"^'?(\d{2}|\d{4})'?s?$")


def canonical_value(facet: str, value: str) -> str:
    """One spelling per thing, so "Sci Fi", "science fiction" and "Sci-Fi" are one rule."""
    text = value.strip()
    if facet == "genre":
        genre = normalize_genre(text)
        if genre is None:
            raise ValueError(f"unknown genre {value!r}; known genres: {', '.join(GENRES)}")
        return genre
    if facet == "decade":
        m = _DECADE.match(text.lower())
        if not m:
            raise ValueError(f"decade {value!r} is not like 1980, 1980s or 80s")
        n = int(m.group(1))
        year = n if n >= 100 else (2000 + n if n < 30 else 1900 + n)
        return str(year // 10 * 10)
    if not text:
        raise ValueError(f"a {facet} rule needs a name")
    return text.lower() if facet == "keyword" else text


class PreferenceChange(BaseModel):
    """One structured change, the argument of the `adjust_preferences` tool.

    soft:  facet (genre|decade|person|keyword|popularity|novelty), value, strength in [-1, 1]
           (negative = less / more obscure / more familiar).
    hard:  rule exclude|require with facet and value, or year_min|year_max with year.
    trust: component (collaborative|content|popularity) and factor (>1 trust more, <1 less).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["soft", "hard", "trust"]
    facet: Literal["genre", "decade", "person", "keyword", "popularity", "novelty"] | None = None
    value: str | None = None
    strength: float = Field(default=0.5, ge=-1.0, le=1.0)
    rule: Literal["exclude", "require", "year_min", "year_max"] | None = None
    year: int | None = Field(default=None, ge=1870, le=2100)
    component: str | None = None
    factor: float = Field(default=1.5, gt=0.0, le=10.0)

    @model_validator(mode="after")
    def _check(self) -> PreferenceChange:
        if self.kind == "trust":
            if self.component not in COMPONENTS:
                raise ValueError(f"trust needs a component, one of {', '.join(COMPONENTS)}")
            return self
        if self.kind == "hard":
            if self.rule is None:
                raise ValueError("a hard rule needs rule: exclude, require, year_min or year_max")
            if self.rule.startswith("year"):
                if self.year is None:
                    raise ValueError(f"{self.rule} needs a year")
                return self
        elif self.facet in ("popularity", "novelty"):
            if self.strength == 0:
                raise ValueError("a soft change needs a non-zero strength")
            return self
        if self.facet not in FACETS or self.value is None:
            raise ValueError(f"this rule needs a facet ({', '.join(FACETS)}) and a value")
        canonical = canonical_value(self.facet, self.value)
        if canonical != self.value:
            object.__setattr__(self, "value", canonical)
        return self

    @property
    def key(self) -> str:
        return facet_key(self.facet or "", self.value or "")

    def hard_rule(self, rule_id: int | None = None) -> HardRule:
        if self.rule in ("year_min", "year_max"):
            return HardRule(kind=self.rule, year=self.year, rule_id=rule_id)
        return HardRule(kind=self.rule or "exclude", key=self.key, rule_id=rule_id)

    def describe(self) -> str:
        if self.kind == "hard":
            return self.hard_rule().describe()
        if self.kind == "trust":
            more = "more" if self.factor >= 1 else "less"
            return f"rely {more} on {self.component} (x{self.factor:g})"
        s = self.strength
        if self.facet == "popularity":
            return f"{'more popular' if s > 0 else 'more obscure'} ({s:+g})"
        if self.facet == "novelty":
            return f"{'more surprising' if s > 0 else 'more familiar'} ({s:+g})"
        shown = f"{self.value}s" if self.facet == "decade" else self.value
        return f"{'more' if s > 0 else 'less'} {shown} ({s:+g})"


@dataclass
class RuleEffect:
    """The sum of the active rules, as load_profile applies them."""

    soft: dict[str, float] = field(default_factory=dict)
    hard: list[HardRule] = field(default_factory=list)
    popularity_bias: float = 0.0
    novelty_bias: float = 0.0
    trust: dict[str, float] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)  # rule ids whose payload no longer validates


def _clip(x: float) -> float:
    return max(-1.0, min(1.0, x))


def rules_effect(rows: Iterable[PreferenceRow]) -> RuleEffect:
    """Soft strengths add up (clipped to [-1, 1]); trust factors multiply; hard rules all hold."""
    eff = RuleEffect()
    for row in rows:
        try:
            ch = PreferenceChange.model_validate(row.payload)
        except ValidationError:
            eff.skipped.append(row.id)
            continue
        if ch.kind == "hard":
            eff.hard.append(ch.hard_rule(row.id))
        elif ch.kind == "trust" and ch.component:
            eff.trust[ch.component] = eff.trust.get(ch.component, 1.0) * ch.factor
        elif ch.facet == "popularity":
            eff.popularity_bias = _clip(eff.popularity_bias + ch.strength)
        elif ch.facet == "novelty":
            eff.novelty_bias = _clip(eff.novelty_bias + ch.strength)
        else:
            eff.soft[ch.key] = _clip(eff.soft.get(ch.key, 0.0) + ch.strength)
    return eff


def apply_changes(
    store: Store, user_id: str, changes: Sequence[PreferenceChange | Mapping[str, Any]],
    text: str | None,
) -> list[str]:
    """Validate every change first (nothing is stored if one is bad), then store each."""
    parsed = [c if isinstance(c, PreferenceChange) else PreferenceChange.model_validate(c)
              for c in changes]
    for ch in parsed:
        store.add_preference(user_id, ch.kind, ch.model_dump(exclude_none=True), text)
    return [ch.describe() for ch in parsed]


def describe(row: PreferenceRow) -> str:
    try:
        return PreferenceChange.model_validate(row.payload).describe()
    except ValidationError:
        return f"unreadable {row.kind} rule {row.payload}"


def undo(store: Store, user_id: str) -> str | None:
    """Deactivate the newest active rule; its description, or None when there was none."""
    row = store.undo_preference(user_id)
    return describe(row) if row else None


def reset(store: Store, user_id: str) -> int:
    return store.reset_preferences(user_id)


@dataclass(frozen=True)
class RuleView:
    id: int
    kind: str
    description: str
    text: str | None
    ts: float
    active: bool

    def line(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.ts))
        words = f'  (from "{self.text}")' if self.text else ""
        return f"{when}  {self.kind:<5}  {self.description}{words}"


def list_rules(store: Store, user_id: str, *, active_only: bool = True) -> list[RuleView]:
    """What `tastebud prefs show` prints: each rule with its timestamp and words."""
    return [RuleView(r.id, r.kind, describe(r), r.text, r.ts, r.active)
            for r in store.preferences(user_id, active_only=active_only)]
