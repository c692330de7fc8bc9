"""Every retriever honours the same contract, checked by one mixin on a world with a known answer.

The world (tests/engine_helpers.py): five genres of eight films, and a community in
which each user loves one genre. A user who liked three horror films must get
horror from every personal retriever; popularity must list the most-liked film first.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.engine_helpers import trained_engine
from tools.catalog_state import CatalogState
from tools.hybrid import HybridConfig, Request, build_request
from tools.profile import Profile
from tools.retrievers import (
    CollaborativeRetriever,
    ContentRetriever,
    PopularityRetriever,
    Retriever,
)

LIKED = ("horror-0", "horror-1", "horror-2")


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> CatalogState:
    return trained_engine(tmp_path_factory.mktemp("world") / "d").state


def _request(state: CatalogState) -> Request:
    profile = Profile(user_id="fan", liked=dict.fromkeys(LIKED, 1.0), disliked={"comedy-0"})
    return build_request(state, lambda _t: np.zeros(1), profile, query=None, config=HybridConfig())


class RetrieverContract:
    retriever: Retriever

    def expected_first(self, state: CatalogState) -> str | None:
        """The candidate the known answer puts first (None: only its genre is known)."""
        return None

    def test_candidates_never_include_what_the_user_knows(self, state: CatalogState) -> None:
        req = _request(state)
        got = self.retriever.retrieve(state, _ctx(state, req), req)
        assert got and not set(got) & (set(LIKED) | {"comedy-0"})

    def test_features_are_calibrated_and_the_same_alone_or_in_a_batch(self, state: CatalogState) -> None:
        req = _request(state)
        ids = sorted(state.items)
        rows = state.content.rows(ids)
        raw, z = self.retriever.features(state, req, ids, rows) or (None, None)
        assert raw is not None and z is not None and len(z) == len(ids)
        assert float(np.min(z)) >= 0.0 and float(np.max(z)) <= 1.0
        for n in (0, 7, 21):
            one = self.retriever.features(state, req, [ids[n]], rows[n : n + 1])
            assert one is not None and one[1][0] == z[n] and one[0][0] == raw[n]

    def test_the_known_answer_comes_first(self, state: CatalogState) -> None:
        req = _request(state)
        got = self.retriever.retrieve(state, _ctx(state, req), req)
        rows = state.content.rows(got)
        _, z = self.retriever.features(state, req, got, rows) or (None, None)
        assert z is not None
        best = got[int(np.argmax(z))]
        expected = self.expected_first(state)
        assert best == expected if expected else best.startswith("horror-")


def _ctx(state: CatalogState, req: Request):  # type: ignore[no-untyped-def]
    from tools.hybrid import user_item_weights
    from tools.retrievers import Context

    weights = user_item_weights(req.profile, (), True, req.config)
    return Context(query=None, seeds=(), weights_by_item=weights,
                   disliked=frozenset(req.profile.disliked), use_history=True,
                   known=frozenset(req.known), embed=lambda _t: np.zeros(1), config=req.config)


class TestContentRetriever(RetrieverContract):
    retriever = ContentRetriever()


class TestCollaborativeRetriever(RetrieverContract):
    retriever = CollaborativeRetriever()


class TestPopularityRetriever(RetrieverContract):
    retriever = PopularityRetriever()

    def expected_first(self, state: CatalogState) -> str | None:
        pop = state.popularity
        return next(i for i in pop.top if i not in LIKED and i != "comedy-0")


def test_the_hybrid_unions_every_retrievers_candidates(state: CatalogState) -> None:
    req = _request(state)
    ctx = _ctx(state, req)
    union = set()
    for retriever in (ContentRetriever(), CollaborativeRetriever(), PopularityRetriever()):
        union |= set(retriever.retrieve(state, ctx, _request(state)))
    assert set(req.candidates) == union
