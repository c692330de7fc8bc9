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

from agent.dialogue import DialogueState
from agent.offline import replies
from agent.offline.intent_model import IntentModel, Prediction
from agent.offline.lexicon import Vocabulary
from agent.offline.nlu import Action
from agent.offline.prefs import loves, to_change
from agent.offline.understand import Decision, classify_text, decide

IntentSource = Callable[[], tuple[IntentModel, Callable[[str], Any]]]
"""Gives the trained intent model and a one-text embedder (loaded lazily, once)."""


class OfflineChatModel(BaseChatModel):
    """The default backend: intent + slot parsing in, tool calls out, templated replies."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    vocab: Vocabulary | None = None
    vocab_source: Callable[[], Vocabulary] | None = Field(default=None, exclude=True, repr=False)
    """Called for the vocabulary on each turn when `vocab` is not fixed (it caches itself)."""
    intent_source: IntentSource | None = Field(default=None, exclude=True, repr=False)
    """The learned intent model; without one the rules alone decide (tests of the rules)."""
    model_name: str = "offline"
    memo: dict[str, Decision] = Field(default_factory=dict, exclude=True, repr=False)

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
    def understand(self, text: str, state: DialogueState) -> Decision:
        """The turn's decision (memoised: the agent loop asks once per tool call)."""
        key = json.dumps([text, state.to_dict()], sort_keys=True)
        if key not in self.memo:
            vocab = self.vocabulary
            prediction: Prediction | None = None
            if self.intent_source is not None:
                model, embed_one = self.intent_source()
                masked, rules = classify_text(text, vocab)
                prediction = model.predict(embed_one(masked), rules)
            if len(self.memo) > 64:
                self.memo.clear()
            self.memo[key] = decide(text, vocab, state, prediction)
        return self.memo[key]

    def respond(self, messages: list[BaseMessage], tool_names: Sequence[str] | None = None,
                dialogue: dict[str, Any] | None = None) -> AIMessage:
        """The next message: a tool call still to make for this turn, or the final reply."""
        start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
        if start < 0:
            return AIMessage(content=replies.social("greeting", 0))
        text = _text(messages[start])
        turn = sum(isinstance(m, HumanMessage) for m in messages)
        seed = zlib.crc32(f"{turn}:{text}".encode())
        decision = self.understand(text, DialogueState.from_dict(dialogue))
        plan = self.plan(decision, text, messages[:start])
        if tool_names is not None:
            plan = [c for c in plan if c["name"] in tool_names]
        done = [m for m in messages[start + 1 :] if isinstance(m, AIMessage) and m.tool_calls]
        if len(done) < len(plan):
            call = dict(plan[len(done)], id=f"call_{seed:08x}_{len(done)}", type="tool_call")
            return AIMessage(content="", tool_calls=[call])  # type: ignore[list-item]
        if decision.clarify:
            return AIMessage(content=replies.clarify(decision.label, decision.clarify, seed))
        if not plan:
            return AIMessage(content=replies.social(_social(decision), seed))
        return AIMessage(content=replies.write(_steps(messages[start + 1 :]), seed,
                                               verdict=decision.verdict))

    def plan(self, decision: Decision, text: str, history: list[BaseMessage]) -> list[dict[str, Any]]:
        """The tool calls of the decision, in order (feedback before a follow-up request)."""
        calls: list[dict[str, Any]] = []
        for call in decision.calls:
            if call["name"] == "plan":
                calls.extend(_calls(call["action"], text, history))
            else:
                calls.append({"name": call["name"], "args": _compact(call["args"])})
        return calls

    # ---- BaseChatModel ------------------------------------------------------------------------
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        msg = self.respond(messages, kwargs.get("tool_names"), kwargs.get("dialogue"))
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        msg = self.respond(messages, kwargs.get("tool_names"), kwargs.get("dialogue"))
        if msg.tool_calls:
            chunks = [{"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": n}
                      for n, c in enumerate(msg.tool_calls)]
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=chunks))  # type: ignore[arg-type]
            return
        for piece in re.findall(r"\S+\s*|\s+", _text(msg)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


def _social(decision: Decision) -> str:
    return decision.actions[0].intent if decision.actions else "chitchat"


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
    one = {"similar": "similar_to", "explain": "explain", "details": "item_details"}
    if act.intent in one:
        limit = 1 if act.intent == "similar" else 3
        return [{"name": one[act.intent], "args": {"title_or_ref": t}} for t in targets[:limit]]
    if act.intent == "feedback":
        rating = s.get("rating") if s.get("signal") == "rate" else None
        return [{"name": "give_feedback", "args": _compact(
            {"title_or_ref": t, "signal": s.get("signal", "like"), "rating": rating})} for t in targets]
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


def _compact(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v not in (None, [], "")}
