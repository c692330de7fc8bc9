"""The palette's "Import history…": a path prompt, a worker, then the taste panel shows the import."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.scripted import ScriptedModel
from memory.settings import Settings
from tests.history_helpers import IMDB, LETTERBOXD, history_memory
from tests.tui_fakes import palette, settle
from tools.service import Tastebud
from tui.app import TastebudApp
from tui.screens.text_prompt_screen import TextPromptScreen
from tui.widgets.taste_panel import TastePanel

pytestmark = pytest.mark.asyncio


def _app(settings: Settings, tmp_path: Path) -> TastebudApp:
    from agent.session import build_chat_service

    settings.catalog = "test-world"
    svc = Tastebud(history_memory(settings.data_dir))
    chat = build_chat_service(settings, svc, ScriptedModel(default_reply="ok"))
    return TastebudApp(settings=settings, chat=chat)


async def _import(pilot, path: Path) -> None:  # type: ignore[no-untyped-def]
    await palette(pilot, "import history")
    assert isinstance(pilot.app.screen, TextPromptScreen)
    pilot.app.screen.query_one("#text-prompt-input").value = str(path)
    await pilot.press("enter")
    await settle(pilot)


async def test_importing_from_the_palette_fills_the_taste_panel(settings: Settings,
                                                                tmp_path: Path) -> None:
    app = _app(settings, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(TastePanel).taste.n_events == 0
        await _import(pilot, LETTERBOXD)
        taste = app.screen.query_one(TastePanel).taste
        assert taste.n_events == 93 and taste.top_positive
        assert "93 feedback events (93 imported)" in str(app.screen.query_one(TastePanel).render())
        notes = [n.message for n in app._notifications]
        assert any("162 matched, 2 ambiguous, 20 unmatched" in n for n in notes)
        await _import(pilot, IMDB)  # a CSV with IMDb's columns is told apart from Letterboxd's
        assert app.screen.query_one(TastePanel).taste.n_events == 127


async def test_a_refused_file_is_a_notification_and_nothing_changes(settings: Settings,
                                                                    tmp_path: Path) -> None:
    app = _app(settings, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _import(pilot, tmp_path / "nowhere.zip")
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "nowhere.zip: no such file" in errors[-1].message
        assert app.screen.query_one(TastePanel).taste.n_events == 0
        assert app.is_running
