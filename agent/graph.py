"""Building the agent: create_agent over the toolkit, with the context, checkpointer and middleware.

One builder for both backends, so the offline model and an OpenAI-compatible
one run exactly the same loop, the same tools and the same safety net.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware, ToolCallRequest, ToolErrorMiddleware
from langchain_core.language_models import BaseChatModel
from langgraph.types import Checkpointer

from agent.context import TurnContext
from agent.history import TrimHistory
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
                       f"{text}. Try other arguments, or tell the user."})  # fmt: skip


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
        middleware=[TrimHistory(history_messages, prompt_tokens), *extra,
                    ToolErrorMiddleware(tool_error_message)],
        context_schema=TurnContext,
        checkpointer=checkpointer,
    )
