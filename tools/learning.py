"""Per-user learning: blend weights and attribute affinities that move with every reward.

The state is a plain JSON dict kept by `Store.update_user_state`, which appends
the feedback event and writes the new state in one transaction. Each event
carries everything the update needs (the reward, the item's normalized
component scores at the time, its facet keys), so the update is a pure
function of (state, event): replaying the log from the defaults gives the
stored state bit for bit, whatever the catalog or model looks like today.
The maths is in docs/learning.md.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from memory.items import Item
from memory.store import FeedbackRow, Store
from tools.preferences import rules_effect
from tools.profile import COMPONENTS, DEFAULT_WEIGHTS, Profile, facet_key
from tools.scoring import Ranked

Rule = Literal["centered", "share", "hedge"]
State = dict[str, Any]
STATE_VERSION = 1


@dataclass(frozen=True)
class LearnerConfig:
    """The knobs of the update rule; the defaults are the adaptation benchmark's winner."""

    rule: Rule = "centered"
    alpha0: float = 0.1  # first step size of the additive rules (0.3 and 1.0 measured worse)
    alpha_min: float = 0.02  # the step never decays below this, so taste drift is still followed
    tau: float = 10.0  # evidence (sum of |reward|) at which the step has halved
    eta0: float = 2.0  # first step size of the Hedge rule (same decay)
    floor: float = 0.05  # no component weight goes below this: it can always come back
    baseline_rate: float = 0.1  # how fast a component's typical score on reacted-to items moves
    prior: tuple[tuple[str, float], ...] | None = None  # start weights; None = DEFAULT_WEIGHTS
    genre_rate: float = 0.15
    decade_rate: float = 0.10
    person_rate: float = 0.10
    keyword_rate: float = 0.05
    affinity_decay: float = 0.0  # every taste update shrinks all affinities by this share
    negative_affinity: float = 1.0  # scales negative rewards' affinity steps (a shown, unliked
    # item says less about its genres than a liked one says)
    max_people: int = 4  # directors + leading cast; the tail of a cast list says little
    max_keywords: int = 6

    def rate(self, facet: str) -> float:
        rates = {"genre": self.genre_rate, "decade": self.decade_rate,
                 "person": self.person_rate, "keyword": self.keyword_rate}
        return rates.get(facet, 0.0)

    def start_weights(self) -> dict[str, float]:
        return dict(self.prior) if self.prior else dict(DEFAULT_WEIGHTS)


def default_state(config: LearnerConfig | None = None) -> State:
    """Where every user starts, and where replay starts from.

    A learned prior (the catalog's trained weights) is written into the state as
    "prior", so replay starts from the same place even after the catalog is retrained.
    """
    cfg = config or LearnerConfig()
    weights = cfg.start_weights()
    state = {"v": STATE_VERSION, "weights": weights, "affinities": {}, "baseline": {},
             "liked": {}, "disliked": [], "seen": [], "n_events": 0, "evidence": 0.0}
    if cfg.prior:
        state["prior"] = dict(weights)
    return state


def item_facets(item: Item, config: LearnerConfig | None = None) -> list[str]:
    """The affinity keys an item touches: its genres, decade, leading people and keywords."""
    cfg = config or LearnerConfig()
    keys = [facet_key("genre", g) for g in item.genres]
    if item.decade is not None:
        keys.append(facet_key("decade", item.decade))
    people = list(dict.fromkeys(item.directors + item.cast))[: cfg.max_people]
    keys += [facet_key("person", p) for p in people]
    keys += [facet_key("keyword", k) for k in item.keywords[: cfg.max_keywords]]
    return keys


def credit_inputs(ranked: Ranked, config: LearnerConfig | None = None) -> dict[str, Any]:
    """What an event must remember about its item so that replay never asks the engine again."""
    comps = {c.name: [c.normalized, c.available] for c in ranked.breakdown.components}
    return {"id": ranked.item.id, "components": comps, "facets": item_facets(ranked.item, config)}


def project_simplex(weights: Mapping[str, float], floor: float) -> dict[str, float]:
    """Euclidean projection onto {w : sum w = 1, w_c >= floor} (sort-based, exact)."""
    names = list(weights)
    budget = 1.0 - floor * len(names)
    if budget < 0:
        raise ValueError(f"floor {floor} is too high for {len(names)} components")
    v = [weights[n] - floor for n in names]
    u = sorted(v, reverse=True)
    cumulative, theta = 0.0, 0.0
    for j, uj in enumerate(u, start=1):
        cumulative += uj
        t = (cumulative - budget) / j
        if uj - t > 0:
            theta = t
    return {n: floor + max(x - theta, 0.0) for n, x in zip(names, v, strict=True)}


def step_size(config: LearnerConfig, evidence: float, base: float) -> float:
    """alpha_t = max(alpha_min/alpha0 * base, base / (1 + evidence / tau))."""
    return max(base * config.alpha_min / config.alpha0, base / (1.0 + evidence / config.tau))


def credit_shares(components: Mapping[str, Any], names: Iterable[str]) -> dict[str, float] | None:
    """Each available component's share of the item's normalized scores; None if uninformative."""
    avail = {n: max(float(components[n][0]), 0.0) for n in names
             if n in components and components[n][1]}
    total = sum(avail.values())
    if len(avail) < 2 or total <= 0.0:
        return None
    return {n: s / total for n, s in avail.items()}


class Learner:
    """Applies one feedback event to a user's state; pure, so replay is exact."""

    def __init__(self, config: LearnerConfig | None = None,
                 timings: list[float] | None = None) -> None:
        self.config = config or LearnerConfig()
        self.timings = timings  # when given, each apply() appends its duration in ms (the bench)

    def update_weights(
        self, weights: Mapping[str, float], components: Mapping[str, Any], reward: float,
        evidence: float, baseline: dict[str, float],
    ) -> dict[str, float]:
        """One reward's move of the blend; `baseline` (the typical scores) is updated in place."""
        cfg = self.config
        avail = {n: float(components[n][0]) for n in weights
                 if n in components and components[n][1]}
        # centered credit: how much better than usual each component scored this item
        dev = {n: s - baseline.get(n, s) for n, s in avail.items()}
        for n, s in avail.items():
            baseline[n] = baseline.get(n, s) + cfg.baseline_rate * (s - baseline.get(n, s))
        if len(avail) < 2 or reward == 0.0:
            return dict(weights)
        new = dict(weights)
        mass = sum(weights[n] for n in avail)  # unavailable components keep their weight
        mean = sum(dev.values()) / len(dev)
        credit = {n: d - mean for n, d in dev.items()}  # sums to 0: the move keeps the mass
        if cfg.rule == "hedge":
            eta = step_size(cfg, evidence, cfg.eta0) * reward
            raw = {n: weights[n] * math.exp(eta * credit[n]) for n in avail}
            scale = mass / sum(raw.values())
            new.update({n: raw[n] * scale for n in avail})
        elif cfg.rule == "centered":
            eta = step_size(cfg, evidence, cfg.alpha0) * reward
            new.update({n: weights[n] + eta * credit[n] for n in avail})
        else:  # "share": w <- w + eta (q - w), q = the score shares (their complement if r < 0)
            shares = credit_shares(components, weights)
            if shares is None:
                return dict(weights)
            eta, k = step_size(cfg, evidence, cfg.alpha0) * abs(reward), len(shares)
            target = shares if reward > 0 else {n: (1.0 - p) / (k - 1) for n, p in shares.items()}
            new.update({n: (1 - eta) * weights[n] + eta * mass * target[n] for n in shares})
        return project_simplex(new, cfg.floor)

    def update_affinities(self, affinities: dict[str, float], facets: Iterable[str],
                          reward: float) -> None:
        """a <- a + beta |r| (sign r - a): bounded in [-1, 1], weak signals move it little."""
        sign = math.copysign(1.0, reward)
        if reward < 0:
            reward *= self.config.negative_affinity
        if self.config.affinity_decay:
            keep = 1.0 - self.config.affinity_decay
            for key in affinities:
                affinities[key] *= keep
        for key in dict.fromkeys(facets):
            beta = self.config.rate(key.partition(":")[0]) * abs(reward)
            if beta > 0:
                a = affinities.get(key, 0.0)
                affinities[key] = a + beta * (sign - a)

    def apply(self, state: State | None, event: Mapping[str, Any]) -> State:
        """The state after one event: {signal, reward, detail{kind, taste, items[...]}}."""
        started = time.perf_counter()
        old = state or default_state(self.config)
        new: State = {**old, "weights": dict(old["weights"]), "affinities": dict(old["affinities"]),
                      "baseline": dict(old.get("baseline", {})), "liked": dict(old["liked"]),
                      "disliked": list(old["disliked"]), "seen": list(old["seen"]),
                      "n_events": int(old["n_events"]) + 1}
        detail = event.get("detail") or {}
        reward = float(event.get("reward") or 0.0)
        signal = str(event["signal"])
        taste = bool(detail.get("taste", True)) and reward != 0.0
        explicit = detail.get("kind", "explicit") == "explicit"
        wanted = list(old.get("wanted", []))  # the watchlist; absent until the first "want"
        for it in detail.get("items", []):
            iid = str(it["id"])
            if signal in ("seen", "rate") and iid not in new["seen"]:
                new["seen"].append(iid)
            if iid in wanted and signal in ("seen", "rate", "like", "love"):
                wanted.remove(iid)
            if signal == "want":  # wants to see it: its facets gain a little, it stays listable
                if iid not in new["seen"] and iid not in wanted:
                    wanted.append(iid)
                if taste:
                    self.update_affinities(new["affinities"], it.get("facets", []), reward)
                continue
            if not taste:
                continue
            comps = it.get("components", {})
            new["weights"] = self.update_weights(
                new["weights"], comps, reward, float(new["evidence"]), new["baseline"]
            )
            new["evidence"] = float(new["evidence"]) + abs(reward)
            self.update_affinities(new["affinities"], it.get("facets", []), reward)
            if reward > 0:
                # re-inserted, so the liked map stays oldest-first by latest like (recency)
                new["liked"][iid] = min(1.0, new["liked"].pop(iid, 0.0) + reward)
                if iid in new["disliked"]:
                    new["disliked"].remove(iid)
            elif explicit:
                new["liked"].pop(iid, None)
                if iid not in new["disliked"]:
                    new["disliked"].append(iid)
        if wanted or "wanted" in old:
            new["wanted"] = wanted
        if self.timings is not None:
            self.timings.append((time.perf_counter() - started) * 1000.0)
        return new


def event_of(row: FeedbackRow | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(row, FeedbackRow):
        return {"signal": row.signal, "reward": row.reward, "detail": row.detail}
    return row


def replay(events: Iterable[FeedbackRow | Mapping[str, Any]],
           config: LearnerConfig | None = None) -> State:
    """The state the log implies, recomputed from the defaults (and the prior it recorded)."""
    rows = list(events)
    learner = Learner(config)
    prior = _recorded_prior(rows)
    if prior is not None:
        learner = Learner(replace(learner.config, prior=prior))
    state = default_state(learner.config)
    for row in rows:
        state = learner.apply(state, event_of(row))
    return state


def _recorded_prior(rows: Sequence[FeedbackRow | Mapping[str, Any]]) -> tuple[tuple[str, float], ...] | None:
    """The start weights a log was written from: every full state carries them as "prior"."""
    for row in rows:
        for state in ((row.state_before, row.state_after) if isinstance(row, FeedbackRow)
                      else (row.get("state_before"), row.get("state_after"))):
            if isinstance(state, Mapping) and isinstance(state.get("prior"), Mapping):
                return tuple((str(k), float(v)) for k, v in state["prior"].items())
    return None


@dataclass(frozen=True)
class Rebuilt:
    state: State
    n_events: int
    changed: bool  # False when the stored state already equalled the replay


def rebuild(store: Store, user_id: str, config: LearnerConfig | None = None) -> Rebuilt:
    """`tastebud prefs rebuild`: replay the log and store the result."""
    rows = store.feedback_events(user_id)
    state = replay(rows, config)
    stored, _ = store.user_state(user_id)
    store.put_user_state(user_id, state, len(rows))
    return Rebuilt(state, len(rows), stored != state)


def apply_trust(weights: Mapping[str, float], tilt: Mapping[str, float],
                floor: float) -> dict[str, float]:
    """Multiply by the trust factors, renormalize, respect the floors."""
    raw = {n: w * tilt.get(n, 1.0) for n, w in weights.items()}
    total = sum(raw.values()) or 1.0
    return project_simplex({n: w / total for n, w in raw.items()}, floor)


def load_profile(
    store: Store, user_id: str, *, catalog_items: Mapping[str, Item] | None = None,
    config: LearnerConfig | None = None, state: tuple[State, int] | None = None,
) -> Profile:
    """Learned state + active preference rules -> what ranking reads. Rules are applied here,
    never folded into the state, so undoing one removes it completely. `state` (with its event
    count) replaces the stored one: an import scores its rows against the state it has reached."""
    cfg = config or LearnerConfig()
    stored, n_events = state if state is not None else store.user_state(user_id)
    state_: State = stored or default_state(cfg)
    effect = rules_effect(store.preferences(user_id))
    weights = {n: float(state_["weights"].get(n, DEFAULT_WEIGHTS.get(n, 0.0))) for n in COMPONENTS}
    if effect.trust or abs(sum(weights.values()) - 1.0) > 1e-9:
        weights = apply_trust(weights, effect.trust, cfg.floor)
    keep = (lambda i: i in catalog_items) if catalog_items is not None else (lambda i: True)
    return Profile(
        user_id=user_id,
        weights=weights,
        affinities=dict(state_["affinities"]),
        soft=dict(effect.soft),
        hard=list(effect.hard),
        liked={i: float(s) for i, s in state_["liked"].items() if keep(i)},
        disliked={i for i in state_["disliked"] if keep(i)},
        seen={i for i in state_["seen"] if keep(i)},
        wanted={i for i in state_.get("wanted", ()) if keep(i)},
        popularity_bias=effect.popularity_bias,
        novelty_bias=effect.novelty_bias,
        n_events=n_events,
    )
