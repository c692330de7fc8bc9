"""ChatService: one conversation with the agent, as the CLI (`ask`, `chat`) and the TUI use it.

`turn(text)` runs one agent turn and never raises for model or network
trouble: the openai client has already retried (429, 5xx, timeouts) with
backoff, and what is left comes back as `TurnResult.error`, one clear
sentence without the API key, while the conversation stays usable.
Conversations live in a LangGraph SQLite checkpointer in the data dir; the
current thread of each user is remembered there too, so successive `ask`
calls continue one conversation until `new_thread()`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.errors import GraphRecursionError
from langgraph.types import Checkpointer

from agent import feedback_rules
from agent.context import TurnContext
from agent.graph import build_agent
from agent.models import CatalogVocabulary, backend_label, build_model
from agent.openai_backend import MODEL_ERRORS, describe_error, redact
from agent.threads import ThreadRegistry
from memory.settings import Settings
from memory.store import StoreError
from tools.scoring import Ranked
from tools.tool_refs import TurnSink

if TYPE_CHECKING:
    from tools.service import Tastebud

log = logging.getLogger(__name__)
RECURSION_LIMIT = 25


@dataclass
class TurnResult:
    reply: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # [{"name", "args"}]
    recommendations: list[Ranked] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `tastebud ask --json` shape."""
        out: dict[str, Any] = {
            "reply": self.reply,
            "tool_calls": [{"name": c["name"], "args": c["args"]} for c in self.tool_calls],
            "recommendations": [r.to_dict() for r in self.recommendations],
        }
        if self.error:
            out["error"] = self.error
        return out


def open_checkpointer(settings: Settings) -> tuple[SqliteSaver, sqlite3.Connection]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(settings.checkpoint_path), check_same_thread=False, timeout=30)
    try:  # a garbled file fails here, with its name, rather than mid-turn
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"{settings.checkpoint_path} (the saved conversations) cannot be read ({exc})."
            f" Ratings, preferences and catalogs live in {settings.db_path} and are not"
            " affected; move the conversations file aside to start new conversations."
        ) from None
    return SqliteSaver(conn), conn


class ChatService:
    """The agent, its memory and its current conversation, behind one `turn()`."""

    def __init__(self, settings: Settings, service: Tastebud, model: BaseChatModel, *,
                 checkpointer: Checkpointer | None = None, thread_id: str | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.service = service
        self.model = model
        self.user_id = settings.user
        self.backend_label = backend_label(model)
        self._conn: sqlite3.Connection | None = None
        if checkpointer is None:
            checkpointer, self._conn = open_checkpointer(settings)
        self.checkpointer = checkpointer
        self._threads = ThreadRegistry(settings.data_dir / "threads.json")
        self.thread_id = thread_id or self._threads.current_or_new(self.user_id)
        self._vocab = CatalogVocabulary(service)
        self._agent = build_agent(model, checkpointer=checkpointer, catalog=service.catalog_name,
                                  history_messages=settings.history_messages)  # fmt: skip

    def __repr__(self) -> str:
        return (f"ChatService(user={self.user_id!r}, thread={self.thread_id!r}, "
                f"backend={self.backend_label!r})")  # fmt: skip

    # ---- conversations -------------------------------------------------------------------
    def new_thread(self) -> str:
        self.thread_id = self._threads.new(self.user_id)
        return self.thread_id

    def switch_user(self, user_id: str) -> str:
        """Talk as another user: their own current conversation, their own taste."""
        self.user_id = user_id
        self.thread_id = self._threads.current_or_new(user_id)
        return self.thread_id

    def switch_catalog(self, name: str) -> str:
        """Recommend from another ingested catalog, in a fresh conversation (old lists and
        "the second one" belong to the old catalog). Remembered for later runs."""
        if self.service.memory.store.catalog_record(name) is None:
            raise LookupError(f"no catalog named {name!r}; ingest it first (tastebud ingest PATH)")
        self.service.memory.switch_catalog(name)
        self.service.engine.refresh()
        self._agent = build_agent(self.model, checkpointer=self.checkpointer, catalog=name,
                                  history_messages=self.settings.history_messages)  # fmt: skip
        return self.new_thread()

    def messages(self) -> list[BaseMessage]:
        """The stored conversation of the current thread (all of it, untrimmed)."""
        state = self._agent.get_state(self._config())
        return list(state.values.get("messages", [])) if state and state.values else []

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread_id}, "recursion_limit": RECURSION_LIMIT}

    # ---- one turn --------------------------------------------------------------------------
    def turn(self, text: str, *, on_token: Callable[[str], None] | None = None) -> TurnResult:
        text = text.strip()
        if not text:
            return TurnResult(reply="Say something: a mood, a genre, or a film you liked.")
        ctx = TurnContext(user_id=self.user_id, thread_id=self.thread_id, service=self.service,
                          settings=self.settings, text=text, sink=TurnSink())  # fmt: skip
        before = self.messages()
        shown_before = self.service.last_shown(self.user_id, self.thread_id)
        error: str | None = None
        try:
            for chunk, meta in self._agent.stream({"messages": [HumanMessage(text)]},
                                                  self._config(), context=ctx, stream_mode="messages"):  # fmt: skip
                if on_token and isinstance(chunk, AIMessageChunk) and meta.get("langgraph_node") == "model":
                    token = chunk.text
                    if token:
                        on_token(token)
        except MODEL_ERRORS as exc:
            error = describe_error(exc, self.settings)
            log.warning("model call failed: %s", redact(f"{type(exc).__name__}: {exc}", self.settings))
        except GraphRecursionError:
            error = "The model kept calling tools without answering; I stopped it. Try rephrasing."
        new = self.messages()[len(before) :]
        calls = [{"name": c["name"], "args": dict(c["args"])}
                 for m in new if isinstance(m, AIMessage) for c in m.tool_calls]  # fmt: skip
        if error is None and self.backend_label != "offline":
            missed = feedback_rules.find_missed(text, self._vocab(), ctx, before, shown_before)
            calls += feedback_rules.apply_missed(missed, ctx)
        reply = next((m.text for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls), "")
        return TurnResult(reply=reply if error is None else "", tool_calls=calls,
                          recommendations=list(ctx.sink.shown), error=error)  # fmt: skip


def build_chat_service(settings: Settings, service: Tastebud, model: BaseChatModel | None = None,
                       **kwargs: Any) -> ChatService:  # fmt: skip
    """The chat service with the backend the settings pick (offline unless told otherwise)."""
    return ChatService(settings, service, model or build_model(settings, service), **kwargs)
