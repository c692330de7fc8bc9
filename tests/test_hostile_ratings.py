"""Hostile ratings files (--interactions): scale, NaN/inf, duplicates, ids; exact outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memory.ingest.limits import RatingScale
from memory.ingest.readers import ReadOptions
from tests.hostile_cases import read

HEAD = "user_id,item_id,value,timestamp\n"
SCALE = "(pass --rating-scale LOW-HIGH if the file uses another)"

# (name, rows after the header, expected error at line 2 or None, expected stored (user, item, value))
CASES: list[tuple[str, str, str | None, list[tuple[str, str, float]]]] = [
    ("value-0", "u1,a,0,1\n", f"rating: '0' is outside the rating scale 1-5 {SCALE}", []),
    ("value-6", "u1,a,6,1\n", f"rating: '6' is outside the rating scale 1-5 {SCALE}", []),
    ("value-minus-3", "u1,a,-3,1\n", "rating: '-3' is outside the rating scale 1-5", []),
    ("value-nan", "u1,a,NaN,1\n", "rating: 'NaN' is not a finite number", []),
    ("value-inf", "u1,a,inf,1\n", "rating: 'inf' is not a finite number", []),
    ("value-minus-inf", "u1,a,-inf,1\n", "rating: '-inf' is not a finite number", []),
    ("value-1e400", "u1,a,1e400,1\n", "rating: '1e400' is not a finite number", []),
    ("value-word", "u1,a,great,1\n", "rating: expected a number, got str 'great'", []),
    ("value-1", "u1,a,1,1\n", None, [("u1", "a", 1.0)]),
    ("value-5", "u1,a,5,1\n", None, [("u1", "a", 5.0)]),
    ("value-3.5", "u1,a,3.5,1\n", None, [("u1", "a", 3.5)]),
    ("value-missing-is-a-like", "u1,a,,1\n", None, [("u1", "a", 5.0)]),
    ("value-spaces", "u1,a, 4 ,1\n", None, [("u1", "a", 4.0)]),
    ("timestamp-nan", "u1,a,4,nan\n", "timestamp: 'nan' is not a finite number", []),
    ("timestamp-negative", "u1,a,4,-1\n", "timestamp: '-1' is negative", []),
    ("timestamp-word", "u1,a,4,yesterday\n", "timestamp: expected a number, got str 'yesterday'", []),
    ("unknown-item", "u1,zzz,4,1\n", "interaction for unknown item id 'zzz'", []),
    ("user-201-chars", "u" * 201 + ",a,4,1\n", "user: 201 characters, more than the 200 allowed", []),
    ("user-escape", "\x1b[2Ju1,a,4,1\n", "user: control character '\\x1b' at column 1", []),
    ("user-nul", "u\x001,a,4,1\n", "user: control character '\\x00' at column 2", []),
    ("user-missing", ",a,4,1\n", "missing user id (a user_id, userId or user column)", []),
    ("item-missing", "u1,,4,1\n", "missing item id (an item_id, movieId or item column)", []),
    ("item-201-chars", "u1," + "i" * 201 + ",4,1\n", "item: 201 characters, more than the 200 allowed", []),
    ("extra-column", "u1,a,4,1,extra\n", "5 field(s), but the header has 4", []),
    ("missing-column", "u1,a\n", "2 field(s), but the header has 4", []),
    ("unclosed-quote", 'u1,"a,4,1\nu2,a,5,2\n', "a quote opened in this record never closes", []),
]


@pytest.fixture
def films(tmp_path: Path) -> Path:
    path = tmp_path / "films.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "title": i.upper()}) for i in "abc") + "\n")
    return path


@pytest.mark.parametrize(("name", "rows", "error", "stored"), CASES, ids=[c[0] for c in CASES])
def test_hostile_rating_row(
    films: Path, tmp_path: Path, name: str, rows: str, error: str | None,
    stored: list[tuple[str, str, float]],
) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(HEAD + rows)
    parsed = read(films, interactions=ratings)
    errors = [str(e) for e in parsed.errors]
    if error is None:
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].startswith(f"{ratings}:2: ") and error in errors[0], errors
    assert [(r.user_id, r.item_id, r.value) for r in parsed.interactions] == stored


def test_a_ratings_file_without_a_user_column_is_one_error(films: Path, tmp_path: Path) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("name,film,stars\nann,a,5\nbob,b,4\n")
    parsed = read(films, interactions=ratings)
    assert [str(e) for e in parsed.errors] == [
        f"{ratings}:1: the header has no user_id or userId or user column (it has:"
        " 'name, film, stars'); is this the right file, with a header line?"]
    assert parsed.interactions == []


def test_conflicting_duplicates_keep_the_last_and_say_so(films: Path, tmp_path: Path) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(HEAD + "u1,a,5,1\nu2,a,4,2\nu1,a,1,3\n")
    parsed = read(films, interactions=ratings)
    assert parsed.errors == []
    assert sorted((r.user_id, r.value) for r in parsed.interactions) == [("u1", 1.0), ("u2", 4.0)]
    assert [str(w) for w in parsed.warnings] == [
        f"{ratings}:4: user 'u1' rated item 'a' 5 at line 2 and 1 here; the last one is kept"
    ]


def test_identical_duplicates_are_stored_once_and_counted(films: Path, tmp_path: Path) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(HEAD + "u1,a,4,1\nu1,a,4,2\nu1,a,4,3\n")
    parsed = read(films, interactions=ratings)
    assert len(parsed.interactions) == 1
    assert [str(w) for w in parsed.warnings] == [f"{ratings}: 2 repeated identical rating(s) stored once"]


@pytest.mark.parametrize(
    ("scale", "value", "stored", "error"),
    [("1-10", "10", 5.0, None), ("1-10", "8", 4.0, None), ("1-10", "11", None, "outside the rating scale 1-10"),
     ("0-100", "0", 0.0, None), ("0-100", "100", 5.0, None), ("0.5-5", "0.5", 0.5, None),
     ("1-10", "0.5", None, "rating: '0.5' is outside the rating scale 1-10")],
)
def test_declared_rating_scale(
    films: Path, tmp_path: Path, scale: str, value: str, stored: float | None, error: str | None
) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(HEAD + f"u1,a,{value},1\n")
    parsed = read(films, interactions=ratings, options=ReadOptions(rating_scale=RatingScale.parse(scale)))
    if error is None:
        assert parsed.errors == [] and [r.value for r in parsed.interactions] == [stored]
    else:
        assert len(parsed.errors) == 1 and error in str(parsed.errors[0])


@pytest.mark.parametrize(
    ("text", "reason"),
    [("5-1", "LOW must be less than HIGH"), ("five", "expected LOW-HIGH such as 1-5 or 1-10"),
     ("", "expected LOW-HIGH"), ("1-", "expected LOW-HIGH"), ("3-3", "LOW must be less than HIGH")],
)
def test_bad_rating_scale_is_named(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        RatingScale.parse(text)
