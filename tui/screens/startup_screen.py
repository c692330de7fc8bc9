"""The progress screen for first-start work (demo ingest, training), and its failure.

The App runs the CLI's `startup(progress)` in a thread worker with the chat
already on screen, and shows this screen only once the work reports a known
length, i.e. only when there is real work to wait for: reconnecting to an
ingested data dir never covers the prompt. It is a passive view; the App feeds
it progress and either pops it or, on failure, lets it offer quit or continue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from tui.text_safety import clean

ProgressCallback = Callable[..., None]
"""progress(done, total) or progress(stage, done, total); total 0 means unknown length.

The two-argument form is memory.ingest's own Progress, so `Tastebud.prepare`
can be passed as it is; the three-argument form also names the stage.
"""
Startup = Callable[[ProgressCallback], object]
"""First-start work, run in a worker. Raises on failure. When the App got no chat
service, it must return one (it is where the heavy imports and the build happen)."""
DEFAULT_STAGE = "Preparing the catalog (first start only)"


def parse_progress(args: tuple[object, ...]) -> tuple[str, int, int]:
    """(stage, done, total) from either progress form."""
    stage = str(args[0]) if len(args) == 3 else DEFAULT_STAGE
    done, total = args[-2], args[-1]
    return stage, int(done), int(total)  # type: ignore[call-overload]


class StartupScreen(Screen[bool]):
    """Dismissed with True when the user chooses to go on to the chat after a failure."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit", show=False),
        Binding("enter", "continue", "Continue anyway", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.can_continue = False
        self.stage = ""

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="startup-box", classes="modal-box"):
            yield Static("Getting Tastebud ready…", id="startup-stage", markup=False)
            yield ProgressBar(id="startup-bar", show_eta=False)
            yield Static("", id="startup-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#startup-box").border_title = "First start"

    def show_progress(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.stage = stage
            self.query_one("#startup-stage", Static).update(stage)
        bar = self.query_one(ProgressBar)
        if total > 0:
            bar.update(total=total, progress=done)
        else:
            bar.update(total=None)

    def show_error(self, error: str, *, can_continue: bool) -> None:
        self.can_continue = can_continue
        hint = "q quits · enter goes on to the chat anyway" if can_continue else "q quits"
        self.query_one("#startup-error", Static).update(f"Setup failed: {clean(error)}\n\n{hint}")
        self.add_class("-failed")

    def action_continue(self) -> None:
        if self.can_continue:
            self.dismiss(True)
