"""Building the agent: create_agent over the toolkit, with the context, checkpointer and middleware.

One builder for both backends, so the offline model and an OpenAI-compatible
one run exactly the same loop, the same tools and the same safety net.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, NotRequired

from langchain.agents import AgentState, create_agent
from langchain.agents.middleware import (
    AgentMiddleware,
    ModelRequest,
    ModelResponse,
    ToolCallRequest,
    ToolErrorMiddleware,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer

from agent.context import TurnContext
from agent.dialogue import DialogueState, describe, fold
from agent.history import TrimHistory
from agent.offline.model import OfflineChatModel
from agent.prompts import system_prompt
from agent.secrets import scrub
from tools.toolkit import all_tools

log = logging.getLogger(__name__)


def tool_error_message(exc: Exception, request: ToolCallRequest) -> str:
    """An unexpected tool failure, told to the model as data it can act on (never a crash)."""
    name = request.tool_call.get("name", "tool")
    ctx = getattr(request.runtime, "context", None)
    settings = getattr(ctx, "settings", None)
    text = scrub(str(exc)[:200], settings.api_key_value() if settings is not None else None)
    log.warning("tool %s failed: %s: %s", name, type(exc).__name__, text)
    return json.dumps({"ok": False, "error": f"{name} failed ({type(exc).__name__}): "
                       f"{text}. Try other arguments, or tell the user."})


class DialogueAgentState(AgentState):  # type: ignore[type-arg]
    """The agent's graph state: the messages, plus the conversation's dialogue state."""

    dialogue: NotRequired[dict[str, Any]]


class DialogueMiddleware(AgentMiddleware):  # type: ignore[type-arg]
    """Keeps `DialogueState` in the checkpointed graph state and shows it to the model.

    Before each model call the model sees the state (the offline model as an
    argument, an LLM as a line of its system prompt); after the turn the state is
    folded from the turn's `recommend` call and the list the tools showed.
    """

    state_schema = DialogueAgentState

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> Any:
        raw = request.state.get("dialogue")
        current: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
        if isinstance(request.model, OfflineChatModel):
            return handler(request.override(model_settings={**request.model_settings,
                                                            "dialogue": current}))
        line = describe(DialogueState.from_dict(current))
        if not line:
            return handler(request)
        base = request.system_message.text if request.system_message else ""
        return handler(request.override(system_message=SystemMessage(f"{base}\n\n{line}".strip())))

    def after_agent(self, state: Any, runtime: Runtime[Any]) -> dict[str, Any] | None:
        messages = list(state.get("messages", []))
        start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
        calls = [dict(c) for m in messages[start + 1 :] if isinstance(m, AIMessage)
                 for c in m.tool_calls]
        sink = getattr(runtime.context, "sink", None)
        shown = [r.item.title for r in sink.shown] if sink is not None else []
        before = DialogueState.from_dict(state.get("dialogue"))
        after = fold(before, calls, shown)
        return {"dialogue": after.to_dict()} if after != before else None


def build_agent(
    model: BaseChatModel,
    *,
    checkpointer: Checkpointer | None = None,
    catalog: str = "demo",
    history_messages: int = 24,
    prompt_tokens: int | None = None,
    guard: AgentMiddleware | None = None,
) -> Any:
    """The compiled agent graph; invoke it with `context=TurnContext(...)`.

    `guard` (agent.turn_guard.TurnGuard) sits inside the history trimming, so it retries the
    trimmed request, and outside the tool-error handler, so a cancel stops a tool for real.
    """
    extra = [guard] if guard is not None else []
    return create_agent(
        model,
        tools=all_tools(),
        system_prompt=system_prompt(catalog=catalog),
        middleware=[DialogueMiddleware(), TrimHistory(history_messages, prompt_tokens), *extra,
                    ToolErrorMiddleware(tool_error_message)],
        context_schema=TurnContext,
        checkpointer=checkpointer,
    )
