"""Models without tool calling: the offline parser plans the calls, the model writes the reply.

Many small local models (and Ollama, vLLM or llama.cpp set up without a tool
parser) answer 400 to any request with `tools`. With `TASTEBUD_TOOL_CALLING=none`
(or after such a refusal, under `auto`) the model call is split in two: the
offline model (agent/offline) reads the user's message and emits the tool
calls, exactly as it does without any LLM, and once the tools have answered,
the LLM is asked, with no `tools` in the request, to write the reply from their
results. The conversation it sees is user and assistant text only, so roles
alternate and no tool message reaches a chat template that cannot show it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain.agents.middleware import ModelRequest, ModelResponse
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from agent.prompts import toolless_instructions

Planner = Callable[[list[BaseMessage], Sequence[str] | None], AIMessage]
"""The offline model's `respond(messages, tool_names)`: the next tool call, or a draft reply."""
MAX_RESULT_CHARS = 2400


def planned_call(request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse],
                 planner: Planner) -> ModelResponse:
    names = [t["function"]["name"] if isinstance(t, dict) else t.name for t in request.tools]
    plan = planner(list(request.messages), names)
    if plan.tool_calls:
        return ModelResponse(result=[plan])
    base = request.system_message.text if request.system_message else ""
    results = [_compact(m) for m in _this_turn(request.messages) if isinstance(m, ToolMessage)]
    system = SystemMessage(f"{base}\n\n{toolless_instructions(results, plan.text)}".strip())
    return handler(request.override(messages=text_only(request.messages), system_message=system,
                                    tools=[], tool_choice=None))


def text_only(messages: Sequence[BaseMessage]) -> list[AnyMessage]:
    """User and assistant text, alternating, without tool calls or tool results."""
    out: list[AnyMessage] = []
    for m in messages:
        msg: HumanMessage | AIMessage
        if isinstance(m, HumanMessage):
            msg = HumanMessage(m.text)
        elif isinstance(m, AIMessage) and not m.tool_calls and m.text.strip():
            msg = AIMessage(m.text)
        else:
            continue
        if out and type(out[-1]) is type(msg):
            out[-1] = type(msg)(f"{out[-1].text}\n\n{msg.text}")
        else:
            out.append(msg)
    while out and not isinstance(out[0], HumanMessage):
        out.pop(0)
    return out


def _this_turn(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    return list(messages[start + 1 :])


def _compact(m: ToolMessage) -> str:
    text = " ".join(m.text.split())
    if len(text) > MAX_RESULT_CHARS:
        text = text[: MAX_RESULT_CHARS - 1] + "…"
    return f"{m.name or 'tool'}: {text}"
