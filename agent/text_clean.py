"""Cleaning what a model says before anyone sees it: reasoning blocks and message seams.

Reasoning models served by Ollama, vLLM or llama.cpp often put their thinking
in the answer, between `<think>` and `</think>` (some omit the opening tag).
`strip_think` removes it from a finished message; `ReplyStream` does the same
to streamed tokens, holding back only a possible half tag, and puts a blank
line between two messages of one turn (the text a model sends before a tool
call, then the answer), so they are never glued together.
"""

from __future__ import annotations

import re

OPEN, CLOSE = "<think>", "</think>"
_BLOCK = re.compile(r"<think>.*?(?:</think>\s*|$)", re.S)
SEAM = "\n\n"


def strip_think(text: str) -> str:
    if CLOSE in text and OPEN not in text.split(CLOSE, 1)[0]:
        text = text.split(CLOSE, 1)[1]  # the model's template opened the block for it
    return _BLOCK.sub("", text).strip()


def _partial_tail(text: str, tag: str) -> int:
    """How many characters at the end of `text` could be the start of `tag`."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0


class ReplyStream:
    """Turns the raw token stream of a turn into what the user should see, token by token."""

    def __init__(self) -> None:
        self._buf = ""
        self._inside = False
        self._message: str | None = None
        self._shown = False
        self._pending_seam = False

    def feed(self, token: str, message_id: str | None = None) -> str:
        """Text to show now for `token` of message `message_id` (possibly empty)."""
        if message_id != self._message:
            self._message, self._buf, self._inside = message_id, "", False
            self._pending_seam = self._shown
        self._buf += token
        out: list[str] = []
        while self._buf:
            if self._inside:
                end = self._buf.find(CLOSE)
                if end < 0:
                    self._buf = self._buf[-(len(CLOSE) - 1):]
                    break
                self._buf, self._inside = self._buf[end + len(CLOSE):].lstrip(), False
                continue
            start = self._buf.find(OPEN)
            if start >= 0:
                out.append(self._buf[:start])
                self._buf, self._inside = self._buf[start + len(OPEN):], True
                continue
            keep = _partial_tail(self._buf, OPEN)
            out.append(self._buf[: len(self._buf) - keep])
            self._buf = self._buf[len(self._buf) - keep:]
            break
        text = "".join(out)
        if not self._shown or self._pending_seam:
            text = text.lstrip()
        if text and self._pending_seam:
            text, self._pending_seam = SEAM + text, False
        self._shown = self._shown or bool(text)
        return text
