"""SVG snapshots of the main screen, the explanation and the help, at 100×30.

They run on the fakes in tests/tui_fakes.py, so a change to ranking or learning
elsewhere never moves a pixel here: these pin the UI's layout and wording only.
Clocks and blinking are kept out of the frame (no header clock, cursor blink off,
notifications cleared), which is what makes them byte-for-byte repeatable.
Regenerate after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, Iterator

import pytest
from textual.pilot import Pilot

from memory.settings import Settings
from tests.tui_fakes import FakeChatService, settle
from tui.app import TastebudApp
from tui.widgets.prompt_input import PromptInput

SIZE = (100, 30)
Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def _unfreeze_heap() -> Iterator[None]:
    """The App gc.freeze()s once connected; give the test's objects back to the collector."""
    yield
    gc.unfreeze()


def app_for(settings: Settings) -> TastebudApp:
    return TastebudApp(settings=settings, chat=FakeChatService())


def after(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Ask for funny films, like the second card, then press `keys`, with the frame held still."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        prompt = pilot.app.screen.query_one(PromptInput)
        prompt.cursor_blink = False
        prompt.insert("something funny")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab", "down", "l")
        await settle(pilot)
        pilot.app.clear_notifications()  # before any modal, which would freeze the toast beneath it
        await pilot.pause()
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def test_main_screen(snap_compare: Snap, settings: Settings) -> None:
    assert snap_compare(app_for(settings), terminal_size=SIZE, run_before=after())


def test_explanation(snap_compare: Snap, settings: Settings) -> None:
    assert snap_compare(app_for(settings), terminal_size=SIZE, run_before=after("up", "w"))


def test_help_screen(snap_compare: Snap, settings: Settings) -> None:
    assert snap_compare(app_for(settings), terminal_size=SIZE, run_before=after("f1"))
