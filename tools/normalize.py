"""Putting each component's raw scores on the common [0, 1] scale, reproducibly for one item.

Min-max over "the candidates of this list" would make an item's normalized score
depend on which other items happened to be retrieved, and `explain` could then
never reproduce the number the list showed. Instead every scale here is fixed by
the request alone:

- similarity components (content, collaborative) use a `Calibration` taken from
  the retriever's own k-NN answer for the request vector: the best score maps to
  1, the score at rank `depth` maps to 0, linearly in between, clipped. The same
  request always yields the same calibration, whichever item is scored later;
- popularity uses log counts over the catalog's maximum, a catalog-wide constant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CALIBRATION_DEPTH = 200
"""Rank whose score maps to 0: roughly the over-fetch depth of a retriever."""


@dataclass(frozen=True)
class Calibration:
    top: float
    floor: float

    @classmethod
    def from_scores(cls, scores: Sequence[float], depth: int = CALIBRATION_DEPTH) -> Calibration:
        """From a retriever's answer (any order): its best, and its score at rank `depth`."""
        if len(scores) == 0:
            return cls(1.0, 0.0)
        ordered = sorted((float(s) for s in scores), reverse=True)
        return cls(ordered[0], ordered[min(depth, len(ordered)) - 1])

    def __call__(self, raw: float) -> float:
        span = self.top - self.floor
        if span <= 1e-12:
            return 1.0 if raw >= self.top - 1e-12 else 0.0
        return min(1.0, max(0.0, (raw - self.floor) / span))

    def many(self, raw: np.ndarray) -> np.ndarray:
        span = self.top - self.floor
        if span <= 1e-12:
            return (raw >= self.top - 1e-12).astype(np.float64)
        return np.clip((raw - self.floor) / span, 0.0, 1.0)

    def to_dict(self) -> dict[str, float]:
        return {"top": self.top, "floor": self.floor}


def popularity_scale(count: float, max_count: float) -> float:
    """log1p(count) / log1p(max): a film with 10% of the top count is not "10% as popular"."""
    if max_count <= 0:
        return 0.0
    return min(1.0, math.log1p(max(count, 0.0)) / math.log1p(max_count))


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 1e-12 else vector


def calibrate_array(scores: np.ndarray, depth: int = CALIBRATION_DEPTH) -> Calibration:
    """Calibration from every score a retriever could return (finite entries only)."""
    finite = scores[np.isfinite(scores)]
    if finite.size == 0:
        return Calibration(1.0, 0.0)
    d = min(depth, finite.size)
    return Calibration(float(finite.max()), float(np.partition(finite, finite.size - d)[finite.size - d]))
