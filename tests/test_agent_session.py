"""ChatService end to end: the issue's three turns, persistence, trimming, errors, the rule layer.

The offline model runs the real create_agent graph over the demo catalog; the
ScriptedModel stands in for an LLM where a test needs to dictate the model's
moves (a missed feedback call, a rate limit, a tool that fails).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, SystemMessage, ToolMessage

from agent.models import build_offline_model
from agent.scripted import ScriptedModel
from agent.session import ChatService, build_chat_service
from memory.bootstrap import open_memory
from memory.settings import Settings
from tests.fakes import WordHashEmbedder
from tools.explain import breakdown_rows
from tools.service import Tastebud


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Tastebud:
    settings = Settings(data_dir=tmp_path_factory.mktemp("svc"), user="tester")
    service = Tastebud(open_memory(settings, embedder=WordHashEmbedder()))
    service.prepare()
    return service


def settings_for(tmp_path: Path, user: str, **kw: object) -> Settings:
    return Settings(data_dir=tmp_path, user=user, **kw)  # type: ignore[arg-type]


def call(name: str, **args: object) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"c_{name}"}])


def test_issue_done_when_three_turns(svc: Tastebud, tmp_path: Path) -> None:
    chat = build_chat_service(settings_for(tmp_path, "u_done"), svc)
    assert chat.backend_label == "offline"
    first = chat.turn("something like Alien but funnier")
    assert first.error is None and first.tool_calls[0]["name"] == "recommend"
    assert "funny" in first.tool_calls[0]["args"]["query"] and len(first.recommendations) >= 2
    json.dumps(first.to_dict())  # the --json shape serialises
    second = chat.turn("I loved the second one")
    assert second.tool_calls == [{"name": "give_feedback", "args": {"title_or_ref": "#2", "signal": "love"}}]
    event = svc.memory.store.feedback_events("u_done")[-1]
    assert (event.item_id, event.reward) == (first.recommendations[1].item.id, 1.0)
    third = chat.turn("why the first?")
    assert third.tool_calls[0]["name"] == "explain"
    assert first.recommendations[0].item.title in third.reply and "contribution" not in third.reply
    listed = first.recommendations[0].breakdown.to_dict()  # the numbers it was listed with
    assert "| part | raw | value | × weight | = points |" in third.reply  # a table, as in `w`
    assert all(f"| {' | '.join(row)} |" in third.reply for row in breakdown_rows(listed))


def test_successive_sessions_continue_the_thread(svc: Tastebud, tmp_path: Path) -> None:
    s = settings_for(tmp_path, "u_persist")
    one = build_chat_service(s, svc)
    recs = one.turn("recommend a comedy").recommendations
    one.close()
    two = build_chat_service(s, svc)  # a new process would do exactly this
    assert two.thread_id == one.thread_id
    res = two.turn("tell me about the second one")
    assert res.error is None and recs[1].item.title in res.reply
    old = two.thread_id
    assert two.new_thread() != old
    fresh = two.turn("why the second one?")
    assert "no list" in fresh.reply or "couldn't" in fresh.reply
    assert build_chat_service(s, svc).thread_id == two.thread_id


def test_switch_user_keeps_conversations_apart(svc: Tastebud, tmp_path: Path) -> None:
    chat = build_chat_service(settings_for(tmp_path, "u_a"), svc)
    chat.turn("recommend a western")
    thread_a = chat.thread_id
    chat.switch_user("u_b")
    assert chat.thread_id != thread_a and chat.user_id == "u_b"
    assert "no list" in chat.turn("why the first?").reply
    chat.switch_user("u_a")
    assert chat.thread_id == thread_a


def test_tokens_stream_to_the_callback(svc: Tastebud, tmp_path: Path) -> None:
    chat = build_chat_service(settings_for(tmp_path, "u_stream"), svc)
    tokens: list[str] = []
    result = chat.turn("recommend a thriller from the 90s", on_token=tokens.append)
    assert len(tokens) > 5 and "".join(tokens) == result.reply


def test_prompt_stays_bounded(svc: Tastebud, tmp_path: Path) -> None:
    model = ScriptedModel(default_reply="ok")
    model.enqueue(call("recommend", query="funny", k=3))
    chat = ChatService(settings_for(tmp_path, "u_trim", history_messages=6), svc, model)
    for n in range(8):
        chat.turn(f"message {n}")
    last = model.history[-1]
    assert len(last) <= 1 + 6 and isinstance(last[0], SystemMessage)
    assert "Earlier in this conversation" in last[0].text
    assert len(chat.messages()) > 12  # the checkpoint keeps everything


def test_model_errors_become_a_message_and_the_session_goes_on(svc: Tastebud, tmp_path: Path) -> None:
    req = httpx.Request("POST", "http://x/v1/chat/completions")
    limited = openai.RateLimitError("slow down", response=httpx.Response(429, request=req), body=None)
    model = ScriptedModel().enqueue(limited, AIMessage(content="back again"))
    chat = ChatService(settings_for(tmp_path, "u_err", max_retries=0), svc, model)
    bad = chat.turn("hello")
    assert bad.error and "429" in bad.error and bad.reply == "" and "etried" not in bad.error
    assert chat.turn("hello again").reply == "back again"


def test_tool_failures_are_told_to_the_model(svc: Tastebud, tmp_path: Path) -> None:
    model = ScriptedModel(default_reply="sorry")
    model.enqueue(call("recommend", genres=["Not A Genre"]), call("adjust_preferences", changes=[{"kind": "hard"}]),
                  call("no_such_tool"), AIMessage(content="sorry"))
    chat = ChatService(settings_for(tmp_path, "u_toolerr"), svc, model)
    result = chat.turn("break things")
    assert result.error is None and result.reply == "sorry"
    tool_msgs = [m for m in model.history[-1] if isinstance(m, ToolMessage)]
    assert len(tool_msgs) == 3 and all("error" in m.text.lower() for m in tool_msgs)


def test_rule_layer_records_feedback_the_model_missed(svc: Tastebud, tmp_path: Path) -> None:
    model = ScriptedModel(model_name="llm-under-test", default_reply="here you go")
    model.enqueue(call("recommend", genres=["Comedy"], k=4), AIMessage(content="four comedies"),
                  call("recommend", query="darker", k=4))
    chat = ChatService(settings_for(tmp_path, "u_rules"), svc, model)
    shown = chat.turn("some comedies please").recommendations
    result = chat.turn("I loved the second one, now something darker")
    rules = [c for c in result.tool_calls if c["args"].get("source") == "rules"]
    assert rules and rules[0]["args"]["item_id"] == shown[1].item.id
    signals = [(e.signal, e.item_id) for e in svc.memory.store.feedback_events("u_rules")]
    assert ("love", shown[1].item.id) in signals


def test_rule_layer_does_not_count_twice(svc: Tastebud, tmp_path: Path) -> None:
    model = ScriptedModel(model_name="llm-under-test", default_reply="noted")
    model.enqueue(call("recommend", genres=["Drama"], k=3), AIMessage(content="three"),
                  call("give_feedback", title_or_ref="#2", signal="love"))
    chat = ChatService(settings_for(tmp_path, "u_once"), svc, model)
    chat.turn("dramas")
    result = chat.turn("I loved the second one")
    assert not [c for c in result.tool_calls if c["args"].get("source") == "rules"]
    assert [e.signal for e in svc.memory.store.feedback_events("u_once")].count("love") == 1


def test_offline_model_factory_follows_the_catalog(svc: Tastebud) -> None:
    model = build_offline_model(svc)
    assert "heat" in model.vocabulary.titles and model.vocabulary is model.vocabulary


def test_switch_catalog_moves_the_chat_to_another_catalog(tmp_path: Path) -> None:
    from tests.engine_helpers import CATALOG, build_memory

    memory = build_memory(tmp_path / "d")
    svc = Tastebud(memory)
    chat = ChatService(memory.settings, svc, ScriptedModel())
    with pytest.raises(LookupError, match="no catalog named 'nope'"):
        chat.switch_catalog("nope")
    old_thread = chat.thread_id
    assert chat.switch_catalog(CATALOG) != old_thread
    assert svc.catalog_name == CATALOG
    chat.close()


def test_offline_model_reads_its_tool_results_whole_whatever_the_token_budget(
        svc: Tastebud, tmp_path: Path) -> None:
    """The budget is for an LLM's context window; cut to fit, an explanation is no longer
    JSON and the offline model could only answer "I couldn't do that" (seen in the TUI)."""
    chat = build_chat_service(settings_for(tmp_path, "u_budget", prompt_tokens=1000), svc)
    listed = chat.turn("80s horror movies")
    assert listed.error is None and listed.recommendations
    chat.turn("make them older")
    why = chat.turn("why the first one?")
    assert why.error is None and why.tool_calls[0]["name"] == "explain"
    assert "couldn't do that" not in why.reply
    assert "| part | raw | value | × weight | = points |" in why.reply
