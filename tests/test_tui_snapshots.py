"""SVG snapshots of the main screen, the explanation and the help at 100×30, and of a list
reply and a "why" reply in the chat log at 100×30 and 130×40.

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
SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((130, 40), id="130x40")]
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


def chatting(*steps: str | tuple[str, ...]) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Send each message (a string) or press each key sequence (a tuple), letting each settle,
    with the frame held still."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        prompt = pilot.app.screen.query_one(PromptInput)
        prompt.cursor_blink = False
        for step in steps:
            if isinstance(step, tuple):
                await pilot.press(*step)
            else:
                prompt.insert(step)
                await pilot.press("enter")
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_list_reply(snap_compare: Snap, settings: Settings, size: tuple[int, int]) -> None:
    """Intro, a blank line, the numbered list, a blank line, the closing sentence on its own."""
    assert snap_compare(app_for(settings), terminal_size=size,
                        run_before=chatting("something funny"))


@pytest.mark.parametrize("size", SIZES)
def test_why_reply(snap_compare: Snap, settings: Settings, size: tuple[int, int]) -> None:
    """A sentence, the breakdown table (one line per row), why the film sits where it does,
    and the liked film it is close to (the first card, liked before asking)."""
    steps = ("something funny", ("tab", "l", "escape"), "why #3")
    assert snap_compare(app_for(settings), terminal_size=size, run_before=chatting(*steps))


def test_main_screen(snap_compare: Snap, settings: Settings) -> None:
    assert snap_compare(app_for(settings), terminal_size=SIZE, run_before=after())


def test_explanation(snap_compare: Snap, settings: Settings) -> None:
    assert snap_compare(app_for(settings), terminal_size=SIZE, run_before=after("up", "w"))


def test_explanation_of_a_card_moved_for_variety(snap_compare: Snap, settings: Settings) -> None:
    """The third card is 4th by score: the modal says it moved up for variety."""
    assert snap_compare(app_for(settings), terminal_size=SIZE, run_before=after("down", "w"))


def test_help_screen(snap_compare: Snap, settings: Settings) -> None:
    assert snap_compare(app_for(settings), terminal_size=SIZE, run_before=after("f1"))
