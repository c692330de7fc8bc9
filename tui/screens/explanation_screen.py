"""w: why this film, in words and in the numbers the score was summed from.

The table is the score's Breakdown: each component's raw score, its [0, 1]
value, the user's weight and the product, then every adjustment, then the
total, which is exactly their sum. The words under it are the Explanation's
evidence (nearest liked films, matched request words). The explanation's own
breakdown is preferred (computed now, after any feedback); the card's copy is
the fallback, and an explanation without structured evidence shows its text().
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

from tools.explain import HEADER, breakdown_rows, evidence_lines
from tools.item_json import variety_note
from tui.text_safety import clean, clean_line


def breakdown_dict(explanation: Any, ranked: Any | None) -> dict[str, Any] | None:
    found = explanation_dict(explanation).get("breakdown")
    if isinstance(found, dict) and "components" in found:
        return found
    return ranked.breakdown.to_dict() if ranked is not None else None


def explanation_dict(explanation: Any) -> dict[str, Any]:
    data = explanation.to_dict() if hasattr(explanation, "to_dict") else {}
    return data if isinstance(data, dict) else {}


def numbers_table(breakdown: dict[str, Any]) -> Table:
    """The rows every view of an explanation shares (tools.explain.breakdown_rows), then the total."""
    table = Table(box=None, pad_edge=False, show_edge=False, expand=True, header_style="bold")
    table.add_column(HEADER[0])
    for name in HEADER[1:]:
        table.add_column(name, justify="right")
    for kind, row in zip(_row_kinds(breakdown), breakdown_rows(breakdown), strict=True):
        if kind == "off":
            table.add_row(*row, style="dim")
        elif kind == "adjustment":
            table.add_row(Text(clean_line(row[0]), style="italic"), *row[1:])
        else:
            table.add_row(*row)
    table.add_row(
        Text("score", style="bold"), "", "", "", Text(f"{breakdown['total']:.3f}", "bold")
    )
    return table


def variety_line(data: dict[str, Any], ranked: Any | None) -> str | None:
    """"Listed #2: moved up for variety; ...", from the explanation, else from the card."""
    rank, score_rank = data.get("rank"), data.get("score_rank")
    if rank is None and ranked is not None:
        rank, score_rank = getattr(ranked, "rank", None), getattr(ranked, "score_rank", None)
    note = variety_note(rank, score_rank)
    return f"Listed #{rank}: {note}." if note else None


def _row_kinds(breakdown: dict[str, Any]) -> list[str]:
    kinds = ["on" if c.get("available", True) else "off" for c in breakdown.get("components", [])]
    return kinds + ["adjustment"] * len(breakdown.get("adjustments", []))


class ExplanationScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,w,q", "dismiss", "Close"),
    ]

    def __init__(self, title: str, explanation: Any, ranked: Any | None = None) -> None:
        super().__init__()
        self.item_title = title
        self.explanation = explanation
        self.ranked = ranked

    def compose(self) -> ComposeResult:
        with Vertical(id="explanation-box", classes="modal-box"):
            with VerticalScroll():
                breakdown = breakdown_dict(self.explanation, self.ranked)
                if breakdown is not None:
                    yield Static(numbers_table(breakdown), id="explanation-numbers")
                    for note in breakdown.get("notes") or []:
                        yield Static(clean(f"note: {note}"), classes="explanation-note", markup=False)
                data = explanation_dict(self.explanation)
                moved = variety_line(data, self.ranked)
                if moved:
                    yield Static(moved, id="explanation-variety", markup=False)
                words = evidence_lines(data) if "evidence" in data else [self.explanation.text()]
                words = words or ["No liked films or request words to point to yet."]
                yield Static(clean("\n".join(words)), id="explanation-text", markup=False)
            yield Static("esc closes", classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one("#explanation-box").border_title = escape(clean_line(f"Why {self.item_title}"))
