"""Preference rules: validation, what load_profile makes of them, undo/reset, less/no horror."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from memory.settings import Settings
from memory.store import Store
from tests.fakes import WordHashEmbedder, small_catalog
from tools.feedback import FeedbackService
from tools.learning import Learner, load_profile
from tools.preferences import PreferenceChange, apply_changes, list_rules, reset, undo
from tools.profile import DEFAULT_WEIGHTS, HardRule
from tools.rewards import RewardTable

LESS_HORROR = PreferenceChange(kind="soft", facet="genre", value="horror", strength=-0.5)
NO_HORROR = PreferenceChange(kind="hard", rule="exclude", facet="genre", value="scary")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "t.sqlite3")


def test_values_are_canonical_and_bad_ones_explained() -> None:
    assert LESS_HORROR.key == "genre:Horror" and NO_HORROR.key == "genre:Horror"
    assert PreferenceChange(kind="soft", facet="decade", value="80s").key == "decade:1980"
    assert PreferenceChange(kind="soft", facet="decade", value="2010s").key == "decade:2010"
    assert PreferenceChange(kind="soft", facet="keyword", value=" Funny ").key == "keyword:funny"
    with pytest.raises(ValidationError, match=r"unknown genre .splatterpunk.*Horror"):
        PreferenceChange(kind="soft", facet="genre", value="splatterpunk")
    with pytest.raises(ValidationError, match="year_min needs a year"):
        PreferenceChange(kind="hard", rule="year_min")
    with pytest.raises(ValidationError, match="collaborative"):
        PreferenceChange(kind="trust", component="vibes")
    with pytest.raises(ValidationError):
        PreferenceChange(kind="soft", facet="genre", value="Horror", strength=3)


def test_descriptions() -> None:
    assert LESS_HORROR.describe() == "less Horror (-0.5)"
    assert NO_HORROR.describe() == "never Horror"
    assert PreferenceChange(kind="hard", rule="year_min", year=2000).describe() == "only from 2000"
    pop = PreferenceChange(kind="soft", facet="popularity", strength=-0.4)
    assert pop.describe() == "more obscure (-0.4)"
    trust = PreferenceChange(kind="trust", component="collaborative", factor=2)
    assert trust.describe() == "rely more on collaborative (x2)"


def test_rules_reach_the_profile(store: Store) -> None:
    said = apply_changes(store, "u", [
        LESS_HORROR, NO_HORROR,
        {"kind": "hard", "rule": "year_min", "year": 2000},
        {"kind": "soft", "facet": "popularity", "strength": -0.5},
        {"kind": "soft", "facet": "novelty", "strength": 0.7},
        {"kind": "soft", "facet": "person", "value": "Ridley Scott", "strength": 0.6},
    ], text="less horror, none, only after 2000, obscure and surprising, more Ridley")
    assert said[:2] == ["less Horror (-0.5)", "never Horror"]
    p = load_profile(store, "u")
    assert p.soft == {"genre:Horror": -0.5, "person:Ridley Scott": 0.6}
    assert [(r.kind, r.key, r.year) for r in p.hard] == [("exclude", "genre:Horror", None),
                                                         ("year_min", "", 2000)]
    assert all(isinstance(r, HardRule) and r.rule_id for r in p.hard)
    assert p.popularity_bias == -0.5 and p.novelty_bias == 0.7


def test_soft_rules_add_up_and_clip(store: Store) -> None:
    apply_changes(store, "u", [LESS_HORROR, LESS_HORROR, LESS_HORROR], "less horror x3")
    assert load_profile(store, "u").soft == {"genre:Horror": -1.0}


def test_trust_tilts_weights_keeping_floors(store: Store) -> None:
    apply_changes(store, "u", [{"kind": "trust", "component": "collaborative", "factor": 1.5}],
                  "rely more on people like me")
    w = load_profile(store, "u").weights
    assert w["collaborative"] > DEFAULT_WEIGHTS["collaborative"]
    assert sum(w.values()) == pytest.approx(1.0)
    apply_changes(store, "u", [{"kind": "trust", "component": "collaborative", "factor": 10}] * 3,
                  "only people like me")
    w = load_profile(store, "u").weights
    assert min(w.values()) >= 0.05 - 1e-12 and sum(w.values()) == pytest.approx(1.0)


def test_undo_and_reset_remove_effects_exactly(store: Store) -> None:
    base = load_profile(store, "u")
    apply_changes(store, "u", [LESS_HORROR], "less horror")
    apply_changes(store, "u", [{"kind": "trust", "component": "content", "factor": 2}],
                  "more like what I asked for")
    assert undo(store, "u") == "rely more on content (x2)"
    p = load_profile(store, "u")
    assert p.weights == base.weights and p.soft == {"genre:Horror": -0.5}
    apply_changes(store, "u", [NO_HORROR], "no horror")
    assert reset(store, "u") == 2
    assert load_profile(store, "u").to_dict() == base.to_dict()
    assert undo(store, "u") is None


def test_list_rules_shows_timestamp_and_words(store: Store) -> None:
    apply_changes(store, "u", [LESS_HORROR], "less horror please")
    apply_changes(store, "other", [NO_HORROR], "no horror")
    (rule,) = list_rules(store, "u")
    assert rule.description == "less Horror (-0.5)" and rule.text == "less horror please"
    assert rule.ts > 0 and 'from "less horror please"' in rule.line() and rule.line()[:2] == "20"
    undo(store, "u")
    assert list_rules(store, "u") == []
    assert not list_rules(store, "u", active_only=False)[0].active


def _horror_share(engine, profile) -> float:  # type: ignore[no-untyped-def]
    got = engine.recommend(profile, k=10).items
    counts = Counter("Horror" in r.item.genres for r in got)
    return counts[True] / max(len(got), 1)


@pytest.mark.skipif(importlib.util.find_spec("tools.engine") is None, reason="no tools.engine yet")
def test_less_horror_drops_and_no_horror_removes_it(settings: Settings) -> None:
    from memory.bootstrap import open_memory
    from memory.ingest.pipeline import ingest
    from memory.ingest.readers import Parsed
    from tools import engine as engine_module

    memory = open_memory(settings, embedder=WordHashEmbedder())
    parsed = Parsed(source="test", items=small_catalog())
    ingest(parsed, catalog=memory.catalog.name, client=memory.client, store=memory.store,
           embedder=memory.embedder)
    memory.catalog.refresh()
    engine = engine_module.Engine(memory)
    store = memory.store
    # a user of mixed taste: horror shares the list with comedy and sci-fi before any rule
    svc = FeedbackService(store, memory.catalog.name, RewardTable(), Learner(), engine.score_item)
    for item in ("horror-0", "comedy-0", "horror-1", "sci-fi-0", "horror-2", "comedy-1"):
        svc.record("u", item, "like")
    before = _horror_share(engine, load_profile(store, "u"))
    apply_changes(store, "u", [LESS_HORROR], "less horror")
    less = _horror_share(engine, load_profile(store, "u"))
    apply_changes(store, "u", [NO_HORROR], "no horror")
    none = _horror_share(engine, load_profile(store, "u"))
    assert 0 < before < 1 and less < before and none == 0.0
