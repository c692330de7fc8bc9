"""The optional int8 MiniLM: used only after it passed its quality gate against fp32."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from memory.embedder import EmbedderError, MiniLMEmbedder, build_embedder
from memory.onnx_gate import compare, int8_gate, top_k_overlap
from memory.onnx_model import model_file
from memory.settings import Settings
from tests.test_embedder import fixture_texts_and_vectors, require_weights


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_weights()
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def fp32(models: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(cache_dir=models)


@pytest.fixture(scope="module")
def int8(models: Path, fp32: MiniLMEmbedder) -> MiniLMEmbedder:
    fp32.embed_one("build the fp32 model first, so int8 reuses it")
    emb = MiniLMEmbedder(cache_dir=models, variant="int8")
    emb.embed_one("x")  # builds, gates and caches
    return emb


def test_int8_is_gated_on_the_demo_catalog_and_says_so(int8: MiniLMEmbedder,
                                                       models: Path) -> None:
    manifest = json.loads(model_file(models, "int8").with_suffix(".json").read_text())
    gate = manifest["gate"]
    assert gate["passed"] and gate["texts"] >= 700
    assert gate["cosine_min"] >= 0.99 and gate["top10_overlap"] >= 0.95
    assert int8.name == "minilm-l6-v2-int8"


@pytest.mark.shared
def test_int8_keeps_cosine_099_against_fp32_on_the_reference_texts(
    int8: MiniLMEmbedder, fp32: MiniLMEmbedder,
) -> None:
    texts, _ = fixture_texts_and_vectors()
    cos = (int8.embed(texts) * fp32.embed(texts)).sum(axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.99, f"cosine {cos[worst]:.4f} for {texts[worst][:60]!r}"


def test_a_model_that_fails_the_gate_is_refused_and_not_cached(
    fp32: MiniLMEmbedder, models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "models"
    cache.mkdir()
    for suffix in (".onnx", ".json"):  # reuse the fp32 build; only int8 is made here
        src = model_file(models, "fp32").with_suffix(suffix)
        (cache / src.name).write_bytes(src.read_bytes())
    monkeypatch.setattr("memory.onnx_gate.int8_gate", lambda encode: {
        "passed": False, "summary": "cosine min 0.9000 (need 0.99)"})
    with pytest.raises(EmbedderError, match="TASTEBUD_EMBEDDER=minilm") as err:
        MiniLMEmbedder(cache_dir=cache, variant="int8").embed_one("x")
    assert "0.9000" in str(err.value)
    assert not model_file(cache, "int8").exists()


def test_the_gate_measures_what_it_claims() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(200, 32)).astype(np.float32)
    close = ref + rng.normal(scale=0.01, size=ref.shape).astype(np.float32)
    assert compare(ref, close)["passed"]
    assert top_k_overlap(ref, ref) == 1.0
    noisy = compare(ref, ref + rng.normal(scale=0.5, size=ref.shape).astype(np.float32))
    assert not noisy["passed"] and noisy["cosine_min"] < 0.99 and noisy["top10_overlap"] < 0.95
    assert not int8_gate(lambda texts: rng.normal(size=(len(texts), 384)).astype(np.float32))[
        "passed"]


def test_settings_choose_the_int8_model(tmp_path: Path) -> None:
    emb = build_embedder(Settings(data_dir=tmp_path, embedder="minilm-int8"))
    assert isinstance(emb, MiniLMEmbedder) and emb.variant == "int8"
    assert emb.name == "minilm-l6-v2-int8" and emb.cache_dir == tmp_path / "models"
