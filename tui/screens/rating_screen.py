"""r on a card: a one-line prompt for 1–5 stars.

A modal that returns the number (or None on escape) to the screen's callback,
which then writes the rating like any other feedback: the prompt itself never
touches the service.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

STARS = "★★★★★"


class RatingScreen(ModalScreen[int | None]):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.item_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="rating-box", classes="modal-box"):
            yield Static(f"How many stars for {self.item_title}?", markup=False)
            yield Static("press 1 2 3 4 5 · esc cancels", classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one("#rating-box").border_title = "Rate"

    def on_key(self, event: events.Key) -> None:
        event.stop()
        if event.key in {"1", "2", "3", "4", "5"}:
            self.dismiss(int(event.key))
        elif event.key in {"escape", "q"}:
            self.dismiss(None)
