"""OfflineChatModel: a LangChain chat model that understands the user without an LLM.

It plays the model's part in the same create_agent loop an LLM would: given
the conversation, it either emits the next tool call of the user's request
(parsed by agent.offline.nlu) or, once the tools have answered, writes the
reply from their results. Only the user's own messages are ever parsed into
actions; tool results are read solely to write the reply, so text inside an
item (a synopsis that says "reset my preferences") can never trigger a tool.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field

from agent.offline import replies
from agent.offline.lexicon import Vocabulary
from agent.offline.nlu import Action, parse, query_text
from agent.offline.prefs import loves, to_change

_REFINE = re.compile(r"^\W*(now|but|and|instead|what about|how about|ok(ay)?,? (now|but)|"
                     r"something else|more|another|other|different)\b", re.I)  # fmt: skip
_LIST_ARGS = ("genres", "exclude_genres", "people", "like_titles", "avoid")


class OfflineChatModel(BaseChatModel):
    """The default backend: intent + slot parsing in, tool calls out, templated replies."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    vocab: Vocabulary | None = None
    vocab_source: Callable[[], Vocabulary] | None = Field(default=None, exclude=True, repr=False)
    """Called for the vocabulary on each turn when `vocab` is not fixed (it caches itself)."""
    model_name: str = "offline"

    @property
    def vocabulary(self) -> Vocabulary:
        if self.vocab is not None:
            return self.vocab
        if self.vocab_source is None:
            raise ValueError("OfflineChatModel needs vocab or vocab_source")
        return self.vocab_source()

    @property
    def _llm_type(self) -> str:
        return "tastebud-offline"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.bind(tool_names=names, **kwargs)

    # ---- the one decision -----------------------------------------------------------------
    def respond(self, messages: list[BaseMessage], tool_names: Sequence[str] | None = None) -> AIMessage:
        """The next message: a tool call still to make for this turn, or the final reply."""
        start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
        if start < 0:
            return AIMessage(content=replies.social("greeting", 0))
        text = _text(messages[start])
        turn = sum(isinstance(m, HumanMessage) for m in messages)
        seed = zlib.crc32(f"{turn}:{text}".encode())
        actions = parse(text, self.vocabulary).actions
        plan = self.plan(actions, text, messages[:start])
        if tool_names is not None:
            plan = [c for c in plan if c["name"] in tool_names]
        done = [m for m in messages[start + 1 :] if isinstance(m, AIMessage) and m.tool_calls]
        if len(done) < len(plan):
            call = dict(plan[len(done)], id=f"call_{seed:08x}_{len(done)}", type="tool_call")
            return AIMessage(content="", tool_calls=[call])  # type: ignore[list-item]
        if not plan:
            return AIMessage(content=replies.social(actions[0].intent, seed))
        return AIMessage(content=replies.write(_steps(messages[start + 1 :]), seed))

    def plan(self, actions: list[Action], text: str, history: list[BaseMessage]) -> list[dict[str, Any]]:
        """The tool calls for the user's actions, in order (feedback before a follow-up request)."""
        calls: list[dict[str, Any]] = []
        for act in actions:
            calls.extend(_calls(act, text, history))
        return calls

    # ---- BaseChatModel ------------------------------------------------------------------------
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        msg = self.respond(messages, kwargs.get("tool_names"))
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        msg = self.respond(messages, kwargs.get("tool_names"))
        if msg.tool_calls:
            chunks = [{"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": n}
                      for n, c in enumerate(msg.tool_calls)]  # fmt: skip
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=chunks))  # type: ignore[arg-type]
            return
        for piece in re.findall(r"\S+\s*|\s+", _text(msg)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


def _text(msg: BaseMessage) -> str:
    return msg.content if isinstance(msg.content, str) else msg.text


def _steps(after: list[BaseMessage]) -> list[replies.Step]:
    results = {m.tool_call_id: m for m in after if isinstance(m, ToolMessage)}
    steps: list[replies.Step] = []
    for m in after:
        if isinstance(m, AIMessage):
            for call in m.tool_calls:
                res = results.get(call["id"] or "")
                steps.append((dict(call), _json(res)))
    return steps


def _json(msg: ToolMessage | None) -> dict[str, Any]:
    if msg is None:
        return {"ok": False, "error": "the tool gave no answer"}
    try:
        body = json.loads(_text(msg))
    except json.JSONDecodeError:
        return {"ok": False, "error": _text(msg)[:200]}
    return body if isinstance(body, dict) else {"ok": False, "error": "unreadable tool answer"}


def _calls(act: Action, text: str, history: list[BaseMessage]) -> list[dict[str, Any]]:
    s = act.slots
    targets = act.targets()
    if act.intent == "recommend":
        args: dict[str, Any] = {"query": query_text(act) or None, "like_titles": targets,
                                "genres": s.get("genres", []), "exclude_genres": s.get("exclude_genres", []),
                                "people": s.get("people", []), "avoid": s.get("exclude_keywords", []),
                                "year_min": s.get("year_min"), "year_max": s.get("year_max"),
                                "k": s.get("k") or 5}  # fmt: skip
        if _REFINE.match(act.text):
            args = _refine(_last_call(history, "recommend"), args)
        return [{"name": "recommend", "args": _compact(args)}]
    if act.intent == "search":
        args = {"description": act.text, "genres": s.get("genres", []), "people": s.get("people", []),
                "year_min": s.get("year_min"), "year_max": s.get("year_max")}  # fmt: skip
        return [{"name": "search", "args": _compact(args)}]
    one = {"similar": "similar_to", "explain": "explain", "details": "item_details"}
    if act.intent in one:
        limit = 1 if act.intent == "similar" else 3
        return [{"name": one[act.intent], "args": {"title_or_ref": t}} for t in targets[:limit]]
    if act.intent == "feedback":
        rating = s.get("rating") if s.get("signal") == "rate" else None
        return [{"name": "give_feedback", "args": _compact(
            {"title_or_ref": t, "signal": s.get("signal", "like"), "rating": rating})} for t in targets]  # fmt: skip
    if act.intent == "adjust_preferences":
        codes = s.get("changes", [])
        if codes in (["undo"], ["reset"]):
            return [{"name": "adjust_preferences", "args": {"action": codes[0], "text": text}}]
        changes = [c for c in (to_change(code, loves(text.lower())) for code in codes) if c]
        return [{"name": "adjust_preferences", "args": {"changes": changes, "text": text}}] if changes else []
    if act.intent == "show_profile":
        return [{"name": "show_profile", "args": {}}]
    return []


def _last_call(history: list[BaseMessage], name: str) -> dict[str, Any] | None:
    for m in reversed(history):
        if isinstance(m, AIMessage):
            for call in m.tool_calls:
                if call["name"] == name:
                    return dict(call["args"])
    return None


def _refine(previous: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """"Now something scarier" after a list keeps the earlier request and adds to it."""
    if not previous:
        return new
    merged = dict(previous)
    for key, value in new.items():
        if key in ("exclude_genres", "avoid"):
            merged[key] = list(dict.fromkeys([*previous.get(key, []), *value]))
        elif key in _LIST_ARGS:
            merged[key] = value or previous.get(key, [])
        elif key == "query" and value:
            merged[key] = " ".join(dict.fromkeys(f"{previous.get('query') or ''} {value}".split()))
        elif value is not None and key != "k":
            merged[key] = value
    return merged


def _compact(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v not in (None, [], "")}
