"""Resolving what a person typed ("the godfather 2", "Alien 1979", "amelie") to a catalog item.

People type titles from memory: no accents, no leading article, "2" for "Part II",
a year to disambiguate, a typo or two. Both the catalog titles and the query go
through the same `normalize_title`, so most of those differences vanish before any
fuzzy matching; rapidfuzz then handles typos. When several items match about
equally well (two "Halloween"s, three "Dune"s) nothing is guessed: the caller gets
the candidates and asks.

The index is built once per catalog version (the engine caches it); a resolve is
an exact lookup, one rapidfuzz `ratio` scan and a prefix scan, a few ms at 36k items.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from memory.items import Item

_ARTICLES = frozenset({"the", "a", "an", "le", "la", "les", "l", "il", "el", "das", "der", "die"})
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
          "ix": "9", "x": "10", "xi": "11", "xii": "12"}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
                 "twelve": "12"}
_SEQUEL_WORDS = frozenset({"part", "pt", "vol", "volume", "chapter", "episode"})
_TRAILING_ARTICLE = re.compile(r",\s*(the|a|an|le|la|les|l'|il|el|das|der|die)\s*$")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_YEAR = re.compile(r"^(.*\S)\s*[(\[]?\b(1[89]\d\d|20\d\d)\b[)\]]?\s*$")

MATCH = 85.0  # below this, the best match is a suggestion, not an answer
TIE = 2.5  # candidates this close to the best make the title ambiguous
PREFIX_BASE = 84.0  # "eternal sunshine" for "Eternal Sunshine of the Spotless Mind"
SUBTITLE_PENALTY = 6.0  # "dune" matching "Dune: Part Two" by its main title
YEAR_MATCH, YEAR_NEAR, YEAR_MISS = 5.0, 2.0, -15.0


def normalize_title(text: str) -> str:
    """Lower-case ASCII words; no leading article, no "part", numerals as digits."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    m = _TRAILING_ARTICLE.search(ascii_text)
    if m:  # "godfather, the" -> "the godfather", "boot, das" -> "das boot"
        ascii_text = f"{m.group(1)} {ascii_text[: m.start()]}"
    ascii_text = ascii_text.replace("&", " and ").replace("'", "")
    words = _NON_WORD.sub(" ", ascii_text).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    out: list[str] = []
    for k, w in enumerate(words):
        after_sequel_word = k > 0 and words[k - 1] in _SEQUEL_WORDS
        if w in _SEQUEL_WORDS and k > 0:
            continue
        if w in _ROMAN and (k > 0 or len(words) == 1):
            w = _ROMAN[w]
        elif w == "i" and after_sequel_word:
            w = "1"
        out.append(_NUMBER_WORDS.get(w, w))
    return " ".join(out)


@dataclass(frozen=True)
class Resolution:
    """`item` is set only for a confident, unambiguous match; `candidates` always lists the
    nearest matches, best first, with scores on rapidfuzz's 0-100 scale (year bonus included)."""

    query: str
    item: Item | None
    candidates: list[tuple[Item, float]] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return self.item is None and sum(s >= MATCH for _, s in self.candidates) > 1

    def message(self) -> str:
        """What a tool tells the model when there is no single answer."""
        if self.item is not None:
            return f"{self.query!r} is {self.item.label} (id {self.item.id})"
        if not self.candidates:
            return f"no title in the catalog looks like {self.query!r}"
        listed = "; ".join(f"{i.label} (id {i.id})" for i, _ in self.candidates)
        lead = "is ambiguous" if self.ambiguous else "was not found; nearest matches"
        return f"{self.query!r} {lead}: {listed}"


class TitleIndex:
    """Normalized titles, alternative titles and main titles (before a colon) of a catalog."""

    def __init__(self, items: Iterable[Item]) -> None:
        self.items: list[Item] = list(items)
        self._keys: list[str] = []
        self._owner: list[int] = []
        self._penalty: list[float] = []
        self._exact: dict[str, list[int]] = {}
        self._by_word: dict[str, list[int]] = {}
        for idx, item in enumerate(self.items):
            for name in (item.title, *item.aka):
                self._add(normalize_title(name), idx, 0.0)
                if ":" in name:
                    self._add(normalize_title(name.split(":", 1)[0]), idx, SUBTITLE_PENALTY)
        self._vocab = list(self._by_word)

    def _add(self, key: str, idx: int, penalty: float) -> None:
        if not key:
            return
        self._keys.append(key)
        self._owner.append(idx)
        self._penalty.append(penalty)
        self._exact.setdefault(key, []).append(len(self._keys) - 1)
        for word in set(key.split()):
            if len(word) >= 3:
                self._by_word.setdefault(word, []).append(len(self._keys) - 1)

    def __len__(self) -> int:
        return len(self.items)

    def resolve(self, text: str, limit: int = 5) -> Resolution:
        query = text.strip()
        best: dict[int, float] = {}
        for key, year in _readings(query):
            for entry, score in self._scored_entries(key):
                idx = self._owner[entry]
                s = score - self._penalty[entry] + _year_bonus(self.items[idx].year, year)
                if s > best.get(idx, -1.0):
                    best[idx] = s
        if max(best.values(), default=0.0) < MATCH:
            for entry, score in self._suggestions(normalize_title(query)):
                idx = self._owner[entry]
                best[idx] = max(best.get(idx, -1.0), score)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self.items[kv[0]].title))
        candidates = [(self.items[i], round(s, 1)) for i, s in ranked[:limit]]
        if not candidates or candidates[0][1] < MATCH:
            return Resolution(query, None, candidates)
        top = candidates[0][1]
        close = [c for c in candidates if c[1] >= top - TIE]
        if len(close) > 1:
            return Resolution(query, None, close)
        return Resolution(query, candidates[0][0], candidates)

    def _scored_entries(self, key: str) -> list[tuple[int, float]]:
        if not key:
            return []
        out = [(e, 100.0) for e in self._exact.get(key, [])]
        for _, score, e in process.extract(key, self._keys, scorer=fuzz.ratio, limit=25,
                                           score_cutoff=50):
            out.append((e, float(score)))
        if len(key) >= 4:
            stem = key + " "
            for e, k in enumerate(self._keys):
                if k.startswith(stem):
                    out.append((e, PREFIX_BASE + 10.0 * len(key) / len(k)))
        return out


    def _suggestions(self, key: str) -> list[tuple[int, float]]:
        """For a title that matched nothing: titles sharing (fuzzily) a word with it.

        Scored by token-set similarity but kept below MATCH: a suggestion is never an answer.
        """
        entries: set[int] = set()
        for word in {w for w in key.split() if len(w) >= 3}:
            for match, _, _ in process.extract(word, self._vocab, scorer=fuzz.ratio, limit=3,
                                               score_cutoff=75):
                entries.update(self._by_word[match][:50])
        scored = [(e, min(MATCH - 1.0, float(fuzz.token_set_ratio(key, self._keys[e]))))
                  for e in entries]
        return sorted(scored, key=lambda p: -p[1])[:25]


def _readings(query: str) -> list[tuple[str, int | None]]:
    """"Alien 1979" is Alien from 1979, but "Blade Runner 2049" is a title: try both."""
    readings: list[tuple[str, int | None]] = [(normalize_title(query), None)]
    m = _YEAR.match(query)
    if m:
        readings.append((normalize_title(m.group(1)), int(m.group(2))))
    return readings


def _year_bonus(item_year: int | None, wanted: int | None) -> float:
    if wanted is None or item_year is None:
        return 0.0
    gap = abs(item_year - wanted)
    return YEAR_MATCH if gap == 0 else YEAR_NEAR if gap == 1 else YEAR_MISS
