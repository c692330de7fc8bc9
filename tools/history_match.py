"""Matching exported rows (title, year, maybe an IMDb id) to the items of the active catalog.

Order of evidence, strongest first:
1. the IMDb id, when the catalog carries one (MovieLens links, ReDial);
2. the title after `normalize_title` (case, accents, leading articles such as
   The/Le/Die, punctuation, "&"/"and", "Part II"/"2") equal to an item's title
   or alternative title, with the same year, else a year one off (release dates
   differ between sites by a year around New Year and festivals);
3. rapidfuzz similarity of the normalized titles, among items of the year +-1.

Two or more equally good items (two films with one title in one year, a remake
whose year the row does not settle) make the row *ambiguous*: it is never
matched silently, it goes into the report with its candidates. A row without a
good enough candidate is *unmatched*, reported with its nearest item and score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from memory.items import Item
from tools.titles import normalize_title

Status = Literal["matched", "ambiguous", "unmatched"]
FUZZY_MIN = 90.0  # rapidfuzz ratio (0-100) of the normalized titles to accept a fuzzy match
FUZZY_TIE = 3.0  # another item this close to the best makes a fuzzy match ambiguous
YEAR_OFF_PENALTY = 1.0  # an exact title a year off scores 99, a fuzzy one 1 point less


@dataclass(frozen=True)
class Match:
    status: Status
    item: Item | None
    score: float  # 0-100: 100 for the id or an exact title and year
    method: str  # "imdb_id" | "title" | "title, year +-1" | "fuzzy" | ""
    candidates: tuple[tuple[Item, float], ...] = ()  # best first; for the report

    @property
    def best(self) -> tuple[Item, float] | None:
        if self.item is not None:
            return self.item, self.score
        return self.candidates[0] if self.candidates else None


class HistoryMatcher:
    """An index of one catalog's titles and ids, built once per import."""

    def __init__(self, items: Iterable[Item]) -> None:
        self.items: list[Item] = list(items)
        self._imdb: dict[str, list[int]] = {}
        self._exact: dict[str, list[int]] = {}
        self._by_year: dict[int | None, tuple[list[str], list[int]]] = {}
        self._keys: list[str] = []
        self._owner: list[int] = []
        for idx, item in enumerate(self.items):
            if item.imdb_id:
                self._imdb.setdefault(item.imdb_id.lower(), []).append(idx)
            for key in dict.fromkeys(normalize_title(t) for t in (item.title, *item.aka)):
                if not key:
                    continue
                self._exact.setdefault(key, []).append(idx)
                keys, owners = self._by_year.setdefault(item.year, ([], []))
                keys.append(key)
                owners.append(idx)
                self._keys.append(key)
                self._owner.append(idx)

    def match(self, title: str, year: int | None, imdb_id: str | None = None,
              other_titles: Sequence[str] = ()) -> Match:
        if imdb_id and imdb_id.lower() in self._imdb:
            found = self._imdb[imdb_id.lower()]
            if len(found) == 1:
                return Match("matched", self.items[found[0]], 100.0, "imdb_id")
            return Match("ambiguous", None, 100.0, "imdb_id",
                         tuple((self.items[i], 100.0) for i in found))
        keys = [k for k in dict.fromkeys(normalize_title(t) for t in (title, *other_titles)) if k]
        exact = self._exact_match(keys, year)
        if exact is not None:
            return exact
        return self._fuzzy_match(keys, year)

    def _exact_match(self, keys: list[str], year: int | None) -> Match | None:
        found = list(dict.fromkeys(i for k in keys for i in self._exact.get(k, ())))
        if not found:
            return None
        if year is None:
            tiers = [(found, 100.0, "title")]
        else:
            same = [i for i in found if self.items[i].year == year]
            near = [i for i in found if self.items[i].year is None
                    or abs(self.items[i].year - year) == 1]  # type: ignore[operator]
            tiers = [(same, 100.0, "title"), (near, 100.0 - YEAR_OFF_PENALTY, "title, year +-1")]
        for idxs, score, method in tiers:
            if len(idxs) == 1:
                return Match("matched", self.items[idxs[0]], score, method)
            if len(idxs) > 1:
                return Match("ambiguous", None, score, method,
                             tuple((self.items[i], score) for i in idxs))
        return None  # the title exists, but only in other years: a remake we may not have

    def _fuzzy_match(self, keys: list[str], year: int | None) -> Match:
        pools = [year - 1, year, year + 1, None] if year is not None else list(self._by_year)
        best: dict[int, float] = {}
        for key in keys:
            for pool_year in pools:
                pool = self._by_year.get(pool_year)
                if pool is None:
                    continue
                for _, score, pos in process.extract(key, pool[0], scorer=fuzz.ratio, limit=5,
                                                     score_cutoff=FUZZY_MIN - FUZZY_TIE):
                    s = float(score) - (YEAR_OFF_PENALTY if pool_year != year else 0.0)
                    idx = pool[1][pos]
                    best[idx] = max(best.get(idx, 0.0), s)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if ranked and ranked[0][1] >= FUZZY_MIN:
            close = [(self.items[i], round(s, 1)) for i, s in ranked if s >= ranked[0][1] - FUZZY_TIE]
            if len(close) > 1:
                return Match("ambiguous", None, close[0][1], "fuzzy", tuple(close))
            return Match("matched", self.items[ranked[0][0]], round(ranked[0][1], 1), "fuzzy")
        return Match("unmatched", None, 0.0, "", self._nearest(keys, year))

    def _nearest(self, keys: list[str], year: int | None) -> tuple[tuple[Item, float], ...]:
        """The catalog's closest title in any year, for the report (never an answer)."""
        scored: dict[int, float] = {}
        for key in keys:
            for _, score, pos in process.extract(key, self._keys, scorer=fuzz.ratio, limit=3):
                idx = self._owner[pos]
                scored[idx] = max(scored.get(idx, 0.0), float(score))
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], _year_gap(self.items[kv[0]], year)))
        return tuple((self.items[i], round(s, 1)) for i, s in ranked[:3])


def _year_gap(item: Item, year: int | None) -> int:
    return abs(item.year - year) if item.year is not None and year is not None else 0
