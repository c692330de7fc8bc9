"""The main screen: chat on the left, picks and taste on the right.

Every call into the agent or the facade runs in a thread worker, and every
worker ends by posting a message from tui.messages; the `@on` handlers here
are the only code that changes widgets. Feedback workers are serialised by a
lock so events are stored, and acknowledged, in the order the keys were pressed.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header

from tui.messages import (
    ActionFailed,
    DetailsReady,
    ExplanationReady,
    FeedbackRecorded,
    ImportProgressed,
    SessionChanged,
    TasteRefreshed,
    TokenStreamed,
    TurnCompleted,
    TurnFailed,
    describe_error,
)
from tui.screens.details_screen import DetailsScreen
from tui.screens.explanation_screen import ExplanationScreen
from tui.screens.rating_screen import RatingScreen
from tui.text_safety import clean, clean_line
from tui.widgets.cards_panel import CardsPanel
from tui.widgets.chat_log import ChatLog
from tui.widgets.prompt_input import PromptInput
from tui.widgets.state_chips import StateChips
from tui.widgets.taste_panel import TastePanel
from tui.widgets.thinking_indicator import ThinkingIndicator

if TYPE_CHECKING:
    from agent.session import ChatService
    from memory.settings import Settings

FEEDBACK_SIGNALS = {"like", "dislike", "seen", "rate"}


class ChatScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "app.help", "Help"),
        Binding("f6", "edit_request", "Request chips", show=False, priority=True),
        Binding("tab", "app.focus_next", "Cards ⇄ chat"),
        Binding("escape,ctrl+c", "cancel_turn", "Stop", priority=True),
    ]

    def __init__(self, chat: ChatService | None, settings: Settings) -> None:
        super().__init__(id="chat-screen")
        self.chat: ChatService = chat  # type: ignore[assignment]  # set by connect() before use
        self.settings = settings
        self.ready = False
        """True once connect() has run: the service exists and first-start work is done."""
        self.busy = False
        self.feedback_lock = threading.Lock()
        """Held around every write, so events are stored in the order the keys were pressed."""
        self._queued: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="conversation"):
                yield ChatLog(id="chat-log")
                yield ThinkingIndicator(id="thinking")
                yield PromptInput(id="prompt")
            with Vertical(id="sidebar"):
                yield StateChips(id="state-chips")
                yield CardsPanel(id="cards")
                yield TastePanel(id="taste")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_header()
        self.action_focus_prompt()

    def show_starting(self) -> None:
        self.query_one(ThinkingIndicator).start("starting up")

    def connect(self, chat: ChatService) -> None:
        """The service is ready: draw what it knows, and answer a message sent while starting."""
        self.chat, self.ready = chat, True
        self.refresh_header()
        self._load_taste()
        text, self._queued = self._queued, None
        if text is None:
            self.query_one(ThinkingIndicator).stop()
        else:
            self.query_one(ThinkingIndicator).start()
            self._run_turn(text)

    def refresh_header(self) -> None:
        self.title = "Tastebud"
        if not self.ready:
            user, catalog, backend = self.settings.user, self.settings.catalog or "…", "starting"
        else:
            user, catalog = self.chat.user_id, self.chat.service.catalog_name
            backend = self.chat.backend_label
        self.sub_title = clean_line(f"user {user} · catalog {catalog} · {backend}")

    def action_focus_prompt(self) -> None:
        self.query_one(PromptInput).focus()

    def post(self, message: Message) -> None:
        """post_message from a worker, silent when the app has closed under the thread."""
        with suppress(RuntimeError):
            self.post_message(message)

    # --- chat turns ---------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.busy and self.ready if action == "cancel_turn" else True  # else esc: as usual

    def action_cancel_turn(self) -> None:
        """Cut the turn's HTTP request now; the worker then ends with a "Cancelled" failure."""
        if self.busy and self.ready and self.chat.cancel():
            self.query_one(ThinkingIndicator).start("stopping")

    @on(PromptInput.Submitted)
    def _send(self, event: PromptInput.Submitted) -> None:
        if self.busy:
            event.prompt.restore(event.text)
            self.notify("Still thinking about the last message.", severity="warning")
            return
        log = self.query_one(ChatLog)
        log.add_user(event.text)
        log.start_assistant()
        self.busy = True
        if not self.ready:
            self._queued = event.text
            self.query_one(ThinkingIndicator).start("starting up; your message is next")
            return
        self.query_one(ThinkingIndicator).start()
        self._run_turn(event.text)

    @work(thread=True, exclusive=True, group="turn", exit_on_error=False)
    def _run_turn(self, text: str) -> None:
        def on_token(token: str) -> None:
            self.post(TokenStreamed(token))

        try:
            result = self.chat.turn(text, on_token=on_token)
        except Exception as exc:  # a model, network or tool failure: the UI stays up
            self.post(TurnFailed(text, describe_error(exc, self.settings.api_key_value())))
            return
        if result.error:
            self.post(TurnFailed(text, result.error, result.reply, cancelled=result.cancelled))
            return
        self.post(TurnCompleted(text, result, self._taste_or_none()))

    @on(TokenStreamed)
    async def _stream_token(self, message: TokenStreamed) -> None:
        await self.query_one(ChatLog).append_token(message.token)

    @on(TurnCompleted)
    async def _show_turn(self, message: TurnCompleted) -> None:
        self._end_turn()
        log = self.query_one(ChatLog)
        await log.finish_assistant(message.result.reply)
        for notice in getattr(message.result, "notices", []):  # a fallback that kicked in
            log.add_note(notice, markup=False)
        log.add_tool_summary(message.result.tool_calls)
        if message.result.recommendations:
            await self.query_one(CardsPanel).show(message.result.recommendations)
        self.query_one(StateChips).show(getattr(message.result, "state", None) or {})
        if message.taste is not None:
            self.query_one(TastePanel).show(message.taste)

    @on(TurnFailed)
    async def _show_failure(self, message: TurnFailed) -> None:
        """The error stays in the chat log under the user's message (a notice alone vanishes
        in seconds), as the history records it; the text goes back into the input."""
        self._end_turn()
        log = self.query_one(ChatLog)
        await log.finish_assistant(message.reply)
        if not log.is_attached:  # the app is quitting: a cancelled turn has nothing to show
            return
        log.add_note(clean(message.error), role="note" if message.cancelled else "error", markup=False)
        if not message.cancelled:  # the chat log keeps it; the notice draws the eye
            self.notify(clean(message.error), title="That turn failed", severity="error", markup=False)
        if not (prompt := self.query_one(PromptInput)).text.strip():
            prompt.restore(message.text)

    def _end_turn(self) -> None:
        self.busy = False
        self.query_one(ThinkingIndicator).stop()

    def action_edit_request(self) -> None:
        """F6: the request chips take the keys (left/right, delete drops one, esc leaves)."""
        self.query_one(StateChips).take_focus()

    @on(StateChips.Removed)
    def _drop_chip(self, event: StateChips.Removed) -> None:
        """Store the smaller request; the next list is ranked without the dropped constraint."""
        chat = self.chat

        def store() -> None:
            try:
                chat.set_dialogue_state(event.state)
            except (AttributeError, sqlite3.Error, ValueError) as exc:
                self.post(ActionFailed("Could not drop that constraint", describe_error(exc)))

        self.run_worker(store, thread=True, group="preferences", exit_on_error=False)

    # --- card keys ----------------------------------------------------------
    @on(CardsPanel.ActionRequested)
    def _card_action(self, event: CardsPanel.ActionRequested) -> None:
        item, user = event.ranked.item, self.chat.user_id  # the user who pressed, even if switched
        if event.action == "rate":

            def rated(stars: int | None) -> None:
                if stars is not None:
                    self._send_feedback(user, item, "rate", float(stars))

            self.app.push_screen(RatingScreen(item.label), rated)
        elif event.action in FEEDBACK_SIGNALS:
            self._send_feedback(user, item, event.action)
        elif event.action == "why":
            self._explain(event.ranked)
        elif event.action == "details":
            self._details(item)

    @work(thread=True, group="feedback", exit_on_error=False)
    def _send_feedback(self, user: str, item: Any, signal: str, value: float | None = None) -> None:
        """Only the write: the panel is drawn from its result, and the full taste is re-read
        after that frame is painted (a re-read in the same thread would hold the GIL while
        the loop tries to paint, and its cost grows with the user's history)."""
        try:
            with self.feedback_lock:
                result = self.chat.service.feedback(user, item.id, signal, value=value)
                self.post(FeedbackRecorded(item.id, item.label, signal, value, result))
        except Exception as exc:
            self.post(ActionFailed(f"Could not save your {signal}", describe_error(exc)))

    @on(FeedbackRecorded)
    def _show_feedback(self, message: FeedbackRecorded) -> None:
        self.query_one(TastePanel).apply_feedback(message.result)
        self.call_after_refresh(self._load_taste, None, message.result.weights_before)
        self.query_one(CardsPanel).mark(message.item_id, message.signal, message.value)
        note = getattr(message.result, "message", "") or f"{message.signal}: {message.title}"
        self.notify(clean(note), timeout=3, markup=False)

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def _explain(self, ranked: Any) -> None:
        try:
            svc, chat = self.chat.service, self.chat
            explanation = svc.explain(chat.user_id, ranked.item.id, thread_id=chat.thread_id)
        except Exception as exc:
            self.post(ActionFailed("Could not explain that pick", describe_error(exc)))
            return
        self.post(ExplanationReady(ranked, explanation))

    @on(ExplanationReady)
    def _show_explanation(self, message: ExplanationReady) -> None:
        title = message.ranked.item.label
        self.app.push_screen(ExplanationScreen(title, message.explanation, message.ranked))

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def _details(self, item: Any) -> None:
        try:
            svc, chat = self.chat.service, self.chat
            full = svc.details(chat.user_id, item.id, thread_id=chat.thread_id)
        except Exception as exc:
            self.post(ActionFailed("Could not open the details", describe_error(exc)))
            return
        self.post(DetailsReady(full, self._taste_or_none()))

    @on(DetailsReady)
    def _show_details(self, message: DetailsReady) -> None:
        if message.taste is not None:
            self.query_one(TastePanel).show(message.taste)
        self.app.push_screen(DetailsScreen(message.item))

    # --- taste, preferences, users (the palette's commands land here) -------
    def _taste_or_none(self) -> Any | None:
        try:
            return self.chat.service.taste(self.chat.user_id)
        except Exception:
            return None  # the panel keeps its last view; the turn itself succeeded

    @work(thread=True, group="taste", exit_on_error=False)
    def _load_taste(self, note: str | None = None, before: dict[str, float] | None = None) -> None:
        """Read and post under the write lock: the last view posted is always the newest."""
        try:
            with self.feedback_lock:
                taste = self.chat.service.taste(self.chat.user_id)
                self.post(TasteRefreshed(taste, note, before))
        except Exception as exc:
            self.post(ActionFailed("Could not read your taste", describe_error(exc)))

    @on(TasteRefreshed)
    def _show_taste(self, message: TasteRefreshed) -> None:
        self.query_one(TastePanel).show(message.taste, before=message.before)
        if message.note:
            self.notify(clean(message.note), markup=False)

    @on(SessionChanged)
    async def _show_session(self, message: SessionChanged) -> None:
        self.refresh_header()
        await self.query_one(CardsPanel).show([])
        self.query_one(TastePanel).show(message.taste)
        self.query_one(ChatLog).add_note(f"*{message.note}*")
        self.action_focus_prompt()

    def new_conversation(self) -> None:
        """A fresh thread: the agent forgets the talk, the learned taste stays."""
        self.chat.new_thread()
        self.query_one(ChatLog).add_note("*New conversation: earlier messages are forgotten.*")

    @on(ImportProgressed)
    def _show_import_progress(self, message: ImportProgressed) -> None:
        """An import's progress on the spinner line (a running turn keeps its own); "" ends it."""
        spinner = self.query_one(ThinkingIndicator)
        count = f" {message.done}/{message.total}" if message.total else ""
        if not self.busy:
            spinner.start(f"importing: {message.stage}{count}") if message.stage else spinner.stop()

    @on(ActionFailed)
    def _show_action_failure(self, message: ActionFailed) -> None:
        self.notify(clean(message.error), title=message.what, severity="error", markup=False)
