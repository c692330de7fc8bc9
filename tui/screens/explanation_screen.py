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

from tui.text_safety import clean, clean_line


def breakdown_dict(explanation: Any, ranked: Any | None) -> dict[str, Any] | None:
    data = explanation.to_dict() if hasattr(explanation, "to_dict") else {}
    found = data.get("breakdown") if isinstance(data, dict) else None
    if isinstance(found, dict) and "components" in found:
        return found
    return ranked.breakdown.to_dict() if ranked is not None else None


def evidence_lines(explanation: Any) -> list[str]:
    """The reasons beyond the numbers, in words; empty when the explanation carries none."""
    data = explanation.to_dict() if hasattr(explanation, "to_dict") else {}
    ev = data.get("evidence") if isinstance(data, dict) else None
    if not isinstance(ev, dict):
        return []

    def films(key: str) -> str:
        return ", ".join(f"{f['title']} ({f['similarity']:.2f})" for f in ev.get(key, []))

    lines = []
    if films("collaborative_neighbours"):
        lines.append("People who liked it also liked your " + films("collaborative_neighbours"))
    if films("content_neighbours"):
        lines.append("Close in content to your " + films("content_neighbours"))
    matched = [f"genre {g}" for g in ev.get("matched_genres", [])]
    matched += [f"keyword {k}" for k in ev.get("matched_keywords", [])]
    matched += [f"'{w}'" for w in ev.get("matched_words", [])]
    if data.get("query"):
        found = ", ".join(matched) or "nothing literally, only in meaning"
        lines.append(f"Your request '{data['query']}' matches: {found}")
    if data.get("excluded"):
        lines.append(f"Not listed now: {data['excluded']}")
    return lines or ["No liked films or request words to point to yet."]


def numbers_table(breakdown: dict[str, Any]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, expand=True, header_style="bold")
    table.add_column("part")
    table.add_column("raw", justify="right")
    table.add_column("value", justify="right")
    table.add_column("× weight", justify="right")
    table.add_column("= points", justify="right")
    for c in breakdown.get("components", []):
        if not c.get("available", True):
            table.add_row(c["name"], "—", "—", f"{c['weight']:.2f}", "n/a", style="dim")
            continue
        table.add_row(
            c["name"], f"{c['raw']:.3f}", f"{c['normalized']:.3f}",
            f"{c['weight']:.2f}", f"{c['contribution']:+.3f}",
        )  # fmt: skip
    for a in breakdown.get("adjustments", []):
        table.add_row(
            Text(clean_line(a["reason"] or a["name"]), style="italic"), "", "", "", f"{a['value']:+.3f}"
        )
    table.add_row(
        Text("score", style="bold"), "", "", "", Text(f"{breakdown['total']:.3f}", "bold")
    )
    return table


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
                words = evidence_lines(self.explanation) or [self.explanation.text()]
                yield Static(clean("\n".join(words)), id="explanation-text", markup=False)
            yield Static("esc closes", classes="modal-hint")

    def on_mount(self) -> None:
        self.query_one("#explanation-box").border_title = escape(clean_line(f"Why {self.item_title}"))
