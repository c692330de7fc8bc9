"""The benchmark's reference systems: most-popular, ItemKNN, ALS and EASE, as textbook as possible.

They see exactly what our engine sees (the training interactions, positives =
rating >= 4) and rank every catalog item the user has not rated in training.
Each has a small hyper-parameter grid, tuned on the validation split like ours.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from memory.items import Interaction
from tools.neighbours import ease_weights


@dataclass
class MatrixData:
    users: list[str]
    items: list[str]
    positives: sp.csr_matrix  # users x items, 1.0 per positive training interaction
    seen: sp.csr_matrix  # users x items, 1.0 per training interaction of any value

    @classmethod
    def build(cls, train: Sequence[Interaction], items: Sequence[str],
              threshold: float = 4.0) -> MatrixData:
        users = sorted({r.user_id for r in train})
        urow = {u: n for n, u in enumerate(users)}
        icol = {i: n for n, i in enumerate(items)}
        rows = [(urow[r.user_id], icol[r.item_id], r.value >= threshold)
                for r in train if r.item_id in icol]
        shape = (len(users), len(items))

        def matrix(keep: list[tuple[int, int, bool]]) -> sp.csr_matrix:
            m = sp.csr_matrix((np.ones(len(keep), dtype=np.float32),
                               ([r for r, _, _ in keep], [c for _, c, _ in keep])), shape=shape)
            m.data[:] = 1.0  # duplicates (a film rated twice) count once
            return m

        return cls(users, list(items), matrix([t for t in rows if t[2]]), matrix(rows))

    @property
    def counts(self) -> np.ndarray:
        return np.asarray(self.positives.sum(axis=0)).ravel()


class Scorer(Protocol):
    name: str

    def fit(self, data: MatrixData) -> None: ...

    def scores(self, rows: np.ndarray) -> np.ndarray: ...


class MostPopular:
    name = "most-popular"

    def fit(self, data: MatrixData) -> None:
        self._counts = data.counts.astype(np.float64)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self._counts, (len(rows), 1))


class ItemKNN:
    """implicit's CosineRecommender: item-item cosine over the positives, K neighbours."""

    name = "ItemKNN"

    def __init__(self, K: int = 100) -> None:  # implicit's name for the neighbour count
        self.K = K

    def fit(self, data: MatrixData) -> None:
        from implicit.nearest_neighbours import CosineRecommender
        from implicit.utils import ParameterWarning

        model = CosineRecommender(K=self.K, num_threads=2)
        with warnings.catch_warnings():  # implicit normalizes to COO internally, then warns itself
            warnings.filterwarnings("ignore", category=ParameterWarning)
            model.fit(data.positives, show_progress=False)
        self._x, self._sim = data.positives, model.similarity

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray((self._x[rows] @ self._sim).todense(), dtype=np.float64)


class ALS:
    """implicit's AlternatingLeastSquares with its own user factors."""

    name = "ALS"

    def __init__(self, factors: int = 64, regularization: float = 0.05, alpha: float = 2.0,
                 iterations: int = 15, seed: int = 0) -> None:
        self.params = {"factors": factors, "regularization": regularization, "alpha": alpha,
                       "iterations": iterations, "random_state": seed}

    def fit(self, data: MatrixData) -> None:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(num_threads=2, **self.params)
            model.fit(data.positives, show_progress=False)
        self._users, self._items = model.user_factors, model.item_factors

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return (self._users[rows] @ self._items.T).astype(np.float64)


class EASE:
    """Steck's EASE: B = I - P diag(1/diag P), P = (X'X + lambda I)^-1, over items with positives."""

    name = "EASE"

    def __init__(self, lam: float = 200.0) -> None:
        self.lam = lam

    def fit(self, data: MatrixData) -> None:
        self._active = np.flatnonzero(data.counts > 0)
        self._x = sp.csr_matrix(data.positives[:, self._active])
        self._b = ease_weights(self._x, self.lam)
        self._n = data.positives.shape[1]

    def scores(self, rows: np.ndarray) -> np.ndarray:
        out = np.full((len(rows), self._n), -1e9)
        out[:, self._active] = np.asarray(self._x[rows] @ self._b)
        return out


def recommend_all(model: Scorer, data: MatrixData, users: Sequence[str], k: int,
                  batch: int = 256) -> dict[str, list[str]]:
    """Top k unseen items per user (users unknown to the training data get most-popular order)."""
    urow = {u: n for n, u in enumerate(data.users)}
    known = [u for u in users if u in urow]
    out: dict[str, list[str]] = {}
    counts = data.counts
    for start in range(0, len(known), batch):
        chunk = known[start : start + batch]
        rows = np.array([urow[u] for u in chunk])
        scores = model.scores(rows) + 1e-9 * counts  # ties go to the more popular item
        seen = data.seen[rows]
        for n, u in enumerate(chunk):
            s = scores[n]
            s[seen.indices[seen.indptr[n] : seen.indptr[n + 1]]] = -np.inf
            top = np.argpartition(-s, min(k, len(s) - 1))[:k]
            top = top[np.argsort(-s[top], kind="stable")]
            out[u] = [data.items[j] for j in top if np.isfinite(s[j])]
    popular = [data.items[j] for j in np.argsort(-counts, kind="stable")[:k]]
    for u in users:
        out.setdefault(u, popular)
    return out


def grid(options: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the options, as keyword-argument dicts."""
    combos: list[dict[str, Any]] = [{}]
    for key, values in options.items():
        combos = [{**c, key: v} for c in combos for v in values]
    return combos
