"""The one factory that turns the settings into a chat model: offline (default) or openai.

The offline model's vocabulary is read from the catalog lazily and rebuilt when
the catalog changes, because the TUI builds its chat service before the demo
catalog is ingested on first start.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from agent.offline.intent_model import IntentModel, load_or_train
from agent.offline.lexicon import Vocabulary
from agent.offline.model import OfflineChatModel
from agent.offline.understand import classify_text
from memory.bootstrap import demo_items
from memory.embedder import MiniLMEmbedder
from memory.settings import Settings

if TYPE_CHECKING:
    from tools.service import Tastebud


class CatalogVocabulary:
    """The active catalog's vocabulary, rebuilt only when the catalog (name or size) changes."""

    def __init__(self, service: Tastebud) -> None:
        self.service = service
        self._key: tuple[str, int] | None = None
        self._vocab: Vocabulary | None = None

    def __call__(self) -> Vocabulary:
        catalog = self.service.memory.catalog
        key = (catalog.name, len(catalog.items) if catalog.exists else 0)
        if self._vocab is None or key != self._key:
            items = catalog.items.values() if catalog.exists else []
            self._vocab = Vocabulary.from_items(items, resolve=self.service.resolve)
            self._key = key
        return self._vocab


class IntentSource:
    """The learned intent model, trained (or read from the data dir's cache) on first use.

    It always embeds with the shipped MiniLM, whatever embedder the catalog uses,
    because that is what it was trained with; the rule features come from the
    bundled demo vocabulary, so the model does not depend on the active catalog.
    """

    def __init__(self, service: Tastebud) -> None:
        self.service = service
        self._loaded: tuple[IntentModel, Callable[[str], Any]] | None = None

    def __call__(self) -> tuple[IntentModel, Callable[[str], Any]]:
        if self._loaded is None:
            embedder = self.service.memory.embedder
            if not isinstance(embedder, MiniLMEmbedder):
                embedder = MiniLMEmbedder(cache_dir=self.service.memory.settings.data_dir)
            model = load_intent_model(self.service.memory.settings.data_dir, embedder)
            self._loaded = (model, embedder.embed_one)
        return self._loaded


def load_intent_model(cache_dir: Path | None, embedder: MiniLMEmbedder) -> IntentModel:
    """The intent model for the current corpus (cached under `cache_dir`, else trained)."""
    vocab = Vocabulary.from_items(demo_items())
    return load_or_train(cache_dir, embedder.embed, lambda text: classify_text(text, vocab))


def build_offline_model(service: Tastebud) -> OfflineChatModel:
    return OfflineChatModel(vocab_source=CatalogVocabulary(service), intent_source=IntentSource(service))


def build_model(settings: Settings, service: Tastebud) -> BaseChatModel:
    """The chat model the settings ask for (TASTEBUD_CHAT_BACKEND)."""
    if settings.chat_backend == "openai":
        # Here, not at the top: the openai SDK and langchain_openai cost about a second
        # to import, and the offline backend never needs them.
        from agent.openai_backend import build_openai_model

        return build_openai_model(settings)
    return build_offline_model(service)


def backend_label(model: BaseChatModel) -> str:
    """"offline", or the model's name ("gpt-4o-mini", "llama3.1")."""
    if isinstance(model, OfflineChatModel):
        return "offline"
    for attr in ("model_name", "model"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__
