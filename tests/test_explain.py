"""Explanations are read off the same computation that ranked the item, and say why in words."""

from __future__ import annotations

import json

import pytest

from tests.engine_helpers import trained_engine
from tools.engine import Engine
from tools.profile import Profile

LIKED = {"horror-0": 1.0, "horror-1": 1.0, "horror-2": 1.0}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return trained_engine(tmp_path_factory.mktemp("explain"))


def profile(**kw: object) -> Profile:
    return Profile("p", liked=dict(LIKED), **kw)  # type: ignore[arg-type]


def test_explanation_is_the_listed_breakdown(engine: Engine) -> None:
    p = profile(soft={"genre:Horror": 0.5})
    listed = engine.recommend(p, query="scary monster", k=3, diversity=0.0).items
    for r in listed:
        exp = engine.explain(p, r.item.id, query="scary monster")
        assert exp.score == r.score
        assert exp.breakdown.components == r.breakdown.components
        assert exp.breakdown.adjustments == r.breakdown.adjustments
        total = sum(c.contribution for c in exp.breakdown.components) + sum(
            a.value for a in exp.breakdown.adjustments)
        assert exp.score == total


def test_raising_a_weight_changes_the_explanation_consistently(engine: Engine) -> None:
    low = engine.explain(profile(weights={"collaborative": 0.1, "content": 0.5, "popularity": 0.4}),
                         "horror-5")
    high = engine.explain(profile(weights={"collaborative": 0.8, "content": 0.1, "popularity": 0.1}),
                          "horror-5")
    lo, hi = low.breakdown.component("collaborative"), high.breakdown.component("collaborative")
    assert lo is not None and hi is not None
    assert hi.weight > lo.weight and hi.contribution > lo.contribution
    assert hi.normalized == lo.normalized  # the evidence did not change, only its weight
    assert f"x weight {hi.weight:.2f} = {hi.contribution:+.3f}" in high.text()
    assert f"x weight {lo.weight:.2f} = {lo.contribution:+.3f}" in low.text()
    shift = (hi.contribution - lo.contribution) + sum(
        h.contribution - lw.contribution for h, lw in zip(high.breakdown.components,
                                                         low.breakdown.components, strict=True)
        if h.name != "collaborative")
    assert high.score - low.score == pytest.approx(shift)


def test_evidence_names_neighbours_terms_and_preferences(engine: Engine) -> None:
    p = profile(affinities={"genre:Horror": 0.6}, soft={"keyword:blood": 0.5})
    exp = engine.explain(p, "horror-3", query="monster blood horror films")
    cf_ids = [i.id for i, _ in exp.cf_neighbours]
    content_ids = [i.id for i, _ in exp.content_neighbours]
    assert cf_ids and set(cf_ids) <= set(LIKED)
    assert content_ids and set(content_ids) <= set(LIKED)
    assert all(-1.0 <= s <= 1.0 for _, s in exp.content_neighbours)
    assert "Horror" in exp.matched_genres and "blood" in exp.matched_keywords
    assert exp.matched_genres == ["Horror"] and "monster" in exp.matched_words
    names = {a.name for a in exp.breakdown.adjustments}
    assert {"affinity:genre:Horror", "soft:keyword:blood"} <= names
    text = exp.text()
    assert "Horror Story 3 (1981): score" in text and "you asked for more 'blood' films" in text
    assert "people who liked it also liked your" in text and "genre Horror" in text
    data = exp.to_dict()
    json.dumps(data)
    assert data["score"] == exp.score and data["evidence"]["matched_keywords"] == ["blood"]


def test_explaining_an_excluded_item_says_so(engine: Engine) -> None:
    exp = engine.explain(profile(seen={"comedy-1"}), "comedy-1")
    assert exp.excluded == "you have seen it" and "not listed now" in exp.text()
    with pytest.raises(LookupError, match="no item"):
        engine.explain(profile(), "no-such-film")
