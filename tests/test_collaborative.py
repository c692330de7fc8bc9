"""Collaborative filtering: training, fold-in, neighbour lists, and the known right answer."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from memory.items import Interaction
from tests.engine_helpers import build_memory, trained_engine
from tools.collaborative import CFConfig, CFModel, TrainingData
from tools.engine import Engine
from tools.hybrid import HybridConfig
from tools.neighbours import covisitation
from tools.profile import Profile
from tools.training import SEQ_GRID

CF_ONLY = {"collaborative": 1.0, "content": 0.0, "popularity": 0.0}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return trained_engine(tmp_path_factory.mktemp("cf"))


def test_training_stores_factors_and_neighbours(tmp_path: Path) -> None:
    # Training speed is measured in bench/, not asserted here.
    memory = build_memory(tmp_path)
    engine = Engine(memory)
    report = engine.train()
    assert report.users == 60 and report.items == 40 and report.positives == 360
    assert report.negatives > 0 and report.collection is not None and report.neighbour_links > 0
    assert "360 positive" in str(report)
    model = CFModel.load(memory.catalog, memory.settings.models_dir)
    assert model is not None and len(model.ids) == 40 and model.factors.shape[1] == 64
    assert model.neighbours is not None and model.neighbours.nnz == report.neighbour_links
    # the training settings travel with the factors; the co-visitation strength is chosen on validation
    chosen = model.config.neighbours.seq_weight
    assert chosen in SEQ_GRID
    assert replace(model.config, neighbours=replace(model.config.neighbours, seq_weight=1.0)) == CFConfig()


def test_new_user_who_liked_three_horror_films_gets_horror(engine: Engine) -> None:
    user = Profile("new", weights=dict(CF_ONLY), liked=dict.fromkeys(["horror-0", "horror-3", "horror-5"], 1.0))
    got = engine.recommend(user, k=5).items
    assert len(got) == 5
    assert all("Horror" in r.item.genres for r in got), [r.item.id for r in got]
    assert all(r.breakdown.component("collaborative").available for r in got)


def test_fold_in_vector_retrieves_the_genre_from_chroma(engine: Engine) -> None:
    model = engine.state.cf
    assert model is not None
    vec = model.fold_in({"western-1": 1.0, "western-2": 1.0})
    assert vec is not None
    hits = engine.memory.catalog.cf_query(vec, 5)
    assert sum(i.startswith("western") for i, _ in hits) >= 4
    # an inner-product space: the returned score is the dot product of the factors
    best_id, best_score = hits[0]
    assert best_score == pytest.approx(float(model.factors[model.row[best_id]] @ vec), rel=1e-3)


def test_fold_in_is_the_closed_form_als_step_of_implicit() -> None:
    from implicit.cpu.als import AlternatingLeastSquares

    rng = np.random.default_rng(0)
    x = sp.csr_matrix((rng.random((30, 20)) < 0.2).astype(np.float32))
    als = AlternatingLeastSquares(factors=8, regularization=0.1, alpha=3.0, iterations=5,
                                  random_state=0, num_threads=1)
    als.fit(x, show_progress=False)
    config = CFConfig(factors=8, regularization=0.1, alpha=3.0)
    model = CFModel([f"i{j}" for j in range(20)], np.asarray(als.item_factors), None, config)
    for user in range(5):
        liked = {f"i{j}": 1.0 for j in x[user].indices}
        if liked:
            expected = np.asarray(als.recalculate_user(user, x[user])).ravel()
            assert np.allclose(model.fold_in(liked), expected, atol=1e-4)


def test_similar_uses_the_same_space_item_to_item(engine: Engine) -> None:
    got = engine.similar("comedy-2", k=5).items
    assert "comedy-2" not in [r.item.id for r in got]
    assert sum("Comedy" in r.item.genres for r in got) >= 4


def test_disliked_items_push_their_neighbours_down(engine: Engine) -> None:
    # the mechanism, whatever weight the catalog's validation chose for dislikes
    engine = Engine(engine.memory, config=HybridConfig(cf_dislike_weight=0.5))
    liked = {"horror-0": 1.0, "romance-0": 1.0}
    plain = Profile("a", weights=dict(CF_ONLY), liked=dict(liked))
    dislikes = Profile("b", weights=dict(CF_ONLY), liked=dict(liked),
                       disliked={"romance-1", "romance-2", "romance-3"})
    share = [sum("Romance" in r.item.genres for r in engine.recommend(p, k=6).items)
             for p in (plain, dislikes)]
    assert share[1] < share[0]


def test_implicit_logs_are_all_positive_and_ratings_use_thresholds() -> None:
    implicit = [Interaction(user_id="u", item_id=i, value=1.0, ts=t) for t, i in enumerate("abc")]
    data = TrainingData.from_rows(implicit, CFConfig())
    assert data.positives.nnz == 3 and data.negatives.nnz == 0
    rated = [Interaction(user_id="u", item_id="a", value=4.5, ts=2.0),
             Interaction(user_id="u", item_id="b", value=4.0, ts=1.0),
             Interaction(user_id="u", item_id="c", value=3.5),
             Interaction(user_id="u", item_id="d", value=1.0)]
    data = TrainingData.from_rows(rated, CFConfig())
    assert data.item_ids == ["a", "b"] and data.positives.nnz == 2
    assert [data.item_ids[j] for j in data.sequences[0]] == ["b", "a"]  # time order


def test_covisitation_is_directed_decayed_and_count_normalized() -> None:
    seqs = [np.array([0, 1, 2]), np.array([1, 2])]
    c = covisitation(seqs, 3, decay=2.0, max_gap=5, count_power=0.0).toarray()
    assert c[0, 1] == pytest.approx(1.0) and c[1, 2] == pytest.approx(2.0)
    assert c[0, 2] == pytest.approx(math.exp(-0.5)) and c[2, 0] == 0.0 and c[1, 0] == 0.0
    normed = covisitation(seqs, 3, decay=2.0, max_gap=5, count_power=1.0).toarray()
    assert normed[1, 2] == pytest.approx(2.0 / 2)  # item 2 was liked by two users


def test_ensure_trained_only_when_needed(tmp_path: Path) -> None:
    engine = Engine(build_memory(tmp_path / "a", community=False))
    assert engine.ensure_trained() is None  # no interactions: nothing to learn from
    engine = Engine(build_memory(tmp_path / "b"))
    assert engine.ensure_trained() is not None
    assert engine.ensure_trained() is None  # already has a model
