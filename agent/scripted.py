"""ScriptedModel: a chat model whose replies a test writes in advance.

Agent tests need the real graph (tool calling, checkpointing, trimming) but a
model whose every move is known. A test enqueues AIMessages (with or without
tool calls); each model call pops the next one and records the messages it was
given in `history`, so the test can also check what the model was shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import Field, PrivateAttr


class ScriptExhausted(RuntimeError):
    """The model was called more often than the test enqueued replies for."""


class ScriptedModel(BaseChatModel):
    """Replies from a queue; `history[i]` is the list of messages of the i-th call."""

    model_name: str = "scripted"
    default_reply: str | None = Field(
        default=None, description="reply when the queue is empty; None raises ScriptExhausted"
    )
    _queue: list[AIMessage | Exception] = PrivateAttr(default_factory=list)
    _history: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _tools: list[str] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def history(self) -> list[list[BaseMessage]]:
        return self._history

    @property
    def bound_tools(self) -> list[str]:
        return list(self._tools)

    def enqueue(self, *replies: AIMessage | Exception) -> ScriptedModel:
        """Queue replies (an Exception is raised by the call that pops it)."""
        self._queue.extend(replies)
        return self

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        self._tools = [getattr(t, "name", str(t)) for t in tools]
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self._history.append(list(messages))
        if not self._queue:
            if self.default_reply is None:
                raise ScriptExhausted(f"ScriptedModel call {len(self._history)} has no reply queued")
            return AIMessage(content=self.default_reply)
        reply = self._queue.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply.model_copy()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Text replies stream word by word, so streaming callers are exercised too."""
        reply = self._next(messages)
        if reply.tool_calls or not isinstance(reply.content, str) or not reply.content:
            chunk = AIMessageChunk(content=reply.content, tool_call_chunks=[
                {"name": c["name"], "args": _json(c["args"]), "id": c["id"], "index": n}
                for n, c in enumerate(reply.tool_calls)
            ], id=reply.id)
            yield ChatGenerationChunk(message=chunk)
            return
        words = reply.content.split(" ")
        for n, word in enumerate(words):
            piece = word if n == len(words) - 1 else word + " "
            chunk = AIMessageChunk(content=piece, id=reply.id)
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)


def _json(args: dict[str, Any]) -> str:
    return json.dumps(args)
