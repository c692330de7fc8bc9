"""The hybrid ranker: breakdown invariants, faithfulness, filters, rules, exclusions, diversity."""

from __future__ import annotations

import pytest

from tests.engine_helpers import trained_engine
from tools.engine import Engine
from tools.filters import Filters
from tools.profile import HardRule, Profile
from tools.scoring import Ranked

HORROR_FAN = {"horror-0": 1.0, "horror-1": 1.0, "horror-2": 1.0}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return trained_engine(tmp_path_factory.mktemp("hybrid"))


def fan(**kw: object) -> Profile:
    return Profile("fan", liked=dict(HORROR_FAN), **kw)  # type: ignore[arg-type]


def assert_sums(r: Ranked) -> None:
    b = r.breakdown
    parts = sum(c.contribution for c in b.components) + sum(a.value for a in b.adjustments)
    assert r.score == b.total == parts
    for c in b.components:
        assert 0.0 <= c.normalized <= 1.0
        assert c.contribution == c.weight * c.normalized
        assert c.available or (c.contribution == 0.0 and c.weight == 0.0)


@pytest.mark.parametrize("query", [None, "space robot future"])
def test_every_listed_item_sums_and_score_item_reproduces_it(engine: Engine, query: str | None) -> None:
    profile = fan(affinities={"genre:Horror": 0.5, "decade:1980": -0.4}, soft={"keyword:scary": 0.3},
                  popularity_bias=0.5, novelty_bias=-0.3)
    got = engine.recommend(profile, query=query, k=12, diversity=0.4).items
    assert len(got) == 12
    for r in got:
        assert_sums(r)
        again = engine.score_item(profile, r.item.id, query=query)
        assert again.score == r.score
        assert again.breakdown.components == r.breakdown.components
        assert again.breakdown.adjustments == r.breakdown.adjustments
    weights = {c.name: c.weight for c in got[0].breakdown.components}
    assert sum(weights.values()) == pytest.approx(1.0)


def test_diversity_reorders_but_never_rescores(engine: Engine) -> None:
    plain = engine.recommend(fan(), k=8, diversity=0.0).items
    assert [r.score for r in plain] == sorted((r.score for r in plain), reverse=True)
    diverse = engine.recommend(fan(), k=8, diversity=0.9).items
    scores = {r.item.id: r.score for r in plain}
    moved = [r for r in diverse if any("diversity re-rank" in n for n in r.breakdown.notes)]
    assert moved, "a strong lambda must move something"
    assert {r.item.genres[0] for r in diverse} > {r.item.genres[0] for r in plain}
    for r in diverse:
        if r.item.id in scores:
            assert r.score == scores[r.item.id]


def test_raising_a_weight_raises_that_contribution(engine: Engine) -> None:
    low = fan(weights={"collaborative": 0.1, "content": 0.6, "popularity": 0.3})
    high = fan(weights={"collaborative": 0.7, "content": 0.2, "popularity": 0.1})
    for item in ("horror-5", "horror-6", "comedy-1"):
        a = engine.score_item(low, item).breakdown.component("collaborative")
        b = engine.score_item(high, item).breakdown.component("collaborative")
        assert a is not None and b is not None and b.weight > a.weight
        assert a.normalized == b.normalized and b.contribution >= a.contribution


def test_filters_are_respected(engine: Engine) -> None:
    f = Filters(genres=["western"], year_min=1970, year_max=2000)
    got = engine.recommend(fan(), filters=f, k=5).items
    assert got and all("Western" in r.item.genres and 1970 <= (r.item.year or 0) <= 2000 for r in got)
    got = engine.recommend(fan(), filters=Filters(people=["actor comedy 1"]), k=5).items
    assert got and all("Actor Comedy 1" in r.item.cast for r in got)
    got = engine.recommend(fan(), filters=Filters(keywords=["cowboy"], exclude_genres=["Horror"]), k=5).items
    assert got and all("Horror" not in r.item.genres for r in got)
    assert all("cowboy" in r.item.keywords or "cowboy" in r.item.description for r in got)
    with pytest.raises(ValueError, match="unknown genre"):
        Filters(genres=["not-a-genre"])


def test_hard_rules_and_exclusions(engine: Engine) -> None:
    profile = fan(hard=[HardRule("exclude", "genre:Horror"), HardRule("year_min", year=1970)],
                  seen={"comedy-5"}, disliked={"sci-fi-3"})
    got = engine.recommend(profile, k=20, exclude_ids={"western-4"}).items
    ids = {r.item.id for r in got}
    assert not any("Horror" in r.item.genres for r in got)
    assert all((r.item.year or 0) >= 1970 for r in got)
    assert not ids & {"comedy-5", "sci-fi-3", "western-4", *HORROR_FAN}


def test_liked_items_and_seeds_are_not_recommended_back(engine: Engine) -> None:
    got = engine.recommend(fan(), k=10, like_ids=["western-0"]).items
    ids = {r.item.id for r in got}
    assert not ids & {"western-0", *HORROR_FAN}
    assert sum(i.startswith("western") for i in ids) >= 3  # the seed steers the list


def test_soft_preference_moves_a_genre_out_and_says_why(engine: Engine) -> None:
    def horror_share(p: Profile) -> int:
        return sum("Horror" in r.item.genres for r in engine.recommend(p, k=5).items)

    before = horror_share(fan())
    less = fan(soft={"genre:horror": -1.0})
    assert horror_share(less) < before
    top_horror = engine.score_item(less, "horror-4")
    adj = [a for a in top_horror.breakdown.adjustments if a.name == "soft:genre:Horror"]
    assert adj and adj[0].value < 0 and "less Horror" in adj[0].reason


def test_query_steers_a_warm_user(engine: Engine) -> None:
    got = engine.recommend(fan(), query="space robot alien future", k=5).items
    assert sum("Sci-Fi" in r.item.genres for r in got) >= 3
    far = engine.score_item(fan(), "romance-1", query="space robot alien future")
    assert any(a.name == "query_match" and a.value < 0 for a in far.breakdown.adjustments)


def test_search_is_content_only_with_filters(engine: Engine) -> None:
    got = engine.search("funny laugh joke", k=4, filters=Filters(year_max=1990)).items
    assert got and all("Comedy" in r.item.genres and (r.item.year or 0) <= 1990 for r in got)
    comps = {c.name: c.available for c in got[0].breakdown.components}
    assert comps == {"collaborative": False, "content": True, "popularity": False}
