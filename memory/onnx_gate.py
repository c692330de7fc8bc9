"""The quality gate an int8 MiniLM must pass before it may embed anything.

Quantisation trades accuracy for speed, and a catalog embedded badly ranks
badly without any error to show for it. So the int8 model is built, then
measured against the fp32 vectors shipped for the demo catalog (every film's
text, 792 of them): each film's vector must keep cosine >= 0.99 with its fp32
vector, and each film's ten nearest neighbours must stay the same for at least
95% of them on average. Only then is it written to the cache (with these
numbers in its manifest). The tests hold it to the same bar on the
sentence-transformers fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

MIN_COSINE = 0.99
MIN_TOP10_OVERLAP = 0.95
F32 = NDArray[np.float32]


def top_k_overlap(reference: F32, candidate: F32, k: int = 10) -> float:
    """Mean share of each row's k nearest other rows (by cosine) that both matrices agree on."""
    n = reference.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return 1.0

    def neighbours(m: F32) -> NDArray[np.int64]:
        sims = m @ m.T
        np.fill_diagonal(sims, -np.inf)
        return np.argpartition(-sims, k, axis=1)[:, :k]

    a, b = neighbours(reference), neighbours(candidate)
    return float(np.mean([len(set(a[i]) & set(b[i])) / k for i in range(n)]))


def compare(reference: F32, candidate: F32) -> dict[str, Any]:
    """The gate's numbers for two row-aligned embedding matrices (rows need not be unit length)."""
    ref = reference / np.linalg.norm(reference, axis=1, keepdims=True)
    cand = candidate / np.linalg.norm(candidate, axis=1, keepdims=True)
    cos = (ref * cand).sum(axis=1)
    overlap = top_k_overlap(ref, cand)
    passed = bool(cos.min() >= MIN_COSINE and overlap >= MIN_TOP10_OVERLAP)
    return {
        "passed": passed, "texts": len(cos), "cosine_min": round(float(cos.min()), 5),
        "cosine_mean": round(float(cos.mean()), 5), "top10_overlap": round(overlap, 4),
        "summary": (f"cosine min {cos.min():.4f} (need {MIN_COSINE}), top-10 neighbour overlap"
                    f" {overlap:.3f} (need {MIN_TOP10_OVERLAP}) over {len(cos)} demo films"),
    }


def int8_gate(encode: Callable[[Sequence[str]], F32]) -> dict[str, Any]:
    """Embed the demo films with `encode` and compare with their shipped fp32 vectors."""
    from memory.bootstrap import demo_items
    from memory.demo_vectors import load_shipped

    shipped = load_shipped()
    items = demo_items()
    if shipped is None or shipped.ehash != [i.embedding_hash() for i in items]:
        return {"passed": False, "summary": "no current fp32 demo vectors to compare with"}
    return compare(shipped.content.astype(np.float32), encode([i.embedding_text() for i in items]))
