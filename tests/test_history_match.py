"""Title matching: normalisation, remakes told apart by year, and nothing ambiguous matched silently."""

from __future__ import annotations

import pytest

from tests.history_helpers import history_items
from tools.history_match import HistoryMatcher


@pytest.fixture(scope="module")
def matcher() -> HistoryMatcher:
    return HistoryMatcher(history_items())


@pytest.mark.parametrize(("title", "year", "expected"), [
    ("Amélie", 2001, "amelie-2001"),  # accents (the catalog has none)
    ("Y Tu Mama Tambien", 2001, "y-tu-mama-2001"),  # accents (the row has none)
    ("Das Boot", 1981, "das-boot-1981"),  # "Boot, Das"
    ("Le Samouraï", 1967, "le-samourai-1967"),  # "Samouraï, Le"
    ("The Thing", 1982, "the-thing-1982"),  # "Thing, The", and a remake in 2011
    ("THE MATRIX", 1999, "the-matrix-1999"),  # case
    ("Thelma & Louise", 1991, "thelma-louise-1991"),  # & / and
    ("Pride and Prejudice", 2005, "pride-prejudice-2005"),
    ("WALL·E", 2008, "wall-e-2008"),  # punctuation
    ("The Godfather Part II", 1974, "godfather-2-1974"),
    ("Das Leben der Anderen", 2006, "lives-of-others-2006"),  # an alternative title
    ("City of God", 2003, "city-of-god-2002"),  # a year off
    ("Terminator 2: Judgement Day", 1991, "terminator-2-1991"),  # a spelling (fuzzy)
])
def test_titles_match_after_normalising(matcher: HistoryMatcher, title: str, year: int,
                                        expected: str) -> None:
    m = matcher.match(title, year)
    assert m.status == "matched" and m.item is not None and m.item.id == expected, m


def test_remakes_are_told_apart_by_year(matcher: HistoryMatcher) -> None:
    for title, a, b in (("Suspiria", 1977, 2018), ("Dune", 1984, 2021), ("Psycho", 1960, 1998)):
        first, second = matcher.match(title, a), matcher.match(title, b)
        assert first.item is not None and first.item.year == a
        assert second.item is not None and second.item.year == b


def test_same_title_same_year_is_ambiguous_with_both_candidates(matcher: HistoryMatcher) -> None:
    m = matcher.match("Emma", 1996)
    assert m.status == "ambiguous" and m.item is None
    assert {i.id for i, _ in m.candidates} == {"emma-1996-film", "emma-1996-tv"}
    assert matcher.match("Suspiria", None).status == "ambiguous"  # no year: two films


def test_a_remake_the_catalog_lacks_is_not_matched_to_the_original(matcher: HistoryMatcher) -> None:
    m = matcher.match("Nosferatu", 2024)
    assert m.status == "unmatched" and m.item is None
    assert m.best is not None and m.best[0].id == "nosferatu-1922" and m.best[1] == 100.0


def test_a_film_not_in_the_catalog_reports_its_nearest_title(matcher: HistoryMatcher) -> None:
    m = matcher.match("Paddington 2", 2017)
    assert m.status == "unmatched" and m.best is not None and m.best[1] < 90


def test_imdb_id_wins_over_the_title(matcher: HistoryMatcher) -> None:
    m = matcher.match("Some Other Name", 1900, imdb_id="tt0155975")
    assert m.method == "imdb_id" and m.item is not None and m.item.id == "psycho-1998"
    fallback = matcher.match("Amores Perros", 2000, imdb_id="tt0245712")  # catalog lacks the id
    assert fallback.item is not None and fallback.item.id == "amores-perros-2000"
