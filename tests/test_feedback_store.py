"""FeedbackService against a real SQLite store: the log, validation, seen, isolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.store import Store
from tests.test_learning import FakeScorer
from tools.feedback import FeedbackError, FeedbackService
from tools.learning import Learner, default_state, load_profile
from tools.rewards import RewardTable

CF_ITEM = {"collaborative": 0.9, "content": 0.3, "popularity": 0.1}
TYPICAL = {"collaborative": 0.4, "content": 0.4, "popularity": 0.4}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "t.sqlite3")


@pytest.fixture
def svc(store: Store) -> FeedbackService:
    scorer = FakeScorer(scores={"horror-0": CF_ITEM, "comedy-0": CF_ITEM, "western-7": TYPICAL})
    return FeedbackService(store, "demo", RewardTable(), Learner(), scorer)


def test_like_appends_one_event_with_state_before_and_after(svc: FeedbackService,
                                                            store: Store) -> None:
    svc.record("alice", "western-7", "details")  # what a typical item scores: the baseline
    res = svc.record("alice", "horror-0", "like", text="loved Horror Story 0")
    assert res.reward == 1.0 and res.event_id is not None
    assert res.weights_after["collaborative"] > res.weights_before["collaborative"]
    assert res.affinities_changed["genre:Horror"][0] == 0.0
    assert res.affinities_changed["genre:Horror"][1] > 0
    assert "Horror Story 0" in res.message and "collaborative" in res.message
    _, row = store.feedback_events("alice")
    assert (row.signal, row.reward, row.item_id, row.text) == ("like", 1.0, "horror-0",
                                                               "loved Horror Story 0")
    assert store.feedback_events("alice")[0].state_before in ({}, default_state())
    assert row.state_after == store.user_state("alice")[0]
    assert row.detail["items"][0]["components"]["collaborative"] == [0.9, True]


def test_rate_maps_to_reward(svc: FeedbackService) -> None:
    assert svc.record("u", "horror-0", "rate", value=4).reward == 0.5
    assert svc.record("u", "comedy-0", "rate", value=1).reward == -1.0
    p = svc_profile(svc, "u")
    assert p.liked == {"horror-0": 0.5} and p.disliked == {"comedy-0"}
    assert p.seen == {"horror-0", "comedy-0"}


def svc_profile(svc: FeedbackService, user: str):  # type: ignore[no-untyped-def]
    return load_profile(svc.store, user)


def test_seen_excludes_without_taste_change(svc: FeedbackService, store: Store) -> None:
    res = svc.record("u", "horror-0", "seen")
    assert res.reward is None and res.weights_after == res.weights_before
    assert res.affinities_changed == {}
    p = svc_profile(svc, "u")
    assert p.seen == {"horror-0"} and p.is_cold and p.n_events == 1
    assert "won't be suggested" in res.message


@pytest.mark.parametrize("value", [0, 7, 5.5])
def test_rating_outside_range_is_refused_naming_the_value(svc: FeedbackService, store: Store,
                                                          value: float) -> None:
    with pytest.raises(FeedbackError, match=f"rating {value:g} is outside 1-5"):
        svc.record("u", "horror-0", "rate", value=value)
    assert store.feedback_events("u") == [] and store.user_state("u") == (None, 0)


def test_unknown_signal_lists_the_valid_ones(svc: FeedbackService, store: Store) -> None:
    with pytest.raises(FeedbackError) as err:
        svc.record("u", "horror-0", "meh")
    assert "'meh'" in str(err.value) and "like" in str(err.value) and "rate" in str(err.value)
    assert store.feedback_events("u") == []


def test_unknown_item_is_refused(svc: FeedbackService, store: Store) -> None:
    with pytest.raises(FeedbackError, match="unknown item 'nope'"):
        svc.record("u", "nope", "like")
    assert store.feedback_events("u") == []


def test_users_are_isolated(svc: FeedbackService, store: Store) -> None:
    svc.record("bob", "comedy-0", "like")
    bob_before = store.user_state("bob")
    for item in ("horror-0", "horror-1", "horror-2"):
        svc.record("alice", item, "love")
        svc.record("alice", "comedy-0", "dislike")
    svc.record_moved_on("alice", ["western-0", "western-1"], [])
    assert store.user_state("bob") == bob_before
    assert len(store.feedback_events("bob")) == 1 and len(store.feedback_events("alice")) == 7
    assert load_profile(store, "bob").weights != load_profile(store, "alice").weights
    assert "comedy-0" in load_profile(store, "bob").liked


def test_moved_on_penalizes_each_ignored_item_once(svc: FeedbackService, store: Store) -> None:
    res = svc.record_moved_on("u", ["horror-0", "comedy-0", "western-0"], ["comedy-0"],
                              text="something else")
    assert res.reward == pytest.approx(-0.1) and res.event_id is not None
    (row,) = store.feedback_events("u")
    assert row.item_id is None
    assert [i["id"] for i in row.detail["items"]] == ["horror-0", "western-0"]
    p = svc_profile(svc, "u")
    assert (
        not p.disliked and p.affinities["genre:Horror"] < 0 and "genre:Comedy" not in p.affinities
    )
    nothing = svc.record_moved_on("u", ["horror-1"], ["horror-1"])
    assert nothing.event_id is None and len(store.feedback_events("u")) == 1


def test_overridden_reward_flows_through(store: Store) -> None:
    svc = FeedbackService(store, "demo", RewardTable.from_overrides({"details": 0.5}), Learner(),
                          FakeScorer())
    assert svc.record("u", "horror-3", "details").reward == 0.5
    assert load_profile(store, "u").liked == {"horror-3": 0.5}
