"""The TUI driven as a person would, through Textual's Pilot: type, press keys, read widgets."""

from __future__ import annotations

import threading
import time

import pytest
from textual import events
from textual.command import CommandInput, CommandList
from textual.pilot import Pilot

from memory.settings import Settings
from tests.tui_fakes import FakeChatService, FakeTastebud
from tui.app import TastebudApp
from tui.screens.chat_screen import ChatScreen
from tui.screens.details_screen import DetailsScreen
from tui.screens.explanation_screen import ExplanationScreen
from tui.screens.rating_screen import RatingScreen
from tui.screens.startup_screen import StartupScreen
from tui.widgets.cards_panel import CardsPanel
from tui.widgets.chat_log import ChatLog
from tui.widgets.prompt_input import PromptInput
from tui.widgets.taste_panel import TastePanel
from tui.widgets.thinking_indicator import ThinkingIndicator

SIZE = (100, 30)
pytestmark = pytest.mark.asyncio


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the loop handle what they posted (handlers may post again)."""
    app = pilot.app
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def ask(pilot: Pilot[None], text: str, *, type_it: bool = False) -> None:
    """Send a chat message; typed key by key only when the typing itself is under test."""
    prompt = pilot.app.screen.query_one(PromptInput)
    prompt.focus()
    if type_it:
        await pilot.press(*text)
    else:
        prompt.insert(text)
    await pilot.press("enter")
    await settle(pilot)


async def palette(pilot: Pilot[None], query: str) -> None:
    """ctrl+p, the query, then enter on the first hit once the palette has listed it."""
    await pilot.press("ctrl+p")
    pilot.app.screen.query_one(CommandInput).value = query
    for _ in range(50):
        await pilot.pause(0.02)
        if pilot.app.screen.query_one(CommandList).option_count:
            break
    await pilot.press("down", "enter")
    await settle(pilot)


def build(settings: Settings, chat: FakeChatService | None = None, startup=None) -> TastebudApp:  # type: ignore[no-untyped-def]
    return TastebudApp(settings=settings, chat=chat or FakeChatService(), startup=startup)


async def test_a_request_shows_cards_and_the_reply(settings: Settings) -> None:
    app = build(settings)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny", type_it=True)
        cards = app.screen.query_one(CardsPanel).cards
        assert [c.ranked.item.genres for c in cards] == [("Comedy",)] * 4
        roles = [m.role for m in app.screen.query_one(ChatLog).messages]
        assert roles[-2:] == ["user", "assistant"]
        assert "4 picks" in app.screen.query_one(ChatLog).messages[-1].streamed
        assert not app.screen.query_one(ThinkingIndicator).active


async def test_like_on_a_card_stores_an_event_and_moves_the_weights(settings: Settings) -> None:
    chat = FakeChatService()
    app = build(settings, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny")
        panel = app.screen.query_one(TastePanel)
        before = dict(panel.taste.weights)
        await pilot.press("tab", "down", "l")
        await settle(pilot)
        assert chat.service.events == [("tester", "comedy-1", "like", None)]
        assert panel.taste.weights != before
        assert panel.deltas["collaborative"] > 0
        assert app.screen.query_one(CardsPanel).cards[1].mark == "♥ liked"


async def test_w_opens_the_explanation_with_its_numbers(settings: Settings) -> None:
    app = build(settings)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "space robots")
        await pilot.press("tab", "w")
        await settle(pilot)
        assert isinstance(app.screen, ExplanationScreen)
        assert app.screen.query_one("#explanation-numbers")
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


@pytest.mark.parametrize("text", ["please fail", "crash now"])
async def test_a_failed_turn_notifies_and_restores_the_input(settings: Settings, text: str) -> None:
    app = build(settings)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, text)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and errors[-1].title == "That turn failed"
        assert app.screen.query_one(PromptInput).text == text
        assert [m.role for m in app.screen.query_one(ChatLog).messages] == ["note"]
        app.screen.query_one(PromptInput).clear()
        await ask(pilot, "something funny")  # and the app still works
        assert app.screen.query_one(CardsPanel).cards


async def test_keys_work_and_thinking_shows_while_a_turn_runs(settings: Settings) -> None:
    chat = FakeChatService()
    app = build(settings, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny")
        chat.gate = threading.Event()
        app.screen.query_one(PromptInput).insert("more")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(ThinkingIndicator).active
        await pilot.press("tab", "d")
        for _ in range(50):
            await pilot.pause(0.02)
            if chat.service.events:
                break
        assert chat.service.events == [("tester", "comedy-0", "dislike", None)]
        chat.gate.set()
        await settle(pilot)
        assert not app.screen.query_one(ThinkingIndicator).active


async def test_rate_prompt_and_details_write_feedback(settings: Settings) -> None:
    chat = FakeChatService()
    app = build(settings, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "westerns")
        await pilot.press("tab", "r")
        assert isinstance(app.screen, RatingScreen)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        assert [e[2:] for e in chat.service.events] == [("rate", 4.0), ("details", None)]
        assert app.screen.item.id == "western-0"


async def test_prompt_history_and_multiline_paste(settings: Settings) -> None:
    app = build(settings)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "first")
        await ask(pilot, "second")
        prompt = app.screen.query_one(PromptInput)
        await pilot.press("up")
        assert prompt.text == "second"
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("down", "down")
        assert prompt.text == ""
        app.post_message(events.Paste("Alien\nHeat\nCats"))  # as a terminal delivers it
        await pilot.pause()
        assert prompt.text == "Alien\nHeat\nCats"


async def test_startup_runs_in_a_worker_then_lands_in_the_chat(settings: Settings) -> None:
    calls: list[tuple[object, ...]] = []

    def startup(progress) -> None:  # type: ignore[no-untyped-def]
        for done in range(1, 4):
            progress(done, 3)
            calls.append((done, 3))
        progress("Training", 0, 0)

    app = build(settings, startup=startup)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert calls == [(1, 3), (2, 3), (3, 3)]
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.query_one(PromptInput).has_focus


async def test_a_failed_startup_says_why_and_can_go_on(settings: Settings) -> None:
    def startup(progress) -> None:  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    app = build(settings, startup=startup)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StartupScreen)
        assert "disk full" in str(app.screen.query_one("#startup-error").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)


async def test_quitting_waits_for_a_pressed_like(settings: Settings) -> None:
    class SlowTastebud(FakeTastebud):
        def feedback(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            time.sleep(0.3)
            return super().feedback(*args, **kwargs)

    chat = FakeChatService(SlowTastebud())
    app = build(settings, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny")
        await pilot.press("tab", "l", "ctrl+q")
        await pilot.pause()
    assert [e[2] for e in chat.service.events] == ["like"]


async def test_palette_commands_switch_user_and_undo(settings: Settings) -> None:
    chat = FakeChatService()
    app = build(settings, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny")
        await palette(pilot, "user alice")
        assert chat.user_id == "alice"
        assert "user alice" in app.screen.sub_title
        assert not app.screen.query_one(CardsPanel).cards
        await palette(pilot, "undo last")
        assert chat.service.rules == []
        assert app.screen.query_one(TastePanel).taste.hard_rules == []


async def test_palette_toggles_diversity_both_ways(settings: Settings) -> None:
    app = build(settings)
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "toggle diversity")
        assert settings.diversity == 0.0
        await palette(pilot, "toggle diversity")
        assert settings.diversity == 0.3
