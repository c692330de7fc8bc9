"""The chat loads the local embedding model in the background, so a first query does not wait."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from memory.embedder import EmbedderError, MiniLMEmbedder
from tests.fakes import WordHashEmbedder
from tui.factory import load_embedder_in_background


def service_with(embedder: object) -> object:
    return SimpleNamespace(memory=SimpleNamespace(embedder=embedder))


def test_the_local_model_is_loaded_off_the_main_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded: list[str] = []

    def fake_load(model_dir: Path, cache_dir: Path | None, variant: str = "fp32",
                  threads: int | None = None) -> object:
        loaded.append(variant)
        return "a model"

    monkeypatch.setattr("memory.embedder.load_onnx_minilm", fake_load)
    emb = MiniLMEmbedder(cache_dir=tmp_path, model_dir=tmp_path)
    thread = load_embedder_in_background(service_with(emb))  # type: ignore[arg-type]
    assert thread is not None and thread.daemon
    thread.join(timeout=30)
    assert loaded == ["fp32"] and emb.model == "a model"


def test_a_failing_load_is_left_for_the_first_real_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object, **__: object) -> object:
        raise EmbedderError("weights missing; run make run")

    monkeypatch.setattr("memory.embedder.load_onnx_minilm", broken)
    emb = MiniLMEmbedder(cache_dir=tmp_path, model_dir=tmp_path)
    thread = load_embedder_in_background(service_with(emb))  # type: ignore[arg-type]
    assert thread is not None
    thread.join(timeout=30)
    with pytest.raises(EmbedderError, match="make run"):
        emb.embed_one("x")


def test_other_embedders_are_left_alone() -> None:
    assert load_embedder_in_background(service_with(WordHashEmbedder())) is None  # type: ignore[arg-type]
