"""The Textual App: wiring only. The CLI builds the collaborators and passes them in.

    TastebudApp(settings: Settings, chat: ChatService, startup: Startup | None = None)

- `settings`: the one `memory.settings.Settings` (read for the diversity toggle).
- `chat`: an `agent.session.ChatService` (or anything with its API: `user_id`,
  `thread_id`, `backend_label`, `service`, `turn`, `new_thread`, `switch_user`).
- `startup`: optional first-start work, `startup(progress) -> object`, run in a
  thread worker on mount before the chat is shown (`Tastebud.prepare` fits as
  it is). It reports with `progress(done: int, total: int)` or
  `progress(stage: str, done: int, total: int)` (total 0 = unknown length), and
  raises on failure. None (an already-ingested data dir) goes straight to chat.

Tests build the App the same way, with a scripted model, and drive it with the Pilot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tui.commands import TastebudCommands
from tui.screens.chat_screen import ChatScreen
from tui.screens.help_screen import HelpScreen
from tui.screens.startup_screen import Startup, StartupScreen

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
        self, settings: Settings, chat: ChatService, startup: Startup | None = None
    ) -> None:
        super().__init__()
        self.settings = settings
        self.chat = chat
        self.startup = startup
        self.chat_screen: ChatScreen | None = None
        self.remembered_diversity = settings.diversity
        """What "toggle diversity" turns back on to, once it has turned it off."""

    def on_mount(self) -> None:
        if self.startup is None:
            self._open_chat()
        else:
            self.push_screen(StartupScreen(self.startup), lambda _ok: self._open_chat())

    def _open_chat(self) -> None:
        self.chat_screen = ChatScreen(self.chat, self.settings)
        self.push_screen(self.chat_screen)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Let in-flight feedback writes finish first: a pressed like is never half-kept."""
        writes = [w for w in self.workers if w.group in {"feedback", "preferences"}]
        if writes:
            await self.workers.wait_for_complete(writes)
        self.exit()
