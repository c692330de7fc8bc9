"""Test doubles shared across the suite: a fast deterministic embedder, small catalogs."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from memory.items import Item


class WordHashEmbedder:
    """Bag of hashed words: texts sharing words are near, which gives tests a known answer.

    Ten thousand times faster than MiniLM, so unit tests build catalogs freely.
    """

    name = "test-wordhash-64"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest()[:8], 16)
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


GENRE_WORLD = {
    "Horror": ["scary", "monster", "haunted", "blood"],
    "Comedy": ["funny", "laugh", "silly", "joke"],
    "Sci-Fi": ["space", "robot", "alien", "future"],
    "Romance": ["love", "kiss", "wedding", "heart"],
    "Western": ["cowboy", "desert", "sheriff", "horse"],
}


def small_catalog(per_genre: int = 8) -> list[Item]:
    """A synthetic catalog where genre words and genres agree, so the right answer is known."""
    items: list[Item] = []
    for g, words in GENRE_WORLD.items():
        for k in range(per_genre):
            items.append(
                Item(
                    id=f"{g.lower()}-{k}",
                    title=f"{g} Story {k}",
                    year=1960 + 7 * k,
                    genres=(g,),
                    keywords=(words[k % 4],),
                    directors=(f"{g} Director {k % 2}",),
                    cast=(f"Actor {g} {k % 3}",),
                    description=f"A {' '.join(words)} film number {k}.",
                    popularity=float(10 + k),
                )
            )
    return items
