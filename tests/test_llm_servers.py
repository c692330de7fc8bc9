"""Issue 11, D1-D4, D6, D7: the conversation survives what real servers do.

Every test talks to tests/stub_openai.py over HTTP on 127.0.0.1 through the real
ChatOpenAI client, with the agent, tools and checkpointer as in production.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from agent.session import build_chat_service
from tests.llm_helpers import llm_settings, prepared_service, roles
from tests.stub_openai import Auto, EmptyChoices, Garbage, Hang, Reply, Status, StubOpenAI
from tools.service import Tastebud

LOOP = Reply(tool_calls=[("show_profile", {})])


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Tastebud:
    return prepared_service(tmp_path_factory.mktemp("llm"))


@pytest.fixture
def strict() -> Any:
    with StubOpenAI(Auto(), strict=True) as server:
        yield server


# ---- D1: a failed turn leaves a valid history ------------------------------------------------
@pytest.mark.parametrize("failure", [Status(500), Hang(10)], ids=["http-500", "timeout"])
def test_d1_failed_turn_then_the_conversation_goes_on(svc: Tastebud, strict: StubOpenAI,
                                                      tmp_path: Path, failure: Any) -> None:
    chat = build_chat_service(llm_settings(tmp_path, strict.url, request_timeout=3.0), svc)
    assert chat.turn("something funny").error is None
    strict.enqueue(failure)
    bad = chat.turn("and something scary?")
    assert bad.error and "127.0.0.1" in bad.error
    for text in ("what about westerns?", "and musicals?"):
        good = chat.turn(text)
        assert good.error is None and good.reply.startswith("Here is what I found"), good
    assert strict.rejected == []
    history = roles(chat.messages())
    assert "user" not in [a for a, b in pairwise(history) if a == b]
    closing = [m for m in chat.messages() if isinstance(m, AIMessage) and "No answer" in m.text]
    assert len(closing) == 1


# ---- D2: a stopped tool loop is closed with tool results --------------------------------------
def test_d2_stopped_tool_loop_leaves_no_orphan_tool_call(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto(), strict=True) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url), svc)
        stub.enqueue(*[LOOP] * 40)
        bad = chat.turn("tell me my profile, forever")
        assert bad.error and "kept calling tools" in bad.error
        stub.script.clear()
        assert chat.turn("ok, something funny then").error is None
        assert stub.rejected == []


def test_d2_cancel_between_call_and_tool_closes_the_call(svc: Tastebud, tmp_path: Path) -> None:
    """The user cancels as the model's first words arrive: the tool it asked for never runs."""
    with StubOpenAI(Auto(), strict=True) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, user="cancel_user"), svc)
        stub.enqueue(Reply(text="Let me look that up.", tool_calls=[("give_feedback",
                                                                      {"title_or_ref": "Heat", "signal": "love"})]))
        events = len(svc.memory.store.feedback_events("cancel_user"))
        result = chat.turn("I loved Heat", on_token=lambda token: chat.cancel())
        assert result.cancelled and result.error and "Cancelled" in result.error
        assert len(svc.memory.store.feedback_events("cancel_user")) == events  # no tool ran
        # Whether the tool call reached the history depends on how much of the stream was read
        # before the cancel cut the socket; either way, no call may be left without a result.
        history = chat.messages()
        asked = {c["id"] for m in history if isinstance(m, AIMessage) for c in m.tool_calls}
        results = [m for m in history if isinstance(m, ToolMessage)]
        assert asked == {m.tool_call_id for m in results}
        assert all("Stopped before this tool ran" in m.text for m in results)
        assert chat.turn("something funny").error is None and stub.rejected == []


# ---- D3: models without tool calling ---------------------------------------------------------
@pytest.mark.parametrize("server", ["ollama", "vllm"])
def test_d3_server_refusing_tools_falls_back_to_planned_calls(svc: Tastebud, tmp_path: Path,
                                                             server: str) -> None:
    with StubOpenAI(Auto(), refuse_tools=server, strict=True) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url), svc)
        hi = chat.turn("hi")
        assert hi.error is None and hi.reply and hi.notices and "TASTEBUD_TOOL_CALLING" in hi.notices[0]
        recs = chat.turn("something like Alien but funnier")
        assert recs.error is None and recs.tool_calls[0]["name"] == "recommend"
        assert recs.recommendations and recs.recommendations[0].item.title in recs.reply
        assert len(stub.rejected) == 1 and all("tools" not in r.body for r in stub.requests[1:])
        last = stub.requests[-1].body["messages"]
        assert [m["role"] for m in last[1:]] == ["user", "assistant", "user"]
        assert "Results of the tools" in last[0]["content"]


def test_d3_tool_calling_none_never_sends_tools(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto(), refuse_tools="ollama") as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, tool_calling="none"), svc)
        result = chat.turn("80s horror without gore")
        assert result.error is None and result.recommendations and not result.notices
        assert stub.rejected == [] and all("tools" not in r.body for r in stub.requests)


def test_d3_native_mode_says_what_to_set_without_claiming_retries(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto(), refuse_tools="ollama") as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, tool_calling="native", max_retries=3), svc)
        err = chat.turn("hi").error
        assert err and "TASTEBUD_TOOL_CALLING=none" in err and "etried" not in err
        assert len(stub.requests) == 1


def test_d3_llamacpp_tools_with_stream_falls_back_to_no_streaming(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto(), refuse_tools="llamacpp") as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url), svc)
        result = chat.turn("something like Alien but funnier")
        assert result.error is None and result.recommendations and "TASTEBUD_STREAM" in result.notices[0]
        later = stub.requests[1:]
        assert later and all(not r.body.get("stream") and r.body.get("tools") for r in later)


def test_d3_stream_false_setting(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto()) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, stream=False), svc)
        assert chat.turn("a western").recommendations
        assert all(not r.body.get("stream") for r in stub.requests)


def test_vllm_style_stream_with_tool_calls(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto(), style="vllm", strict=True) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url), svc)
        result = chat.turn("a thriller from the 90s")
        assert result.error is None and result.tool_calls[0]["name"] == "recommend" and result.recommendations


# ---- D4: never silent ------------------------------------------------------------------------
def test_d4_arguments_that_are_not_json_go_back_to_the_model(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto(), strict=True) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url), svc)
        stub.enqueue(Reply(tool_calls=[("recommend", {})], raw_args="{'query': 'funny', 'k': 3}"),
                     Reply(tool_calls=[("recommend", {"query": "funny", "k": 3})]))
        result = chat.turn("something funny")
        assert result.error is None and result.recommendations and result.reply
        told = [m for m in stub.requests[1].body["messages"] if m["role"] == "tool"]
        assert told and "not valid JSON" in told[0]["content"] and stub.rejected == []


def test_d4_bad_arguments_are_corrected_at_most_twice(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto()) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url), svc)
        stub.enqueue(*[Reply(tool_calls=[("recommend", {})], raw_args="{query: funny}")] * 5)
        result = chat.turn("something funny")
        assert result.error and "not JSON" in result.error and len(stub.requests) == 3


@pytest.mark.parametrize("item", [EmptyChoices(), Garbage(), Reply(text="")], ids=["empty-choices", "html", "blank"])
@pytest.mark.parametrize("stream", [True, False])
def test_d4_unreadable_answer_is_retried_once(svc: Tastebud, tmp_path: Path, item: Any, stream: bool) -> None:
    with StubOpenAI(Reply(text="Hello there.")) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, stream=stream), svc)
        stub.enqueue(item)
        assert chat.turn("hi").error is None and len(stub.requests) == 2
        stub.enqueue(item, item)
        err = chat.turn("hi again").error
        assert err and stub.url.split("//")[1].split("/")[0] in err and "sk-" not in err


# ---- D6: honest errors -----------------------------------------------------------------------
def test_d6_retried_only_when_it_did(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto()) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, max_retries=2), svc)
        stub.enqueue(Status(503), Status(503), Status(503))
        err = chat.turn("hi").error
        assert err and "Retried 2 times" in err and len(stub.requests) == 3
        stub.enqueue(Status(400, message="bad request"))
        err = chat.turn("hi").error
        assert err and "400" in err and "etried" not in err


def test_d6_mid_stream_stall_is_a_timeout_not_retries(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto()) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, request_timeout=0.5), svc)
        stub.enqueue(Hang(10, after=Reply(text="Here are some films")))
        err = chat.turn("hi").error
        assert err and "0.5s" in err and "etried" not in err


def test_d6_ask_json_reports_the_error_with_a_nonzero_exit(svc: Tastebud, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from tui import cli, factory

    with StubOpenAI(Auto()) as stub:
        stub.enqueue(Garbage(), Garbage())
        for name, value in (("CHAT_BACKEND", "openai"), ("OPENAI_BASE_URL", stub.url),
                            ("MAX_RETRIES", "0"), ("OPENAI_API_KEY", "sk-never-printed-0123456789")):
            monkeypatch.setenv(f"TASTEBUD_{name}", value)
        monkeypatch.setattr(factory, "build_tastebud", lambda settings, **kw: svc)
        code = cli.main(["ask", "--json", "hi"])
    out = capsys.readouterr().out
    assert code == 1 and "127.0.0.1" in json.loads(out)["error"] and "sk-never" not in out


# ---- D7: details -----------------------------------------------------------------------------
def test_d7_think_blocks_are_stripped_and_messages_get_a_line_break(svc: Tastebud, tmp_path: Path) -> None:
    with StubOpenAI(Auto()) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url), svc)
        stub.enqueue(Reply(text="<think>The user wants comedy. Call recommend.</think> Let me look for you.",
                           tool_calls=[("recommend", {"query": "funny", "k": 3})]),
                     Reply(text="<think>three results</think>Here are three funny films."))
        tokens: list[str] = []
        result = chat.turn("something funny", on_token=tokens.append)
        assert result.reply == "Let me look for you.\n\nHere are three funny films."
        assert "".join(tokens) == result.reply
        assert not any("think" in m.text for m in chat.messages() if isinstance(m, AIMessage))


def test_d7_prompt_stays_in_the_token_budget(svc: Tastebud, tmp_path: Path) -> None:
    from agent.budget import estimate_tokens

    with StubOpenAI(Auto(k=8)) as stub:
        chat = build_chat_service(llm_settings(tmp_path, stub.url, prompt_tokens=3000), svc)
        for text in ("something like Alien but funnier", "why the first?", "80s horror without gore",
                     "tell me about #2", "a western with Clint Eastwood", "more like the first"):
            assert chat.turn(text).error is None
        sizes = [sum(4 + estimate_tokens(m["content"] or "") + estimate_tokens(json.dumps(m.get("tool_calls", "")))
                     for m in r.body["messages"]) + estimate_tokens(json.dumps(r.body["tools"]))
                 for r in stub.requests]
        assert max(sizes) <= 3000, sizes
        short = [r for r in stub.requests if "parameters" in r.body["tools"][0]["function"]
                 and "description" not in json.dumps(r.body["tools"][0]["function"]["parameters"])]
        assert short  # the tool schemas were compacted to fit
        assert len(chat.messages()) > 20  # the stored conversation is whole


def test_readme_documents_the_llm_settings() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for name in ("CONNECT_TIMEOUT", "REQUEST_TIMEOUT", "TURN_TIMEOUT", "MAX_RETRIES", "STREAM",
                 "TOOL_CALLING", "PROMPT_TOKENS", "HISTORY_MESSAGES"):
        assert f"`TASTEBUD_{name}`" in readme, name
    for server in ("Ollama", "llama.cpp server", "vLLM", "OpenAI"):
        assert f"| {server} |" in readme, server


@pytest.mark.parametrize("pieces", [
    ["<think>plan", " it</think>", "Hello", " there."],
    ["<thi", "nk>x</th", "ink>Hello there."],
    ["Hello <", "think>hidden</think>", "there."],
])
def test_reply_stream_hides_think_blocks_split_anywhere(pieces: list[str]) -> None:
    from agent.text_clean import ReplyStream, strip_think

    stream = ReplyStream()
    shown = "".join(stream.feed(p, "m1") for p in pieces)
    assert "think" not in shown and "hidden" not in shown and shown.replace("  ", " ") == "Hello there."
    assert strip_think("".join(pieces)).replace("  ", " ") == "Hello there."
    assert stream.feed("Next.", "m2") == "\n\nNext."  # a new message of the turn starts a paragraph
    assert strip_think("reasoning without an opening tag</think> Answer") == "Answer"
