"""The demo catalog's vectors, computed once at build time and shipped in the package.

A fresh install used to embed all ~800 demo films before the first prompt (25-55 s
on two cores). `memory/demo/vectors.npz` holds what that first start would have
produced: the fp32 MiniLM embedding of every film (as float16, which costs
about 1e-7 of cosine). First start copies them into Chroma instead of computing
them, so it embeds nothing. (The collaborative model is still trained at first
start: it now includes a ranker learned per catalog, tools/training.py.)

A vector is only used where it is still true: its embedder must be the one
asked for and its film's embedding text must hash the same, otherwise the real
embedder runs for that film. `tests/test_demo_vectors.py` re-embeds a
sample to catch a stale file; `python -m tools.demo_vectors` rebuilds it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from memory.embedder import Embedder

FORMAT = 1
FILE = "vectors.npz"


def text_key(text: str) -> str:
    """Item.embedding_hash() of an item whose embedding text is `text`."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ShippedVectors:
    embedder: str
    ids: list[str]
    ehash: list[str]
    content: NDArray[np.float16]

    def by_text_key(self) -> dict[str, NDArray[np.float32]]:
        """Unit-length float32 rows again (float16 rounding moves the norm by ~1e-4)."""
        rows = self.content.astype(np.float32)
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), np.float32(1e-12))
        return {h: rows[n] for n, h in enumerate(self.ehash)}


def _str_array(values: Sequence[str]) -> NDArray[Any]:
    return np.array(list(values), dtype=np.str_)


def save(path: Any, vectors: ShippedVectors) -> None:
    """Written by `tools.demo_vectors`; compressed, no pickles."""
    arrays: dict[str, Any] = {
        "format": np.array(FORMAT), "embedder": np.array(vectors.embedder),
        "ids": _str_array(vectors.ids), "ehash": _str_array(vectors.ehash),
        "content": vectors.content.astype(np.float16),
    }
    np.savez_compressed(path, **arrays)


def parse(raw: bytes) -> ShippedVectors:
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        if int(z["format"]) != FORMAT:
            raise ValueError(f"demo vectors format {int(z['format'])}, expected {FORMAT}")
        return ShippedVectors(embedder=str(z["embedder"]), ids=[str(i) for i in z["ids"]],
                              ehash=[str(h) for h in z["ehash"]], content=z["content"])


@lru_cache(maxsize=1)
def load_shipped() -> ShippedVectors | None:
    """The packaged file, or None when this build has none (then first start embeds)."""
    res = resources.files("memory") / "demo" / FILE
    if not res.is_file():
        return None
    return parse(res.read_bytes())


class ShippedFirst:
    """An Embedder that answers from shipped vectors and asks the real one only for the rest.

    It has the real embedder's name and size, so what it stores is
    indistinguishable from what the real one would have stored.
    """

    def __init__(self, inner: Embedder, known: dict[str, NDArray[np.float32]]) -> None:
        self.inner = inner
        self.known = known
        self.embedded = 0  # texts the real embedder had to do

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        keys = [text_key(t) for t in texts]
        missing = [n for n, k in enumerate(keys) if k not in self.known]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if missing:
            out[missing] = self.inner.embed([texts[n] for n in missing])
            self.embedded += len(missing)
        for n, k in enumerate(keys):
            if k in self.known:
                out[n] = self.known[k]
        return out


def shipped_first(embedder: Embedder) -> Embedder:
    """`embedder` with the demo vectors in front of it, when they were made by the same model."""
    shipped = load_shipped()
    if shipped is None or shipped.embedder != embedder.name:
        return embedder
    return ShippedFirst(embedder, shipped.by_text_key())
