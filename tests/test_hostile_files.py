"""Hostile CSV files, file kinds and dataset layouts: each case names its exact outcome."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from memory.ingest.readers import IngestError
from tests.hostile_cases import Err, Ok, Outcome, Warn, check, check_file_error, read

HEAD = "id,title,year,genres\n"
ROW1 = "a,Alpha,1999,Drama\n"

CSV_CASES: list[tuple[str, str, Outcome]] = [
    ("unclosed-quote-to-eof", HEAD + ROW1 + 'b,"Open quote film,1999,Drama\nc,Gamma,2000,Comedy\nd,Delta,2001,Horror\n',
     Err(3, "a quote opened in this record never closes (it runs to the end of the file, line 5)")),
    ("unclosed-quote-closed-later", HEAD + ROW1 + 'b,"Open quote,1999,Drama\nc,"Gamma",2000,Comedy\n',
     Err(3, "a quoted field does not end where a field should")),
    ("quote-spans-lines-wrong-count", HEAD + ROW1 + 'b,"Open,1999\nc",2000,Comedy,x\n',
     Err(3, "5 field(s), but the header has 4; a quote opened here may never close (the record runs over 2 lines)")),
    ("too-many-columns", HEAD + ROW1 + "b,Beta,1999,Drama,extra\n", Err(3, "5 field(s), but the header has 4")),
    ("too-few-columns", HEAD + ROW1 + "b,Beta\n", Err(3, "2 field(s), but the header has 4")),
    ("field-over-1mb-across-lines", HEAD + ROW1 + 'b,"' + ("x" * 100_000 + "\n") * 11 + '",1999,Drama\n',
     Err(3, "a field longer than the 1,000,000-character limit")),
    ("field-200kb-no-csv-error", "id,title,description\na,Alpha,ok\nb,Beta," + "d" * 200_000 + "\n",
     Err(3, "description: 200,000 characters, more than the 20,000 allowed")),
    ("line-over-1mb", HEAD + ROW1 + "b," + "x" * 1_200_000 + ",1999,Drama\n",
     Err(3, "bytes is longer than the 1,000,000-byte limit")),
    ("multiline-quoted-title", HEAD + ROW1 + 'b,"Two\nLines",1999,Drama\n', Ok(items=2, title="Two Lines")),
    ("escaped-quote", HEAD + ROW1 + 'b,"The ""Best"" Film",1999,Drama\n', Ok(title='The "Best" Film')),
    ("blank-lines-skipped", HEAD + "\n" + ROW1 + "\n\nb,Beta,2000,Drama\n", Ok(items=2, id="b")),
    ("header-only", HEAD, Ok(items=0)),
    ("no-title-column", "id,year\na,1999\n", Err(1, "the header has no title or name column (it has: 'id, year')")),
    ("passwd-like-no-header", "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1\n", Err(1, "the header has no title or name column")),
    ("empty-title-cell", HEAD + ROW1 + "b,,2000,Drama\n", Err(3, "missing title")),
    ("runtime-negative", "id,title,runtime\na,Alpha,90\nb,Beta,-100\n", Err(3, "runtime: '-100' minutes is outside 1-1000")),
    ("rating-like-popularity-nan", "id,title,popularity\na,Alpha,1\nb,Beta,NaN\n", Err(3, "popularity: 'NaN' is not a finite number")),
    ("genre-misspelled", HEAD + ROW1 + "b,Beta,2000,Drama|Comdy\n", Warn(3, "unknown genre 'Comdy' ignored (did you mean 'Comedy'?)", genres=("Drama",))),
    ("genre-number", HEAD + ROW1 + "b,Beta,2000,7\n", Warn(3, "unknown genre '7' ignored", genres=())),
    ("nul-in-field", HEAD + ROW1 + "b,Be\x00ta,2000,Drama\n", Err(3, "title: control character '\\x00' at column 3")),
    ("escape-in-title", HEAD + ROW1 + "b,\x1b[2JBeta,2000,Drama\n", Err(3, "title: control character '\\x1b' at column 1")),
    ("id-over-200", HEAD + ROW1 + "i" * 201 + ",Beta,2000,Drama\n", Err(3, "id: 201 characters, more than the 200 allowed")),
    ("title-over-500", HEAD + ROW1 + "b," + "t" * 501 + ",2000,Drama\n", Err(3, "title: 501 characters, more than the 500 allowed")),
    ("year-garbled", HEAD + ROW1 + "b,Beta,199x,Drama\n", Err(3, "bad year '199x'")),
    ("duplicate-id", HEAD + ROW1 + "a,Again,2000,Drama\n", Err(3, "duplicate id 'a' (first seen at line 2)")),
]


@pytest.mark.parametrize(("name", "text", "expect"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_hostile_csv(tmp_path: Path, name: str, text: str, expect: Outcome) -> None:
    path = tmp_path / "films.csv"
    path.write_bytes(text.encode())
    check(read(path), path, expect)


def test_csv_bytes_cases(tmp_path: Path) -> None:
    path = tmp_path / "films.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + ROW1).encode() + b"b,Am\xe9lie,2001,Drama\nc,Gamma,2002,Drama\n")
    parsed = read(path)
    check(parsed, path, Err(3, "not valid UTF-8 (byte 0xe9 at column 5)"))
    assert [i.id for i in parsed.items] == ["a", "c"]  # BOM header read; the bad line alone is lost


def test_tsv_is_read_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "films.tsv"
    path.write_text("id\ttitle\tyear\na\tAlpha, the film\t1999\n")
    check(read(path), path, Ok(items=1, title="Alpha, the film"))


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "films.jsonl"
    os.mkfifo(path)
    return path


def test_a_fifo_is_refused_without_blocking(fifo: Path) -> None:
    check_file_error(fifo, "is a FIFO (named pipe), not a regular file; only regular files are read")


def test_a_fifo_as_interactions_is_refused(tmp_path: Path) -> None:
    films = tmp_path / "c.jsonl"
    films.write_text(json.dumps({"id": "a", "title": "Alpha"}) + "\n")
    ratings = tmp_path / "r.csv"
    os.mkfifo(ratings)
    with pytest.raises(IngestError, match=r"r\.csv: is a FIFO \(named pipe\), not a regular file"):
        read(films, interactions=ratings)


def test_a_device_is_refused(tmp_path: Path) -> None:
    check_file_error(Path("/dev/null"), "is a device, not a regular file", fmt="jsonl")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("missing.jsonl", "no such file or folder"), ("notes.txt", "unknown file type '.txt'"),
     ("folder.d", "a folder without movies.csv or movies.json")],
)
def test_unreadable_inputs_are_named(tmp_path: Path, name: str, reason: str) -> None:
    path = tmp_path / name
    if name == "notes.txt":
        path.write_text("hi")
    if name == "folder.d":
        path.mkdir()
    check_file_error(path, reason)


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text(json.dumps({"id": "a", "title": "Alpha"}) + "\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    check(read(link), link, Ok(items=1, id="a"))


REDIAL: list[tuple[str, str, str]] = [
    ("not-an-object", "[1, 2]", ":1: expected an object of id -> movie"),
    ("broken-json-line", '{\n"1": {"name": "A"},\n"2": {"name": }\n}', ":3: broken JSON: Expecting value"),
    ("nan", '{"1": {"name": "A", "popularity": NaN}}', ":1: NaN is not a number JSON allows"),
    ("deep", '{"1": {"name": "A", "genre": ' + "[" * 50 + "]" * 50 + "}}", ":1: JSON nested deeper than 8 levels"),
    ("duplicate-key", '{"1": {"name": "A"}, "1": {"name": "B"}}', ":1: duplicate key '1'"),
]


@pytest.mark.parametrize(("name", "text", "reason"), REDIAL, ids=[c[0] for c in REDIAL])
def test_hostile_redial_file(tmp_path: Path, name: str, text: str, reason: str) -> None:
    path = tmp_path / "movies.json"
    path.write_text(text)
    check_file_error(path, f"{path}{reason}")


def test_redial_entry_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "movies.json"
    path.write_text('{"1": {"name": "A"}, "2": "B", "3": {"name": "C", "genre": ["drama"]}}')
    parsed = read(path)
    check(parsed, path, Err(2, "entry '2' is not an object"))
    assert parsed.items[-1].genres == ("Drama",)


def test_movielens_rating_outside_its_scale(tmp_path: Path) -> None:
    folder = tmp_path / "ml"
    folder.mkdir()
    (folder / "movies.csv").write_text("movieId,title,genres\n1,Alpha (1999),Drama\n")
    ratings = folder / "ratings.csv"
    ratings.write_text("userId,movieId,rating,timestamp\n1,1,0.5,1\n2,1,0,2\n")
    parsed = read(folder)
    assert [str(e) for e in parsed.errors] == [
        f"{ratings}:3: bad rating row: rating: '0' is outside the rating scale 0.5-5"
        " (pass --rating-scale LOW-HIGH if the file uses another)"
    ]
    assert [(r.user_id, r.value) for r in parsed.interactions] == [("ml-1", 0.5)]


def test_movielens_movies_with_an_unclosed_quote(tmp_path: Path) -> None:
    folder = tmp_path / "ml"
    folder.mkdir()
    movies = folder / "movies.csv"
    movies.write_text('movieId,title,genres\n1,Alpha (1999),Drama\n2,"Beta (2000),Drama\n3,Gamma,Drama\n')
    check(read(folder), movies, Err(3, "a quote opened in this record never closes"))
