"""What went wrong with an OpenAI-compatible server, in words, and what to do about it.

`classify` sorts an exception from the openai client into a `Failure`: retry it
(429, 5xx, a dropped connection, a timeout), fall back (the server refuses
`tools`, or refuses tools with streaming, as Ollama, vLLM and llama.cpp do for
models without tool calling), retry once (an answer that is not the OpenAI
format: HTML, garbage, no choices) or give up (a bad key, an unknown model, a
request the server rejects). Its text names the server, never the key. Only
the openai backend imports this module, so the offline path never loads openai.
"""

from __future__ import annotations

import re

import openai

from agent.secrets import redact
from agent.turn_guard import Failure, server_name, short
from memory.settings import Settings

TOOLS_REFUSED = re.compile(
    r"does not support tools|tool choice requires|--enable-auto-tool-choice|requires --jinja|"
    r"tools? (?:is|are) not supported|does not support (?:function|tool)[ _-]?call", re.I)
STREAM_REFUSED = re.compile(r"cannot use tools with stream|stream(?:ing)? (?:is )?not supported with tools", re.I)


def classify(exc: BaseException, settings: Settings) -> Failure | None:
    """The Failure for an openai exception, or None when it is not one of the client's."""
    where = f"The model server at {server_name(settings)}"
    if isinstance(exc, openai.APITimeoutError):
        return Failure("retry", f"{where} did not answer within {settings.request_timeout:g}s "
                       "(TASTEBUD_REQUEST_TIMEOUT).")
    if isinstance(exc, openai.APIConnectionError):
        return Failure("retry", f"Cannot reach the model server at {server_name(settings)}. Is it "
                       "running? (TASTEBUD_OPENAI_BASE_URL)")
    if isinstance(exc, openai.APIResponseValidationError):
        return Failure("bad_answer", f"{where} sent an answer that is not in the OpenAI chat format.")
    if not isinstance(exc, openai.APIStatusError):
        return None
    code = exc.status_code
    message = redact(short(re.sub(r"^Error code: \d+ - ", "", str(exc.message))), settings)
    if STREAM_REFUSED.search(message):
        return Failure("stream_refused", f"{where} cannot stream with tools ({code}: {message}). "
                       "Set TASTEBUD_STREAM=false.")
    if TOOLS_REFUSED.search(message):
        return Failure("tools_refused", f"{where} refuses tool calling for {settings.model!r} "
                       f"({code}: {message}). Set TASTEBUD_TOOL_CALLING=none.")
    if isinstance(exc, openai.RateLimitError):
        return Failure("retry", f"{where} is rate-limiting requests (429). Wait a moment and try "
                       "again.", _retry_after(exc))
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return Failure("fatal", f"{where} rejected the API key ({code}). Check "
                       "TASTEBUD_OPENAI_API_KEY / OPENAI_API_KEY.")
    if isinstance(exc, openai.NotFoundError):
        return Failure("fatal", f"{where} has no model {settings.model!r} (404). Check TASTEBUD_MODEL.")
    if code >= 500 or code in (408, 409):
        return Failure("retry", f"{where} failed with HTTP {code}: {message}", _retry_after(exc))
    return Failure("fatal", f"{where} refused the request with HTTP {code}: {message}")


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            return float(headers.get(header, "")) / divisor
        except ValueError:
            continue
    return None
