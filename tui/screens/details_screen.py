"""enter on a card: the film's facts.

Opening it is itself a signal (the facade records "details" as mild interest
when the item was shown), which is why the screen gets an Item the worker
fetched through `service.details` rather than reading the card's copy.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.text_safety import clean, clean_line


def facts_table(item: Any) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    table.add_column("fact", style="bold", no_wrap=True, width=12)
    table.add_column("value")
    rows = [
        ("year", str(item.year) if item.year else ""),
        ("genres", ", ".join(item.genres)),
        ("directed by", ", ".join(item.directors)),
        ("cast", ", ".join(item.cast[:6])),
        ("runtime", f"{item.runtime} min" if item.runtime else ""),
        ("country", item.country or ""),
        ("keywords", ", ".join(item.keywords[:10])),
    ]
    for name, value in rows:
        if value:
            table.add_row(name, Text(clean_line(value)))  # Text: a name is never markup
    return table


class DetailsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, item: Any) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        with Vertical(id="details-box", classes="modal-box"):
            with VerticalScroll():
                yield Static(facts_table(self.item), id="details-facts")
                if self.item.description:
                    yield Static(clean(self.item.description), id="details-description", markup=False)
            yield Static("esc closes", classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one("#details-box").border_title = escape(clean_line(self.item.label))
