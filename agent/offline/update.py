"""A user turn as an UPDATE of the dialogue state: replace, add, refine, negate or reset.

"80s horror" starts a request (replace). "but no comedies" adds a negation,
"make them older" refines the year range relative to its current value (or to
the films just shown), "any decade is fine" drops a constraint, "start over"
resets. The update works on the state, never on a fresh parse alone, so a
follow-up cannot lose the genre the conversation is about.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from agent.dialogue import DialogueState
from agent.offline.lexicon import Vocabulary

OLDER = re.compile(r"\b(older|earlier|less recent|further back|go back|more classic|vintage ones|"
                   r"before (that|those|them)|from before then)\b")
NEWER = re.compile(r"\b(newer|more recent|more modern|later ones|less old|not (so|as|that) old|"
                   r"fresher|more up to date|after (that|those|them)|recent ones)\b")
SHORTER = re.compile(r"\b(shorter|less long|not as long|quicker)\b")
LONGER = re.compile(r"\b(longer|more epic)\b")
LIGHTER = re.compile(r"\b(lighter|less (dark|heavy|grim|serious|bleak|depressing)|happier|more upbeat|"
                     r"more cheerful|cheer me up|easier|less intense)\b")
ANY_YEAR = re.compile(r"\b(any (decade|year|era|period|time)|(decade|year|era|age|when) (doesn'?t|does not) "
                      r"matter|whenever|don'?t care (when|about the (year|decade|era)))\b")
ANY_LENGTH = re.compile(r"\b(any (length|runtime)|length (doesn'?t|does not) matter|don'?t care how long)\b")
ANY_GENRE = re.compile(r"\b(any genre|genre (doesn'?t|does not) matter|whatever genre)\b")
ANY_COUNTRY = re.compile(r"\b(any (country|language)|(country|language) (doesn'?t|does not) matter)\b")
RESET = re.compile(r"\b(start (over|again|fresh)|from scratch|clear (the |all )?(filters|constraints)|"
                   r"reset (the )?(filters|search|constraints)|forget (all )?(that|those|the filters)|"
                   r"new search|something completely different|never ?mind( all)? that)\b")
GENRE_SWAP = re.compile(r"\b(instead|rather|make (it|that|them|those) |switch to|change (it )?to|"
                        r"actually|swap)\b")
GENRE_ADD = re.compile(r"\b(too|also|as well|plus|and also|or)\b")
DROP = re.compile(r"\b(?:drop|forget|remove|lose|without the|never ?mind|ignore) (?:the )?(\w[\w -]*?)"
                  r"(?: (?:part|bit|filter|one|thing|constraint))?\b(?:$|[,.!?])")


@dataclass
class Slots:
    """What a request clause said, before it meets the state."""

    genres: list[str] = field(default_factory=list)
    exclude_genres: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    runtime_min: int | None = None
    runtime_max: int | None = None
    count: int | None = None
    words: list[str] = field(default_factory=list)
    """Other content words of the request (themes without a catalog keyword)."""

    @classmethod
    def from_action(cls, slots: dict[str, Any], extra: dict[str, Any], words: list[str]) -> Slots:
        return cls(
            genres=list(slots.get("genres", [])), exclude_genres=list(slots.get("exclude_genres", [])),
            keywords=list(slots.get("keywords", [])), avoid=list(slots.get("exclude_keywords", [])),
            people=list(slots.get("people", [])), titles=list(slots.get("titles", [])),
            countries=list(extra.get("countries", [])), year_min=slots.get("year_min"),
            year_max=slots.get("year_max"), runtime_min=extra.get("runtime_min"),
            runtime_max=extra.get("runtime_max"), count=slots.get("k") or extra.get("count"),
            words=words,
        )


def fresh(slots: Slots) -> DialogueState:
    """A new request: the state is exactly what this turn said."""
    return DialogueState(
        genres=_uniq(slots.genres), exclude_genres=_uniq(slots.exclude_genres),
        keywords=_uniq(slots.keywords + slots.words), avoid=_uniq(slots.avoid),
        people=_uniq(slots.people), year_min=slots.year_min, year_max=slots.year_max,
        countries=_uniq(slots.countries), runtime_min=slots.runtime_min,
        runtime_max=slots.runtime_max, count=slots.count, anchors=_uniq(slots.titles),
    )


def refine(state: DialogueState, slots: Slots, low: str, vocab: Vocabulary) -> DialogueState:
    """The current request changed by this turn: add, replace, negate, relative shifts, reset."""
    if RESET.search(low):
        return fresh(slots)
    new = state.copy()
    new.last_shown = list(state.last_shown)
    _genres(new, slots, low)
    new.keywords = _uniq([k for k in new.keywords if k not in slots.avoid] + slots.keywords + slots.words)
    new.avoid = _uniq([a for a in new.avoid if a not in slots.keywords] + slots.avoid)
    new.people = _uniq(slots.people) or new.people
    new.countries = _uniq(slots.countries) or new.countries
    new.anchors = _uniq(slots.titles) or new.anchors
    if slots.count is not None:
        new.count = slots.count
    _years(new, slots, low, vocab)
    _runtime(new, slots, low, vocab)
    if LIGHTER.search(low):
        new.keywords = _uniq([*new.keywords, "feel-good"])
        new.avoid = _uniq([*new.avoid, "dark", "bleak"])
    if ANY_GENRE.search(low):
        new.genres = []
    if ANY_COUNTRY.search(low):
        new.countries = []
    _drops(new, low, vocab)
    return new


def _genres(new: DialogueState, slots: Slots, low: str) -> None:
    if slots.genres:
        swap = GENRE_SWAP.search(low) or not GENRE_ADD.search(low)
        kept = [] if swap else new.genres
        new.genres = _uniq(kept + slots.genres)
    new.exclude_genres = _uniq([g for g in new.exclude_genres if g not in slots.genres]
                               + slots.exclude_genres)
    new.genres = [g for g in new.genres if g not in new.exclude_genres]


def _years(new: DialogueState, slots: Slots, low: str, vocab: Vocabulary) -> None:
    explicit = bool(re.search(r"\d|century|eighties|nineties|seventies|sixties|fifties|forties|"
                              r"thirties|twenties", low))
    if ANY_YEAR.search(low):
        new.year_min = new.year_max = None
    if explicit and (slots.year_min is not None or slots.year_max is not None):
        new.year_min, new.year_max = slots.year_min, slots.year_max
        return
    lo, hi = new.year_min, new.year_max
    if OLDER.search(low):
        if lo is not None and hi is not None:
            width = hi - lo
            new.year_min, new.year_max = lo - width - 1, lo - 1
        elif lo is not None:
            new.year_min, new.year_max = None, lo - 1
        elif hi is not None:
            new.year_max = hi - 10
        else:
            ref = _median(vocab.years, new.last_shown)
            new.year_max = (ref - 1) if ref else 1979
    elif NEWER.search(low):
        top = vocab.latest_year
        if lo is not None and hi is not None:
            width = hi - lo
            new.year_min, new.year_max = hi + 1, min(top, hi + 1 + width)
        elif hi is not None:
            new.year_min, new.year_max = hi + 1, None
        elif lo is not None:
            new.year_min = min(lo + 10, top - 5)
        else:
            ref = _median(vocab.years, new.last_shown)
            new.year_min = min(ref + 1, top - 5) if ref else vocab.recent_from
    elif slots.year_min is not None or slots.year_max is not None:
        new.year_min, new.year_max = slots.year_min, slots.year_max


def _runtime(new: DialogueState, slots: Slots, low: str, vocab: Vocabulary) -> None:
    if ANY_LENGTH.search(low):
        new.runtime_min = new.runtime_max = None
    if slots.runtime_min is not None or slots.runtime_max is not None:
        new.runtime_min, new.runtime_max = slots.runtime_min, slots.runtime_max
        return
    ref = new.runtime_max or _median(vocab.runtimes, new.last_shown) or 110
    if SHORTER.search(low):
        new.runtime_max, new.runtime_min = max(60, ref - 15), None
    elif LONGER.search(low):
        base = new.runtime_min or _median(vocab.runtimes, new.last_shown) or 110
        new.runtime_min, new.runtime_max = base + 15, None


def _drops(new: DialogueState, low: str, vocab: Vocabulary) -> None:
    """ "forget the horror part", "drop the year": one constraint removed by name."""
    for m in DROP.finditer(low):
        word = m.group(1).strip()
        genre = vocab.genres.get(word)
        if genre:
            new.genres = [g for g in new.genres if g not in genre]
            new.exclude_genres = [g for g in new.exclude_genres if g not in genre]
        elif word in ("year", "years", "decade", "era", "date"):
            new.year_min = new.year_max = None
        elif word in ("length", "runtime", "time limit"):
            new.runtime_min = new.runtime_max = None
        elif word in ("country", "language"):
            new.countries = []
        else:
            new.keywords = [k for k in new.keywords if k != word]
            new.people = [p for p in new.people if word not in p.lower()]


def _median(values: dict[str, int], titles: list[str]) -> int | None:
    found = [values[t] for t in titles if t in values]
    return int(statistics.median(found)) if found else None


def _uniq(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
