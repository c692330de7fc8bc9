"""Fuzzy title resolution: years, articles, numerals, accents, typos, ambiguity, speed."""

from __future__ import annotations

import random

import pytest

from memory.items import Item
from tools.titles import Resolution, TitleIndex, normalize_title


def film(item_id: str, title: str, year: int, *aka: str) -> Item:
    return Item(id=item_id, title=title, year=year, aka=aka)


FILMS = [
    film("gf1", "The Godfather", 1972),
    film("gf2", "The Godfather: Part II", 1974),
    film("gf3", "The Godfather: Part III", 1990),
    film("alien", "Alien", 1979),
    film("aliens", "Aliens", 1986),
    film("amelie", "Amélie", 2001, "Le Fabuleux Destin d'Amélie Poulain"),
    film("hw78", "Halloween", 1978),
    film("hw18", "Halloween", 2018),
    film("dune84", "Dune", 1984),
    film("dune21", "Dune", 2021),
    film("br", "Blade Runner", 1982),
    film("br49", "Blade Runner 2049", 2017),
    film("ess", "Eternal Sunshine of the Spotless Mind", 2004),
    film("oceans", "Ocean's Eleven", 2001),
]


@pytest.fixture(scope="module")
def index() -> TitleIndex:
    return TitleIndex(FILMS)


@pytest.mark.parametrize(("typed", "expected"), [
    ("the godfather 2", "gf2"), ("godfather part ii", "gf2"), ("Godfather, The", "gf1"),
    ("Alien 1979", "alien"), ("alien (1979)", "alien"), ("amelie", "amelie"),
    ("le fabuleux destin d'amelie poulain", "amelie"), ("Halloween 2018", "hw18"),
    ("Dune (1984)", "dune84"), ("godfahter", "gf1"), ("Blade Runner 2049", "br49"),
    ("eternal sunshine", "ess"), ("oceans 11", "oceans"), ("  THE GODFATHER PART III ", "gf3"),
])
def test_resolves(index: TitleIndex, typed: str, expected: str) -> None:
    got = index.resolve(typed)
    assert got.item is not None and got.item.id == expected, got.message()
    assert got.candidates[0][0].id == expected


@pytest.mark.parametrize(("typed", "ids"), [("Halloween", {"hw78", "hw18"}), ("dune", {"dune84", "dune21"})])
def test_ambiguous_titles_return_candidates(index: TitleIndex, typed: str, ids: set[str]) -> None:
    got = index.resolve(typed)
    assert got.item is None and got.ambiguous
    assert {i.id for i, _ in got.candidates} == ids
    assert "is ambiguous" in got.message() and all(i in got.message() for i in ids)


def test_unknown_title_lists_nearest_matches(index: TitleIndex) -> None:
    got = index.resolve("Alienz Resurection Part 9")
    assert got.item is None and not got.ambiguous
    assert got.candidates and got.candidates[0][0].id in {"alien", "aliens"}
    assert "was not found; nearest matches" in got.message()
    nothing = index.resolve("qqqqqqqqqqqq")
    assert nothing == Resolution("qqqqqqqqqqqq", None, []) and "no title" in nothing.message()


def test_normalization() -> None:
    assert normalize_title("The Godfather: Part II") == normalize_title("godfather 2") == "godfather 2"
    assert normalize_title("Amélie") == "amelie"
    assert normalize_title("Rocky IV") == "rocky 4"
    assert normalize_title("I, Robot") == "i robot"  # a lone "I" is a word, not a numeral
    assert normalize_title("Kill Bill: Vol. 1") == normalize_title("kill bill volume i")


def test_resolving_among_36k_titles_still_finds_the_right_film() -> None:
    # Resolve latency is measured in bench/latency_bench.py, not asserted here.
    rng = random.Random(0)
    base = ["night", "city", "dark", "love", "war", "star", "blood", "river", "king", "last",
            "house", "road", "dead", "moon"]
    words = [w * rng.randint(1, 2) for w in base]
    items = [film(f"f{n}", " ".join(rng.sample(words, rng.randint(1, 4))).title() + f" {n}",
                  1900 + n % 120) for n in range(36_000)] + FILMS
    index = TitleIndex(items)
    queries = ["the godfather 2", "Alien 1979", "amelie", "halloween", "night city dark 17", "xyz"]
    for q in queries:
        index.resolve(q)  # none of them may raise on a large index
    assert index.resolve("the godfather 2").item == FILMS[1]
    assert index.resolve("xyz").item is None
