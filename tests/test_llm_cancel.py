"""Issue 11, D5 and the turn budget: a hung server never holds the user or the process.

Cancelling (Esc or ctrl+c in the TUI, Ctrl-C in `chat --plain`, quitting) cuts the
in-flight HTTP request by shutting its socket, and no tool runs afterwards. The
hanging stub would hold each request for 60 s and the request timeout is 60 s, so
every bound below (a few seconds) can only be met by a real cancel; the actual
latency is measured by bench/cancel_latency.py, not asserted here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from agent.openai_backend import build_openai_model
from agent.session import build_chat_service
from memory.settings import Settings
from tests.llm_helpers import llm_settings, prepared_service
from tests.stub_openai import Auto, Hang, Reply, StubOpenAI
from tools.service import Tastebud

HANG = 60.0


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Tastebud:
    return prepared_service(tmp_path_factory.mktemp("cancel"))


def in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    worker.start()
    return worker, out


def test_cancel_cuts_a_hanging_request_and_the_chat_goes_on(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto(), strict=True) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, request_timeout=HANG), svc)
        stub.enqueue(Hang(HANG))
        worker, out = in_thread(lambda: chat.turn("something funny"))
        assert stub.hung.wait(20)
        assert chat.cancel()
        worker.join(15)  # it returns in well under 1 s (bench.llm_servers_bench); 15 s is load slack
        assert not worker.is_alive(), "the cancel did not cut the request"
        result = out[0]
        assert result.cancelled and result.error == "Cancelled; nothing more was run."
        assert result.tool_calls == [] and result.recommendations == []
        assert len(stub.requests) == 1  # no retry after a cancel
        assert chat.turn("something funny").recommendations and stub.rejected == []


def test_the_turn_budget_stops_a_hang(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto()) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, request_timeout=HANG, turn_timeout=1,
                                               max_retries=3), svc)
        stub.enqueue(Hang(HANG))
        worker, out = in_thread(lambda: chat.turn("hi"))
        worker.join(15)
        assert not worker.is_alive()
        assert out[0].error and "TASTEBUD_TURN_TIMEOUT" in out[0].error and not out[0].cancelled


def test_defaults_bound_a_hung_server() -> None:
    s = Settings()
    assert (s.connect_timeout, s.request_timeout, s.turn_timeout) == (5.0, 30.0, 90.0)


# ---- the TUI ---------------------------------------------------------------------------------
def _tui_chat(tmp_path: Path, url: str) -> Any:
    from tests.tui_fakes import real_chat

    settings = llm_settings(tmp_path / "data", url, request_timeout=HANG, catalog="tiny")
    return settings, real_chat(settings, build_openai_model(settings))


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["escape", "ctrl+c"])
async def test_pilot_esc_or_ctrl_c_cancels_a_hanging_turn(tmp_path: Path, key: str) -> None:
    from tests.tui_fakes import ask, settle
    from tui.app import TastebudApp
    from tui.widgets.chat_log import ChatLog
    from tui.widgets.prompt_input import PromptInput

    with StubOpenAI(Auto(), strict=True) as stub:
        settings, chat = _tui_chat(tmp_path, stub.url)
        stub.enqueue(Hang(HANG))
        app = TastebudApp(settings=settings, chat=chat)
        async with app.run_test(size=(100, 30)) as pilot:
            app.screen.query_one(PromptInput).insert("something funny")
            await pilot.press("enter")
            assert stub.hung.wait(20)
            await pilot.press(key)
            await settle(pilot)
            log = app.screen.query_one(ChatLog).messages
            assert [m.role for m in log][-2:] == ["user", "note"] and "Cancelled" in log[-1].source
            app.screen.query_one(PromptInput).clear()
            await ask(pilot, "something funny")  # the conversation goes on
            assert "Here is what I found" in app.screen.query_one(ChatLog).messages[-1].source
        assert stub.rejected == []


@pytest.mark.asyncio
async def test_pilot_quit_during_a_hang_stops_the_turn(tmp_path: Path) -> None:
    from tui.app import TastebudApp
    from tui.widgets.prompt_input import PromptInput

    with StubOpenAI(Auto()) as stub:
        settings, chat = _tui_chat(tmp_path, stub.url)
        stub.enqueue(Reply(text="Let me look.", tool_calls=[("show_profile", {})]), Hang(HANG))
        app = TastebudApp(settings=settings, chat=chat)
        async with app.run_test(size=(100, 30)) as pilot:
            app.screen.query_one(PromptInput).insert("what do you know about me?")
            await pilot.press("enter")
            assert stub.hung.wait(20)
            assert chat.running
            await pilot.press("ctrl+q")
        for _ in range(150):  # the turn's thread returns promptly once its socket is shut
            if not chat.running:
                break
            time.sleep(0.1)
        assert not chat.running, "the turn was still running 15 s after quitting"
        assert len(stub.requests) == 2  # nothing was asked after the quit


# ---- chat --plain in a real process ----------------------------------------------------------
def test_ctrl_c_in_plain_chat_cancels_the_turn_not_the_session(tmp_path: Path, _isolated_environment: Path) -> None:
    from tests.test_cli import _catalog
    from tui.cli import main

    assert main(["ingest", str(_catalog(tmp_path)), "--no-train"]) == 0
    with StubOpenAI(Reply(text="Hello again.")) as stub:
        stub.enqueue(Hang(HANG))
        env = dict(os.environ, TASTEBUD_CHAT_BACKEND="openai", TASTEBUD_OPENAI_BASE_URL=stub.url,
                   TASTEBUD_REQUEST_TIMEOUT=str(HANG), TASTEBUD_MAX_RETRIES="0")
        proc = subprocess.Popen([sys.executable, "-m", "tui.cli", "chat", "--plain"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                cwd=Path(__file__).parents[1])
        try:
            assert proc.stdin is not None
            proc.stdin.write("hi\n")
            proc.stdin.flush()
            assert stub.hung.wait(60), "the chat never reached the model server"
            proc.send_signal(signal.SIGINT)
            proc.stdin.write("hello\nquit\n")
            proc.stdin.flush()
            out, err = proc.communicate(timeout=20)
        finally:
            proc.kill()
    assert proc.returncode == 0, (out, err)
    assert "[cancelled] Cancelled" in out and "Hello again." in out and "Traceback" not in err


@pytest.mark.asyncio
async def test_pilot_a_model_without_tools_still_recommends_and_says_why(tmp_path: Path) -> None:
    from tests.tui_fakes import ask
    from tui.app import TastebudApp
    from tui.widgets.cards_panel import CardsPanel
    from tui.widgets.chat_log import ChatLog

    with StubOpenAI(Auto(), refuse_tools="ollama", strict=True) as stub:
        settings, chat = _tui_chat(tmp_path, stub.url)
        app = TastebudApp(settings=settings, chat=chat)
        async with app.run_test(size=(100, 30)) as pilot:
            await ask(pilot, "something funny")
            log = app.screen.query_one(ChatLog).messages
            assert any("has no tool calling" in m.source for m in log if m.role == "note")
            assert any("Here is what I found" in m.source for m in log if m.role == "assistant")
            assert app.screen.query_one(CardsPanel).cards
