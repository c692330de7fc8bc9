"""What the stub server says on the wire, and how strict servers judge what they are sent.

Split from tests/stub_openai.py (the server and its script) because these are
pure functions of a request: the OpenAI JSON and SSE shapes, the vLLM-style
stream (tool-call deltas without `arguments`, `content: null`, a trailing usage
chunk with an empty `choices` list), the error texts real servers send when
they refuse `tools`, and the role rules that Mistral/Gemma chat templates on
vLLM or llama.cpp, and OpenAI itself, enforce.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (name, args)
    arg_pieces: int = 3  # how many SSE chunks each tool call's arguments are split into
    raw_args: str | None = None  # send these literal arguments (e.g. not JSON) for every call


@dataclass
class Auto:
    """A plausible small model: asks `recommend` for the user's words, then lists the titles."""

    k: int = 3


TOOL_REFUSALS = {
    # What each server answers when the model or the server cannot do tool calling.
    "ollama": (400, "registry.ollama.ai/library/stub-model:latest does not support tools"),
    "vllm": (400, '"auto" tool choice requires --enable-auto-tool-choice and '
                  "--tool-call-parser to be set"),
    "llamacpp": (500, "Cannot use tools with stream"),
}


def role_violation(messages: list[dict[str, Any]]) -> str | None:
    """Why a strict server refuses this conversation, or None when it is valid.

    Rules (Mistral/Gemma templates and OpenAI): after the system messages the first
    message is the user's; user and assistant alternate; an assistant message with
    tool_calls is followed by one tool message per call id, and a tool message answers
    a call of the assistant message just before.
    """
    body = [m for m in messages if m.get("role") != "system"]
    if not body or body[0].get("role") != "user":
        return "Conversation must start with a user message after the system prompt"
    alternate = "Conversation roles must alternate user/assistant/user/assistant/..."
    open_ids: list[str] = []
    last = "assistant"  # what came before the first message, as far as the rules go
    for n, m in enumerate(body):
        role = m.get("role")
        if open_ids and role != "tool":
            return ("An assistant message with 'tool_calls' must be followed by tool messages "
                    f"responding to each 'tool_call_id'. Missing: {', '.join(open_ids)} (message {n})")
        if role == "tool":
            if m.get("tool_call_id") not in open_ids:
                return f"Tool message {n} answers no pending tool call ({m.get('tool_call_id')})"
            open_ids.remove(m["tool_call_id"])
            last = "tool"
        elif role == "user":
            if last != "assistant":
                return alternate
            last = "user"
        else:
            if last == "assistant":
                return alternate
            open_ids = [c["id"] for c in m.get("tool_calls") or []]
            last = "assistant"
    if open_ids:
        return ("An assistant message with 'tool_calls' must be followed by tool messages "
                f"responding to each 'tool_call_id'. Missing: {', '.join(open_ids)}")
    return None


def auto_reply(auto: Auto, body: dict[str, Any]) -> Reply:
    """What `Auto` says to this request."""
    messages = body.get("messages", [])
    last = messages[-1] if messages else {}
    if body.get("tools") and last.get("role") == "user":
        return Reply(tool_calls=[_auto_call(str(last.get("content", "")), auto.k)])
    titles = _titles(json.dumps(messages[-1:] if last.get("role") == "tool" else messages))
    if titles:
        return Reply(text="Here is what I found: " + "; ".join(titles[: auto.k]) + ".")
    return Reply(text="Tell me a mood or a film you liked.")


def _auto_call(text: str, k: int) -> tuple[str, dict[str, Any]]:
    """The one tool a keyword-matching model would pick for the user's words."""
    lower = text.lower()
    if lower.startswith("why"):
        return "explain", {"title_or_ref": "#1"}
    if lower.startswith(("tell me about", "what's", "who directed")):
        return "item_details", {"title_or_ref": "#2"}
    if any(w in lower for w in ("loved", "liked", "hated")):
        return "give_feedback", {"title_or_ref": "#1", "signal": "dislike" if "hated" in lower else "like"}
    return "recommend", {"query": text[:80], "k": k}


def _titles(text: str) -> list[str]:
    found = re.findall(r'\\?"title\\?":\s*\\?"([^"\\]+)', text)
    return list(dict.fromkeys(found))


def _calls(reply: Reply) -> list[tuple[str, str]]:
    return [(name, reply.raw_args if reply.raw_args is not None else json.dumps(args))
            for name, args in reply.tool_calls]


def completion(reply: Reply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": raw}}
            for n, (name, raw) in enumerate(_calls(reply))
        ]
    finish = "tool_calls" if reply.tool_calls else "stop"
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def empty_completion(model: str) -> dict[str, Any]:
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": []}


def _chunk(model: str, delta: dict[str, Any] | None, finish: str | None = None) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0,
            "model": model, "choices": choices}


def sse_chunks(reply: Reply, model: str, style: str = "openai") -> list[dict[str, Any]]:
    """The stream: a role chunk, the text word by word, each tool call's arguments in pieces.

    `style="vllm"` sends what vLLM sends: `content: null` beside tool-call deltas, the
    first tool delta without an `arguments` key, and a last usage chunk with no choices.
    """
    vllm = style == "vllm"
    out = [_chunk(model, {"role": "assistant", "content": None if vllm else ""})]
    words = reply.text.split(" ") if reply.text else []
    for n, word in enumerate(words):
        out.append(_chunk(model, {"content": word if n == len(words) - 1 else word + " "}))
    for idx, (name, raw) in enumerate(_calls(reply)):
        step = max(1, -(-len(raw) // max(1, reply.arg_pieces)))
        function: dict[str, Any] = {"name": name} if vllm else {"name": name, "arguments": ""}
        head: dict[str, Any] = {"tool_calls": [{"index": idx, "id": f"call_{idx}", "type": "function",
                                                "function": function}]}
        if vllm:
            head["content"] = None
        out.append(_chunk(model, head))
        for start in range(0, len(raw), step):
            piece: dict[str, Any] = {"tool_calls": [{"index": idx,
                                                     "function": {"arguments": raw[start:start + step]}}]}
            if vllm:
                piece["content"] = None
            out.append(_chunk(model, piece))
    out.append(_chunk(model, {}, "tool_calls" if reply.tool_calls else "stop"))
    if vllm:
        usage = _chunk(model, None)
        usage["usage"] = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        out.append(usage)
    return out
