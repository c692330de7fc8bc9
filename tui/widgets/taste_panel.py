"""The "your taste" panel: what the recommender has learned, redrawn after every acknowledged event.

It renders a TasteView (the facade's read model) as text: a labelled bar and a
sparkline per blend weight, the strongest likes and dislikes, and the hard
rules. Plain text keeps it cheap to redraw on every keypress, and the same view
always draws the same characters, which is what makes snapshot tests stable.
"""

from __future__ import annotations

import copy
from typing import Any

from rich.text import Text
from textual.widgets import Static

SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 10
SPARK_WIDTH = 10


def sparkline(values: list[float], width: int = SPARK_WIDTH) -> str:
    """The last `width` values, scaled to their own range so small moves stay visible."""
    tail = values[-width:]
    if not tail:
        return ""
    low, high = min(tail), max(tail)
    if high - low < 1e-9:
        return SPARKS[3] * len(tail)
    return "".join(SPARKS[round((v - low) / (high - low) * (len(SPARKS) - 1))] for v in tail)


def weight_bar(value: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "█" * filled + "░" * (width - filled)


def affinity_label(key: str) -> str:
    """A key like genre:Horror reads as "Horror"; decades as "1980s", keywords in quotes."""
    facet, _, value = key.partition(":")
    if not value:
        return key
    if facet == "decade":
        return f"{value}s"
    if facet == "keyword":
        return f"'{value}'"
    return value


class TastePanel(Static):
    """Counts its redraws (`updates`): the bench waits on it to time a like end to end."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Loading your taste…", id=id, markup=False)
        self.taste: Any | None = None
        self.deltas: dict[str, float] = {}
        self.updates = 0
        self._lines = -1

    def on_mount(self) -> None:
        self.border_title = "Your taste"

    def show(self, taste: Any, before: dict[str, float] | None = None) -> None:
        """Redraw from a TasteView; `before` (weights before the event) adds the change."""
        self.taste = taste
        self.deltas = {}
        if before:
            self.deltas = {
                k: v - before[k] for k, v in taste.weights.items()
                if k in before and abs(v - before[k]) >= 0.0005
            }
        text = self.render_taste(taste, self.deltas)
        lines = text.plain.count("\n")
        # same height, no relayout: a like then costs one repaint of this panel, not a layout pass
        self.update(text, layout=lines != self._lines)
        self._lines = lines
        self.updates += 1

    def apply_feedback(self, result: Any) -> None:
        """Redraw at once from a FeedbackResult: its new weights and the affinities it moved.

        What it cannot know (soft preferences folded into affinities, the exact top five)
        is put right a moment later by the full TasteView the same worker re-reads.
        """
        if self.taste is None:
            return
        taste = copy.copy(self.taste)
        taste.weights = dict(result.weights_after)
        taste.weight_history = {
            k: [*self.taste.weight_history.get(k, []), v] for k, v in taste.weights.items()
        }
        moved = {k: new for k, (_, new) in getattr(result, "affinities_changed", {}).items()}
        merged = {**dict(self.taste.top_positive), **dict(self.taste.top_negative), **moved}
        ranked = sorted(merged.items(), key=lambda kv: kv[1])
        taste.top_positive = [kv for kv in reversed(ranked) if kv[1] > 0.02][:5]
        taste.top_negative = [kv for kv in ranked if kv[1] < -0.02][:5]
        taste.n_events = self.taste.n_events + 1
        self.show(taste, before=result.weights_before)

    @staticmethod
    def render_taste(taste: Any, deltas: dict[str, float] | None = None) -> Text:
        deltas = deltas or {}
        text = Text(no_wrap=True, overflow="ellipsis")
        for name, value in taste.weights.items():
            text.append(f"{name[:13]:<13} ", style="bold")
            text.append(weight_bar(value), style="cyan")
            text.append(f" {value:.2f} ")
            text.append(sparkline(taste.weight_history.get(name, [])), style="yellow")
            if name in deltas:
                delta = deltas[name]
                text.append(f" {delta:+.2f}", style="green" if delta > 0 else "red")
            text.append("\n")
        text.append("likes  ", style="bold green")
        text.append(_affinities(taste.top_positive[:3]) or "—")
        text.append("\n")
        text.append("avoids ", style="bold red")
        text.append(_affinities(taste.top_negative[:3]) or "—")
        text.append("\n")
        text.append("rules  ", style="bold")
        text.append(", ".join(taste.hard_rules) or "none")
        text.append("\n")
        events = taste.n_events
        imported = sum(getattr(taste, "imported", {}).values())
        shown = f" ({imported} imported)" if imported else ""
        text.append(f"{events} feedback event{'s' if events != 1 else ''}{shown}", style="dim")
        return text


def _affinities(pairs: list[tuple[str, float]]) -> str:
    return " · ".join(f"{affinity_label(k)} {v:+.2f}" for k, v in pairs)
