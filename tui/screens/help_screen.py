"""F1: the keys and a few prompts that show what the agent understands.

Kept in code, beside nothing but itself, so the help and the bindings are
reviewed together; any key that is not a scroll key closes it, as in harlequin.
"""

from __future__ import annotations

from rich.table import Table
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

KEYS: list[tuple[str, str, str]] = [
    ("chat", "enter", "send  (ctrl+j: new line, ↑ ↓: your earlier messages)"),
    ("", "tab / esc", "move to the cards / back to the chat"),
    ("card", "l  d", "like · dislike"),
    ("", "s", "seen it"),
    ("", "r", "rate it 1–5"),
    ("", "w", "why: the score and the numbers it is summed from"),
    ("", "enter", "details (counts as interest)"),
    ("app", "ctrl+p", "commands: switch user, undo/reset preferences, diversity"),
    ("", "F1  ctrl+q", "this help · quit"),
]

EXAMPLES = """\
**Try asking**

- *something funny from the 80s*
- *more like Alien, but less gory*
- *I loved Heat, hated Cats*
- *never horror* · *only films after 2000*
- *why did you pick the second one?*
"""


def keys_table() -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    table.add_column("where", style="dim", width=5)
    table.add_column("key", style="bold", width=11)
    table.add_column("what")
    for row in KEYS:
        table.add_row(*row)
    return table


SCROLL_KEYS = {"up", "down", "pageup", "pagedown", "home", "end"}


class HelpScreen(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="modal-box"):
            with VerticalScroll(id="help-body"):
                yield Static(keys_table(), id="help-keys")
                yield Markdown(EXAMPLES, id="help-examples")
            yield Static("↑↓ scroll · any other key closes", classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Tastebud help"

    def on_key(self, event: events.Key) -> None:
        event.stop()
        body = self.query_one("#help-body", VerticalScroll)
        actions = {
            "up": body.scroll_up, "down": body.scroll_down, "pageup": body.scroll_page_up,
            "pagedown": body.scroll_page_down, "home": body.scroll_home, "end": body.scroll_end,
        }
        if event.key in SCROLL_KEYS:
            actions[event.key]()
        else:
            self.dismiss()

    def on_click(self) -> None:
        self.dismiss()
