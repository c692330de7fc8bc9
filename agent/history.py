"""Keeping a turn's prompt bounded: only the recent messages go to the model.

The checkpointer keeps the whole conversation (so `--resume` and "the second
one" work across restarts), but the model sees at most `keep` recent messages,
cut at a user message so a tool call is never separated from its result. What
was cut is summarised in one line appended to the system prompt: how many
messages, and the films the earlier tool results named, so "that Heat film
from before" still has something to hold on to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from agent.budget import (
    MESSAGE_OVERHEAD,
    compact_tools,
    estimate_tokens,
    message_tokens,
    tools_tokens,
)

MAX_SUMMARY_TITLES = 8
SHORT_RESULT_CHARS = 300
SLIM_CHARS = 40
KEEP_WHOLE = frozenset({"id", "title", "error"})


def trim(messages: Sequence[AnyMessage], keep: int) -> tuple[list[AnyMessage], list[AnyMessage]]:
    """(kept, dropped): the newest messages starting at a user message, at most `keep` if possible.

    The current turn is always kept whole, even when it alone is longer than `keep`.
    """
    msgs = list(messages)
    if len(msgs) <= keep:
        return msgs, []
    humans = [i for i, m in enumerate(msgs) if isinstance(m, HumanMessage)]
    if not humans:
        return msgs, []
    cut = len(msgs) - keep
    start = next((i for i in humans if i >= cut), humans[-1])
    return msgs[start:], msgs[:start]


def summary(dropped: Sequence[AnyMessage]) -> str:
    """One line about the trimmed part: its size and the films its tool results named."""
    titles: list[str] = []
    for m in dropped:
        if not isinstance(m, ToolMessage) or not isinstance(m.content, str):
            continue
        try:
            data = json.loads(m.content).get("data") or {}
        except (json.JSONDecodeError, AttributeError):
            continue
        rows = data.get("list") or ([data["item"]] if isinstance(data.get("item"), dict) else [])
        for row in rows:
            label = f"{row.get('title')} ({row.get('year')})" if row.get("year") else row.get("title")
            if label and label not in titles:
                titles.append(str(label))
    text = f"(Earlier in this conversation: {len(dropped)} messages not shown here."
    if titles:
        text += " Films mentioned then: " + "; ".join(titles[-MAX_SUMMARY_TITLES:]) + "."
    return text + ")"


class TrimHistory(AgentMiddleware):
    """Model-call middleware: the prompt carries the last `keep` messages plus a summary line,
    and, with a token `budget`, no more than fits it (see agent/budget.py)."""

    def __init__(self, keep: int = 24, budget: int | None = None) -> None:
        super().__init__()
        self.keep = max(4, keep)
        self.budget = budget

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> Any:
        kept, dropped = trim(request.messages, self.keep)
        tools = list(request.tools)
        if self.budget is not None:
            kept, dropped, tools = fit(request.system_message, kept, tools, self.budget, dropped)
        if not dropped and tools == request.tools:
            return handler(request)
        system = request.system_message
        if dropped:
            base = system.text if system else ""
            system = SystemMessage(content=f"{base}\n\n{summary(dropped)}".strip())
        return handler(request.override(messages=kept, system_message=system, tools=tools))


def fit(system: SystemMessage | None, messages: list[AnyMessage], tools: list[Any], budget: int,
        dropped: Sequence[AnyMessage] = ()) -> tuple[list[AnyMessage], list[AnyMessage], list[Any]]:
    """(kept, dropped, tools) within `budget` estimated tokens, giving up the least useful first:
    long tool descriptions, then whole older turns, then the text of older tool results.
    The current turn is never cut. `dropped` is what was trimmed already (it is summarised)."""
    base = MESSAGE_OVERHEAD + estimate_tokens(system.text) if system else 0
    dropped = list(dropped)

    def total(msgs: Sequence[AnyMessage], tls: Sequence[Any]) -> int:
        note = estimate_tokens(summary(dropped)) if dropped else 0
        return base + note + message_tokens(msgs) + tools_tokens(tls)

    if total(messages, tools) > budget:
        tools = compact_tools(tools)
    kept = list(messages)
    humans = [i for i, m in enumerate(kept) if isinstance(m, HumanMessage)]
    while total(kept, tools) > budget and len(humans) > 1:
        cut = humans[1]
        dropped += kept[:cut]
        kept = kept[cut:]
        humans = [i for i, m in enumerate(kept) if isinstance(m, HumanMessage)]
    if total(kept, tools) > budget and humans:
        current = humans[-1]
        kept = [_shortened(m) if i < current else m for i, m in enumerate(kept)]
    if total(kept, tools) > budget:  # the current turn alone is too big: slim its results
        kept = [_slimmed(m) for m in kept]
    results = [m for m in kept if isinstance(m, ToolMessage)]
    over = total(kept, tools) - budget
    if over > 0 and results:  # last resort: cut the results' tails, evenly
        chars = max(200, min(len(m.text) for m in results) - over * 4 // len(results))
        kept = [_shortened(m, chars) for m in kept]
    return kept, dropped, tools


def _slimmed(m: AnyMessage) -> AnyMessage:
    """A tool result with every long text value cut short (titles and ids kept whole)."""
    if not isinstance(m, ToolMessage):
        return m
    try:
        data = json.loads(m.text)
    except json.JSONDecodeError:
        return _shortened(m)
    return m.model_copy(update={"content": json.dumps(_cut(data), separators=(",", ":"),
                                                      ensure_ascii=False)})


def _cut(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _cut(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_cut(v, key) for v in node]
    if isinstance(node, str) and key not in KEEP_WHOLE and len(node) > SLIM_CHARS:
        return node[: SLIM_CHARS - 1] + "…"
    return node


def _shortened(m: AnyMessage, chars: int = SHORT_RESULT_CHARS) -> AnyMessage:
    if isinstance(m, ToolMessage) and len(m.text) > chars:
        return m.model_copy(update={"content": m.text[:chars] + "…(shortened)"})
    return m


def close_failed_turn(messages: Sequence[BaseMessage], note: str) -> list[AnyMessage]:
    """The messages that make a failed or stopped turn a valid conversation again.

    Every tool call of the turn without a result gets one saying it was stopped, and the
    turn ends with an assistant message saying why there is no answer, so roles alternate
    and no tool call is left open (strict servers refuse either, forever after).
    """
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    if start < 0:
        return []
    turn = list(messages[start:])
    answered = {m.tool_call_id for m in turn if isinstance(m, ToolMessage)}
    fix: list[AnyMessage] = []
    for m in turn:
        if isinstance(m, AIMessage):
            for call in [*m.tool_calls, *m.invalid_tool_calls]:
                if call.get("id") and call["id"] not in answered:
                    fix.append(ToolMessage(content=json.dumps({"ok": False, "error": f"Stopped before "
                               f"this tool ran: {note}"}), tool_call_id=call["id"],
                               name=call.get("name") or "unknown", status="error"))
    last = turn[-1]
    if fix or not (isinstance(last, AIMessage) and not last.tool_calls and last.text.strip()):
        fix.append(AIMessage(content=f"(No answer to this message: {note})"))
    return fix
