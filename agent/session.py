"""ChatService: one conversation with the agent, as the CLI (`ask`, `chat`) and the TUI use it.

`turn(text)` runs one agent turn and never raises for model or network
trouble: agent.turn_guard has already retried what is worth retrying, and what
is left comes back as `TurnResult.error`, one clear sentence without the API
key. A failed, cancelled or timed-out turn is closed in the stored history
(tool results saying the calls were stopped, then an assistant line saying
there is no answer), so roles alternate and the next turn works on strict
servers. `cancel()`, from any thread, stops the turn in flight within a moment.
Conversations live in a LangGraph SQLite checkpointer in the data dir; the
current thread of each user is remembered there too, so successive `ask`
calls continue one conversation until `new_thread()`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.errors import GraphRecursionError
from langgraph.types import Checkpointer

from agent import feedback_rules
from agent.cancel import TurnCancelled, TurnState
from agent.context import TurnContext
from agent.dialogue import DialogueState
from agent.graph import build_agent
from agent.history import close_failed_turn
from agent.models import CatalogVocabulary, backend_label, build_model
from agent.offline.model import OfflineChatModel
from agent.secrets import install_log_scrubbing, scrub
from agent.text_clean import ReplyStream
from agent.threads import ThreadRegistry
from agent.turn_guard import ModelCallFailed, TurnGuard, server_name
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
    cancelled: bool = False
    notices: list[str] = field(default_factory=list)
    """Things to tell the user that are not errors (a fallback that kicked in)."""
    state: dict[str, Any] = field(default_factory=dict)
    """The conversation's dialogue state after the turn (agent.dialogue.DialogueState)."""

    def to_dict(self) -> dict[str, Any]:
        """The `tastebud ask --json` shape."""
        out: dict[str, Any] = {
            "reply": self.reply,
            "tool_calls": [{"name": c["name"], "args": c["args"]} for c in self.tool_calls],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "state": self.state,
        }
        if self.error:
            out["error"] = self.error
        if self.notices:
            out["notices"] = self.notices
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
                 checkpointer: Checkpointer | None = None, thread_id: str | None = None) -> None:
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
        self._lock = threading.Lock()
        self._state: TurnState | None = None
        planner = OfflineChatModel(vocab_source=self._vocab).respond
        self._guard = TurnGuard(settings, planner if self.backend_label != "offline" else None)
        install_log_scrubbing(settings.api_key_value())
        self._agent = self._build_agent(service.catalog_name)

    def __repr__(self) -> str:
        return (f"ChatService(user={self.user_id!r}, thread={self.thread_id!r}, "
                f"backend={self.backend_label!r})")

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
        self._agent = self._build_agent(name)
        return self.new_thread()

    def _build_agent(self, catalog: str) -> Any:
        # The token budget protects an LLM's context window. The offline model has none, and
        # it must read its tool results whole: a result cut to fit would no longer be JSON.
        budget = self.settings.prompt_tokens if self.settings.chat_backend != "offline" else None
        return build_agent(self.model, checkpointer=self.checkpointer, catalog=catalog,
                           history_messages=self.settings.history_messages,
                           prompt_tokens=budget, guard=self._guard)

    def messages(self) -> list[BaseMessage]:
        """The stored conversation of the current thread (all of it, untrimmed)."""
        state = self._agent.get_state(self._config())
        return list(state.values.get("messages", [])) if state and state.values else []

    def dialogue_state(self) -> DialogueState:
        """The current conversation's request so far (empty for a new conversation)."""
        state = self._agent.get_state(self._config())
        return DialogueState.from_dict(state.values.get("dialogue") if state and state.values else None)

    def set_dialogue_state(self, new: DialogueState) -> None:
        """Replace the stored request (the TUI's chip removal), checkpointed like a turn."""
        self._agent.update_state(self._config(), {"dialogue": new.to_dict()})

    def close(self) -> None:
        """Cancel a turn in flight, close the model's HTTP client and the checkpoint database."""
        self.cancel()
        client = getattr(self.model, "http_client", None)
        if client is not None and hasattr(client, "close"):
            client.close()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread_id}, "recursion_limit": RECURSION_LIMIT}

    # ---- one turn --------------------------------------------------------------------------
    def turn(self, text: str, *, on_token: Callable[[str], None] | None = None) -> TurnResult:
        text = scrub(text, self.settings.api_key_value()).strip()  # a pasted key is never stored
        if not text:
            return TurnResult(reply="Say something: a mood, a genre, or a film you liked.")
        ctx = TurnContext(user_id=self.user_id, thread_id=self.thread_id, service=self.service,
                          settings=self.settings, text=text, sink=TurnSink())
        before = self.messages()
        shown_before = self.service.last_shown(self.user_id, self.thread_id)
        state = TurnState(budget=self.settings.turn_timeout, aborts=[self._abort_requests])
        with self._lock:
            self._state = state
        self._guard.begin(state.start())
        shown = ReplyStream()
        error: str | None = None
        try:
            for chunk, meta in self._agent.stream({"messages": [HumanMessage(text)]},
                                                  self._config(), context=ctx, stream_mode="messages"):
                if on_token and isinstance(chunk, AIMessage) and meta.get("langgraph_node") == "model":
                    token = shown.feed(chunk.text, chunk.id)
                    if token:
                        on_token(token)
        except TurnCancelled:
            error = self._stopped_message(state)
        except ModelCallFailed as exc:
            error = str(exc)
        except GraphRecursionError:
            error = "The model kept calling tools without answering; I stopped it. Try rephrasing."
        finally:
            state.finish()
            self._guard.end()
            with self._lock:
                self._state = None
        if state.stopped and error is None:
            error = self._stopped_message(state)
        if error is not None:
            log.info("turn failed: %s", error)  # the caller shows it; a warning would say it twice
            self._close_history(error)
        new = self.messages()[len(before) :]
        calls = [{"name": c["name"], "args": dict(c["args"])}
                 for m in new if isinstance(m, AIMessage) for c in m.tool_calls]
        if error is None and self.backend_label != "offline":
            missed = feedback_rules.find_missed(text, self._vocab(), ctx, before, shown_before)
            calls += feedback_rules.apply_missed(missed, ctx)
        reply = "\n\n".join(m.text.strip() for m in new if isinstance(m, AIMessage) and m.text.strip())
        return TurnResult(reply=reply if error is None else "", tool_calls=calls,
                          recommendations=list(ctx.sink.shown), error=error,
                          cancelled=state.reason == "cancelled", notices=list(state.notices),
                          state=self.dialogue_state().to_dict())

    def cancel(self) -> bool:
        """Stop the turn in flight, from any thread: its HTTP request is cut, no tool runs after.

        Returns whether a turn was running. The turn itself returns soon after, with an error
        saying it was cancelled, and the conversation stays valid for the next message.
        """
        with self._lock:
            state = self._state
        if state is None:
            return False
        state.cancel("cancelled")
        return True

    @property
    def running(self) -> bool:
        """Whether a turn is in flight (its thread has not returned yet)."""
        with self._lock:
            return self._state is not None

    def _abort_requests(self) -> None:
        abort = getattr(getattr(self.model, "http_client", None), "abort", None)
        if callable(abort):
            abort()

    def _stopped_message(self, state: TurnState) -> str:
        if state.reason == "deadline":
            return (f"The turn took longer than {self.settings.turn_timeout:g}s "
                    f"(TASTEBUD_TURN_TIMEOUT) and was stopped; the model server at "
                    f"{server_name(self.settings)} is slow or not answering.")
        return "Cancelled; nothing more was run."

    def _close_history(self, error: str) -> None:
        """Make the stored conversation valid again after a failed or stopped turn."""
        fix = close_failed_turn(self.messages(), _history_note(error))
        if fix:
            self._agent.update_state(self._config(), {"messages": fix}, as_node="model")


def _history_note(error: str) -> str:
    return error.split(". ")[0].rstrip(".") + "."


def build_chat_service(settings: Settings, service: Tastebud, model: BaseChatModel | None = None,
                       **kwargs: Any) -> ChatService:
    """The chat service with the backend the settings pick (offline unless told otherwise)."""
    return ChatService(settings, service, model or build_model(settings, service), **kwargs)
