"""The learned intent model: MiniLM sentence embeddings + logistic regression, with a confidence.

Features are the message's MiniLM embedding (titles masked, so a film's name
never decides what the user wants) and the rule parser's reading as a one-hot,
so the rules stay as evidence the model learns when to trust. The classifier
is a softmax regression fitted with L-BFGS (numpy + scipy); its probabilities
are temperature-scaled on a held-out fifth of the corpus, and the confidence
threshold is the lowest one at which held-out decisions are right at least
`TARGET_PRECISION` of the time. Training takes seconds; the result is cached
in the data dir under the corpus hash, so it happens once per corpus version.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from agent.offline.corpus import corpus_hash, generate

log = logging.getLogger(__name__)
VERSION = "intent-v2"  # v2: names masked like titles
LABELS = ("recommend", "refine", "reject", "group", "search", "similar", "explain", "details",
          "feedback", "feedback+recommend", "preference", "show_profile", "greeting", "help",
          "chitchat")
L2 = 1e-5
TARGET_PRECISION = 0.95
THRESHOLD_RANGE = (0.3, 0.6)
_MEMO: dict[str, IntentModel] = {}

Embed = Callable[[Sequence[str]], NDArray[np.float32]]
Prepare = Callable[[str], tuple[str, str]]
"""A message -> (the text the model embeds, the rules' label): understand.classify_text."""


@dataclass
class Prediction:
    label: str
    confidence: float
    runner_up: str

    @property
    def confident(self) -> bool:
        return self.confidence >= self.threshold

    threshold: float = 0.0


@dataclass
class IntentModel:
    weights: NDArray[np.float64]  # (features, labels)
    bias: NDArray[np.float64]
    temperature: float
    threshold: float
    key: str = ""

    def predict(self, embedding: NDArray[np.float32], rule_label: str) -> Prediction:
        x = _features(embedding[None, :], [rule_label])
        p = _softmax((x @ self.weights + self.bias) / self.temperature)[0]
        order = np.argsort(-p)
        return Prediction(LABELS[order[0]], float(p[order[0]]), LABELS[order[1]], self.threshold)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, weights=self.weights, bias=self.bias,
                 meta=np.array(json.dumps({"temperature": self.temperature,
                                           "threshold": self.threshold, "key": self.key})))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            return cls(data["weights"], data["bias"], float(meta["temperature"]),
                       float(meta["threshold"]), str(meta["key"]))


def _features(emb: NDArray[np.float32], rule_labels: Sequence[str]) -> NDArray[np.float64]:
    onehot = np.zeros((len(rule_labels), len(LABELS)))
    for i, lab in enumerate(rule_labels):
        if lab in LABELS:
            onehot[i, LABELS.index(lab)] = 0.5
    return np.hstack([np.asarray(emb, dtype=np.float64), onehot])


def _softmax(z: NDArray[np.float64]) -> NDArray[np.float64]:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit(x: NDArray[np.float64], y: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    n, d = x.shape
    k = len(LABELS)
    onehot = np.eye(k)[y]

    def loss(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        w, b = theta[: d * k].reshape(d, k), theta[d * k :]
        p = _softmax(x @ w + b)
        nll = -np.sum(onehot * np.log(p + 1e-12)) / n + L2 * np.sum(w * w)
        g = (p - onehot) / n
        return float(nll), np.concatenate([(x.T @ g + 2 * L2 * w).ravel(), g.sum(axis=0)])

    res = minimize(loss, np.zeros(d * k + k), jac=True, method="L-BFGS-B", options={"maxiter": 300})
    return res.x[: d * k].reshape(d, k), res.x[d * k :]


def _calibrate(logits: NDArray[np.float64], y: NDArray[np.int64]) -> tuple[float, float]:
    """(temperature, threshold) from held-out logits."""
    temps = np.linspace(0.5, 4.0, 36)
    nll = [-np.mean(np.log(_softmax(logits / t)[np.arange(len(y)), y] + 1e-12)) for t in temps]
    t = float(temps[int(np.argmin(nll))])
    p = _softmax(logits / t)
    conf, right = p.max(axis=1), p.argmax(axis=1) == y
    threshold = THRESHOLD_RANGE[1]
    for cut in np.arange(THRESHOLD_RANGE[0], THRESHOLD_RANGE[1] + 1e-9, 0.02):
        kept = conf >= cut
        if kept.any() and right[kept].mean() >= TARGET_PRECISION:
            threshold = float(cut)
            break
    return t, threshold


def train(rows: list[tuple[str, str]], embed: Embed, prepare: Prepare, key: str = "") -> IntentModel:
    texts = [t for t, _ in rows]
    y = np.array([LABELS.index(lab) for _, lab in rows])
    inputs = [prepare(t) for t in texts]
    x = _features(embed([m for m, _ in inputs]), [r for _, r in inputs])
    held = np.array([zlib.crc32(t.encode()) % 5 == 0 for t in texts])
    w, b = _fit(x[~held], y[~held])
    temperature, threshold = _calibrate(x[held] @ w + b, y[held])
    w, b = _fit(x, y)
    return IntentModel(w, b, temperature, threshold, key)


def load_or_train(cache_dir: Path | None, embed: Embed, prepare: Prepare) -> IntentModel:
    """The model for the current corpus: from memory, the data dir's cache, or trained now."""
    rows = generate()
    key = corpus_hash(rows, f"{VERSION}:l2={L2}")
    if key in _MEMO:
        return _MEMO[key]
    path = cache_dir / f"intent-model-{key}.npz" if cache_dir is not None else None
    model: IntentModel | None = None
    if path is not None and path.is_file():
        try:
            model = IntentModel.load(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("retraining the intent model: cached %s unreadable (%s)", path, exc)
    if model is None:
        model = train(rows, embed, prepare, key)
        if path is not None:
            try:
                model.save(path)
            except OSError as exc:  # a read-only data dir only costs a retrain next start
                log.warning("could not cache the intent model at %s: %s", path, exc)
    _MEMO[key] = model
    return model


def describe(model: IntentModel) -> dict[str, Any]:
    return {"key": model.key, "temperature": model.temperature, "threshold": model.threshold}
