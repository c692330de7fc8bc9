"""The catalog's learned ranking model: linear weights over the request's features.

score = sum_c w_c * z_c + adjustments, where z_c are the calibrated component
scores of tools/hybrid.py (collaborative: EASE + "liked next" neighbour score
of the user's recency-weighted history, falling back to ALS factors; content:
similarity to the request and the liked films; popularity). The model stays
linear so the breakdown is exact and `explain` stays faithful.

`fit_weights` learns w with a listwise ranking loss, the softmax over each
validation user's candidate list (the held-out positives against every other
candidate the retrievers produced), by gradient descent on

    L = - sum_u sum_{p in pos(u)} log( exp(s z_p . w) / sum_{j in cand(u)} exp(s z_j . w) )

with w = f + (1 - C f) softmax(theta) on the floored simplex the per-user
learner works on (tools/learning.py) and a learned temperature s. The learned
w is every user's prior; feedback then moves each user's weights around it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from tools.profile import COMPONENTS, DEFAULT_WEIGHTS

FLOOR = 0.05  # the learner's floor (LearnerConfig.floor): every weight can come back


@dataclass(frozen=True)
class RankerModel:
    """What `tastebud train` learned for one catalog version, stored in its model files."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    diversity: float = 0.3  # MMR lambda chosen on validation
    recency_tau: float = 20.0  # history recency decay chosen on validation (hybrid.HybridConfig)
    cf_dislike_weight: float = 0.5
    val_ndcg: float | None = None  # NDCG@10 of the shipped ranking on the validation users
    val_users: int = 0
    trained_at: float | None = None  # unix time
    train_seconds: float = 0.0
    search: dict[str, Any] = field(default_factory=dict)  # what was tried, with its scores

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RankerModel:
        weights = {c: float(data.get("weights", {}).get(c, 0.0)) for c in COMPONENTS}
        return cls(weights=weights, diversity=float(data.get("diversity", 0.3)),
                   recency_tau=float(data.get("recency_tau", 20.0)),
                   cf_dislike_weight=float(data.get("cf_dislike_weight", 0.5)),
                   val_ndcg=data.get("val_ndcg"), val_users=int(data.get("val_users", 0)),
                   trained_at=data.get("trained_at"),
                   train_seconds=float(data.get("train_seconds", 0.0)),
                   search=dict(data.get("search", {})))


@dataclass
class Group:
    """One validation user's candidates: features (n x C) and which are held-out positives."""

    features: np.ndarray
    positive: np.ndarray  # bool, n
    n_relevant: int = 0  # held-out positives in all (also those no retriever found); 0: count here

    def top(self, w: np.ndarray, m: int) -> Group:
        """The m best candidates under weights w: the shortlist the top of the list is made of."""
        if len(self.positive) <= m:
            return self
        keep = np.argpartition(-(self.features @ w), m - 1)[:m]
        return Group(self.features[keep], self.positive[keep], self.n_relevant)


def ndcg_at(groups: Sequence[Group], w: np.ndarray, k: int = 10) -> float:
    """Mean NDCG@k of ranking each group's candidates by z . w (ideal DCG over all its positives)."""
    total = 0.0
    for g in groups:
        s = g.features @ w
        order = np.argsort(-s, kind="stable")[:k]
        gains = g.positive[order] / np.log2(np.arange(2, len(order) + 2))
        n_rel = min(k, g.n_relevant or int(g.positive.sum()))
        ideal = float((1.0 / np.log2(np.arange(2, n_rel + 2))).sum())
        total += float(gains.sum()) / ideal if ideal else 0.0
    return total / max(len(groups), 1)


SHORTLISTS = (None, 200, 50)  # None: every candidate; m: the m best under the previous fit


def fit_shortlisted(groups: Sequence[Group], shortlists: Sequence[int | None] = SHORTLISTS,
                    seed: int = 0) -> tuple[np.ndarray, dict[str, float]]:
    """The softmax fit, then refits on ever shorter lists of hard negatives; keep the best NDCG@10.

    The full-list softmax spreads its attention over hundreds of easy negatives;
    refitting on each user's top m candidates under the previous weights makes
    the loss about the head of the list, where NDCG@10 is decided. Which m wins
    is read off the validation groups themselves.
    """
    w, _ = fit_weights(groups, seed=seed)
    best, tried = w, {}
    for m in shortlists:
        if m is not None:
            w, _ = fit_weights([g.top(w, m) for g in groups], seed=seed)
        tried[str(m or "all")] = round(ndcg_at(groups, w), 4)
        if tried[str(m or "all")] >= max(tried.values()):
            best = w
    return best, tried


def floored_simplex(theta: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    e = np.exp(theta - theta.max())
    return floor + (1.0 - len(theta) * floor) * e / e.sum()


def fit_weights(groups: Sequence[Group], *, steps: int = 200, lr: float = 0.05,
                floor: float = FLOOR, seed: int = 0) -> tuple[np.ndarray, float]:
    """Weights on the floored simplex minimising the listwise softmax loss; and the final loss.

    Adam on (theta, log temperature); gradients are exact (numpy, no autodiff).
    Groups without a positive among their candidates carry no signal and are skipped.
    """
    used = [g for g in groups if g.positive.any() and len(g.positive) > 1]
    n_feat = groups[0].features.shape[1] if groups else len(COMPONENTS)
    theta = np.random.default_rng(seed).normal(0.0, 0.01, n_feat)
    if not used:
        return floored_simplex(theta, floor), float("nan")
    stacked = _Stacked.build(used)
    params = np.concatenate([theta, [np.log(5.0)]])
    m, v = np.zeros_like(params), np.zeros_like(params)
    for t in range(1, steps + 1):
        _, grad = stacked.loss_grad(params, floor)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        params -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    loss, _ = stacked.loss_grad(params, floor)
    return floored_simplex(params[:-1], floor), loss


@dataclass
class _Stacked:
    """All groups in one matrix; group g owns rows starts[g]:starts[g+1]."""

    z: np.ndarray
    positive: np.ndarray
    starts: np.ndarray
    owner: np.ndarray
    n_pos: np.ndarray

    @classmethod
    def build(cls, groups: Sequence[Group]) -> _Stacked:
        sizes = np.array([len(g.positive) for g in groups])
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        return cls(np.concatenate([g.features for g in groups]),
                   np.concatenate([g.positive for g in groups]), starts,
                   np.repeat(np.arange(len(groups)), sizes),
                   np.array([int(g.positive.sum()) for g in groups]))

    def loss_grad(self, params: np.ndarray, floor: float) -> tuple[float, np.ndarray]:
        theta, s = params[:-1], float(np.exp(params[-1]))
        w = floored_simplex(theta, floor)
        zw = self.z @ w
        logits = s * zw
        logits -= np.maximum.reduceat(logits, self.starts)[self.owner]
        e = np.exp(logits)
        p = e / np.add.reduceat(e, self.starts)[self.owner]
        count = int(self.n_pos.sum())
        loss = -float(np.log(p[self.positive] + 1e-300).sum())
        # d(-sum log p_pos)/dw = s * sum_g (n_pos E_p[z] - sum z_pos); likewise in s with z.w
        weight = p * self.n_pos[self.owner] - self.positive
        g_w = s * (weight @ self.z)
        g_s = float(weight @ zw)
        # chain rule through the floored softmax: dw/dtheta = (1 - C f)(diag(q) - q q^T)
        q = (w - floor) / (1.0 - len(w) * floor)
        g_theta = (1.0 - len(w) * floor) * q * (g_w - q @ g_w)
        return loss / count, np.concatenate([g_theta, [g_s * s]]) / count
