"""The OpenAI-compatible backend: ChatOpenAI for OpenAI, Ollama, vLLM and llama.cpp servers.

Retries on 429, 5xx and timeouts are the openai client's own (exponential
backoff, honouring Retry-After), `settings.max_retries` times. What is left
after that is turned by `describe_error` into one clear sentence for the chat,
with the API key scrubbed out of anything a server echoed back.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import httpx
import openai
from langchain_openai import ChatOpenAI

from memory.settings import Settings

NO_KEY_PLACEHOLDER = "not-needed"
"""Local servers (Ollama, llama.cpp) accept any key; the client insists on one."""


class ModelConfigError(RuntimeError):
    """The settings cannot make a model; the message says which setting to change."""


def build_openai_model(settings: Settings) -> ChatOpenAI:
    key = settings.api_key_value()
    if key is None and settings.openai_base_url is None:
        raise ModelConfigError(
            "TASTEBUD_CHAT_BACKEND=openai needs an API key (TASTEBUD_OPENAI_API_KEY or "
            "OPENAI_API_KEY) or a local server URL (TASTEBUD_OPENAI_BASE_URL, e.g. "
            "http://localhost:11434/v1 for Ollama). Or use TASTEBUD_CHAT_BACKEND=offline."
        )
    return ChatOpenAI(
        model=settings.model,
        base_url=settings.openai_base_url,
        api_key=key or NO_KEY_PLACEHOLDER,  # type: ignore[arg-type]
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        streaming=True,
    )


MODEL_ERRORS: tuple[type[BaseException], ...] = (openai.APIError, httpx.HTTPError, TimeoutError)


def describe_error(exc: BaseException, settings: Settings) -> str:
    """One sentence a person can act on; never the key, never a traceback."""
    where = _server(settings)
    tries = f"after {settings.max_retries} retries" if settings.max_retries else "with retries off"
    if isinstance(exc, openai.APITimeoutError | TimeoutError | httpx.TimeoutException):
        text = (f"The model server at {where} did not answer within {settings.request_timeout:g}s "
                f"({tries}). Try again, or raise TASTEBUD_REQUEST_TIMEOUT.")  # fmt: skip
    elif isinstance(exc, openai.APIConnectionError | httpx.ConnectError):
        text = (f"Cannot reach the model server at {where}. Is it running? "
                "(TASTEBUD_OPENAI_BASE_URL)")  # fmt: skip
    elif isinstance(exc, openai.RateLimitError):
        text = f"The model server at {where} is rate-limiting requests (429, {tries}). Wait a moment and try again."
    elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        text = (f"The model server at {where} rejected the API key ({exc.status_code}). Check "
                "TASTEBUD_OPENAI_API_KEY / OPENAI_API_KEY.")  # fmt: skip
    elif isinstance(exc, openai.NotFoundError):
        text = f"The model server at {where} has no model {settings.model!r} (404). Check TASTEBUD_MODEL."
    elif isinstance(exc, openai.APIStatusError):
        text = (f"The model server at {where} failed with HTTP {exc.status_code} ({tries}): "
                f"{_short(exc.message)}")  # fmt: skip
    else:
        text = f"The model call failed ({type(exc).__name__}): {_short(str(exc))}"
    return redact(text + " Your conversation is kept; you can go on.", settings)


def redact(text: str, settings: Settings) -> str:
    key = settings.api_key_value()
    if key:
        text = text.replace(key, "***")
        if len(key) > 12:  # servers echo keys partly ("sk-abc...wxyz")
            text = text.replace(key[:8], "***").replace(key[-6:], "***")
    return re.sub(r"\bsk-[A-Za-z0-9_\-]{8,}", "sk-***", text)


def _server(settings: Settings) -> str:
    if not settings.openai_base_url:
        return "api.openai.com"
    url = urlparse(settings.openai_base_url)
    return url.netloc or settings.openai_base_url


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
