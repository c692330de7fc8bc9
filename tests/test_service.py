"""The facade's bookkeeping: shown lists, implicit rewards, imported users, the taste view."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine_helpers import trained_engine
from tools.service import Tastebud


@pytest.fixture
def svc(tmp_path: Path) -> Tastebud:
    engine = trained_engine(tmp_path / "d")
    return Tastebud(engine.memory, engine=engine)


def test_imported_ratings_are_the_users_history(svc: Tastebud) -> None:
    profile = svc.profile("synth-horror-0")
    assert profile.liked and all(i.startswith("horror-") for i in profile.liked)
    assert profile.disliked and not any(i.startswith("horror-") for i in profile.disliked)
    top = svc.recommend("synth-horror-0", k=3).items
    # Six of the eight horror films are already rated: the other two come first.
    assert [r.item.genres for r in top[:2]] == [("Horror",), ("Horror",)]
    assert not {r.item.id for r in top} & set(profile.liked)


def test_shown_lists_drive_references_and_exclusion(svc: Tastebud) -> None:
    first = svc.recommend("ann", query="funny laugh", k=4, thread_id="t")
    assert [i.id for i in svc.last_shown("ann", "t")] == [r.item.id for r in first.items]
    second = svc.recommend("ann", query="funny laugh", k=4, thread_id="t")
    assert not {r.item.id for r in first.items} & {r.item.id for r in second.items}
    assert svc.last_shown("ann", "other") == []


def test_explain_uses_the_query_the_item_was_shown_for(svc: Tastebud) -> None:
    top = svc.recommend("ann", query="scary monster", k=1, thread_id="t").items[0]
    explanation = svc.explain("ann", top.item.id, thread_id="t")
    assert abs(explanation.to_dict()["score"] - top.score) < 1e-9


def test_details_and_more_like_are_implicit_rewards(svc: Tastebud) -> None:
    shown = svc.recommend("ann", query="space robot", k=3, thread_id="t").items
    svc.details("ann", shown[0].item.id, thread_id="t")
    svc.details("ann", "western-7", thread_id="t")  # never shown: no reward
    svc.similar("ann", shown[1].item.id, thread_id="t")
    events = svc.memory.store.feedback_events("ann")
    assert [(e.signal, e.item_id, e.reward) for e in events] == [
        ("details", shown[0].item.id, 0.3), ("more_like", shown[1].item.id, 0.6)
    ]


def test_moving_on_penalises_only_ignored_items(svc: Tastebud) -> None:
    shown = svc.recommend("ann", query="love kiss", k=4, thread_id="t").items
    svc.feedback("ann", shown[0].item.id, "like")
    result = svc.moved_on("ann", thread_id="t", text="something else")
    assert result is not None and result.reward == pytest.approx(-0.1)
    last = svc.memory.store.feedback_events("ann")[-1]
    penalised = {it["id"] for it in last.detail["items"]}
    assert penalised == {r.item.id for r in shown[1:]}


def test_taste_view_tracks_weights_and_users_stay_apart(svc: Tastebud) -> None:
    shown = svc.recommend("ann", query="scary", k=2, thread_id="t").items
    for r in shown:
        svc.feedback("ann", r.item.id, "like")
    ann, bob = svc.taste("ann"), svc.taste("bob")
    assert ann.n_events == 2 and all(len(h) == 2 for h in ann.weight_history.values())
    assert any(k == "genre:Horror" for k, _ in ann.top_positive)
    assert bob.n_events == 0 and bob.top_positive == []


def test_explain_keeps_the_listed_numbers_after_feedback_moves_the_weights(svc: Tastebud) -> None:
    shown = svc.recommend("ann", query="scary monster", k=3, thread_id="t").items
    for r in shown[:2]:
        svc.feedback("ann", r.item.id, "dislike")
    explanation = svc.explain("ann", shown[2].item.id, thread_id="t")
    assert explanation.score == pytest.approx(shown[2].score)
    assert explanation.breakdown.total == pytest.approx(explanation.score)
    assert any("listed with" in n for n in explanation.breakdown.notes)


def test_avoided_moods_are_filtered_before_the_list_is_recorded(svc: Tastebud) -> None:
    from tools.filters import Filters

    result = svc.recommend("ann", filters=Filters(exclude_keywords=("scary",)), k=40,
                           thread_id="t")
    assert result.items and all("scary" not in r.item.keywords for r in result.items)
    assert svc.memory.store.shown_lists("ann", "t") == [[r.item.id for r in result.items]]


def test_feedback_credit_uses_the_profile_that_ranked_the_item(svc: Tastebud) -> None:
    # synth-horror-0 has only imported ratings: without them the collaborative component
    # would be "unavailable" for credit, although it is what ranked horror-2 first.
    top = svc.recommend("synth-horror-0", k=1).items[0]
    svc.feedback("synth-horror-0", top.item.id, "like")
    event = svc.memory.store.feedback_events("synth-horror-0")[-1]
    normalized, available = event.detail["items"][0]["components"]["collaborative"]
    listed = top.breakdown.component("collaborative")
    assert listed is not None and available and normalized == listed.normalized
