"""The command palette's Tastebud commands (ctrl+p).

Each command is a call on the chat screen, which runs the work in a worker;
nothing here touches the service. Commands that need a name ("switch user")
accept it typed after the command ("user alice", "catalog movielens"), or ask
for it in a small prompt when picked without one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.screens.text_prompt_screen import TextPromptScreen

if TYPE_CHECKING:
    from tui.app import TastebudApp
    from tui.screens.chat_screen import ChatScreen

NAMED = re.compile(r"^\s*(?:switch\s+|change\s+)?(user|catalog)\s+(\S+)\s*$", re.IGNORECASE)
DEFAULT_DIVERSITY = 0.3


class TastebudCommands(Provider):
    @property
    def _chat(self) -> ChatScreen | None:
        return getattr(self.app, "chat_screen", None)

    def _commands(self, screen: ChatScreen) -> list[tuple[str, str, Callable[[], object]]]:
        return [
            ("Switch user…", "chat as someone else (or type: user NAME)",
             partial(self._ask, screen, "user")),
            ("Undo last preference", "take back the last stated preference or rule",
             partial(screen.change_preferences, "undo")),
            ("Reset preferences", "forget every stated preference and rule",
             partial(screen.change_preferences, "reset")),
            ("Change catalog…", "recommend from another catalog (or type: catalog NAME)",
             partial(self._ask, screen, "catalog")),
            ("Toggle diversity", "vary the list more, or rank purely by score",
             partial(toggle_diversity, screen)),
            ("New conversation", "start a fresh thread; your taste is kept",
             screen.new_conversation),
        ]  # fmt: skip

    async def discover(self) -> Hits:
        screen = self._chat
        if screen is None:
            return
        for name, help_text, run in self._commands(screen):
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self._chat
        if screen is None:
            return
        named = NAMED.match(query)
        if named:
            kind, value = named.group(1).lower(), named.group(2)
            yield Hit(1.0, f"Switch {kind} to {value}", partial(switch, screen, kind, value))
        matcher = self.matcher(query)
        for name, help_text, run in self._commands(screen):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)

    def _ask(self, screen: ChatScreen, kind: str) -> None:
        question = "Switch to which user?" if kind == "user" else "Switch to which catalog?"

        def answered(value: str | None) -> None:
            if value:
                switch(screen, kind, value)

        self.app.push_screen(TextPromptScreen(question, kind), answered)


def switch(screen: ChatScreen, kind: str, value: str) -> None:
    if screen.busy:
        screen.notify("Wait for the current answer before switching.", severity="warning")
    elif kind == "user":
        screen.switch_session(user_id=value)
    elif not hasattr(screen.chat, "switch_catalog"):
        screen.notify(f"Restart with TASTEBUD_CATALOG={value} (or --catalog {value}) to switch.",
                      severity="warning", markup=False)  # fmt: skip
    else:
        screen.switch_session(catalog=value)


def toggle_diversity(screen: ChatScreen) -> None:
    """Flip between pure score ranking (0) and the diversity the session started with.

    The engine copies the setting when it is built, so its copy changes too.
    """
    app: TastebudApp = screen.app  # type: ignore[assignment]
    settings = screen.settings
    if settings.diversity > 0:
        app.remembered_diversity = settings.diversity
        value = 0.0
    else:
        value = app.remembered_diversity or DEFAULT_DIVERSITY
    settings.diversity = value
    engine = getattr(screen.chat.service, "engine", None)
    if engine is not None and hasattr(engine, "diversity"):
        engine.diversity = value
    if value:
        screen.notify(f"Diversity on ({value:.2f}): picks vary more.")
    else:
        screen.notify("Diversity off: picks are ranked by score alone.")
