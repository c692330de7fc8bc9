"""The OpenAI-compatible backend: ChatOpenAI for OpenAI, Ollama, vLLM and llama.cpp servers.

The client's own retries are off: `agent.turn_guard` retries (429, 5xx,
timeouts) itself, so it knows how many it made and stops at the turn's time
budget. Timeouts: `connect_timeout` to connect, `request_timeout` for the first
token and between chunks. The HTTP client is ours for one reason: cancelling.
It remembers the sockets it opened, and `abort()` shuts them down, which makes
a read blocked on a hung server return at once (closing a client from another
thread does not). Errors are sorted and worded in `agent.openai_errors`.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import socket
import threading
import weakref
from typing import Any

import openai
from langchain_openai import ChatOpenAI

from memory.settings import Settings

log = logging.getLogger(__name__)
NO_KEY_PLACEHOLDER = "not-needed"
"""Local servers (Ollama, llama.cpp) accept any key; the client insists on one."""


class ModelConfigError(RuntimeError):
    """The settings cannot make a model; the message says which setting to change."""


def _http_modules() -> tuple[Any, Any]:
    """The httpx and httpcore the installed openai client uses (httpx2/httpcore2 in openai 3)."""
    base = next(c for c in openai.DefaultHttpxClient.__mro__ if c.__name__ == "Client")
    httpx_name = base.__module__.split(".")[0]
    return importlib.import_module(httpx_name), importlib.import_module(httpx_name.replace("httpx", "httpcore"))


class _SocketRegistry:
    """Wraps the transport's network backend; remembers each socket so it can be shut down."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        stream = self._inner.connect_tcp(*args, **kwargs)
        sock = stream.get_extra_info("socket")
        if sock is not None:
            with self._lock:
                self._sockets.add(sock)
        return stream

    def abort(self) -> int:
        with self._lock:
            live = list(self._sockets)
        for sock in live:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)
        return len(live)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def cancellable_client(settings: Settings) -> Any:
    """An openai-flavoured HTTP client with `abort()`: shut every open socket now."""
    httpx, _ = _http_modules()
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    registry = None
    if pool is not None and hasattr(pool, "_network_backend"):
        registry = _SocketRegistry(pool._network_backend)
        pool._network_backend = registry
    else:  # a different httpx: cancelling still stops the turn, only not the read itself
        log.warning("cannot hook the HTTP transport; a cancel waits for the request timeout")
    timeout = httpx.Timeout(settings.request_timeout, connect=settings.connect_timeout)
    client: Any = openai.DefaultHttpxClient(transport=transport, timeout=timeout)
    client.abort = registry.abort if registry is not None else (lambda: 0)
    return client


def build_openai_model(settings: Settings) -> ChatOpenAI:
    key = settings.api_key_value()
    if key is None and settings.openai_base_url is None:
        raise ModelConfigError(
            "TASTEBUD_CHAT_BACKEND=openai needs an API key (TASTEBUD_OPENAI_API_KEY or "
            "OPENAI_API_KEY) or a local server URL (TASTEBUD_OPENAI_BASE_URL, e.g. "
            "http://localhost:11434/v1 for Ollama). Or use TASTEBUD_CHAT_BACKEND=offline."
        )
    httpx, _ = _http_modules()
    return ChatOpenAI(
        model=settings.model,
        base_url=settings.openai_base_url,
        api_key=key or NO_KEY_PLACEHOLDER,  # type: ignore[arg-type]
        timeout=httpx.Timeout(settings.request_timeout, connect=settings.connect_timeout),
        max_retries=0,
        streaming=settings.stream,
        http_client=cancellable_client(settings),
    )

