"""Property tests over the readers and ingest: random input never gives a traceback or a
half-ingested catalog, and whatever is accepted respects every limit.

Examples are few (the suite must stay fast on 2 cores) and ingest uses the
word-hash fake embedder; hypothesis's database makes a found failure replay first.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory.bootstrap import open_memory
from memory.ingest import limits
from memory.ingest.pipeline import ingest
from memory.ingest.readers import IngestError, Parsed, read_catalog
from memory.items import GENRES, Item
from memory.settings import Settings
from tests.fakes import WordHashEmbedder

# HOSTILE_EXAMPLES=2000 for a longer hunt; the default keeps the suite fast.
FAST = settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

FIELDS = ["id", "title", "name", "year", "genres", "genre", "keywords", "tags", "directors",
          "director", "cast", "star", "description", "plot", "popularity", "runtime", "country",
          "imdb_id", "aka", "unknown"]
NASTY_TEXT = st.sampled_from(["", " ", "\x00", "\x1b[2J", "\u202e", "\x9b", "Drama", "dramma",
                              "NaN", "inf", "-1", "1e999", "1999", '"', "\n", "a" * 600])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(10**15), 10**15),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40), NASTY_TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                      st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=12)
ROWS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)


def assert_item_within_limits(item: Item) -> None:
    texts = [item.id, item.title, item.description, item.country or "", item.imdb_id or "",
             *item.aka, *item.genres, *item.keywords, *item.directors, *item.cast]
    assert not any(_CONTROL.search(t) for t in texts), item
    assert 0 < len(item.id) <= limits.MAX_ID and 0 < len(item.title) <= limits.MAX_TITLE
    assert len(item.description) <= limits.MAX_DESCRIPTION
    assert item.runtime is None or 1 <= item.runtime <= 1000
    assert item.popularity is None or (math.isfinite(item.popularity) and item.popularity >= 0)
    assert set(item.genres) <= set(GENRES)


def assert_parsed_sound(parsed: Parsed, path: Path) -> None:
    for e in parsed.errors + parsed.warnings:
        assert Path(e.path).parent == path.parent and e.line >= 0 and e.reason
    for item in parsed.items:
        assert_item_within_limits(item)
    for r in parsed.interactions:
        assert math.isfinite(r.value) and 0 <= r.value <= 5 and r.item_id in parsed.item_lines


def read_or_refuse(path: Path, **kw: Any) -> Parsed | None:
    """The only acceptable outcomes: a Parsed, or an IngestError. Anything else fails the test."""
    try:
        parsed = read_catalog(path, **kw)
    except IngestError as exc:
        assert exc.errors and all(Path(e.path).parent == path.parent for e in exc.errors)
        return None
    assert_parsed_sound(parsed, path)
    return parsed


@FAST
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".jsonl", ".csv", ".tsv", ".json"]))
def test_random_bytes_never_crash_a_reader(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"films{suffix}"
        path.write_bytes(data)
        read_or_refuse(path)


@FAST
@given(rows=st.lists(ROWS, max_size=6))
def test_random_jsonl_rows_are_items_within_limits_or_named_errors(rows: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "films.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
        parsed = read_or_refuse(path)
        assert parsed is not None
        # every row is accounted for: an item, or an error at its own line
        assert len(parsed.items) + len({e.line for e in parsed.errors}) == len(rows)


CELLS = st.one_of(st.text(max_size=30), NASTY_TEXT, st.sampled_from(['"', '""', 'a"b', ",", "\r\n"]))


@FAST
@given(header=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=5, unique=True),
       rows=st.lists(st.lists(CELLS, max_size=6), max_size=6), quote=st.booleans())
def test_random_csv_rows_never_crash(header: list[str], rows: list[list[str]], quote: bool) -> None:
    buf = io.StringIO()
    if quote:
        w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(rows)
    else:  # hand-made CSV: stray quotes and wrong column counts left as they are
        buf.write("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "films.csv"
        path.write_text(buf.getvalue())
        read_or_refuse(path)


RATING_CELLS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                         st.integers(-10, 20).map(str), NASTY_TEXT)


@FAST
@given(values=st.lists(st.tuples(st.sampled_from(["u1", "u2", "\x1bu"]), st.sampled_from(["a", "b", "zz"]),
                                 RATING_CELLS), max_size=8))
def test_random_ratings_are_in_scale_or_named(values: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        films = Path(tmp) / "films.jsonl"
        films.write_text('{"id": "a", "title": "A"}\n{"id": "b", "title": "B"}\n')
        ratings = Path(tmp) / "ratings.csv"
        ratings.write_text("user_id,item_id,value\n" + "".join(
            f'{u},{i},"{v}"\n' for u, i, v in values if '"' not in v))
        read_or_refuse(films, interactions=ratings)


_HOME = tempfile.TemporaryDirectory()  # one store for all examples: opening Chroma costs ~0.5 s
_MEMORY: list[Any] = []


def _memory() -> Any:
    if not _MEMORY:
        s = Settings(data_dir=Path(_HOME.name) / "data", user="prop")
        _MEMORY.append(open_memory(s, embedder=WordHashEmbedder()))
    return _MEMORY[0]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROWS, min_size=1, max_size=5), skip=st.booleans())
def test_ingest_is_all_or_nothing_on_random_rows(rows: list[dict], skip: bool) -> None:
    memory = _memory()
    path = Path(_HOME.name) / "films.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    before = memory.store.catalog_record("prop")
    collections_before = sorted(c.name for c in memory.client.list_collections())
    parsed = read_catalog(path)
    try:
        report = ingest(parsed, catalog="prop", client=memory.client, store=memory.store,
                        embedder=memory.embedder, skip_invalid=skip)
    except IngestError:
        assert memory.store.catalog_record("prop") == before  # the old catalog, untouched
        assert sorted(c.name for c in memory.client.list_collections()) == collections_before
        return
    assert report.items == len(parsed.items) and (skip or not parsed.errors)
    memory.catalog.refresh() if memory.catalog.name == "prop" else memory.switch_catalog("prop", remember=False)
    assert sorted(memory.catalog.items) == sorted(i.id for i in parsed.items)
    assert len(memory.client.list_collections()) == 1  # the new version only, no stray one
