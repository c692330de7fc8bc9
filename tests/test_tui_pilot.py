"""The TUI driven as a person would, through Textual's Pilot: type, press keys, read widgets.

The first four tests are the issue's, on the real ChatService and facade with a
ScriptedModel; the rest use the fakes where a test must hold a turn open, fail
a startup or slow a write down on purpose.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator

import httpx
import openai
import pytest
from textual import events

from agent.scripted import ScriptedModel
from memory.settings import Settings
from tests.tui_fakes import (
    FakeChatService,
    FakeTastebud,
    FeedbackResult,
    ask,
    palette,
    real_chat,
    recommend_replies,
    recommending,
    settle,
)
from tui.app import TastebudApp
from tui.screens.chat_screen import ChatScreen
from tui.screens.details_screen import DetailsScreen
from tui.screens.explanation_screen import ExplanationScreen, breakdown_dict
from tui.screens.rating_screen import RatingScreen
from tui.screens.startup_screen import StartupScreen
from tui.widgets.cards_panel import CardsPanel
from tui.widgets.chat_log import ChatLog
from tui.widgets.prompt_input import PromptInput
from tui.widgets.state_chips import StateChips
from tui.widgets.taste_panel import TastePanel
from tui.widgets.thinking_indicator import ThinkingIndicator

SIZE = (100, 30)
pytestmark = pytest.mark.asyncio


def build(settings: Settings, chat: object | None = None, startup=None) -> TastebudApp:  # type: ignore[no-untyped-def]
    return TastebudApp(settings=settings, chat=chat or FakeChatService(), startup=startup)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _unfreeze_heap() -> Iterator[None]:
    """The App gc.freeze()s once connected; give the test's objects back to the collector."""
    yield
    gc.unfreeze()


@pytest.fixture
def tiny(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(data_dir=tmp_path / "data", user="tester", catalog="tiny")


async def test_a_request_shows_cards_and_the_reply(tiny: Settings) -> None:
    chat = real_chat(tiny, recommending())
    app = build(tiny, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny", type_it=True)
        cards = app.screen.query_one(CardsPanel).cards
        assert len(cards) == 4 and all("Comedy" in c.ranked.item.genres for c in cards)
        log = app.screen.query_one(ChatLog)
        assert [m.role for m in log.messages][-2:] == ["user", "assistant"]
        assert log.messages[-1].streamed == "Here are some comedies."  # streamed token by token
        assert not app.screen.query_one(ThinkingIndicator).active
        assert "catalog tiny" in app.screen.sub_title


async def test_like_on_a_card_stores_an_event_and_moves_the_weights(tiny: Settings) -> None:
    chat = real_chat(tiny, recommending())
    app = build(tiny, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny")
        panel = app.screen.query_one(TastePanel)
        weights, drawn = dict(panel.taste.weights), str(panel.render())
        await pilot.press("tab", "l", "down", "l")
        await settle(pilot)
        events_ = chat.service.memory.store.feedback_events("tester")
        liked = [c.ranked.item.id for c in app.screen.query_one(CardsPanel).cards[:2]]
        assert [(e.item_id, e.signal) for e in events_] == [(i, "like") for i in liked]
        assert panel.taste.n_events == 2 and panel.taste.weights != weights
        assert str(panel.render()) != drawn and "Comedy" in str(panel.render())


async def test_request_chips_show_the_state_and_f6_delete_drops_one(tiny: Settings) -> None:
    chat = real_chat(tiny, recommending())
    app = build(tiny, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny")
        chips = app.screen.query_one(StateChips)
        assert chips.display and [c[2] for c in chips.state.chips()] == ["Comedy", "funny", "4 films"]
        await pilot.press("f6", "delete")
        await settle(pilot)
        assert [c[2] for c in chips.state.chips()] == ["funny", "4 films"]
        assert chat.dialogue_state().genres == [] and chat.dialogue_state().keywords == ["funny"]
        await pilot.press("escape", "tab")  # the chips leave the tab order again: tab reaches cards
        assert app.screen.query_one(CardsPanel).has_focus_within


async def test_w_opens_the_explanation_with_its_numbers(tiny: Settings) -> None:
    app = build(tiny, real_chat(tiny, recommending()))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny")
        await pilot.press("tab", "w")
        await settle(pilot)
        assert isinstance(app.screen, ExplanationScreen)
        shown = breakdown_dict(app.screen.explanation, app.screen.ranked)
        assert shown is not None and "content" in [c["name"] for c in shown["components"]]
        parts = sum(c["contribution"] for c in shown["components"])
        assert shown["total"] == pytest.approx(
            parts + sum(a["value"] for a in shown["adjustments"])
        )
        assert "Your request 'funny' matches" in str(
            app.screen.query_one("#explanation-text").render()
        )
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


MODEL_DOWN = openai.APIConnectionError(request=httpx.Request("POST", "http://model.invalid"))


@pytest.mark.parametrize(
    "failure", [MODEL_DOWN, RuntimeError("tool blew up")], ids=["error", "raise"]
)
async def test_a_failed_turn_notifies_and_restores_the_input(
    tiny: Settings, failure: Exception
) -> None:
    chat = real_chat(tiny, ScriptedModel().enqueue(failure))
    app = build(tiny, chat)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "something funny")
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and errors[-1].title == "That turn failed"
        assert app.screen.query_one(PromptInput).text == "something funny"
        log = app.screen.query_one(ChatLog).messages
        assert [m.role for m in log] == ["note", "user", "error"]  # the error stays in the log
        chat.model.enqueue(*recommend_replies())  # the model is back: the same text now works
        app.screen.query_one(PromptInput).clear()
        await ask(pilot, "something funny")
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


async def test_the_prompt_takes_a_message_while_the_service_is_still_being_built(
    settings: Settings,
) -> None:
    built = threading.Event()

    def startup(progress) -> FakeChatService:  # type: ignore[no-untyped-def]
        built.wait(10)  # the CLI's heavy imports and service build happen here
        return FakeChatService()

    app = TastebudApp(settings=settings, chat=None, startup=startup)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChatScreen) and not screen.ready
        assert screen.query_one(PromptInput).has_focus and "starting" in screen.sub_title
        screen.query_one(PromptInput).insert("something funny")
        await pilot.press("enter")
        assert screen.query_one(ThinkingIndicator).active and not screen.query_one(CardsPanel).cards
        built.set()
        await settle(pilot)
        assert screen.ready and "catalog test" in screen.sub_title
        assert len(screen.query_one(CardsPanel).cards) == 4


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


async def test_the_taste_panel_draws_a_feedback_result_before_the_full_reread(
    settings: Settings,
) -> None:
    app = build(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(TastePanel)
        after = {"collaborative": 0.5, "content": 0.3, "popularity": 0.2}
        moved = {"genre:Horror": (0.0, 0.3)}
        panel.apply_feedback(FeedbackResult(1, 0.8, dict(panel.taste.weights), after, moved))
        assert panel.taste.weights == after and panel.taste.n_events == 1
        assert panel.taste.top_positive[0] == ("genre:Horror", 0.3)
        assert panel.taste.weight_history["collaborative"][-1] == 0.5
        assert panel.deltas == {"collaborative": pytest.approx(0.1), "content": pytest.approx(-0.1)}
        assert "Horror +0.30" in str(panel.render())
