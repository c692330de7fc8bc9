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
import random
import statistics
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from memory.store import Store
from tools.feedback import FeedbackService
from tools.learning import Learner, LearnerConfig, load_profile
from tools.profile import COMPONENTS, Profile
from tools.rewards import RewardTable
from tools.scoring import Ranked


class Recommender(Protocol):
    def recommend(
        self, profile: Profile, *, k: int, exclude_ids: Collection[str]
    ) -> list[Ranked]: ...
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
    use_feedback: bool = True  # False: every round is ranked for a cold user (no fold-in at all)


@dataclass
class Session:
    hit: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    update_ms: list[float] = field(default_factory=list)  # each learner state update, timed


def simplex_grid(steps: int, names: Sequence[str] = COMPONENTS) -> list[dict[str, float]]:
    """Every blend whose weights are multiples of 1/steps."""
    points = (p for p in itertools.product(range(steps + 1), repeat=len(names)) if sum(p) == steps)
    return [{c: v / steps for c, v in zip(names, p, strict=True)} for p in points]


def ndcg_at(ids: Sequence[str], relevant: Collection[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, x in enumerate(ids[:k]) if x in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def dislikes(cfg: SimConfig, user_id: str, item_id: str) -> bool:
    """A fixed share of non-positives, the same for every system (a hash, not a draw)."""
    h = hashlib.blake2b(f"{cfg.seed}|{user_id}|{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2.0**64 < cfg.dislike_share


def run_session(rec: Recommender, store: Store, system: System, user: SimUser, cfg: SimConfig,
                rewards: RewardTable) -> Session:
    """One simulated user, cold, for cfg.rounds lists; returns hit@k and NDCG@k per round."""
    uid = f"{system.name}:{user.user_id}"
    out = Session()
    learner = Learner(system.learner, out.update_ms)
    shown_now: dict[str, Ranked] = {}

    def score_fn(profile: Profile, item_id: str) -> Ranked:
        # the breakdown the item was ranked with: the same computation, not recomputed
        got = shown_now.get(item_id)
        return got if got is not None else rec.score_item(profile, item_id)

    svc = FeedbackService(store, "sim", rewards, learner, score_fn)
    shown: set[str] = set()
    for rnd in range(1, cfg.rounds + 1):
        drifted = user.drift_to is not None and rnd >= cfg.drift_round
        positives = user.drift_to if drifted and user.drift_to is not None else user.positives
        learned = load_profile(store, uid, config=system.learner)
        if not system.use_feedback:
            learned = Profile(user_id=uid, weights=dict(learned.weights))
        profile = replace(learned, weights=dict(system.weights or learned.weights),
                          affinities=learned.affinities if system.affinities else {})
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


def paired(ours: Mapping[str, Session], base: Mapping[str, Session], seed: int = 0,
           draws: int = 1000) -> dict[str, float]:
    """Per-user paired comparison of NDCG rounds 2-k: ratio of means with a bootstrap 95% CI."""
    users = sorted(base)
    a, b = [avg(ours[u].ndcg[1:]) for u in users], [avg(base[u].ndcg[1:]) for u in users]
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    rng, ratios = random.Random(seed), []
    for _ in range(draws):
        pick = [rng.randrange(len(users)) for _ in users]
        den = sum(b[i] for i in pick)
        ratios.append(sum(a[i] for i in pick) / den if den else 1.0)
    ratios.sort()
    se = statistics.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else 0.0
    return {
        "ratio": avg(a) / avg(b) if avg(b) else 0.0,
        "ci_low": ratios[int(0.025 * draws)],
        "ci_high": ratios[int(0.975 * draws) - 1],
        "mean_diff": avg(diffs),
        "se": se,
    }


def split_half_oracle(runs: Mapping[int, Mapping[str, Session]], static: Mapping[str, int],
                      ) -> float:
    """The per-user oracle without hindsight: blend picked on rounds 2, 4, .. and scored on
    rounds 3, 5, ..; returned relative to best static on those rounds (1.0 = no headroom)."""
    users = list(static)
    picked = {u: max(runs, key=lambda b: (avg(runs[b][u].ndcg[1::2]), -b)) for u in users}
    base = sum(avg(runs[static[u]][u].ndcg[2::2]) for u in users)
    return sum(avg(runs[picked[u]][u].ndcg[2::2]) for u in users) / base if base else 0.0


def recovery_rounds(drift: Sequence[float], reference: Sequence[float], start: int,
                    share: float = 0.9) -> int | None:
    """Rounds after the switch until the drifted run reaches `share` of the stable one (0 = no dip).

    `start` is the 1-based first round of the new taste; None if it never recovers."""
    for j, rnd in enumerate(range(start - 1, len(drift))):
        if drift[rnd] >= share * reference[rnd]:
            return j
    return None


def pick_blends(grid_scores: Mapping[int, Mapping[str, float]], users: Sequence[str],
                ) -> tuple[dict[str, int], dict[str, int]]:
    """Per user: the best blend on the OTHER users (leave-one-out) and the best in hindsight."""
    totals = {b: sum(s.values()) for b, s in grid_scores.items()}
    n = len(users)
    loo = {u: max(totals, key=lambda b: ((totals[b] - grid_scores[b][u]) / max(n - 1, 1), -b))
           for u in users}
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
    config: dict[str, Any]
    seconds: float = 0.0
    paired: dict[str, dict[str, float]] = field(default_factory=dict)  # each system vs best static
    split_half_oracle: float = 0.0
    lift: dict[str, float] = field(default_factory=dict)  # the shipped loop vs ignoring feedback

    def curve(self, name: str) -> Curve:
        return next(c for c in self.curves if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"curves": [vars(c) for c in self.curves], "best_static": self.best_static,
                "drift": self.drift, "latency_ms": self.latency_ms, "config": self.config,
                "seconds": self.seconds, "paired": self.paired,
                "split_half_oracle": self.split_half_oracle, "lift": self.lift}


Job = tuple[System, SimUser]
Runner = Callable[[Sequence[Job]], list[Session]]


def sequential_runner(rec: Recommender, store: Store, cfg: SimConfig) -> Runner:
    """Runs the sessions one by one in this process (the bench may run them in several)."""
    rewards = RewardTable()
    return lambda jobs: [
        run_session(rec, store, system, user, cfg, rewards) for system, user in jobs
    ]


def run_benchmark(
    runner: Runner, users: Sequence[SimUser], cfg: SimConfig | None = None, *,
    grid_steps: int = 3, rules: Sequence[str] = ("centered", "share", "hedge"),
    default_rule: str = "centered", base: LearnerConfig | None = None,
    progress: Progress | None = None, shipped: Mapping[str, float] | None = None,
) -> AdaptReport:
    """All systems on the same simulated users; see the module docstring.

    Phase 1 runs every static blend of the grid; the best blend on the *other*
    users (leave-one-out) is "best static" and also the start (prior) of the
    "ours (rule)" rows, which then adapt per user. Phase 2 runs ours, the
    ablations and the drift. `shipped` is the catalog's learned weights: "ours
    (shipped)" starts from exactly those (what the app does), and "shipped, no
    feedback" ranks with them for a user whose feedback is ignored."""
    cfg, base, say = cfg or SimConfig(), base or LearnerConfig(), progress or (lambda _m: None)
    started, ids, n = time.perf_counter(), [u.user_id for u in users], len(users)
    equal = {c: 1.0 / len(COMPONENTS) for c in COMPONENTS}
    grid = [*simplex_grid(grid_steps), *([] if equal in simplex_grid(grid_steps) else [equal])]
    say(f"static blends: {len(grid)} x {n} users")
    flat = runner([(System(f"blend{b}", w), u) for b, w in enumerate(grid) for u in users])
    runs = {b: {u: flat[b * n + j] for j, u in enumerate(ids)} for b in range(len(grid))}
    tune = {b: {u: avg(s.ndcg[1:]) for u, s in runs[b].items()} for b in runs}
    loo, oracle = pick_blends(tune, ids)
    best = max(tune, key=lambda b: (sum(tune[b].values()), -b))

    def ours(name: str, rule: str, u: SimUser, aff: bool = True, prior: bool = True) -> System:
        start = tuple(grid[loo[u.user_id]].items()) if prior else None
        learner = replace(base, rule=rule, prior=start)  # type: ignore[arg-type]
        return System(name, None, aff, learner)

    pairs = [replace(u, drift_to=users[(i + 1) % n].positives) for i, u in enumerate(users)]
    plan: dict[str, list[Job]] = {
        **{f"ours ({r})": [(ours(f"ours-{r}", r, u), u) for u in users] for r in rules},
        "ours, default start": [(ours("default", default_rule, u, prior=False), u) for u in users],
        "ours, weights only": [(ours("weights-only", default_rule, u, False), u) for u in users],
        "best static + affinities": [(System("static-aff", grid[loo[u.user_id]], True, base), u)
                                     for u in users],
        **({"ours (shipped)": [(System("shipped", None, True, replace(
                base, rule=default_rule, prior=tuple(shipped.items()))), u) for u in users],  # type: ignore[arg-type]
            "shipped, no feedback": [(System("no-feedback", dict(shipped), False, base, False), u)
                                     for u in users]} if shipped else {}),
        "drift ours": [(ours("drift-ours", default_rule, p), p) for p in pairs],
        "drift static": [(System("drift-static", grid[loo[p.user_id]]), p) for p in pairs],
    }
    say(f"adaptive systems and drift: {len(plan)} x {n} users")
    done = runner([job for jobs in plan.values() for job in jobs])
    got = {
        name: dict(zip(ids, done[i * n : (i + 1) * n], strict=True)) for i, name in enumerate(plan)
    }
    named = {"equal": runs[grid.index(equal)], "best static": {u: runs[loo[u]][u] for u in ids},
             **{k: v for k, v in got.items() if not k.startswith("drift")},
             "oracle": {u: runs[oracle[u]][u] for u in ids}}
    curves = [Curve(k, mean_curve(v.values(), "ndcg"), mean_curve(v.values(), "hit"))
              for k, v in named.items()]
    drift: dict[str, dict[str, Any]] = {}
    for name, key in ((f"ours ({default_rule})", "drift ours"), ("best static", "drift static")):
        moved = mean_curve(got[key].values(), "ndcg")
        ref = mean_curve([named[name][users[(i + 1) % n].user_id] for i in range(n)], "ndcg")
        drift[name] = {"rounds_to_recover": recovery_rounds(moved, ref, cfg.drift_round),
                       "drift_ndcg": moved, "reference": ref}
    timings = [t for s in [*flat, *done] for t in s.update_ms]
    cuts = (
        statistics.quantiles(timings, n=20, method="inclusive") if len(timings) > 1 else [0.0] * 19
    )
    lat = {"p50": cuts[9], "p95": cuts[18], "n": float(len(timings))}
    config = {**vars(cfg), "users": n, "grid_steps": grid_steps, "rules": list(rules),
              "default_rule": default_rule, "learner": vars(base)}
    vs = {
        k: paired(v, named["best static"], cfg.seed) for k, v in named.items() if k != "best static"
    }
    lift = paired(named["ours (shipped)"], named["shipped, no feedback"], cfg.seed) if shipped else {}
    return AdaptReport(curves, dict(grid[best]), drift, lat, config, time.perf_counter() - started,
                       vs, split_half_oracle(runs, loo), lift)
