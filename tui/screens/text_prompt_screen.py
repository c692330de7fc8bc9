"""A one-field question ("Switch to which user?") for palette commands that need a name.

The command palette can run a command but not ask for its argument, so those
commands open this modal; it returns the text, or None when escaped.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class TextPromptScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="text-prompt-box", classes="modal-box"):
            yield Static(self.question, markup=False)
            yield Input(placeholder=self.placeholder, id="text-prompt-input")
            yield Static("enter confirms · esc cancels", classes="modal-hint")

    @on(Input.Submitted)
    def _answer(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)
