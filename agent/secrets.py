"""Keeping the API key out of everything Tastebud writes: errors, logs, checkpoints, output.

Servers and proxies echo keys back (a 401 body that quotes the key, a 500 that
dumps the request headers), and whatever text an exception carries can end up
in LangGraph's checkpoint, in a log line or on the screen. `scrub` is the one
function every such text goes through; `ScrubbingFilter` applies it to log
records, so a library that logs a response body cannot leak the key either.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the TUI imports this module at start; langchain would slow the prompt
    from langchain_core.messages import AIMessage

    from memory.settings import Settings

_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s,;'\")]+")
_HEADER = re.compile(r"(?i)\b((?:authorization|x-api-key|api-key)[\"']?\s*[:=]\s*[\"']?)(?!bearer\b)[^\s,;'\")]+")
_SK = re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}")
HEAD, TAIL = 8, 6
"""A long key's first 8 and last 6 characters are blanked too (servers echo keys partly)."""


def scrub(text: str, key: str | None) -> str:
    """`text` without the key (or its head or tail), bearer tokens, or anything like sk-…."""
    if key:
        text = text.replace(key, "***")
        if len(key) > 12:  # "sk-abc…wxyz": a head or tail alone still identifies it
            text = text.replace(key[:HEAD], "***").replace(key[-TAIL:], "***")
    text = _BEARER.sub(r"\1***", text)
    text = _HEADER.sub(r"\1***", text)
    return _SK.sub("sk-***", text)


def redact(text: str, settings: Settings) -> str:
    return scrub(text, settings.api_key_value())


class ScrubbingFilter(logging.Filter):
    """A log filter that renders each record once, scrubbed, so no argument carries the key."""

    def __init__(self, key: str | None) -> None:
        super().__init__("tastebud-scrub")
        self.key = key

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message, self.key)
        if record.exc_info and record.exc_info[1] is not None:
            clean += " | " + scrub(f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}", self.key)
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = clean, None
        return True


def install_log_scrubbing(key: str | None) -> None:
    """Scrub every record that reaches a handler of the root logger (and Python's last resort)."""
    targets = list(logging.getLogger().handlers)
    if logging.lastResort is not None:
        targets.append(logging.lastResort)
    for handler in targets:
        if not any(isinstance(f, ScrubbingFilter) and f.key == key for f in handler.filters):
            handler.addFilter(ScrubbingFilter(key))


def scrub_message(message: AIMessage, key: str | None) -> AIMessage:
    """The model's message without the key, in its text or its tool arguments (it may repeat
    what a user pasted): the message is stored in the checkpoint as it is."""
    if not key or (key not in json.dumps(message.content) and key not in json.dumps(message.tool_calls)):
        return message
    content = scrub(message.content, key) if isinstance(message.content, str) else message.content
    calls = [{**c, "args": json.loads(scrub(json.dumps(c["args"]), key))} for c in message.tool_calls]
    return message.model_copy(update={"content": content, "tool_calls": calls})
