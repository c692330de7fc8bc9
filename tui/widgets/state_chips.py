"""The current request as chips above the cards ("Horror", "1980-1989", "from Japan").

The chips are the conversation's dialogue state, as `ask --json` returns it in
`state`. Press F6 to give the row the keys, pick a chip with left/right, and
press delete or x to drop that constraint (esc gives the keys back); the screen
stores the smaller request, and the next list is ranked without it. The row is
out of the tab order, so tab still goes from the prompt to the cards. Hidden
while the request has no constraint.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from agent.dialogue import DialogueState


class StateChips(Static, can_focus=False):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Prev chip", show=False),
        Binding("right", "move(1)", "Next chip", show=False),
        Binding("delete,backspace,x", "remove", "Drop constraint"),
        Binding("escape", "leave", "Back", show=False),
    ]

    class Removed(Message):
        """The user dropped one chip: the state without it."""

        def __init__(self, state: DialogueState) -> None:
            super().__init__()
            self.state = state

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.state = DialogueState()
        self.selected = 0

    def show(self, state: dict[str, Any] | DialogueState) -> None:
        self.state = state if isinstance(state, DialogueState) else DialogueState.from_dict(state)
        chips = self.state.chips()
        self.selected = min(self.selected, max(0, len(chips) - 1))
        self.display = bool(chips)
        line = Text("request: ", style="dim")
        for n, (_, _, label) in enumerate(chips):
            chosen = n == self.selected and self.has_focus
            line.append(f" {label} ", style="reverse" if chosen else "bold")
            line.append(" ")
        if chips:
            line.append("(F6, ←/→, del drops)", style="dim")
        self.update(line)

    def take_focus(self) -> None:
        if self.state.chips():
            self.can_focus = True
            self.focus()

    def on_focus(self) -> None:
        self.show(self.state)

    def on_blur(self) -> None:
        self.can_focus = False
        self.show(self.state)

    def action_leave(self) -> None:
        getattr(self.screen, "action_focus_prompt", self.screen.focus_next)()

    def action_move(self, step: int) -> None:
        chips = self.state.chips()
        if chips:
            self.selected = (self.selected + step) % len(chips)
            self.show(self.state)

    def action_remove(self) -> None:
        chips = self.state.chips()
        if not chips:
            return
        name, value, _ = chips[self.selected]
        new = self.state.without(name, value)
        self.show(new)
        self.post_message(self.Removed(new))
