"""The Textual App: wiring only. The CLI builds the collaborators and passes them in.

    TastebudApp(settings: Settings, chat: ChatService | None, startup: Startup | None = None)

- `settings`: the one `memory.settings.Settings` (header defaults, diversity toggle).
- `chat`: an `agent.session.ChatService` (or anything with its API: `user_id`,
  `thread_id`, `backend_label`, `service`, `turn`, `new_thread`, `switch_user`),
  or None when `startup` builds it.
- `startup`: optional work run in a thread worker on mount, with the chat screen
  already up and its prompt taking input: `startup(progress) -> object`.
  It reports with `progress(done, total)` or `progress(stage, done, total)`
  (total 0 = unknown), and raises on failure; `Tastebud.prepare` fits as it is.
  When `chat` is None it must return the ChatService, which is how the CLI
  keeps the langchain/chromadb imports (seconds) off the path to the prompt.
  A message sent before it finishes waits, visibly, and is answered after.

Tests build the App the same way, with a scripted model, and drive it with the Pilot.
"""

from __future__ import annotations

import gc
from contextlib import suppress
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType

from tui.commands import TastebudCommands
from tui.messages import StartupFinished, StartupProgressed, describe_error
from tui.screens.chat_screen import ChatScreen
from tui.screens.help_screen import HelpScreen
from tui.screens.startup_screen import Startup, StartupScreen, parse_progress

if TYPE_CHECKING:
    from agent.session import ChatService
    from memory.settings import Settings

__all__ = ["Startup", "TastebudApp"]


class TastebudApp(App[None]):
    CSS_PATH = "tastebud.tcss"
    TITLE = "Tastebud"
    COMMANDS = App.COMMANDS | {TastebudCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self, settings: Settings, chat: ChatService | None = None, startup: Startup | None = None
    ) -> None:
        if chat is None and startup is None:
            raise ValueError("TastebudApp needs a chat service, or a startup that returns one")
        super().__init__()
        self.settings = settings
        self.chat = chat
        self.startup = startup
        self.chat_screen = ChatScreen(chat, settings)
        self.startup_screen: StartupScreen | None = None
        self.remembered_diversity = settings.diversity
        """What "toggle diversity" turns back on to, once it has turned it off."""

    async def on_mount(self) -> None:
        await self.push_screen(self.chat_screen)
        if self.startup is None:
            assert self.chat is not None
            self._connect(self.chat)
        else:
            self.chat_screen.show_starting()
            self._run_startup(self.startup)

    @work(thread=True, exclusive=True, group="startup", exit_on_error=False)
    def _run_startup(self, startup: Startup) -> None:
        def progress(*args: object) -> None:
            with suppress(RuntimeError):  # the app closed under the thread
                self.post_message(StartupProgressed(*parse_progress(args)))

        try:
            result = startup(progress)
        except Exception as exc:
            self.post_message(
                StartupFinished(error=describe_error(exc, self.settings.api_key_value()))
            )
        else:
            self.post_message(StartupFinished(result))

    @on(StartupProgressed)
    async def _show_startup_progress(self, message: StartupProgressed) -> None:
        if self.startup_screen is None and message.total > 0:
            self.startup_screen = StartupScreen()
            await self.push_screen(self.startup_screen, self._continue_after_failure)
        if self.startup_screen is not None:
            self.startup_screen.show_progress(message.stage, message.done, message.total)

    @on(StartupFinished)
    async def _finish_startup(self, message: StartupFinished) -> None:
        chat = self.chat or (message.result if hasattr(message.result, "turn") else None)
        if message.error is not None or chat is None:
            if self.startup_screen is None:
                self.startup_screen = StartupScreen()
                await self.push_screen(self.startup_screen, self._continue_after_failure)
            error = message.error or "the startup returned no chat service"
            self.startup_screen.show_error(error, can_continue=chat is not None)
            return
        if self.startup_screen is not None:
            self.startup_screen.dismiss(False)
        self._connect(chat)

    def _continue_after_failure(self, go_on: bool | None) -> None:
        self.startup_screen = None
        if go_on and self.chat is not None:
            self._connect(self.chat)

    def _connect(self, chat: ChatService) -> None:
        """Hand the service to the chat screen, then freeze the heap built so far.

        The service brings ~200k long-lived objects (langchain, chromadb, the catalog); a
        full cyclic-GC pass over them takes hundreds of ms and would land on some keypress.
        Frozen, the collector skips them; they live as long as the process anyway.
        """
        self.chat = chat
        self.chat_screen.connect(chat)
        gc.freeze()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Stop a running chat turn at once (its HTTP request is cut, no tool runs after), and
        let in-flight feedback writes finish first: a pressed like is never half-kept."""
        if self.chat is not None and hasattr(self.chat, "cancel"):
            self.chat.cancel()
        writes = [w for w in self.workers if w.group in {"feedback", "preferences"}]
        if writes:
            await self.workers.wait_for_complete(writes)
        self.exit()
