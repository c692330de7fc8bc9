"""Suite-wide fixtures. The autouse one keeps the developer's own data dir and keys out."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.settings import Settings
from tests.fakes import WordHashEmbedder

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _trained_intent_model() -> None:
    """Train the offline model's intent classifier once, not once per test data dir.

    The model is cached in .pytest_cache under its corpus hash (a changed corpus
    retrains), and loaded into the process memo every data dir's load consults.
    """
    from agent.models import load_intent_model
    from memory.embedder import MiniLMEmbedder

    load_intent_model(REPO / ".pytest_cache" / "intent-model", MiniLMEmbedder())


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    for var in list(__import__("os").environ):
        if var.startswith("TASTEBUD_"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TASTEBUD_DATA_DIR", str(data_dir))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    return data_dir


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", user="tester")


@pytest.fixture
def fake_embedder() -> WordHashEmbedder:
    return WordHashEmbedder()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip when that folder is not beside the repo."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the ../shared data folder is not beside this checkout)")
    return path
