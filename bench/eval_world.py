"""The shipped path, for evaluations: a temp data dir, the demo catalog, the real agent session.

Every evaluated conversation runs exactly as `tastebud ask` runs it: default
settings, the MiniLM embedder, `Tastebud.prepare()` on first start (demo ingest,
collaborative training), the offline model with its trained intent model, the
real tools, the LangGraph checkpointer. Each conversation is a fresh user with
no history, in a new thread. A `Turn` records what the user could observe and
what was stored: tool calls, the list shown, explicit feedback events, rules.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.session import ChatService, build_chat_service
from memory.bootstrap import open_memory
from memory.embedder import Embedder
from memory.items import Item
from memory.settings import Settings
from tools.service import Tastebud

EXPLICIT = frozenset({"like", "love", "dislike", "rate", "seen", "not_for_me"})


@dataclass
class Turn:
    """What one user turn did, as the acceptance sets' expectations read it."""

    tools: list[str]
    calls: list[dict[str, Any]]
    shown: list[Item]
    feedback: list[tuple[str, str, float | None]]  # (title, signal, value), explicit only
    rules_added: int
    reply: str
    error: str | None = None
    state: dict[str, Any] = field(default_factory=dict)


class EvalWorld:
    """One prepared demo world; `conversation()` opens a fresh user in a new thread."""

    def __init__(self, data_dir: Path | None = None, embedder: Embedder | None = None) -> None:
        """`embedder` is for tests of this module only; evaluations use the shipped MiniLM."""
        self._tmp = None if data_dir else tempfile.TemporaryDirectory(prefix="tastebud-eval-")
        root = data_dir or Path(self._tmp.name)  # type: ignore[union-attr]
        self.settings = Settings(data_dir=root, user="eval")
        self.service = Tastebud(open_memory(self.settings, embedder=embedder))
        self.service.prepare()
        self._n = 0

    def close(self) -> None:
        self.service.memory.store.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def conversation(self, name: str) -> Conversation:
        self._n += 1
        user = f"eval-{self._n}-{name}"[:80]
        chat = build_chat_service(self.settings.model_copy(update={"user": user}), self.service)
        chat.new_thread()
        return Conversation(self, chat)

    def title_of(self, text: str) -> str | None:
        """The catalog title a model argument names (exact title first, then the resolver)."""
        res = self.service.resolve(text)
        item = getattr(res, "item", None)
        return item.title if item is not None else None


class Conversation:
    def __init__(self, world: EvalWorld, chat: ChatService) -> None:
        self.world = world
        self.chat = chat
        self.previous: list[Item] = []
        """The list shown before the current turn (for "no_repeat_previous")."""

    def show(self, titles: list[str]) -> None:
        """Set up "a list of these films was just shown" without a turn."""
        svc = self.world.service
        ids = [r.item.id for r in (svc.resolve(t) for t in titles) if getattr(r, "item", None)]
        svc.memory.store.record_shown(self.chat.user_id, self.chat.thread_id, svc.catalog_name,
                                      ids, None, {})
        self.previous = [i for i in (svc.item(x) for x in ids) if i is not None]

    def turn(self, text: str) -> Turn:
        svc = self.world.service
        user = self.chat.user_id
        before_events = len(svc.memory.store.feedback_events(user))
        before_rules = len(svc.preference_rules(user))
        result = self.chat.turn(text)
        events = svc.memory.store.feedback_events(user)[before_events:]
        feedback = []
        for ev in events:
            item = svc.item(ev.item_id) if ev.item_id else None
            if ev.signal in EXPLICIT:
                feedback.append((item.title if item else "", ev.signal, ev.value))
        shown = [r.item for r in result.recommendations]
        turn = Turn(tools=[c["name"] for c in result.tool_calls], calls=result.tool_calls,
                    shown=shown, feedback=feedback,
                    rules_added=len(svc.preference_rules(user)) - before_rules,
                    reply=result.reply, error=result.error, state=result.state)
        return turn
