"""The adaptation benchmark's machinery on tiny synthetic data (the real run: bench/adapt_bench)."""

from __future__ import annotations

import json
import random
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pytest

from bench.adapt_bench import check_targets, holdout_split, render_table
from bench.eval_adapt import (
    Session,
    SimConfig,
    SimUser,
    System,
    dislikes,
    ndcg_at,
    paired,
    pick_blends,
    recovery_rounds,
    run_benchmark,
    run_session,
    sequential_runner,
    simplex_grid,
)
from memory.items import Interaction, Item
from memory.store import Store
from tools.profile import COMPONENTS, Profile
from tools.rewards import RewardTable
from tools.scoring import Adjustment, Breakdown, ComponentScore, Ranked

GENRES = ("Horror", "Comedy", "Western", "Romance")


class TinyRecommender:
    """Three honest components over 80 items in 4 genre clusters: enough to learn from."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.items: dict[str, Item] = {}
        self.vec: dict[str, np.ndarray] = {}
        for n in range(80):
            g = n % 4
            item = Item(id=f"i{n}", title=f"Film {n}", year=1950 + n, genres=(GENRES[g],),
                        popularity=float(rng.integers(1, 100)))
            self.items[item.id] = item
            self.vec[item.id] = np.eye(4)[g] + rng.normal(0, 0.4, 4)

    def score_item(self, profile: Profile, item_id: str) -> Ranked:
        item = self.items[item_id]
        liked = [i for i in profile.liked if i in self.items]
        if liked:
            centre = np.mean([self.vec[i] for i in liked], axis=0)
            v = self.vec[item_id]
            cf = float(v @ centre / (np.linalg.norm(v) * np.linalg.norm(centre) + 1e-9))
            genres = {g for i in liked for g in self.items[i].genres}
            content = 1.0 if genres & set(item.genres) else 0.0
        raw = {"collaborative": (cf + 1) / 2 if liked else 0.0,
               "content": content if liked else 0.0,
               "popularity": (item.popularity or 0.0) / 100.0}
        w, live = profile.weights, {c: bool(liked) or c == "popularity" for c in COMPONENTS}
        comps = [ComponentScore(c, raw[c], raw[c], w[c], w[c] * raw[c], available=live[c])
                 for c in COMPONENTS]
        adj = [Adjustment(f"genre:{g}", 0.2 * profile.affinities[f"genre:{g}"], "affinity")
               for g in item.genres if f"genre:{g}" in profile.affinities]
        bd = Breakdown(components=comps, adjustments=adj)
        return Ranked(item, bd.total, bd)

    def recommend(self, profile: Profile, *, k: int, exclude_ids: Collection[str]) -> list[Ranked]:
        skip = set(exclude_ids) | set(profile.liked) | profile.disliked | profile.seen
        ranked = [self.score_item(profile, i) for i in self.items if i not in skip]
        return sorted(ranked, key=lambda r: (-r.score, r.item.id))[:k]


def _users(n: int = 8) -> list[SimUser]:
    return [SimUser(f"u{j}", frozenset(f"i{m}" for m in range(80) if m % 4 == j % 4))
            for j in range(n)]


def test_grid_and_metrics() -> None:
    grid = simplex_grid(4)
    assert len(grid) == 15 and all(abs(sum(w.values()) - 1) < 1e-12 for w in grid)
    assert {"collaborative": 1.0, "content": 0.0, "popularity": 0.0} in grid
    assert ndcg_at(["a", "b"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], {"a"}, 10) == pytest.approx(1 / np.log2(3))
    assert ndcg_at(["x"], set(), 10) == 0.0


def test_holdout_split_takes_the_latest_positives() -> None:
    rows = [Interaction(user_id="u", item_id=f"m{t}", value=5.0 if t % 2 else 2.0, ts=float(t))
            for t in range(20)]
    train, held = holdout_split(rows)
    assert held == {"u": ["m17", "m19"]}  # 10 positives -> the last 2 by time
    assert len(train) == 18 and all(r.item_id not in held["u"] for r in train)


def test_dislikes_are_a_fixed_seeded_share() -> None:
    cfg = SimConfig(dislike_share=0.3)
    share = np.mean([dislikes(cfg, "u", f"i{n}") for n in range(4000)])
    assert 0.27 < share < 0.33
    assert dislikes(cfg, "u", "i1") == dislikes(cfg, "u", "i1")


def test_recovery_and_blend_picking() -> None:
    assert recovery_rounds([1, 1, 1, 1, 0.1, 0.5, 0.95], [1] * 7, start=5) == 2
    assert recovery_rounds([1, 1, 0.1, 0.1], [1] * 4, start=3) is None
    scores = {0: {"a": 0.9, "b": 0.1, "c": 0.1}, 1: {"a": 0.0, "b": 0.5, "c": 0.5}}
    loo, oracle = pick_blends(scores, ["a", "b", "c"])
    assert loo == {"a": 1, "b": 0, "c": 0} and oracle == {"a": 0, "b": 1, "c": 1}


def test_paired_comparison_is_per_user() -> None:
    base = {f"u{i}": Session(ndcg=[0.0, 0.1 * i, 0.1 * i]) for i in range(1, 9)}
    better = {u: Session(ndcg=[0.0] + [x * 1.2 for x in s.ndcg[1:]]) for u, s in base.items()}
    got = paired(better, base)
    assert got["ratio"] == pytest.approx(1.2) and got["ci_low"] == pytest.approx(1.2)
    assert got["mean_diff"] > 0 and got["se"] > 0


def test_a_session_never_repeats_items_and_logs_feedback(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    rec = TinyRecommender()
    shown: list[str] = []
    real = rec.recommend

    def spy(profile: Profile, *, k: int, exclude_ids: Collection[str]) -> list[Ranked]:
        got = real(profile, k=k, exclude_ids=exclude_ids)
        shown.extend(r.item.id for r in got)
        return got

    rec.recommend = spy  # type: ignore[method-assign]
    user = _users(1)[0]
    out = run_session(rec, store, System("ours"), user, SimConfig(rounds=5, k=5), RewardTable())
    assert len(shown) == len(set(shown)) == 25
    assert len(out.ndcg) == len(out.hit) == 5 and out.hit[-1] == 1.0
    events = store.feedback_events("ours:u0")
    assert events and {e.signal for e in events} <= {"like", "dislike", "moved_on"}
    assert len(out.update_ms) == len(events)  # update cost is reported by the bench, not timed here


def test_benchmark_reports_every_system(tmp_path: Path) -> None:
    store = Store(tmp_path / "b.sqlite3")
    users = _users(8)
    random.Random(0).shuffle(users)
    cfg = SimConfig(rounds=6, k=5, drift_round=4)
    report = run_benchmark(
        sequential_runner(TinyRecommender(), store, cfg), users, cfg, grid_steps=2
    )
    names = [c.name for c in report.curves]
    assert names == ["equal", "best static", "ours (centered)", "ours (share)", "ours (hedge)",
                     "ours, default start", "ours, weights only", "best static + affinities",
                     "oracle"]
    for c in report.curves:
        assert len(c.ndcg) == len(c.hit) == 6 and all(0 <= x <= 1 for x in c.ndcg + c.hit)
    oracle, static = report.curve("oracle"), report.curve("best static")
    assert sum(oracle.ndcg[1:]) >= sum(static.ndcg[1:]) - 1e-9
    assert set(report.drift) == {"ours (centered)", "best static"}
    assert report.latency_ms["n"] > 0 and report.latency_ms["p95"] >= report.latency_ms["p50"]
    assert [t["name"] for t in check_targets(report)][-1] == "weight update p95 (ms)"
    assert report.split_half_oracle > 0
    table = render_table(report)
    assert "| avg 2-6 |" in table and "drift, ours (centered)" in table and "target" in table
    json.dumps(report.to_dict())


def test_the_shipped_prior_and_the_no_feedback_system_are_reported(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    users = _users(6)
    cfg = SimConfig(rounds=5, k=5, drift_round=3)
    shipped = {"collaborative": 0.6, "content": 0.3, "popularity": 0.1}
    rec = TinyRecommender()
    seen: dict[str, list[Profile]] = {}
    real = rec.recommend

    def spy(profile: Profile, *, k: int, exclude_ids: Collection[str]) -> list[Ranked]:
        seen.setdefault(profile.user_id, []).append(profile)
        return real(profile, k=k, exclude_ids=exclude_ids)

    rec.recommend = spy  # type: ignore[method-assign]
    report = run_benchmark(sequential_runner(rec, store, cfg), users, cfg,
                           grid_steps=2, rules=("centered",), shipped=shipped)
    names = [c.name for c in report.curves]
    assert "ours (shipped)" in names and "shipped, no feedback" in names
    uid = users[0].user_id
    # the shipped learner starts every user from exactly the shipped weights, then moves
    assert seen[f"shipped:{uid}"][0].weights == shipped
    # ignoring feedback: every round ranks for a cold user with the shipped weights
    assert all(p.is_cold and p.weights == shipped for p in seen[f"no-feedback:{uid}"])
    assert not seen[f"shipped:{uid}"][-1].is_cold
    assert report.lift and report.lift["ratio"] > 0
    targets = {t["name"]: t for t in check_targets(report)}
    assert "ours (shipped) / best static, NDCG rounds 2-10" in targets
    assert targets["full feedback loop / no feedback, NDCG rounds 2-10"]["value"] == report.lift["ratio"]
