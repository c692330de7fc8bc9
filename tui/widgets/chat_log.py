"""The conversation: user and assistant messages, Markdown rendered, replies streamed.

Streaming goes through Textual's MarkdownStream, which batches fragments that
arrive faster than the widget can render them; the final reply then replaces the
streamed text, so a backend that streams something different from what it
returns (or does not stream at all) still ends with the true reply on screen.

A reply is shown as written, not reflowed like a document: a line break in the
reply is a line break on screen, and a line right after
a list item starts its own paragraph instead of being glued onto that item (a
"lazy continuation" in CommonMark, which is never what a reply's author meant).
Tables render compactly (one line per row), so a "why" reads like the `w` modal.
"""

from __future__ import annotations

import re
from typing import TypeVar

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownStream

from tui.text_safety import clean

WELCOME = (
    "Hi! Tell me what you feel like watching, for example "
    "*something funny from the 80s* or *more like Alien*. "
    "Press **tab** to reach the cards, **F1** for help."
)

W = TypeVar("W", bound=Widget)
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def reply_parser() -> MarkdownIt:
    """GitHub-like Markdown (tables, strikethrough) where a newline is a line break."""
    parser = MarkdownIt("gfm-like")
    parser.core.ruler.push("hard_breaks", _hard_breaks)
    return parser


def _hard_breaks(state: StateCore) -> None:
    """Every soft break becomes a hard one (markdown-it's `breaks` option only changes HTML)."""
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "softbreak":
                child.type = "hardbreak"


def as_written(text: str) -> str:
    """The reply with a blank line between a list and an unindented line that follows it."""
    out: list[str] = []
    in_fence = in_item = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or not line.strip():
            in_item = False
        elif _LIST_ITEM.match(line):
            in_item = True
        elif line[:1] not in " \t" and in_item:
            out.append("")
            in_item = False
        out.append(line)
    return "\n".join(out)


def escape_markdown(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+!|<>~-])", r"\\\1", text)


class ChatMessage(Markdown):
    """One message; the role is a CSS class (`user`, `assistant`, `note`, `error`)."""

    def __init__(self, text: str, role: str) -> None:
        super().__init__(clean(as_written(text)), classes=role, parser_factory=reply_parser)
        self.role = role
        self.streamed = ""


class ChatLog(VerticalScroll, can_focus=False):
    """Scrolls to the newest message unless the user has scrolled up to read."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pending: ChatMessage | None = None
        self._stream: MarkdownStream | None = None

    def on_mount(self) -> None:
        self.anchor()
        self.mount(ChatMessage(WELCOME, "note"))

    @property
    def messages(self) -> list[ChatMessage]:
        return list(self.query(ChatMessage))

    def add_user(self, text: str) -> ChatMessage:
        return self._add(ChatMessage(text, "user"))

    def add_note(self, text: str, role: str = "note", *, markup: bool = True) -> ChatMessage:
        """A note or an error line; `markup=False` shows the text exactly (an error may hold `*`)."""
        return self._add(ChatMessage(text if markup else escape_markdown(text), role))

    def start_assistant(self) -> ChatMessage:
        """An empty assistant message that streamed tokens will fill."""
        self._pending = self._add(ChatMessage("", "assistant"))
        self._stream = None
        return self._pending

    async def append_token(self, token: str) -> None:
        if self._pending is None:
            self.start_assistant()
        assert self._pending is not None
        if self._stream is None:
            self._stream = Markdown.get_stream(self._pending)
        self._pending.streamed += token
        await self._stream.write(clean(token))

    async def finish_assistant(self, reply: str, role: str = "assistant") -> None:
        """Settle the pending message on the final text; drop it if there is nothing to say."""
        message, self._pending = self._pending, None
        stream, self._stream = self._stream, None
        if stream is not None:
            await stream.stop()
        if message is None:
            if reply:
                self._add(ChatMessage(reply, role))
            return
        if not reply:
            await message.remove()
            return
        message.set_classes(role)
        if reply != message.streamed or stream is None or as_written(reply) != reply:
            await message.update(clean(as_written(reply)))
        self.scroll_end(animate=False)

    def add_tool_summary(self, tool_calls: list[dict[str, object]]) -> None:
        names = [str(call.get("name", "?")) for call in tool_calls]
        if names:
            self._add(Static("⚙ " + " · ".join(names), classes="tools", markup=False))

    def _add(self, widget: W) -> W:
        self.mount(widget)
        self.scroll_end(animate=False)
        return widget
