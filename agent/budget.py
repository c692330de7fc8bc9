"""Keeping a prompt inside a token budget without a tokenizer.

Ollama's default context was 2,048 tokens for a long time and many local
servers run 4k; a turn that overflows is cut silently by the server (the system
prompt goes first) or refused. No tokenizer can be downloaded at run time, so
tokens are estimated from the text: one per word piece, number group or
punctuation mark, plus one per 8 letters of a long word. That counts JSON and
English a little high against BPE tokenizers, which errs on the safe side.

When a prompt is over budget, `compact_tools` shrinks the tool schemas (first
sentence of each description, no parameter descriptions, no null unions); the
history trimmer (agent/history.py) then drops older turns and shortens old
tool results.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

_PIECE = re.compile(r"[A-Za-z]+|\d{1,3}|[^\sA-Za-z\d]{1,2}")
MESSAGE_OVERHEAD = 4
"""Role markers and separators a chat template adds around each message."""


def estimate_tokens(text: str) -> int:
    return sum(1 + len(p) // 8 for p in _PIECE.findall(text))


def message_tokens(messages: Sequence[BaseMessage]) -> int:
    total = 0
    for m in messages:
        total += MESSAGE_OVERHEAD + 1 + estimate_tokens(m.text)  # 1: an empty field's quotes
        for call in getattr(m, "tool_calls", None) or []:  # as the wire carries it: args as a string
            wire = {"id": call.get("id"), "type": "function",
                    "function": {"name": call["name"], "arguments": json.dumps(call.get("args") or {})}}
            total += estimate_tokens(json.dumps(wire))
    return total


def tools_tokens(tools: Sequence[BaseTool | dict[str, Any]]) -> int:
    return sum(2 + estimate_tokens(json.dumps(_schema(t))) for t in tools)  # 2: list separators


def _schema(tool: BaseTool | dict[str, Any]) -> dict[str, Any]:
    return tool if isinstance(tool, dict) else convert_to_openai_tool(tool)


def compact_tools(tools: Sequence[BaseTool | dict[str, Any]]) -> list[dict[str, Any]]:
    """The same tools as OpenAI schemas, only shorter: what the model needs to call them."""
    out = []
    for tool in tools:
        schema = json.loads(json.dumps(_schema(tool)))
        fn = schema.get("function", schema)
        desc = " ".join(str(fn.get("description", "")).split())
        fn["description"] = re.split(r"(?<=[.;])\s", desc, maxsplit=1)[0]
        fn["parameters"] = _compact_params(fn.get("parameters") or {})
        out.append(schema)
    return out


def _compact_params(node: Any) -> Any:
    if isinstance(node, list):
        return [_compact_params(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: v for k, v in node.items() if k not in ("description", "title")
            and not (k == "default" and v in (None, [], ""))}
    options = node.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            node.pop("anyOf")
            node.update(kept[0])
    return {k: _compact_params(v) for k, v in node.items()}
