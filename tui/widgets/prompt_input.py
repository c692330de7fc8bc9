"""Where the user types: enter sends, pasted text keeps its lines, ↑/↓ walk the history.

A TextArea rather than an Input because Input keeps only the first line of a
paste, and people paste lists of films. Enter sends; ctrl+j (or alt+enter)
breaks a line by hand. ↑ on the first line and ↓ on the last one move through
what was sent before, the way a shell does; elsewhere they move the cursor.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

PLACEHOLDER = "Ask for a film…  (enter sends · ↑ history)"


class PromptInput(TextArea):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j,alt+enter", "newline", "New line", show=False),
    ]

    class Submitted(Message):
        def __init__(self, prompt: PromptInput, text: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.text = text

    def __init__(self, *, id: str | None = None, history_size: int = 200) -> None:
        super().__init__(
            "", soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
            highlight_cursor_line=False, compact=True, placeholder=PLACEHOLDER, id=id,
        )
        self.sent: list[str] = []
        """What was sent, oldest first: ↑ walks it backwards."""
        self._history_size = history_size
        self._cursor: int | None = None  # index into history while browsing, None = the draft
        self._draft = ""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.submit()
            return
        row = self.cursor_location[0]
        if event.key == "up" and row == 0 and self.sent:
            event.stop()
            event.prevent_default()
            self.history_back()
            return
        if event.key == "down" and row == self.document.line_count - 1 and self._cursor is not None:
            event.stop()
            event.prevent_default()
            self.history_forward()
            return
        await super()._on_key(event)

    def action_newline(self) -> None:
        self.insert("\n")

    def submit(self) -> None:
        text = self.text.strip()
        if not text:
            return
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
            del self.sent[: -self._history_size]
        self._cursor = None
        self._draft = ""
        self.clear()
        self.post_message(self.Submitted(self, text))

    def restore(self, text: str) -> None:
        """Put a failed request back, cursor at its end, so it can be edited and resent."""
        self.load_text(text)
        self.move_cursor(self.document.end)
        self.focus()

    def history_back(self) -> None:
        if self._cursor is None:
            self._draft = self.text
            self._cursor = len(self.sent)
        self._cursor = max(0, self._cursor - 1)
        self._show(self.sent[self._cursor])

    def history_forward(self) -> None:
        if self._cursor is None:
            return
        self._cursor += 1
        if self._cursor >= len(self.sent):
            self._cursor = None
            self._show(self._draft)
        else:
            self._show(self.sent[self._cursor])

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
