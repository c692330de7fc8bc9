"""The tool wrappers over the facade: schemas, references, errors as answers, side effects.

Tools are invoked as the agent's ToolNode invokes them, with a ToolRuntime whose
context carries the user, the thread and the facade; the demo catalog (with
the fast word-hash embedder) is the known world.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain.tools import ToolRuntime
from langchain_core.messages import ToolMessage
from pydantic import ValidationError

from agent.context import TurnContext
from memory.bootstrap import open_memory
from memory.settings import Settings
from tests.fakes import WordHashEmbedder
from tools.service import Tastebud
from tools.tool_refs import TurnSink, parse_ref
from tools.toolkit import all_tools

TOOLS = {t.name: t for t in all_tools()}


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Tastebud:
    settings = Settings(data_dir=tmp_path_factory.mktemp("toolkit"), user="tester")
    service = Tastebud(open_memory(settings, embedder=WordHashEmbedder()))
    service.prepare()
    return service


class Caller:
    """Calls tools like the agent does, keeping the thread's messages (the tool results)."""

    def __init__(self, svc: Tastebud, user: str, thread: str = "t1") -> None:
        self.ctx = TurnContext(user_id=user, thread_id=thread, service=svc, text="test", sink=TurnSink())
        self.messages: list[Any] = []

    def __call__(self, name: str, **args: Any) -> dict[str, Any]:
        rt = ToolRuntime(state={"messages": self.messages}, context=self.ctx, config={},
                         stream_writer=lambda _: None, tool_call_id="c1", store=None)
        out = TOOLS[name].invoke({**args, "runtime": rt})
        self.messages.append(ToolMessage(content=out, tool_call_id=f"c{len(self.messages)}", name=name))
        return json.loads(out)


def test_schemas_hide_the_runtime_and_describe_every_arg() -> None:
    assert list(TOOLS) == ["recommend", "search", "similar_to", "explain", "item_details",
                           "give_feedback", "adjust_preferences", "show_profile"]
    for tool in TOOLS.values():
        schema = tool.tool_call_schema.model_json_schema()
        assert tool.description and "runtime" not in schema.get("properties", {})
        assert not {"user_id", "thread_id", "service"} & set(schema.get("properties", {}))
        for name, prop in schema.get("properties", {}).items():
            assert prop.get("description"), f"{tool.name}.{name} has no description"


def test_parse_ref() -> None:
    cases = {"#2": 2, "2": 2, "the second one": 2, "2nd": 2, "last": -1, "the last one": -1,
             "it": "it", "that one": "it", "Heat": None, "Seven": None, "Top Hat": None}
    assert {k: parse_ref(k) for k in cases} == cases


def test_recommend_then_refs_feedback_and_explain(svc: Tastebud) -> None:
    call = Caller(svc, "alice")
    out = call("recommend", query="funny", like_titles=["Alien"], k=5)
    rows = out["data"]["list"]
    assert out["ok"] and len(rows) == 5 and rows[0]["n"] == 1 and rows[0]["id"]
    assert [r.item.id for r in call.ctx.sink.shown] == [r["id"] for r in rows]
    fb = call("give_feedback", title_or_ref="the second one", signal="like")
    assert fb["data"]["item"]["id"] == rows[1]["id"] and fb["data"]["reward"] == 1.0
    event = svc.memory.store.feedback_events("alice")[-1]
    assert (event.item_id, event.reward) == (rows[1]["id"], 1.0)
    ex = call("explain", title_or_ref="#1")
    bd = ex["data"]["breakdown"]
    assert ex["data"]["item"]["id"] == rows[0]["id"]
    parts = sum(c["contribution"] for c in bd["components"]) + sum(a["value"] for a in bd["adjustments"])
    assert parts == pytest.approx(bd["total"])
    assert call("item_details", title_or_ref="last")["data"]["id"] == rows[-1]["id"]
    assert call("give_feedback", title_or_ref="it", signal="seen")["data"]["item"]["id"] == rows[-1]["id"]


def test_errors_are_answers_the_model_can_use(svc: Tastebud) -> None:
    call = Caller(svc, "bob")
    no_list = call("explain", title_or_ref="#2")
    assert not no_list["ok"] and "no list" in no_list["error"]
    unknown = call("item_details", title_or_ref="Zzzqx Nonexistent Film")
    assert not unknown["ok"]
    bad_genre = call("recommend", genres=["Space Opera Noir"])
    assert not bad_genre["ok"] and "genre" in bad_genre["error"]
    call("recommend", k=3)
    out_of_range = call("explain", title_or_ref="#7")
    assert not out_of_range["ok"] and len(out_of_range["candidates"]) == 3
    no_rating = call("give_feedback", title_or_ref="#1", signal="rate")
    assert not no_rating["ok"] and "rating" in no_rating["error"]
    bad_rating = call("give_feedback", title_or_ref="#1", signal="rate", rating=9)
    assert not bad_rating["ok"] and "1" in bad_rating["error"]


def test_ambiguous_title_lists_candidates(svc: Tastebud) -> None:
    out = Caller(svc, "carol")("item_details", title_or_ref="Star Wars")
    assert not out["ok"] and len(out["candidates"]) >= 2
    assert all({"id", "title", "year"} <= set(c) for c in out["candidates"])


def test_moving_on_penalises_the_ignored_films(svc: Tastebud) -> None:
    call = Caller(svc, "dave")
    call("recommend", genres=["Comedy"], k=4)
    call.ctx.sink = TurnSink()  # the next turn
    call("recommend", genres=["Horror"], k=4)
    events = svc.memory.store.feedback_events("dave")
    assert [e.signal for e in events] == ["moved_on"] and events[0].reward == pytest.approx(-0.1)


def test_avoided_moods_are_left_out(svc: Tastebud) -> None:
    out = Caller(svc, "erin")("recommend", genres=["Horror"], avoid=["gory"], k=5)
    ids = [r["id"] for r in out["data"]["list"]]
    assert ids and all("gory" not in svc.item(i).keywords for i in ids)  # type: ignore[union-attr]


def test_preferences_undo_reset_and_profile(svc: Tastebud) -> None:
    call = Caller(svc, "frank")
    change = {"kind": "soft", "facet": "genre", "value": "Horror", "strength": -0.5}
    assert call("adjust_preferences", changes=[change], text="less horror")["data"]["applied"]
    assert call("show_profile")["data"]["weights"]
    assert "Horror" in call("adjust_preferences", action="undo")["data"]["undone"]
    with pytest.raises(ValidationError, match="needs a facet"):  # the agent's ToolNode answers it
        call("adjust_preferences", changes=[{"kind": "hard", "rule": "exclude"}], text="x")
    assert call("adjust_preferences", action="reset")["ok"]


def test_similar_to_records_more_like(svc: Tastebud) -> None:
    call = Caller(svc, "gina")
    out = call("similar_to", title_or_ref="Heat")
    assert out["data"]["item"]["title"] == "Heat" and out["data"]["list"]
    assert [e.signal for e in svc.memory.store.feedback_events("gina")] == ["more_like"]


def test_tool_paths_are_per_user(svc: Tastebud) -> None:
    a, b = Caller(svc, "hank", "shared"), Caller(svc, "ivy", "shared")
    a("recommend", k=2)
    assert not b("explain", title_or_ref="#1")["ok"]  # ivy has seen no list
