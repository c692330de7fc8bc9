"""The safety net around every model call and tool call of a turn.

Real servers fail in more ways than an exception: they rate-limit, hang, send
HTML or an empty `choices` list, refuse `tools`, send tool arguments that are
not JSON, or think out loud in `<think>` blocks. `TurnGuard` is one
create_agent middleware that handles all of it, so the graph, the history and
the user only ever see a clean answer or one clear, key-free sentence:

- retries 429/5xx/timeouts/dropped connections itself (the client's own retries
  are off), at most `max_retries` times, never past the turn's time budget, and
  counts them, so "retried N times" is only said when it happened;
- retries an empty or unreadable answer once;
- sends tool arguments that are not JSON back to the model as a tool error, at
  most twice a turn;
- falls back to the offline parser planning the tool calls when the server
  refuses `tools`, and to a non-streamed request when it refuses tools with
  streaming;
- strips reasoning blocks from what is stored and shown;
- stops at once when the turn is cancelled, and runs no tool after that;
- replaces every exception by `ModelCallFailed`, a plain sentence without the
  key, because LangGraph stores a failed node's exception in the checkpoint.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain.agents.middleware.types import ToolCallRequest
from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from agent.cancel import TurnCancelled, TurnState
from agent.secrets import redact, scrub_message
from agent.text_clean import strip_think
from agent.toolless import Planner, planned_call
from memory.settings import Settings

log = logging.getLogger(__name__)
MAX_BAD_ANSWERS = 1
MAX_BAD_ARGUMENTS = 2


class ModelCallFailed(RuntimeError):
    """A model call that cannot succeed this turn; the message is for the user, key-free."""


@dataclass(frozen=True)
class Failure:
    kind: str
    """retry | bad_answer | tools_refused | stream_refused | fatal"""
    text: str
    wait: float | None = None
    """Seconds the server asked us to wait (Retry-After), when it said."""


def server_name(settings: Settings) -> str:
    """host:port of the model server: never a path or query that could hold a key."""
    if settings.chat_backend != "openai":
        return "the offline model"
    if not settings.openai_base_url:
        return "api.openai.com"
    url = urlparse(settings.openai_base_url)
    if not url.hostname:
        return "the configured model server"
    return f"{url.hostname}:{url.port}" if url.port else url.hostname


def short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def classify(exc: BaseException, settings: Settings) -> Failure:
    if "openai" in sys.modules:  # only an openai client can have raised an openai error
        from agent.openai_errors import classify as classify_openai

        found = classify_openai(exc, settings)
        if found is not None:
            return found
    where = f"The model server at {server_name(settings)}"
    if isinstance(exc, TimeoutError):
        return Failure("retry", f"{where} did not answer in time.")
    if isinstance(exc, ConnectionError):
        return Failure("retry", f"Cannot reach the model server at {server_name(settings)}.")
    if isinstance(exc, json.JSONDecodeError):
        return Failure("bad_answer", f"{where} sent something that is not JSON (an HTML error page?).")
    if isinstance(exc, ValueError) and "No generations" in str(exc):
        return Failure("bad_answer", f"{where} streamed no answer (no OpenAI-style events: an HTML "
                       "error page, or an empty stream).")
    if isinstance(exc, ValueError | LookupError):  # no choices, a shape the client cannot read
        return Failure("bad_answer", f"{where} sent an answer Tastebud could not read "
                       f"({type(exc).__name__}: {short(redact(str(exc), settings), 80)}).")
    return Failure("fatal", f"The model call failed ({type(exc).__name__}: "
                   f"{short(redact(str(exc), settings))}).")


class TurnGuard(AgentMiddleware):
    """Install once per chat service; `begin(state)` before each turn, `end()` after."""

    def __init__(self, settings: Settings, planner: Planner | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.planner = planner
        self.tool_mode = settings.tool_calling
        self.stream = settings.stream
        self.state: TurnState | None = None

    def begin(self, state: TurnState) -> None:
        self.state = state

    def end(self) -> None:
        self.state = None

    def _turn(self) -> TurnState:
        if self.state is None:  # used outside ChatService.turn (a bare graph in a test)
            self.state = TurnState(budget=self.settings.turn_timeout)
        return self.state

    # ---- model calls -----------------------------------------------------------------------
    def wrap_model_call(self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]) -> Any:
        turn = self._turn()
        extra: list[AnyMessage] = []
        failed: str | None = None
        retries = bad_answers = 0
        while failed is None:
            turn.check()
            try:
                ai = self._call(request, handler, extra)
            except TurnCancelled:
                raise
            except Exception as exc:  # every failure is sorted; none reaches the graph raw
                if turn.stopped:
                    break
                failure = classify(exc, self.settings)
                log.info("model call failed (%s): %s", failure.kind, failure.text)
                if self._fall_back(failure, turn):
                    continue
                if failure.kind == "retry" and retries < self.settings.max_retries:
                    wait = failure.wait if failure.wait is not None else 0.5 * 2**retries
                    if wait < turn.remaining():
                        turn.sleep(min(wait, 20.0))
                        retries += 1
                        continue
                if failure.kind == "bad_answer" and bad_answers < MAX_BAD_ANSWERS:
                    bad_answers += 1
                    continue
                failed = self._final(failure, retries, bad_answers)
                break
            if not (ai.text.strip() or ai.tool_calls or ai.invalid_tool_calls):
                if bad_answers < MAX_BAD_ANSWERS:
                    bad_answers += 1
                    continue
                failed = (f"The model server at {server_name(self.settings)} sent an empty answer "
                          "twice (asked again once).")
                break
            if ai.invalid_tool_calls and not ai.tool_calls:
                if turn.bad_arguments < MAX_BAD_ARGUMENTS:
                    turn.bad_arguments += 1
                    extra += [ai, *_argument_errors(ai)]
                    continue
                failed = (f"The model at {server_name(self.settings)} kept sending tool arguments "
                          f"that are not JSON ({MAX_BAD_ARGUMENTS} corrections asked).")
                break
            return ModelResponse(result=[*extra, ai])
        turn.check()
        raise ModelCallFailed(redact(failed or "The model call failed.", self.settings))

    def _call(self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse],
              extra: list[AnyMessage]) -> AIMessage:
        if extra:
            request = request.override(messages=[*request.messages, *extra])
        if not self.stream and getattr(request.model, "streaming", False):
            request = request.override(model=request.model.model_copy(update={"streaming": False}))
        if self.tool_mode == "none" and self.planner is not None:
            response = planned_call(request, handler, self.planner)
        else:
            response = handler(request)
        ai = next((m for m in reversed(response.result) if isinstance(m, AIMessage)), None)
        if ai is None:
            raise ValueError("no assistant message in the model's response")
        if isinstance(ai.content, str) and "think>" in ai.content:
            ai = ai.model_copy(update={"content": strip_think(ai.content)})
        return scrub_message(ai, self.settings.api_key_value())

    def _fall_back(self, failure: Failure, turn: TurnState) -> bool:
        if failure.kind == "stream_refused" and self.stream:
            self.stream = False
            turn.notices.append("The model server cannot stream with tools; streaming is off "
                                "for this session (TASTEBUD_STREAM=false makes it permanent).")
            return True
        if failure.kind == "tools_refused" and self.tool_mode == "auto" and self.planner is not None:
            self.tool_mode = "none"
            turn.notices.append("This model has no tool calling, so Tastebud plans the tool calls "
                                "itself and the model writes the replies (TASTEBUD_TOOL_CALLING=none).")
            return True
        return False

    def _final(self, failure: Failure, retries: int, bad_answers: int) -> str:
        text = failure.text
        if retries:
            text += f" Retried {retries} time{'s' if retries > 1 else ''}."
        elif failure.kind == "bad_answer" and bad_answers:
            text += " Asked again once."
        if failure.kind == "retry" and retries < self.settings.max_retries:
            text += " Stopped retrying: the turn's time budget (TASTEBUD_TURN_TIMEOUT) ran out."
        return text

    # ---- tool calls ------------------------------------------------------------------------
    def wrap_tool_call(self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], Any]) -> Any:
        self._turn().check()  # no tool runs after a cancel
        return handler(request)


def _argument_errors(ai: AIMessage) -> list[ToolMessage]:
    """One error result per call whose arguments did not parse, in words the model can act on."""
    out = []
    for call in ai.invalid_tool_calls:
        error = (f"The arguments of this call are not valid JSON: {short(str(call.get('args') or ''), 120)}. "
                 "Call the tool again with a JSON object (double quotes), or answer without it.")
        out.append(ToolMessage(content=json.dumps({"ok": False, "error": error}),
                               tool_call_id=call.get("id") or "invalid",
                               name=call.get("name") or "unknown", status="error"))
    return out
