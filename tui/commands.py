"""The command palette's Tastebud commands (ctrl+p), and the work they start.

A command runs its service calls in a thread worker on the chat screen, which
posts the result as a message for the screen's handlers to draw; nothing here
touches a widget from a thread. Commands that need a name ("switch user")
accept it typed after the command ("user alice", "catalog movielens"), or ask
for it in a small prompt when picked without one. Until the chat service is
connected (first start), the palette offers nothing of Tastebud's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.import_command import ask_import
from tui.messages import ActionFailed, SessionChanged, TasteRefreshed, describe_error
from tui.screens.text_prompt_screen import TextPromptScreen

if TYPE_CHECKING:
    from tui.app import TastebudApp
    from tui.screens.chat_screen import ChatScreen

NAMED = re.compile(r"^\s*(?:switch\s+|change\s+)?(user|catalog)\s+(\S+)\s*$", re.IGNORECASE)
DEFAULT_DIVERSITY = 0.3


class TastebudCommands(Provider):
    @property
    def _chat(self) -> ChatScreen | None:
        screen: ChatScreen | None = getattr(self.app, "chat_screen", None)
        return screen if screen is not None and screen.ready else None

    def _commands(self, screen: ChatScreen) -> list[tuple[str, str, Callable[[], object]]]:
        return [
            ("Switch user…", "chat as someone else (or type: user NAME)",
             partial(self._ask, screen, "user")),
            ("Undo last preference", "take back the last stated preference or rule",
             partial(change_preferences, screen, "undo")),
            ("Reset preferences", "forget every stated preference and rule",
             partial(change_preferences, screen, "reset")),
            ("Change catalog…", "recommend from another catalog (or type: catalog NAME)",
             partial(self._ask, screen, "catalog")),
            ("Toggle diversity", "vary the list more, or rank purely by score",
             partial(toggle_diversity, screen)),
            ("New conversation", "start a fresh thread; your taste is kept",
             screen.new_conversation),
            ("Import history…", "your Letterboxd export or IMDb ratings.csv: start from what you rated",
             partial(ask_import, screen)),
        ]

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


def start(screen: ChatScreen, group: str, work: Callable[[], None]) -> None:
    screen.run_worker(work, thread=True, group=group, exit_on_error=False)


def change_preferences(screen: ChatScreen, what: str) -> None:
    """`what` is "undo" or "reset"; taken under the screen's write lock, like any feedback."""
    start(screen, "preferences", partial(_change_preferences, screen, what))


def _change_preferences(screen: ChatScreen, what: str) -> None:
    svc, user = screen.chat.service, screen.chat.user_id
    try:
        with screen.feedback_lock:
            if what == "undo":
                undone = svc.undo_preference(user)
                note = f"Undid: {undone}" if undone else "No stated preference to undo."
            else:
                note = f"Reset {svc.reset_preferences(user)} stated preference(s)."
            taste = svc.taste(user)
    except Exception as exc:
        screen.post(ActionFailed(f"Could not {what} preferences", describe_error(exc)))
        return
    screen.post(TasteRefreshed(taste, note))


def switch_session(screen: ChatScreen, *, user_id: str | None = None,
                   catalog: str | None = None) -> None:
    """Switch user or catalog (runs in a worker; refused while a turn runs)."""
    chat = screen.chat
    try:
        if user_id is not None:
            chat.switch_user(user_id)
            note = f"Now chatting as **{user_id}**."
        else:
            chat.switch_catalog(catalog or "")
            note = f"Now recommending from the **{catalog}** catalog."
        taste = chat.service.taste(chat.user_id)
    except Exception as exc:
        screen.post(ActionFailed("Could not switch", describe_error(exc)))
        return
    screen.post(SessionChanged(note, taste))


def switch(screen: ChatScreen, kind: str, value: str) -> None:
    if screen.busy:
        screen.notify("Wait for the current answer before switching.", severity="warning")
    elif kind == "user":
        start(screen, "session", partial(switch_session, screen, user_id=value))
    else:
        start(screen, "session", partial(switch_session, screen, catalog=value))


def toggle_diversity(screen: ChatScreen) -> None:
    """Flip between pure score ranking (0) and the diversity the session started with.

    The engine copies the setting when it is built, so its copy changes too.
    """
    app: TastebudApp = screen.app  # type: ignore[assignment]
    settings = screen.settings
    if settings.diversity is None or settings.diversity > 0:  # None: the catalog's trained value
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
