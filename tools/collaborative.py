"""Collaborative filtering: "people who liked what you liked also liked ...".

Training (`train_cf`, run by `tastebud train` and at first start) reads the
catalog's interactions and learns two things, stored together in the catalog's
CF collection in Chroma so that they flip atomically with the catalog version:

- ALS item factors (the `implicit` library, fixed seed, 2 threads) as the
  collection's vectors, in an inner-product space. A request folds the user in
  by the closed-form ALS least-squares step against the fixed factors (no
  retraining), so a chat user who liked three films gets a vector at once, and
  Chroma retrieves the collaborative candidates for it. "More like X" folds in X.
- Item neighbour lists (tools/neighbours.py: EASE + "liked next" co-visitation)
  as each row's metadata. They rank better than the factor dot product on
  MovieLens (bench/eval_movielens.py), so the collaborative *score* of an item
  is its neighbour score when the model has them, the factor score otherwise.

Positives are ratings >= 4 (or every row of an all-1.0 implicit log). Ratings
below 3 are negatives: ALS training can weigh them with `negative_weight`
(default 0, ignored), and a request gives a user's dislikes a negative weight
(tools/hybrid.py `cf_dislike_weight`). On the MovieLens validation split,
ignoring low ratings at request time measured better (bench/eval_engine.py
tunes it); chat dislikes are explicit, so the app's default still counts them.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from memory.catalog import Catalog, collection_name, next_version
from memory.items import Interaction
from memory.model_files import (
    ModelFileError,
    load_array,
    load_meta,
    model_dir,
    remove_model,
    save_model,
)
from memory.store import Store
from tools.neighbours import NeighbourConfig, build_neighbours

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CFConfig:
    factors: int = 64
    regularization: float = 0.05
    alpha: float = 2.0
    iterations: int = 15
    seed: int = 0
    threads: int = 2
    positive_threshold: float = 4.0
    negative_threshold: float = 3.0
    negative_weight: float = 0.0
    neighbours: NeighbourConfig = field(default_factory=NeighbourConfig)

    def to_info(self) -> dict[str, float | int]:
        flat: dict[str, Any] = {k: v for k, v in asdict(self).items() if k != "neighbours"}
        flat.update({f"nb_{k}": v for k, v in asdict(self.neighbours).items()})
        return flat

    @classmethod
    def from_info(cls, info: Mapping[str, Any]) -> CFConfig:
        """Settings a model was trained with (fold-in must use the same alpha and lambda)."""
        top = {f.name: type(getattr(cls(), f.name))(info[f.name])
               for f in fields(cls) if f.name != "neighbours" and f.name in info}
        nb = {f.name: type(getattr(NeighbourConfig(), f.name))(info[f"nb_{f.name}"])
              for f in fields(NeighbourConfig) if f"nb_{f.name}" in info}
        return replace(cls(**top), neighbours=NeighbourConfig(**nb))


@dataclass
class TrainReport:
    catalog: str
    users: int = 0
    items: int = 0
    positives: int = 0
    negatives: int = 0
    factors: int = 0
    neighbour_links: int = 0
    collection: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    ranker: dict[str, Any] | None = None  # tools/ranker.py RankerModel.to_dict(), when learned

    def summary(self) -> str:
        if self.collection is None:
            return f"catalog {self.catalog!r}: nothing trained ({'; '.join(self.notes)})"
        return (f"catalog {self.catalog!r}: collaborative model from {self.positives} positive and"
                f" {self.negatives} negative interactions of {self.users} users over {self.items}"
                f" items ({self.factors} factors, {self.neighbour_links} neighbour links)"
                f" in {self.seconds:.1f}s{self._ranker_summary()}")

    def _ranker_summary(self) -> str:
        r = self.ranker
        if not r or r.get("val_ndcg") is None:
            return ""
        weights = ", ".join(f"{k} {v:.2f}" for k, v in r["weights"].items())
        return (f"; ranker weights {weights}, diversity {r['diversity']:g}, validation NDCG@10"
                f" {r['val_ndcg']:.4f} on {r['val_users']} users")

    __str__ = summary

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainingData:
    """Interactions as matrices over the items that have at least one positive."""

    item_ids: list[str]
    users: int
    positives: sp.csr_matrix  # users x items, 1.0 per positive
    negatives: sp.csr_matrix  # users x items, 1.0 per negative
    sequences: list[np.ndarray]  # per user, positive item indices in time order

    @classmethod
    def from_rows(cls, rows: Sequence[Interaction], config: CFConfig) -> TrainingData:
        implicit = bool(rows) and all(r.value == 1.0 for r in rows)
        pos: dict[str, list[tuple[float, str]]] = defaultdict(list)
        neg: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            if implicit or r.value >= config.positive_threshold:
                pos[r.user_id].append((r.ts, r.item_id))
            elif r.value < config.negative_threshold:
                neg[r.user_id].add(r.item_id)
        item_ids = sorted({i for events in pos.values() for _, i in events})
        col = {i: n for n, i in enumerate(item_ids)}
        users = sorted(pos)
        seqs, pr, pc, nr, nc = [], [], [], [], []
        for u, user in enumerate(users):
            ordered = [col[i] for _, i in sorted(set(pos[user]))]
            seq = list(dict.fromkeys(ordered))  # a re-rated film counts once, at its first like
            seqs.append(np.asarray(seq, dtype=np.int64))
            pr.extend([u] * len(seq))
            pc.extend(seq)
            known = [col[i] for i in neg[user] if i in col]
            nr.extend([u] * len(known))
            nc.extend(known)
        shape = (len(users), len(item_ids))
        return cls(item_ids, len(users), _ones(pr, pc, shape), _ones(nr, nc, shape), seqs)


def _ones(rows: list[int], cols: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=shape, dtype=np.float32)


def fit_als(data: TrainingData, config: CFConfig) -> np.ndarray:
    """Item factors from implicit's ALS (CPU); confidence alpha on positives and negatives."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    conf = data.positives - data.negatives * config.negative_weight
    with threadpool_limits(1, "blas"):  # implicit parallelises itself; nested BLAS threads thrash
        model = AlternatingLeastSquares(
            factors=config.factors, regularization=config.regularization, alpha=config.alpha,
            iterations=config.iterations, random_state=config.seed, num_threads=config.threads)
        model.fit(sp.csr_matrix(conf, dtype=np.float32), show_progress=False)
    return np.asarray(model.item_factors, dtype=np.float32)


@dataclass
class FittedCF:
    """A model fitted in memory: what `store_cf` writes and `CFModel` serves."""

    data: TrainingData
    factors: np.ndarray
    neighbours: sp.csr_matrix
    config: CFConfig

    def model(self) -> CFModel:
        return CFModel(self.data.item_ids, self.factors, self.neighbours, self.config)


def fit_cf(rows: Sequence[Interaction], config: CFConfig,
           ease: tuple[np.ndarray, np.ndarray] | None = None) -> FittedCF | None:
    """ALS factors and neighbour lists from interactions; None without a single positive."""
    data = TrainingData.from_rows(rows, config)
    if data.positives.nnz == 0:
        return None
    factors = fit_als(data, config)
    nbrs = build_neighbours(data.positives, data.sequences, config.neighbours, ease)
    return FittedCF(data, factors, nbrs, config)


def store_cf(catalog: Catalog, fitted: FittedCF, models_dir: Path | None,
             meta: Mapping[str, Any] | None = None,
             extra: dict[str, np.ndarray] | None = None,
             lines: dict[str, list[str]] | None = None) -> str:
    """Write the factors to a new CF collection and the arrays + `meta` to its model files.

    The model files are written first, under the name the collection is about to
    get, so a reader that sees the new pointer also finds its files. Without a
    models dir (tests of old catalogs) the neighbour lists go into Chroma metadata.
    """
    ids, nbrs = fitted.data.item_ids, fitted.neighbours
    name = collection_name(catalog.name, "cf", next_version(catalog.client, catalog.name, "cf"))
    metas = None
    if models_dir is not None:
        save_model(model_dir(models_dir, name),
                   {"factors": fitted.factors.astype(np.float32), "nbr_indptr": nbrs.indptr,
                    "nbr_indices": nbrs.indices, "nbr_data": nbrs.data.astype(np.float32),
                    **(extra or {})},
                   {"ids": ids, "cf": fitted.config.to_info(), **(meta or {})}, lines)
    else:
        metas = [{"nbrs": json.dumps([[ids[j], round(float(w), 7)] for j, w in
                                      zip(nbrs.indices[nbrs.indptr[r]:nbrs.indptr[r + 1]],
                                          nbrs.data[nbrs.indptr[r]:nbrs.indptr[r + 1]], strict=True)])}
                 for r in range(len(ids))]
    old = catalog.record.cf_collection if catalog.record else None
    written = catalog.write_cf_factors(ids, fitted.factors, metadatas=metas, space="ip",
                                       info=fitted.config.to_info(), name=name)
    if models_dir is not None and old and old != written:
        remove_model(model_dir(models_dir, old))
    return written


def train_cf(catalog: Catalog, store: Store, config: CFConfig | None = None,
             progress: Progress | None = None, models_dir: Path | None = None,
             meta: Mapping[str, Any] | None = None) -> TrainReport:
    """Learn factors and neighbour lists from the catalog's interactions and store them."""
    config = config or CFConfig()
    started = time.perf_counter()
    report = TrainReport(catalog=catalog.name, factors=config.factors)
    step = progress or (lambda done, total: None)
    step(0, 2)
    known = catalog.items
    rows = [r for r in store.interactions(catalog.name) if r.item_id in known]
    fitted = fit_cf(rows, config)
    if fitted is None:
        report.notes.append("no positive interactions in this catalog")
        return report
    data = fitted.data
    report.users, report.items = data.users, len(data.item_ids)
    report.positives, report.negatives = int(data.positives.nnz), int(data.negatives.nnz)
    report.neighbour_links = int(fitted.neighbours.nnz)
    step(1, 2)
    report.collection = store_cf(catalog, fitted, models_dir, meta)
    step(2, 2)
    report.seconds = time.perf_counter() - started
    return report


class CFModel:
    """A trained model as a request uses it: factors, their Gram matrix, neighbour lists."""

    def __init__(self, ids: list[str], factors: np.ndarray, neighbours: sp.csr_matrix | None,
                 config: CFConfig) -> None:
        self.ids = ids
        self.row = {i: n for n, i in enumerate(ids)}
        self.factors = factors.astype(np.float32)
        self.gram = self.factors.T.astype(np.float64) @ self.factors.astype(np.float64)
        self.neighbours = neighbours if neighbours is not None and neighbours.nnz else None
        self.config = config
        norms = np.linalg.norm(self.factors, axis=1, keepdims=True)
        self.unit = self.factors / np.maximum(norms, 1e-12)

    @classmethod
    def load(cls, catalog: Catalog, models_dir: Path | None = None) -> CFModel | None:
        """From the model files of the catalog's CF version (milliseconds), else from Chroma."""
        if not catalog.has_cf:
            return None
        name = catalog.record.cf_collection if catalog.record else None
        if models_dir is not None and name:
            directory = model_dir(models_dir, name)
            meta = load_meta(directory)
            if meta is not None:
                return cls.from_files(directory, meta)
        ids, factors, metas = catalog.all_cf_rows()
        if not ids:
            return None
        row = {i: n for n, i in enumerate(ids)}
        r, c, v = [], [], []
        for n, meta in enumerate(metas):
            for other, w in json.loads(str(meta.get("nbrs", "[]"))):
                if other in row:
                    r.append(n)
                    c.append(row[other])
                    v.append(w)
        nbrs = sp.csr_matrix((v, (r, c)), shape=(len(ids), len(ids)), dtype=np.float32)
        return cls(ids, factors, nbrs, CFConfig.from_info(catalog.cf_info))

    @classmethod
    def from_files(cls, directory: Path, meta: Mapping[str, Any]) -> CFModel:
        ids = [str(i) for i in meta["ids"]]
        arrays = {n: load_array(directory, n) for n in
                  ("factors", "nbr_indptr", "nbr_indices", "nbr_data")}
        if any(a is None for a in arrays.values()):
            raise ModelFileError(f"model files in {directory} are incomplete; run `tastebud train`")
        nbrs = sp.csr_matrix((arrays["nbr_data"], arrays["nbr_indices"], arrays["nbr_indptr"]),
                             shape=(len(ids), len(ids)))
        return cls(ids, np.asarray(arrays["factors"]), nbrs, CFConfig.from_info(meta.get("cf", {})))

    def _known(self, weights: Mapping[str, float]) -> list[tuple[int, float]]:
        return [(self.row[i], w) for i, w in weights.items() if i in self.row and w != 0]

    def fold_in(self, weights: Mapping[str, float]) -> np.ndarray | None:
        """The ALS user vector for item weights (>0 liked, <0 disliked), in closed form."""
        known = self._known(weights)
        if not any(w > 0 for _, w in known):
            return None
        f = self.factors.shape[1]
        a = self.gram + self.config.regularization * np.eye(f)
        b = np.zeros(f)
        for idx, w in known:
            y = self.factors[idx].astype(np.float64)
            conf = self.config.alpha * abs(w)
            if w > 0:
                b += conf * y
            a += (conf - 1.0) * np.outer(y, y)
        return np.linalg.solve(a, b).astype(np.float32)

    def scores(self, weights: Mapping[str, float], user: np.ndarray | None) -> np.ndarray:
        """The collaborative raw score of every model item (order of `self.ids`)."""
        known = self._known(weights)
        if self.neighbours is not None and known:
            idx = np.array([i for i, _ in known])
            w = np.array([w for _, w in known], dtype=np.float32)
            return np.asarray(self.neighbours[idx].T @ w).ravel().astype(np.float64)
        if user is None:
            return np.zeros(len(self.ids))
        return (self.factors @ user).astype(np.float64)

    @property
    def score_kind(self) -> str:
        return "neighbour score" if self.neighbours is not None else "factor score"

    def nearest(self, item_id: str, among: Sequence[str], n: int = 3) -> list[tuple[str, float]]:
        """Of `among`, the items whose factors point the same way as `item_id`'s (cosine)."""
        if item_id not in self.row:
            return []
        target = self.unit[self.row[item_id]]
        pairs = [(i, float(self.unit[self.row[i]] @ target)) for i in among
                 if i in self.row and i != item_id]
        return sorted(pairs, key=lambda p: -p[1])[:n]
