"""The latest recommendations as cards, and the one-key feedback on the selected one.

The panel only says what was asked for (`ActionRequested`); the screen does the
writing in a worker. Marks (liked, seen, ★4) are set by the screen once the
facade has acknowledged the event, so a mark on screen means a stored event.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ListItem, ListView, Static

from tools.item_json import ordinal
from tui.text_safety import clean_line

BAR_WIDTH = 10
EIGHTHS = " ▏▎▍▌▋▊▉█"
MARKS = {"like": "♥ liked", "love": "♥ loved", "dislike": "✗ disliked", "seen": "✓ seen"}


def score_bar(score: float, width: int = BAR_WIDTH) -> str:
    """A bar on the [0, 1] scale, in eighth-blocks so close scores still look different."""
    filled = max(0.0, min(1.0, score)) * width
    full = int(filled)
    part = EIGHTHS[int((filled - full) * 8)] if full < width else ""
    return ("█" * full + part).ljust(width, "░")[:width]


def why_line(breakdown: Any) -> str:
    """The biggest reason for the pick, read off the breakdown the score was summed from.

    A positive adjustment (a liked genre, a stated preference) says most; failing one,
    the component that contributed most. Penalties are in the explanation (w).
    """
    boosts = sorted((a for a in breakdown.adjustments if a.value >= 0.01), key=lambda a: -a.value)
    if boosts:
        return boosts[0].reason
    components = [c for c in breakdown.components if c.available]
    if not components:
        return breakdown.notes[0] if breakdown.notes else ""
    top = max(components, key=lambda c: c.contribution)
    return f"mostly {top.name} ({top.contribution:+.2f})"


def moved_tag(rank: int | None, score_rank: int | None) -> str:
    """"↑ variety (5th by score)" when diversity moved the card; the full sentence is in w."""
    if rank is None or score_rank is None or rank == score_rank:
        return ""
    return f"{'↑' if rank < score_rank else '↓'} variety ({ordinal(score_rank)} by score)"


class RecommendationCard(ListItem):
    def __init__(self, ranked: Any) -> None:
        super().__init__()
        self.ranked = ranked
        self.mark = ""
        self._body = Static(self._render_body(), markup=False)

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._body

    def set_mark(self, mark: str) -> None:
        self.mark = mark
        self._body.update(self._render_body(), layout=False)  # a card's height never changes

    def _render_body(self) -> Text:
        """Three lines: rank and title (and any mark), the score bar and genres, the biggest
        reason, led by "↑ variety" when the diversity re-rank moved the card from its score's
        place (which is why the scores down the list need not be in order)."""
        item, rank = self.ranked.item, getattr(self.ranked, "rank", None)
        text = Text(no_wrap=True, overflow="ellipsis")
        if rank is not None:
            text.append(f"{rank}. ", style="bold dim")
        text.append(clean_line(item.label), style="bold")
        if self.mark:
            text.append(f"  {self.mark}", style="bold magenta")
        text.append("\n")
        text.append(score_bar(self.ranked.score), style="green")
        text.append(f" {self.ranked.score:.2f}  ", style="bold")
        text.append(clean_line(" · ".join(item.genres)) or "—", style="dim")
        text.append("\n")
        moved = moved_tag(rank, getattr(self.ranked, "score_rank", None))
        if moved:
            text.append(moved + " · ", style="bold yellow")
        text.append(clean_line(why_line(self.ranked.breakdown)), style="italic")
        return text


class CardList(ListView):
    """The focusable list; its bindings are the card keys, so the footer shows them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "card('like')", "Like"),
        Binding("d", "card('dislike')", "Dislike"),
        Binding("s", "card('seen')", "Seen"),
        Binding("r", "card('rate')", "Rate"),
        Binding("w", "card('why')", "Why"),
        Binding("enter", "select_cursor", "Details"),
        Binding("escape", "screen.focus_prompt", "Chat", show=False),
    ]

    def action_card(self, action: str) -> None:
        card = self.highlighted_child
        if isinstance(card, RecommendationCard):
            self.post_message(CardsPanel.ActionRequested(action, card.ranked))


class CardsPanel(Vertical):
    """The latest list; tab into it and the card keys apply to the highlighted card."""

    class ActionRequested(Message):
        """`action` is like|dislike|seen|rate|why|details, for the card's Ranked."""

        def __init__(self, action: str, ranked: Any) -> None:
            super().__init__()
            self.action = action
            self.ranked = ranked

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("No picks yet: ask in the chat.", id="cards-empty")
        yield CardList(id="cards-list")

    def on_mount(self) -> None:
        self.border_title = "Picks"

    @property
    def list_view(self) -> CardList:
        return self.query_one(CardList)

    @property
    def cards(self) -> list[RecommendationCard]:
        return list(self.query(RecommendationCard))

    @property
    def selected(self) -> RecommendationCard | None:
        item = self.list_view.highlighted_child
        return item if isinstance(item, RecommendationCard) else None

    async def show(self, ranked: list[Any]) -> None:
        view = self.list_view
        await view.clear()
        await view.extend(RecommendationCard(r) for r in ranked)
        view.index = 0 if ranked else None
        self.set_class(bool(ranked), "-has-cards")
        self.border_subtitle = f"{len(ranked)} · tab, then l d s r w ⏎" if ranked else ""

    def mark(self, item_id: str, signal: str, value: float | None = None) -> None:
        text = f"★{value:g}" if signal == "rate" and value is not None else MARKS.get(signal)
        for card in self.cards:
            if card.ranked.item.id == item_id and text:
                card.set_mark(text)

    @on(ListView.Selected)
    def _details_on_enter(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, RecommendationCard):
            self.post_message(self.ActionRequested("details", event.item.ranked))
