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
from langchain_core.messages import AnyMessage, HumanMessage, SystemMessage, ToolMessage

MAX_SUMMARY_TITLES = 12


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
    """Model-call middleware: the prompt carries the last `keep` messages plus a summary line."""

    def __init__(self, keep: int = 24) -> None:
        super().__init__()
        self.keep = max(4, keep)

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> Any:
        kept, dropped = trim(request.messages, self.keep)
        if not dropped:
            return handler(request)
        base = request.system_message.text if request.system_message else ""
        system = SystemMessage(content=f"{base}\n\n{summary(dropped)}".strip())
        return handler(request.override(messages=kept, system_message=system))
