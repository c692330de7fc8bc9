"""Hostile item fields in a JSONL catalog: each case names its exact outcome.

Line 1 of every file is a good row; the hostile row is line 2 (or the line the
case says). See tests/hostile_cases.py for what Err/Ok/Warn assert.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.ingest.readers import ReadOptions
from tests.hostile_cases import Err, Ok, Outcome, Warn, check, jsonl, read

T = {"id": "b"}  # every hostile row has an id, so the title rules are tested alone


def row(**kw: object) -> dict[str, object]:
    return {**T, "title": "Beta", **kw}


CASES: list[tuple[str, bytes, Outcome]] = [
    # titles
    ("title-100k-chars", jsonl(row(title="x" * 100_000)), Err(2, "title: 100,000 characters, more than the 500 allowed")),
    ("title-501-chars", jsonl(row(title="x" * 501)), Err(2, "title: 501 characters, more than the 500 allowed")),
    ("title-500-chars", jsonl(row(title="x" * 500)), Ok(title="x" * 500)),
    ("title-nul", jsonl(row(title="Be\x00ta")), Err(2, "title: control character '\\x00' at column 3")),
    ("title-escape-clear-screen", jsonl(row(title="\x1b[2JBeta")), Err(2, "title: control character '\\x1b' at column 1")),
    ("title-c1-csi", jsonl(row(title="Be\x9bta")), Err(2, "title: control character '\\x9b' at column 3")),
    ("title-bidi-override", jsonl(row(title="Beta\u202eatad")), Err(2, "title: control character '\\u202e' at column 5")),
    ("title-bell", jsonl(row(title="Beta\x07")), Err(2, "title: control character '\\x07'")),
    ("title-del", jsonl(row(title="Beta\x7f")), Err(2, "title: control character '\\x7f'")),
    ("title-tab-squashed", jsonl(row(title="Be\tta")), Ok(title="Be ta")),
    ("title-newline-squashed", jsonl(row(title="Be\nta")), Ok(title="Be ta")),
    ("title-spaces-trimmed", jsonl(row(title="   Beta   ")), Ok(title="Beta")),
    ("title-only-spaces", jsonl(row(title="   ")), Err(2, "missing title")),
    ("title-missing", jsonl({"id": "b", "year": 1990}), Err(2, "missing title")),
    ("title-number", jsonl(row(title=1917)), Ok(title="1917")),
    ("title-object", jsonl(row(title={"en": "Beta"})), Err(2, "title: expected text, got an object")),
    ("title-list", jsonl(row(title=["Beta"])), Err(2, "title: expected text, got a list")),
    ("title-bool", jsonl(row(title=True)), Err(2, "title: expected text, got true/false")),
    ("title-year-suffix", jsonl({"id": "b", "title": "Alien (1979)"}), Ok(title="Alien", year=1979)),
    ("title-unicode", jsonl(row(title="Amélie 東京")), Ok(title="Amélie 東京")),
    # descriptions
    ("description-20001", jsonl(row(description="d" * 20_001)), Err(2, "description: 20,001 characters, more than the 20,000 allowed")),
    ("description-20000", jsonl(row(description="d" * 20_000)), Ok(description="d" * 20_000)),
    ("description-10mb-line", jsonl(row(description="d" * 10_000_000)), Err(2, "bytes is longer than the 1,000,000-byte limit")),
    ("description-object", jsonl(row(description={"text": "x"})), Err(2, "description: expected text, got an object")),
    ("description-list", jsonl(row(description=["x"])), Err(2, "description: expected text, got a list")),
    ("description-number", jsonl(row(description=5)), Err(2, "description: expected text, got a number 5")),
    ("description-escape", jsonl(row(description="ok \x1b]0;pwned\x07")), Err(2, "description: control character '\\x1b' at column 4")),
    ("plot-synonym", jsonl(row(plot="A  plot.")), Ok(description="A plot.")),
    # ids
    ("id-201-chars", jsonl(row(id="i" * 201)), Err(2, "id: 201 characters, more than the 200 allowed")),
    ("id-100k-chars", jsonl(row(id="i" * 100_000)), Err(2, "id: 100,000 characters, more than the 200 allowed")),
    ("id-200-chars", jsonl(row(id="i" * 200)), Ok(id="i" * 200)),
    ("id-nul", jsonl(row(id="b\x00")), Err(2, "id: control character '\\x00' at column 2")),
    ("id-escape", jsonl(row(id="\x1b[31mb")), Err(2, "id: control character '\\x1b'")),
    ("id-only-spaces", jsonl(row(id="   ")), Err(2, "id: empty")),
    ("id-number", jsonl(row(id=42)), Ok(id="42")),
    ("id-float-whole", jsonl(row(id=42.0)), Ok(id="42")),
    ("id-bool", jsonl(row(id=True)), Err(2, "id: expected text, got true/false")),
    ("id-object", jsonl(row(id={"x": 1})), Err(2, "id: expected text, got an object")),
    ("id-missing-slugged", jsonl({"title": "Beta Max", "year": 2001}), Ok(id="beta-max-2001")),
    ("id-duplicate", jsonl({"id": "a", "title": "Again"}), Err(2, "duplicate id 'a' (first seen at line 1)")),
    # runtimes
    ("runtime-negative", jsonl(row(runtime=-100)), Err(2, "runtime: -100 minutes is outside 1-1000")),
    ("runtime-zero", jsonl(row(runtime=0)), Err(2, "runtime: 0 minutes is outside 1-1000")),
    ("runtime-1", jsonl(row(runtime=1)), Ok(runtime=1)),
    ("runtime-1000", jsonl(row(runtime=1000)), Ok(runtime=1000)),
    ("runtime-1001", jsonl(row(runtime=1001)), Err(2, "runtime: 1001 minutes is outside 1-1000")),
    ("runtime-10e12", jsonl(row(runtime=10**12)), Err(2, "runtime: 1000000000000 minutes is outside 1-1000")),
    ("runtime-text-number", jsonl(row(runtime="90")), Ok(runtime=90)),
    ("runtime-fraction", jsonl(row(runtime=90.5)), Err(2, "runtime: 90.5 is not a whole number of minutes")),
    ("runtime-word", jsonl(row(runtime="long")), Err(2, "runtime: expected a number, got str 'long'")),
    ("runtime-nan-literal", jsonl('{"id": "b", "title": "Beta", "runtime": NaN}'), Err(2, "NaN is not a number JSON allows")),
    ("runtime-nan-text", jsonl(row(runtime="nan")), Err(2, "runtime: 'nan' is not a finite number")),
    # popularity
    ("popularity-nan-literal", jsonl('{"id": "b", "title": "Beta", "popularity": NaN}'), Err(2, "NaN is not a number JSON allows")),
    ("popularity-infinity-literal", jsonl('{"id": "b", "title": "Beta", "popularity": Infinity}'), Err(2, "Infinity is not a number JSON allows")),
    ("popularity-minus-infinity", jsonl('{"id": "b", "title": "Beta", "popularity": -Infinity}'), Err(2, "-Infinity is not a number JSON allows")),
    ("popularity-inf-text", jsonl(row(popularity="inf")), Err(2, "popularity: 'inf' is not a finite number")),
    ("popularity-huge-exponent", jsonl('{"id": "b", "title": "Beta", "popularity": 1e999}'), Err(2, "popularity: inf is not a finite number")),
    ("popularity-negative", jsonl(row(popularity=-5)), Err(2, "popularity: -5 is negative")),
    ("popularity-text-number", jsonl(row(popularity="12.5")), Ok(popularity=12.5)),
    ("popularity-bool", jsonl(row(popularity=True)), Err(2, "popularity: expected a number, got True")),
    # years
    ("year-3001", jsonl(row(year=3001)), Err(2, "year 3001 is outside 1870-2100")),
    ("year-1869", jsonl(row(year=1869)), Err(2, "year 1869 is outside 1870-2100")),
    ("year-garbled", jsonl(row(year="199x")), Err(2, "bad year '199x'")),
    ("year-bool", jsonl(row(year=True)), Err(2, "bad year True")),
    ("year-float-text", jsonl(row(year="1999.0")), Ok(year=1999)),
    # genres
    ("genre-misspelled", jsonl(row(genres=["Dramma"])), Warn(2, "unknown genre 'Dramma' ignored (did you mean 'Drama'?)", genres=())),
    ("genre-unknown", jsonl(row(genres="Drama|Blaxploitation")), Warn(2, "unknown genre 'Blaxploitation' ignored (known: Action", genres=("Drama",))),
    ("genre-numbers", jsonl(row(genres=[1, 2])), Err(2, "genres: expected text, got a number 1")),
    ("genre-object", jsonl(row(genres={"a": 1})), Err(2, "genres: expected text or a list of text, got an object")),
    ("genre-alias", jsonl(row(genres="science fiction|noir")), Ok(genres=("Sci-Fi", "Film-Noir"))),
    ("genre-case-and-dupes", jsonl(row(genres="DRAMA|drama|Drama")), Ok(genres=("Drama",))),
    ("genre-escape", jsonl(row(genres=["Drama\x1b[0m"])), Err(2, "genres: control character '\\x1b'")),
    # people, keywords and other lists
    ("directors-object", jsonl(row(directors={"name": "X"})), Err(2, "directors: expected text or a list of text, got an object")),
    ("director-entry-object", jsonl(row(director=[{"name": "X"}])), Err(2, "directors: expected text, got an object")),
    ("director-escape", jsonl(row(director="Ann\x1b[2J")), Err(2, "directors: control character '\\x1b'")),
    ("cast-entry-501", jsonl(row(cast=["c" * 501])), Err(2, "cast: 501 characters, more than the 500 allowed")),
    ("cast-201-entries", jsonl(row(cast=[f"a{i}" for i in range(201)])), Err(2, "cast: 201 entries, more than the 200 allowed")),
    ("keywords-numbers", jsonl(row(keywords=[1, 2])), Ok(keywords=("1", "2"))),
    ("keywords-lowercased", jsonl(row(keywords="Space|Robots")), Ok(keywords=("space", "robots"))),
    ("aka-escape", jsonl(row(aka=["B\x1bta"])), Err(2, "aka: control character '\\x1b'")),
    ("country-object", jsonl(row(country={"code": "FR"})), Err(2, "country: expected text, got an object")),
    ("imdb-id-201", jsonl(row(imdb_id="t" * 201)), Err(2, "imdb_id: 201 characters, more than the 200 allowed")),
    # JSON shape
    ("broken-json", jsonl('{"id": "b", "title": '), Err(2, "broken JSON: Expecting value at column 22")),
    ("json-array-line", jsonl("[1, 2]"), Err(2, "expected a JSON object per line")),
    ("json-string-line", jsonl('"Beta"'), Err(2, "expected a JSON object per line")),
    ("json-100k-deep", jsonl("[" * 100_000 + "]" * 100_000), Err(2, "JSON nested deeper than 8 levels")),
    ("json-9-deep-field", jsonl(row(keywords=[[[[[[[["x"]]]]]]]])), Err(2, "JSON nested deeper than 8 levels")),
    ("json-duplicate-key", jsonl('{"id": "b", "title": "Beta", "title": "Gamma"}'), Err(2, "duplicate key 'title'")),
    ("json-not-utf8", jsonl(b'{"id": "b", "title": "Am\xe9lie"}'), Err(2, "not valid UTF-8 (byte 0xe9 at column 25)")),
    ("json-line-over-1mb-no-newline", jsonl(b"x" * 1_500_000), Err(2, "line of 1,500,001 bytes is longer than the 1,000,000-byte limit")),
]


@pytest.mark.parametrize(("name", "content", "expect"), CASES, ids=[c[0] for c in CASES])
def test_hostile_jsonl_field(tmp_path: Path, name: str, content: bytes, expect: Outcome) -> None:
    path = tmp_path / "films.jsonl"
    path.write_bytes(content)
    parsed = read(path)
    check(parsed, path, expect)
    assert parsed.items[0].id == "a"  # the good row before the hostile one is always kept


SPECIAL: list[tuple[str, bytes, Outcome]] = [
    ("bom-first-line", b"\xef\xbb\xbf" + jsonl(row()), Ok(items=2, id="b")),
    ("crlf-endings", jsonl(row()).replace(b"\n", b"\r\n"), Ok(items=2, title="Beta")),
    ("blank-lines-keep-numbering", jsonl("", "   ", '{"id": "b"}'), Err(4, "missing title")),
    ("no-final-newline", jsonl(row()).rstrip(b"\n"), Ok(items=2, id="b")),
]


@pytest.mark.parametrize(("name", "content", "expect"), SPECIAL, ids=[c[0] for c in SPECIAL])
def test_hostile_jsonl_layout(tmp_path: Path, name: str, content: bytes, expect: Outcome) -> None:
    path = tmp_path / "films.jsonl"
    path.write_bytes(content)
    check(read(path), path, expect)


def test_long_description_is_truncated_with_a_warning_under_skip_invalid(tmp_path: Path) -> None:
    path = tmp_path / "films.jsonl"
    path.write_bytes(jsonl(row(description="d" * 25_000)))
    parsed = read(path, options=ReadOptions(lenient=True))
    check(parsed, path, Warn(2, "description of 25,000 characters truncated to 20,000",
                             description="d" * 20_000))
