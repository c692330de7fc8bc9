"""The adaptation benchmark's machinery: simulated users, sessions, systems, metrics, targets.

A simulated user starts cold and gets `rounds` lists of `k`. They like what is
in their held-out positives, dislike a fixed, seeded share of the rest and move
on from what is left; that feedback goes through the real FeedbackService and
learner. Every system sees the same users and the same feedback path and keeps
the same item history (so collaborative fold-in works for all of them); they
differ only in the blend weights (fixed or learned) and in whether learned
affinities are applied. Data, split and engine live in bench/adapt_bench.py;
this module only needs something that can `recommend` and `score_item`.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from memory.store import Store
from tools.feedback import FeedbackService
from tools.learning import Learner, LearnerConfig, State, load_profile
from tools.profile import COMPONENTS, Profile
from tools.rewards import RewardTable
from tools.scoring import Ranked


class Recommender(Protocol):
    def recommend(self, profile: Profile, *, k: int, exclude_ids: Collection[str]) -> list[Ranked]: ...

    def score_item(self, profile: Profile, item_id: str) -> Ranked: ...


@dataclass(frozen=True)
class SimUser:
    user_id: str
    positives: frozenset[str]
    drift_to: frozenset[str] | None = None  # the taste after the switch, in a drift session


@dataclass(frozen=True)
class SimConfig:
    rounds: int = 10
    k: int = 10
    dislike_share: float = 0.3
    drift_round: int = 5  # first round with the new taste
    seed: int = 7


@dataclass(frozen=True)
class System:
    name: str
    weights: Mapping[str, float] | None = None  # a fixed blend; None uses the learned weights
    affinities: bool = False  # apply learned attribute affinities
    learner: LearnerConfig = field(default_factory=LearnerConfig)


@dataclass
class Session:
    hit: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)


class TimedLearner(Learner):
    """The real learner, timing each state update (the ≤ 2 ms p95 target)."""

    def __init__(self, config: LearnerConfig | None = None, sink: list[float] | None = None):
        super().__init__(config)
        self.durations = sink if sink is not None else []

    def apply(self, state: State | None, event: Mapping[str, Any]) -> State:
        start = time.perf_counter()
        out = super().apply(state, event)
        self.durations.append((time.perf_counter() - start) * 1000.0)
        return out


def simplex_grid(steps: int, names: Sequence[str] = COMPONENTS) -> list[dict[str, float]]:
    """Every blend whose weights are multiples of 1/steps."""
    points = (p for p in itertools.product(range(steps + 1), repeat=len(names)) if sum(p) == steps)
    return [{c: v / steps for c, v in zip(names, p, strict=True)} for p in points]


def blend_label(w: Mapping[str, float]) -> str:
    return "/".join(f"{n[:4]} {v:.2f}" for n, v in w.items())


def ndcg_at(ids: Sequence[str], relevant: Collection[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, x in enumerate(ids[:k]) if x in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def dislikes(cfg: SimConfig, user_id: str, item_id: str) -> bool:
    """A fixed share of non-positives, the same for every system (a hash, not a draw)."""
    h = hashlib.blake2b(f"{cfg.seed}|{user_id}|{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2.0**64 < cfg.dislike_share


def run_session(rec: Recommender, store: Store, system: System, user: SimUser, cfg: SimConfig,
                rewards: RewardTable, timings: list[float], tag: str = "") -> Session:  # fmt: skip
    """One simulated user, cold, for cfg.rounds lists; returns hit@k and NDCG@k per round."""
    uid = f"{tag}{system.name}:{user.user_id}"
    learner = TimedLearner(system.learner, timings)
    shown_now: dict[str, Ranked] = {}

    def score_fn(profile: Profile, item_id: str) -> Ranked:
        # the breakdown the item was ranked with: the same computation, not recomputed
        got = shown_now.get(item_id)
        return got if got is not None else rec.score_item(profile, item_id)

    svc = FeedbackService(store, "sim", rewards, learner, score_fn)
    shown: set[str] = set()
    out = Session()
    for rnd in range(1, cfg.rounds + 1):
        drifted = user.drift_to is not None and rnd >= cfg.drift_round
        positives = user.drift_to if drifted and user.drift_to is not None else user.positives
        learned = load_profile(store, uid, config=system.learner)
        profile = replace(learned, weights=dict(system.weights or learned.weights),
                          affinities=learned.affinities if system.affinities else {})  # fmt: skip
        ranked = rec.recommend(profile, k=cfg.k, exclude_ids=shown)
        ids = [r.item.id for r in ranked]
        shown_now = {r.item.id: r for r in ranked}
        remaining = positives - shown
        out.hit.append(1.0 if remaining.intersection(ids) else 0.0)
        out.ndcg.append(ndcg_at(ids, remaining, cfg.k))
        shown.update(ids)
        engaged: list[str] = []
        for iid in ids:
            if iid in positives:
                svc.record(uid, iid, "like")
            elif dislikes(cfg, user.user_id, iid):
                svc.record(uid, iid, "dislike")
            else:
                continue
            engaged.append(iid)
        svc.record_moved_on(uid, ids, engaged)
    return out


def mean_curve(sessions: Iterable[Session], attr: str) -> list[float]:
    rows = [getattr(s, attr) for s in sessions]
    return [sum(col) / len(col) for col in zip(*rows, strict=True)] if rows else []


def avg(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def percentile(xs: Sequence[float], q: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100.0 * len(s)) - 1))]


def recovery_rounds(drift: Sequence[float], reference: Sequence[float], start: int,
                    share: float = 0.9) -> int | None:  # fmt: skip
    """Rounds after the switch until the drifted run reaches `share` of the stable one (0 = no dip).

    `start` is the 1-based first round of the new taste; None if it never recovers."""
    for j, rnd in enumerate(range(start - 1, len(drift))):
        if drift[rnd] >= share * reference[rnd]:
            return j
    return None


def pick_blends(grid_scores: Mapping[int, Mapping[str, float]], users: Sequence[str],
                ) -> tuple[dict[str, int], dict[str, int]]:  # fmt: skip
    """Per user: the best blend on the OTHER users (leave-one-out) and the best in hindsight."""
    totals = {b: sum(s.values()) for b, s in grid_scores.items()}
    n = len(users)
    loo = {u: max(totals, key=lambda b: ((totals[b] - grid_scores[b][u]) / max(n - 1, 1), -b))
           for u in users}  # fmt: skip
    oracle = {u: max(grid_scores, key=lambda b: (grid_scores[b][u], -b)) for u in users}
    return loo, oracle


Progress = Callable[[str], None]


@dataclass
class Curve:
    name: str
    ndcg: list[float]
    hit: list[float]


@dataclass
class AdaptReport:
    curves: list[Curve]
    best_static: dict[str, float]
    drift: dict[str, dict[str, Any]]
    latency_ms: dict[str, float]
    targets: list[dict[str, Any]]
    config: dict[str, Any]
    seconds: float = 0.0

    def curve(self, name: str) -> Curve:
        return next(c for c in self.curves if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"curves": [vars(c) for c in self.curves], "best_static": self.best_static,
                "drift": self.drift, "latency_ms": self.latency_ms, "targets": self.targets,
                "config": self.config, "seconds": self.seconds}  # fmt: skip


def check_targets(ours: Curve, static: Curve, oracle: Curve, recovery: int | None,
                  latency: Mapping[str, float]) -> list[dict[str, Any]]:  # fmt: skip
    """The issue's four targets, each with its measured value and whether it is met."""
    r5 = min(len(ours.ndcg), 5) - 1
    ratio = avg(ours.ndcg[1:]) / avg(static.ndcg[1:]) if avg(static.ndcg[1:]) else None
    share = ours.ndcg[r5] / oracle.ndcg[r5] if oracle.ndcg[r5] else None
    rows = [("ours / best static, NDCG rounds 2-10", ratio, ">= 1.10", 1.10, 1),
            ("ours / oracle, NDCG round 5", share, ">= 0.95", 0.95, 1),
            ("drift recovery (rounds)", None if recovery is None else float(recovery), "<= 3", 3, -1),
            ("weight update p95 (ms)", latency["p95"], "<= 2", 2.0, -1)]  # fmt: skip
    return [{"name": n, "value": v, "want": w, "met": v is not None and (v - lim) * sign >= 0}
            for n, v, w, lim, sign in rows]  # fmt: skip


def run_benchmark(
    rec: Recommender, store: Store, users: Sequence[SimUser], cfg: SimConfig | None = None, *,
    grid_steps: int = 4, rules: Sequence[str] = ("credit", "hedge"), default_rule: str = "credit",
    progress: Progress | None = None,
) -> AdaptReport:  # fmt: skip
    """All systems on the same simulated users; see the module docstring."""
    cfg = cfg or SimConfig()
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    rewards = RewardTable()
    timings: list[float] = []
    ids = [u.user_id for u in users]

    def sessions(system: System, people: Sequence[SimUser] = users) -> dict[str, Session]:
        say(f"{system.name}: {len(people)} users")
        return {u.user_id: run_session(rec, store, system, u, cfg, rewards, timings)
                for u in people}  # fmt: skip

    grid = simplex_grid(grid_steps)
    runs = {b: sessions(System(f"blend{b}", w)) for b, w in enumerate(grid)}
    tune = {b: {u: avg(s.ndcg[1:]) for u, s in runs[b].items()} for b in runs}
    loo, oracle = pick_blends(tune, ids)
    best = max(tune, key=lambda b: (sum(tune[b].values()), -b))
    equal = {c: 1.0 / len(COMPONENTS) for c in COMPONENTS}
    picked = {"best static": {u: runs[loo[u]][u] for u in ids},
              "oracle": {u: runs[oracle[u]][u] for u in ids}}
    learned = {r: sessions(System(f"ours-{r}", None, True, LearnerConfig(rule=r)))  # type: ignore[arg-type]
               for r in rules}  # fmt: skip
    ours_cfg = LearnerConfig(rule=default_rule)  # type: ignore[arg-type]
    ablations = {
        "ours, weights only": sessions(System("weights-only", None, False, ours_cfg)),
        "best static + affinities": sessions(System("static-aff", grid[best], True, ours_cfg)),
    }
    named = {"best static": picked["best static"], **{f"ours ({r})": s for r, s in learned.items()},
             **ablations, "oracle": picked["oracle"]}  # fmt: skip
    curves = [Curve(n, mean_curve(s.values(), "ndcg"), mean_curve(s.values(), "hit"))
              for n, s in named.items()]  # fmt: skip
    eq = sessions(System("equal", equal))
    curves.insert(0, Curve("equal", mean_curve(eq.values(), "ndcg"), mean_curve(eq.values(), "hit")))

    drift: dict[str, dict[str, Any]] = {}
    pairs = [replace(u, drift_to=users[(i + 1) % len(users)].positives) for i, u in enumerate(users)]
    for name, system, stable in (
        (f"ours ({default_rule})", System(f"drift-ours-{default_rule}", None, True, ours_cfg),
         learned.get(default_rule)),
        ("best static", System("drift-static", grid[best]), runs[best]),
    ):  # fmt: skip
        if stable is None:
            continue
        got = mean_curve(sessions(system, pairs).values(), "ndcg")
        ref = mean_curve([stable[users[(i + 1) % len(users)].user_id] for i in range(len(users))],
                         "ndcg")  # fmt: skip
        drift[name] = {"rounds_to_recover": recovery_rounds(got, ref, cfg.drift_round),
                       "drift_ndcg": got, "reference": ref}  # fmt: skip

    by = {c.name: c for c in curves}
    lat = {"p50": percentile(timings, 50), "p95": percentile(timings, 95), "n": float(len(timings))}
    targets = check_targets(by[f"ours ({default_rule})"], by["best static"], by["oracle"],
                            drift.get(f"ours ({default_rule})", {}).get("rounds_to_recover"), lat)
    config = {**vars(cfg), "users": len(users), "grid_steps": grid_steps, "rules": list(rules),
              "default_rule": default_rule}  # fmt: skip
    return AdaptReport(curves, dict(grid[best]), drift, lat, targets, config,
                       time.perf_counter() - started)  # fmt: skip
