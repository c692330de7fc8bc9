"""The update rule's invariants: simplex and floors, credit direction, decay, replay equality."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from pathlib import Path

import pytest

from memory.items import Item
from memory.store import Store
from tests.fakes import small_catalog
from tools.feedback import FeedbackService
from tools.learning import (
    Learner,
    LearnerConfig,
    credit_inputs,
    default_state,
    item_facets,
    load_profile,
    project_simplex,
    rebuild,
    replay,
    step_size,
)
from tools.profile import COMPONENTS, Profile
from tools.rewards import RewardTable
from tools.scoring import Breakdown, ComponentScore, Ranked


def _hash01(*parts: str) -> float:
    return int(hashlib.md5("|".join(parts).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


class FakeScorer:
    """score_fn double: fixed per-item component scores (or hashed ones), profile-weighted."""

    def __init__(self, items: list[Item] | None = None,
                 scores: Mapping[str, Mapping[str, float]] | None = None) -> None:
        self.items = {i.id: i for i in items or small_catalog()}
        self.scores = dict(scores or {})

    def __call__(self, profile: Profile, item_id: str) -> Ranked:
        item = self.items[item_id]
        norm = self.scores.get(item_id) or {c: _hash01(c, item_id) for c in COMPONENTS}
        comps = [ComponentScore(c, norm[c], norm[c], profile.weights[c],
                                profile.weights[c] * norm[c]) for c in COMPONENTS]
        bd = Breakdown(components=comps)
        return Ranked(item, bd.total, bd)


def _event(signal: str, reward: float, comps: Mapping[str, float], facets=(), kind="explicit"):
    items = [{"id": "x", "components": {c: [s, True] for c, s in comps.items()},
              "facets": list(facets)}]
    return {"signal": signal, "reward": reward,
            "detail": {"kind": kind, "taste": True, "items": items}}


def _on_simplex(w: Mapping[str, float], floor: float) -> bool:
    return abs(sum(w.values()) - 1.0) < 1e-9 and all(v >= floor - 1e-12 for v in w.values())


def test_projection_lands_on_the_floored_simplex() -> None:
    rng = random.Random(3)
    for _ in range(500):
        w = {c: rng.uniform(-1, 2) for c in COMPONENTS}
        p = project_simplex(w, 0.05)
        assert _on_simplex(p, 0.05)
        again = project_simplex(p, 0.05)
        assert all(abs(again[c] - p[c]) < 1e-12 for c in COMPONENTS)


RULES = ["centered", "share", "hedge"]


@pytest.mark.parametrize("rule", RULES)
def test_random_updates_keep_weights_on_the_simplex(rule: str) -> None:
    rng = random.Random(11)
    learner = Learner(LearnerConfig(rule=rule))  # type: ignore[arg-type]
    state = default_state()
    for _ in range(400):
        comps = {c: rng.random() for c in COMPONENTS}
        reward = rng.choice([1.0, -1.0, 0.3, 0.6, 0.2, -0.1, 0.5, -0.5])
        state = learner.apply(state, _event("like", reward, comps, ["genre:Horror"]))
        assert _on_simplex(state["weights"], learner.config.floor)
        assert -1.0 <= state["affinities"]["genre:Horror"] <= 1.0


@pytest.mark.parametrize("rule", RULES)
def test_credit_goes_to_the_component_that_found_the_item(rule: str) -> None:
    learner = Learner(LearnerConfig(rule=rule))  # type: ignore[arg-type]
    typical = {"collaborative": 0.4, "content": 0.4, "popularity": 0.4}
    found_by_cf = {"collaborative": 0.9, "content": 0.2, "popularity": 0.1}
    start = learner.apply(default_state(), _event("moved_on", -0.1, typical, kind="implicit"))
    w0 = start["weights"]
    liked = learner.apply(start, _event("like", 1.0, found_by_cf))["weights"]
    assert liked["collaborative"] > w0["collaborative"]
    assert liked["popularity"] < w0["popularity"]
    disliked = learner.apply(start, _event("dislike", -1.0, found_by_cf))["weights"]
    assert disliked["collaborative"] < w0["collaborative"]


def test_centered_credit_ignores_a_component_that_scores_everything_alike() -> None:
    """Content scoring 0 on every disliked item must not soak up weight (the share rule lets it)."""

    def run(rule: str) -> float:
        learner = Learner(LearnerConfig(rule=rule))  # type: ignore[arg-type]
        state = default_state()
        for n in range(40):
            wiggle = (0, 1, -1, 2, -2)[n % 5] * 0.03  # symmetric around the first score
            comps = {"collaborative": 0.3 + wiggle, "content": 0.0, "popularity": 0.8}
            state = learner.apply(state, _event("dislike", -1.0, comps))
        return float(state["weights"]["content"]) - default_state()["weights"]["content"]

    assert abs(run("centered")) < 0.02 and abs(run("hedge")) < 0.02
    assert run("share") > 0.08


def test_prior_sets_the_start_and_replay_uses_it() -> None:
    prior = (("collaborative", 0.25), ("content", 0.05), ("popularity", 0.7))
    cfg = LearnerConfig(prior=prior)
    assert default_state(cfg)["weights"] == dict(prior)
    assert replay([], cfg)["weights"] == dict(prior)


def test_affinity_decay_forgets_old_taste() -> None:
    learner = Learner(LearnerConfig(affinity_decay=0.1))
    state = learner.apply(default_state(), _event("like", 1.0, {}, ["genre:Horror"]))
    before = state["affinities"]["genre:Horror"]
    state = learner.apply(state, _event("like", 1.0, {}, ["genre:Comedy"]))
    assert state["affinities"]["genre:Horror"] == pytest.approx(0.9 * before)


def test_uninformative_breakdowns_leave_weights_alone() -> None:
    learner = Learner()
    only_pop = {"popularity": 0.9}  # a cold user: only one component could speak
    state = learner.apply(default_state(), _event("like", 1.0, only_pop, ["genre:Comedy"]))
    assert state["weights"] == default_state()["weights"]
    assert state["affinities"]["genre:Comedy"] > 0


def test_step_size_decays_with_evidence_to_a_floor() -> None:
    cfg = LearnerConfig()
    steps = [step_size(cfg, e, cfg.alpha0) for e in (0, 5, 10, 50, 1000)]
    assert steps == sorted(steps, reverse=True)
    assert steps[0] == cfg.alpha0 and steps[2] == pytest.approx(cfg.alpha0 / 2)
    assert steps[-1] == pytest.approx(cfg.alpha_min)


@pytest.mark.parametrize("rule", RULES)
def test_consistent_evidence_converges_without_leaving_the_floor(rule: str) -> None:
    learner = Learner(LearnerConfig(rule=rule))  # type: ignore[arg-type]
    cf_found = {"collaborative": 0.9, "content": 0.1, "popularity": 0.2}
    pop_found = {"collaborative": 0.1, "content": 0.1, "popularity": 0.9}
    state = default_state()
    for _ in range(300):
        state = learner.apply(state, _event("like", 1.0, cf_found))
        state = learner.apply(state, _event("dislike", -1.0, pop_found))
    w = state["weights"]
    # the share rule's targets are score shares, so it cannot go all the way
    assert w["collaborative"] > (0.55 if rule == "share" else 0.8)
    assert min(w.values()) >= learner.config.floor - 1e-12


def test_affinities_follow_the_sign_and_stay_bounded() -> None:
    learner = Learner()
    state = default_state()
    for _ in range(200):
        state = learner.apply(state, _event("like", 1.0, {}, ["genre:Horror", "decade:1980"]))
        state = learner.apply(state, _event("dislike", -1.0, {}, ["genre:Romance"]))
    assert 0.99 < state["affinities"]["genre:Horror"] <= 1.0
    assert -1.0 <= state["affinities"]["genre:Romance"] < -0.99
    weak = learner.apply(
        default_state(), _event("moved_on", -0.1, {}, ["genre:Comedy"], "implicit")
    )
    assert -0.05 < weak["affinities"]["genre:Comedy"] < 0
    assert not weak["disliked"]  # an ignored item is not a disliked one


def test_negative_affinity_scale_damps_only_negatives() -> None:
    learner = Learner(LearnerConfig(negative_affinity=0.5))
    down = learner.apply(default_state(), _event("dislike", -1.0, {}, ["genre:Horror"]))
    up = learner.apply(default_state(), _event("like", 1.0, {}, ["genre:Horror"]))
    assert down["affinities"]["genre:Horror"] == pytest.approx(
        -0.5 * up["affinities"]["genre:Horror"]
    )


def test_item_facets() -> None:
    item = small_catalog()[0]
    keys = item_facets(item)
    assert "genre:Horror" in keys and f"decade:{item.decade}" in keys
    assert any(k.startswith("person:") for k in keys) and any(
        k.startswith("keyword:") for k in keys
    )


def test_history_like_dislike_seen(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.sqlite3")
    svc = FeedbackService(store, "demo", RewardTable(), Learner(), FakeScorer())
    svc.record("u", "horror-0", "like")
    svc.record("u", "comedy-1", "dislike")
    svc.record("u", "western-2", "seen")
    svc.record("u", "comedy-1", "love")  # changed their mind
    p = load_profile(store, "u")
    assert p.liked == {"horror-0": 1.0, "comedy-1": 1.0}
    assert p.disliked == set() and p.seen == {"western-2"} and p.n_events == 4
    only = load_profile(store, "u", catalog_items={"horror-0": small_catalog()[0]})
    assert set(only.liked) == {"horror-0"} and not only.seen


@pytest.mark.parametrize("rule", RULES)
def test_replay_equals_stored_state_after_random_events(tmp_path: Path, rule: str) -> None:
    rng = random.Random(20240501)
    store = Store(tmp_path / "t.sqlite3")
    cfg = LearnerConfig(rule=rule)  # type: ignore[arg-type]
    scorer = FakeScorer()
    svc = FeedbackService(store, "demo", RewardTable(), Learner(cfg), scorer)
    ids = sorted(scorer.items)
    signals = ["like", "love", "dislike", "not_for_me", "seen", "details", "more_like", "pick"]
    for _ in range(120):
        roll = rng.random()
        if roll < 0.15:
            svc.record_moved_on("u", rng.sample(ids, 5), rng.sample(ids, 1))
        elif roll < 0.3:
            svc.record("u", rng.choice(ids), "rate", value=rng.randint(1, 5))
        else:
            svc.record("u", rng.choice(ids), rng.choice(signals), text="words")
    stored, n = store.user_state("u")
    rows = store.feedback_events("u")
    assert n == len(rows) == 120
    assert replay(rows, cfg) == stored
    assert rows[-1].state_after == stored and rows[1].state_before == rows[0].state_after
    result = rebuild(store, "u", cfg)
    assert not result.changed and result.n_events == 120
    assert store.user_state("u") == (stored, 120)


def test_rebuild_repairs_a_damaged_state(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.sqlite3")
    svc = FeedbackService(store, "demo", RewardTable(), Learner(), FakeScorer())
    svc.record("u", "horror-0", "like")
    good, _ = store.user_state("u")
    store.put_user_state("u", default_state(), 0)
    result = rebuild(store, "u")
    assert result.changed and store.user_state("u") == (good, 1)


def test_credit_inputs_capture_the_breakdown() -> None:
    scorer = FakeScorer(scores={"horror-0": {"collaborative": 0.1, "content": 0.7,
                                             "popularity": 0.3}})
    got = credit_inputs(scorer(Profile("u"), "horror-0"))
    assert got["id"] == "horror-0"
    assert got["components"]["content"] == [0.7, True]
    assert "genre:Horror" in got["facets"]
