"""What a user expects to be left out of a list, and that a list never runs dry because of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.items import Interaction
from tests.engine_helpers import CATALOG, trained_engine
from tools.service import Tastebud


@pytest.fixture
def svc(tmp_path: Path) -> Tastebud:
    engine = trained_engine(tmp_path / "d")
    return Tastebud(engine.memory, engine=engine)


def _rate(svc: Tastebud, user: str, ratings: dict[str, float]) -> None:
    rows = [Interaction(user_id=user, item_id=i, value=v, ts=float(n))
            for n, (i, v) in enumerate(ratings.items())]
    with svc.memory.store.transaction() as conn:
        svc.memory.store.replace_interactions(conn, CATALOG, "test-rater", rows)


def test_every_rated_film_is_excluded_unless_asked_for(svc: Tastebud) -> None:
    # A middling 3-star rating is neither a like nor a dislike, but the user has seen it.
    horror = sorted(i for i in svc.memory.catalog.items if i.startswith("horror-"))
    ratings = {horror[0]: 5.0, horror[1]: 5.0, horror[2]: 3.0, horror[3]: 2.5}
    _rate(svc, "rater", ratings)
    listed = {r.item.id for r in svc.recommend("rater", k=40, thread_id="a").items}
    assert len(listed) == 40 - len(ratings)
    assert not listed & set(ratings)
    again = svc.recommend("rater", k=40, thread_id="b", include_rated=True).items
    assert set(ratings) <= {r.item.id for r in again}


def test_a_list_never_runs_dry_within_a_conversation(svc: Tastebud) -> None:
    n_items = len(svc.memory.catalog.items)
    seen: set[str] = set()
    for _ in range(4):  # 4 x 15 > 40 films: the later lists must be refilled
        result = svc.recommend("ann", k=15, thread_id="t")
        ids = [r.item.id for r in result.items]
        assert len(ids) == 15 and len(set(ids)) == 15
        assert [r.rank for r in result.items] == list(range(1, 16))
        fresh = [i for i in ids if i not in seen]
        # new films first, then films shown before, and the notes say so
        assert ids[: len(fresh)] == fresh
        if len(fresh) < 15:
            assert any("shown before" in n for n in result.notes), result.notes
        seen.update(ids)
    assert len(seen) == n_items


def test_shown_lists_only_count_in_their_own_conversation(svc: Tastebud) -> None:
    first = {r.item.id for r in svc.recommend("ann", k=10, thread_id="t1").items}
    other = {r.item.id for r in svc.recommend("ann", k=10, thread_id="t2").items}
    assert first == other  # a fresh conversation starts from the best list again
    more = {r.item.id for r in svc.recommend("ann", k=10, thread_id="t1").items}
    assert not first & more
