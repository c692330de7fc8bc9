"""The dialogue state: updates (add, refine, replace, negate, reset), its tool-argument form, chips.

Pure functions over the demo vocabulary: no agent, no store.
"""

from __future__ import annotations

import pytest

from agent.dialogue import DialogueState, fold
from agent.offline import update
from agent.offline.lexicon import Vocabulary
from agent.offline.places import countries
from agent.offline.slots import count_words, decade_range, runtime_range
from memory.bootstrap import demo_items
from memory.items import Item
from tools.filters import Filters, passes_filters


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.from_items(demo_items())


def horror_80s() -> DialogueState:
    return DialogueState(genres=["Horror"], year_min=1980, year_max=1989)


def test_recommend_args_round_trip_through_fold() -> None:
    state = DialogueState(genres=["Horror"], keywords=["funny"], countries=["Japan"], runtime_max=120,
                          count=2, anchors=["Alien"], year_min=1980)
    args = state.recommend_args()
    assert args == {"genres": ["Horror"], "query": "funny", "countries": ["Japan"], "runtime_max": 120,
                    "k": 2, "like_titles": ["Alien"], "year_min": 1980}
    after = fold(DialogueState(), [{"name": "recommend", "args": args}], ["Heat"])
    assert after.recommend_args() == args and after.last_shown == ["Heat"]


def test_a_turn_without_recommend_keeps_the_request() -> None:
    after = fold(horror_80s(), [{"name": "give_feedback", "args": {"title_or_ref": "#1"}}], [])
    assert after.genres == ["Horror"] and after.year_min == 1980


def test_from_dict_drops_bad_values() -> None:
    state = DialogueState.from_dict({"genres": ["Horror", {"x": 1}], "year_min": "1980",
                                     "count": True, "junk": 3})
    assert state.genres == ["Horror"] and state.year_min is None and state.count is None


def test_older_shifts_a_decade_back(vocab: Vocabulary) -> None:
    new = update.refine(horror_80s(), update.Slots(), "make them older", vocab)
    assert (new.genres, new.year_min, new.year_max) == (["Horror"], 1970, 1979)


def test_newer_without_years_starts_after_the_films_shown(vocab: Vocabulary) -> None:
    state = DialogueState(genres=["Western"], last_shown=["High Noon", "Unforgiven", "Rio Bravo"])
    new = update.refine(state, update.Slots(), "more recent ones", vocab)
    assert new.genres == ["Western"] and new.year_min is not None and new.year_min > 1952


def test_negation_adds_an_exclusion_and_keeps_the_rest(vocab: Vocabulary) -> None:
    new = update.refine(horror_80s(), update.Slots(exclude_genres=["Comedy"]), "but no comedies", vocab)
    assert new.genres == ["Horror"] and new.exclude_genres == ["Comedy"] and new.year_max == 1989


def test_replace_swaps_the_genre(vocab: Vocabulary) -> None:
    new = update.refine(horror_80s(), update.Slots(genres=["Comedy"]), "make that comedy instead", vocab)
    assert new.genres == ["Comedy"] and new.year_min == 1980


def test_any_decade_drops_the_years_and_reset_clears(vocab: Vocabulary) -> None:
    assert update.refine(horror_80s(), update.Slots(), "any decade is fine", vocab).year_min is None
    assert update.refine(horror_80s(), update.Slots(), "let's start over", vocab).empty


def test_chips_and_removal() -> None:
    state = DialogueState(genres=["Horror"], countries=["Japan"], year_min=1980, year_max=1989)
    labels = [c[2] for c in state.chips()]
    assert labels == ["Horror", "from Japan", "1980-1989"]
    assert state.without("genres", "Horror").genres == []
    assert state.without("years").year_min is None


@pytest.mark.parametrize(("text", "expected"), [
    ("a comedy, nothing over two hours", (None, 120)),
    ("an epic at least 3 hours long", (180, None)),
    ("under 90 mins please", (None, 90)),
    ("loved it, 4 stars", (None, None)),
])
def test_runtime_slots(text: str, expected: tuple[int | None, int | None]) -> None:
    assert runtime_range(text) == expected


def test_count_country_and_century_slots(vocab: Vocabulary) -> None:
    assert count_words("just two horror films please") == 2 and count_words("only 3") == 3
    assert count_words("rate it 4 stars") is None
    assert countries("something japanese", vocab.countries) == ["Japan"]
    assert countries("korean thrillers", vocab.countries) == ["South Korea"]
    assert countries("nothing american", vocab.countries) == []
    assert decade_range("same but from this century", 2012) == (2000, None)


def test_filters_on_country_and_runtime() -> None:
    item = Item(id="x", title="X", year=2000, genres=["Drama"], runtime=95, country="Japan")
    assert passes_filters(item, Filters(countries=("japan",), runtime_max=100))
    assert not passes_filters(item, Filters(countries=("France",)))
    assert not passes_filters(item, Filters(runtime_min=100))
    unknown = Item(id="y", title="Y", year=2000, genres=["Drama"])
    assert not passes_filters(unknown, Filters(runtime_max=100))
    with pytest.raises(ValueError, match="runtime_min 120 is longer than runtime_max 90"):
        Filters(runtime_min=120, runtime_max=90)
