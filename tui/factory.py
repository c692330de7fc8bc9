"""Builds the running system from Settings: the one place collaborators are wired.

The CLI and the TUI both call these; tests build the same objects with fakes
(an in-memory embedder, a ScriptedModel) instead.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from memory.bootstrap import open_memory
from memory.embedder import EmbedderError, MiniLMEmbedder
from memory.settings import Settings
from tools.service import Tastebud

if TYPE_CHECKING:  # the agent stack takes seconds to import; only chat and ask need it
    from agent.session import ChatService

Progress = Callable[[int, int], None]


def build_tastebud(
    settings: Settings, *, prepare: bool = True, progress: Progress | None = None
) -> Tastebud:
    """The recommender facade; `prepare` ingests the demo catalog and trains it on first use."""
    svc = Tastebud(open_memory(settings))
    if prepare:
        svc.prepare(progress)
    return svc


def build_chat(settings: Settings, svc: Tastebud) -> ChatService:
    from agent.session import build_chat_service

    return build_chat_service(settings, svc)


def load_embedder_in_background(svc: Tastebud) -> threading.Thread | None:
    """Load (on a fresh data dir: build) the local embedding model while the user types.

    The first request with words in it needs the model, and building it from the
    weights takes seconds; the chat is usable before that. A failure here is not
    reported: the model stays unloaded and the real first use raises the clear error.
    """
    embedder = svc.memory.embedder
    if not isinstance(embedder, MiniLMEmbedder):
        return None

    def load() -> None:
        with contextlib.suppress(EmbedderError):
            _ = embedder.model

    thread = threading.Thread(target=load, name="embedder-warm-up", daemon=True)
    thread.start()
    return thread


def build_app_parts(
    settings: Settings, *, resume: bool
) -> tuple[ChatService, Callable[[Progress], object] | None]:
    """The chat service, and the first-start work the TUI runs in a worker with a progress bar."""
    svc = build_tastebud(settings, prepare=False)
    chat = build_chat(settings, svc)
    if not resume:
        chat.new_thread()
    startup = svc.prepare if svc.needs_preparing() else None
    return chat, startup
