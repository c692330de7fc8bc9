"""First start: ingest the demo catalog and train, with a progress bar, then the chat.

The CLI hands the App a `startup(progress)` callable; this screen runs it in a
thread worker and turns each `progress(done, total)` or `progress(stage, done,
total)` call into a message, so a long ingest never freezes the terminal. It dismisses with True
when the work is done; on failure it shows the error and lets the user quit or
go on to the chat anyway (a failed training step still leaves a usable catalog).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from tui.messages import StartupFinished, StartupProgressed, describe_error

ProgressCallback = Callable[..., None]
"""progress(done, total) or progress(stage, done, total); total 0 means unknown length.

The two-argument form is memory.ingest's own Progress, so `Tastebud.prepare`
can be passed as it is; the three-argument form also names the stage.
"""
Startup = Callable[[ProgressCallback], object]
"""The CLI's first-start work (demo ingest, training). Raises on failure; the result is ignored."""
DEFAULT_STAGE = "Preparing the catalog (first start only)"


class StartupScreen(Screen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit", show=False),
        Binding("enter", "continue", "Continue anyway", show=False),
    ]

    def __init__(self, startup: Startup) -> None:
        super().__init__()
        self.startup = startup
        self.failed = False
        self.stage = ""

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="startup-box", classes="modal-box"):
            yield Static("Getting Tastebud ready…", id="startup-stage", markup=False)
            yield ProgressBar(id="startup-bar", show_eta=False)
            yield Static("", id="startup-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#startup-box").border_title = "First start"
        self._run_startup()

    @work(thread=True, exclusive=True, group="startup", exit_on_error=False)
    def _run_startup(self) -> None:
        def progress(*args: object) -> None:
            stage = str(args[0]) if len(args) == 3 else DEFAULT_STAGE
            done, total = (int(a) for a in args[-2:])  # type: ignore[call-overload]
            with suppress(RuntimeError):  # the app closed under us
                self.post_message(StartupProgressed(stage, done, total))

        try:
            self.startup(progress)
        except Exception as exc:
            self.post_message(StartupFinished(describe_error(exc)))
        else:
            self.post_message(StartupFinished())

    @on(StartupProgressed)
    def _show_progress(self, message: StartupProgressed) -> None:
        bar = self.query_one(ProgressBar)
        if message.stage != self.stage:
            self.stage = message.stage
            self.query_one("#startup-stage", Static).update(message.stage)
        if message.total > 0:
            bar.update(total=message.total, progress=message.done)
        else:
            bar.update(total=None)

    @on(StartupFinished)
    def _finish(self, message: StartupFinished) -> None:
        if message.error is None:
            self.dismiss(True)
            return
        self.failed = True
        self.query_one("#startup-error", Static).update(
            f"Setup failed: {message.error}\n\nq quits · enter goes on to the chat anyway"
        )
        self.add_class("-failed")

    def action_continue(self) -> None:
        if self.failed:
            self.dismiss(False)
