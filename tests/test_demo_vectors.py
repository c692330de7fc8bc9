"""The demo catalog's shipped vectors: current, used on first start, and never used when stale.

If one of the drift tests fails, the demo films or the embedding graph changed:
rebuild the file with `make demo-vectors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from memory.bootstrap import demo_items, ensure_demo, open_memory
from memory.demo_vectors import ShippedFirst, load_shipped, parse, save, shipped_first
from memory.embedder import MiniLMEmbedder
from memory.settings import Settings
from tests.fakes import WordHashEmbedder
from tests.test_embedder import require_weights
from tools.service import Tastebud

REBUILD = "stale memory/demo/vectors.npz: run `make demo-vectors`"


class NamedSpy(WordHashEmbedder):
    """Claims to be a given model and counts what it is asked to embed."""

    def __init__(self, name: str = "minilm-l6-v2", dim: int = 384) -> None:
        super().__init__()
        self.name, self.dim = name, dim  # type: ignore[misc]


def test_every_demo_film_has_a_current_vector() -> None:
    shipped = load_shipped()
    assert shipped is not None, "memory/demo/vectors.npz is missing from the package"
    items = demo_items()
    assert shipped.ids == [i.id for i in items], REBUILD
    assert shipped.ehash == [i.embedding_hash() for i in items], REBUILD
    assert shipped.content.dtype == np.float16 and shipped.content.shape == (len(items), 384)
    assert shipped.embedder == MiniLMEmbedder().name


def test_shipped_vectors_are_what_the_embedder_gives(tmp_path_factory: pytest.TempPathFactory,
                                                      ) -> None:
    require_weights()
    shipped = load_shipped()
    assert shipped is not None
    items = demo_items()
    pick = np.random.default_rng(0).choice(len(items), size=48, replace=False)
    emb = MiniLMEmbedder(cache_dir=tmp_path_factory.mktemp("models"))
    got = emb.embed([items[n].embedding_text() for n in pick])
    want = shipped.content[pick].astype(np.float32)
    cos = (got * want).sum(axis=1) / np.linalg.norm(want, axis=1)
    assert cos.min() >= 0.9999, REBUILD


def test_a_fresh_data_dir_is_ready_without_embedding(tmp_path: Path) -> None:
    spy = NamedSpy()
    svc = Tastebud(open_memory(Settings(data_dir=tmp_path), embedder=spy))
    assert svc.needs_preparing()
    svc.prepare()
    assert spy.texts_embedded == 0
    assert not svc.needs_preparing() and svc.memory.catalog.has_cf
    assert len(svc.memory.catalog) == len(demo_items())
    result = svc.recommend("u", k=5)
    assert len(result.items) == 5


def test_another_embedder_embeds_everything_itself(tmp_path: Path) -> None:
    spy = NamedSpy(name="openai:text-embedding-3-small", dim=64)
    memory = open_memory(Settings(data_dir=tmp_path), embedder=spy)
    assert shipped_first(spy) is spy
    ensure_demo(memory)
    assert spy.texts_embedded == len(demo_items())


def test_only_films_whose_text_changed_are_embedded() -> None:
    shipped = load_shipped()
    assert shipped is not None
    spy = NamedSpy()
    wrapped = shipped_first(spy)
    assert isinstance(wrapped, ShippedFirst) and wrapped.name == spy.name
    items = demo_items()[:5]
    texts: Sequence[str] = [i.embedding_text() for i in items]
    edited = [*texts[:2], texts[2] + " A new sentence.", *texts[3:]]
    out = wrapped.embed(edited)
    assert spy.texts_embedded == 1 and wrapped.embedded == 1
    np.testing.assert_allclose(out[2], spy.embed([edited[2]])[0])
    np.testing.assert_allclose(out[0], shipped.content[0].astype(np.float32), atol=1e-3)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_the_file_round_trips_without_pickles(tmp_path: Path) -> None:
    shipped = load_shipped()
    assert shipped is not None
    path = tmp_path / "v.npz"
    save(path, shipped)
    again = parse(path.read_bytes())
    assert again.ids == shipped.ids and again.ehash == shipped.ehash
    assert again.embedder == shipped.embedder
    np.testing.assert_array_equal(again.content, shipped.content)
