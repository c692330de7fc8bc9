"""The bundled demo catalog: enough films, well-formed, and its facts cross-checked."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter

from memory.bootstrap import demo_items
from memory.ingest.rows import split_title
from memory.items import GENRES
from tests.conftest import shared_path


def _norm(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^(the|a|an)\s+", "", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def test_demo_catalog_is_big_varied_and_well_formed() -> None:
    items = demo_items()
    assert len(items) >= 400
    assert len({i.id for i in items}) == len(items)
    decades = Counter(i.decade for i in items)
    assert len(decades) >= 8, decades
    countries = {i.country for i in items}
    assert len(countries) >= 15
    for item in items:
        assert item.year and item.genres and set(item.genres) <= set(GENRES), item.id
        assert len(item.directors) >= 1 and 2 <= len(item.cast) <= 4, item.id
        assert 10 <= len(item.description.split()) <= 90, item.id
        assert item.keywords and item.runtime and item.country, item.id


def test_demo_titles_and_years_match_movielens_or_redial() -> None:
    known: set[tuple[str, int | None]] = set()
    with shared_path("data", "movielens-small", "movies.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            title, year, aka = split_title(row["title"])
            for t in (title, *aka):
                known.add((_norm(t), year))
    redial = json.loads(shared_path("data", "redial", "movies.json").read_text(encoding="utf-8"))
    for movie in redial.values():
        title, year, aka = split_title(movie.get("name", ""))
        for t in (title, *aka):
            known.add((_norm(t), year))
    items = demo_items()
    misses = [i.label for i in items if (_norm(i.title), i.year) not in known]
    matched = 1 - len(misses) / len(items)
    assert matched >= 0.98, f"{matched:.1%} matched; not found: {misses[:20]}"
