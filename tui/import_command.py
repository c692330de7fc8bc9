"""The palette's "Import history…": ask for a path, then import it in a worker with progress.

The import runs under the screen's write lock like any feedback, so keys pressed
meanwhile are stored after it, in order. Progress and the result come back as
messages (tui.messages: ImportProgressed, then TasteRefreshed with the summary, or
ActionFailed); the chat screen draws them. The site is told from the
path: a folder or ZIP is a Letterboxd export, a CSV with IMDb's columns is IMDb's.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tools.history_files import detect_site
from tui.messages import ActionFailed, ImportProgressed, TasteRefreshed, describe_error
from tui.screens.text_prompt_screen import TextPromptScreen

if TYPE_CHECKING:
    from tui.screens.chat_screen import ChatScreen

QUESTION = "Import which history? A Letterboxd export (the ZIP or its folder), or IMDb's ratings.csv"


def ask_import(screen: ChatScreen) -> None:
    def answered(value: str | None) -> None:
        if value:
            start_import(screen, value)

    screen.app.push_screen(TextPromptScreen(QUESTION, "~/Downloads/letterboxd-export.zip"), answered)


def start_import(screen: ChatScreen, raw_path: str) -> None:
    screen.run_worker(partial(run_import, screen, raw_path), thread=True, group="import",
                      exclusive=True, exit_on_error=False)


def run_import(screen: ChatScreen, raw_path: str) -> None:
    svc, user = screen.chat.service, screen.chat.user_id
    path = Path(raw_path.strip().strip("'\"")).expanduser()

    def progress(stage: str):  # type: ignore[no-untyped-def]
        return lambda done, total: screen.post(ImportProgressed(stage, done, total))

    try:
        site = detect_site(path)
        screen.post(ImportProgressed(f"reading {site} export", 0, 0))
        with screen.feedback_lock:
            report = svc.import_history(user, site, path, match_progress=progress("matching"),
                                        progress=progress("learning"))
            taste = svc.taste(user)
    except Exception as exc:  # a refused file or a store error: a notification, never a crash
        screen.post(ImportProgressed("", 0, 0))
        screen.post(ActionFailed("Could not import that history", describe_error(exc)))
        return
    screen.post(ImportProgressed("", 0, 0))
    screen.post(TasteRefreshed(taste, "History imported. " + report.summary().replace("\n", "; ")))
