"""One turn's lifetime: its deadline, its cancel switch, and what happened to it.

A turn can end early in two ways, and both must stop it everywhere at once:
the user cancels (Esc, Ctrl-C, quitting), or the turn's time budget
(`TASTEBUD_TURN_TIMEOUT`) runs out. `TurnState.cancel` sets one flag that the
agent's middleware checks before every model call and every tool call (so no
tool runs after a cancel), wakes any retry back-off, and runs the abort hooks
(the OpenAI backend's hook shuts the sockets of the in-flight request, which
unblocks the HTTP read at once instead of after its timeout).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class TurnCancelled(RuntimeError):
    """The turn was stopped on purpose (the user cancelled, or its time budget ran out)."""


@dataclass
class TurnState:
    """Shared between the thread running a turn and whoever may cancel it."""

    budget: float
    aborts: list[Callable[[], None]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    reason: str | None = None
    """None while running; "cancelled" or "deadline" once stopped."""
    bad_arguments: int = 0
    notices: list[str] = field(default_factory=list)
    """Things the user should know that are not errors (a fallback that kicked in)."""
    _stopped: threading.Event = field(default_factory=threading.Event)
    _timer: threading.Timer | None = None

    def start(self) -> TurnState:
        self._timer = threading.Timer(self.budget, self.cancel, args=("deadline",))
        self._timer.daemon = True
        self._timer.start()
        return self

    def finish(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def cancel(self, reason: str = "cancelled") -> None:
        if self._stopped.is_set():
            return
        self.reason = reason
        self._stopped.set()
        for abort in list(self.aborts):
            abort()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def remaining(self) -> float:
        return max(0.0, self.budget - (time.monotonic() - self.started))

    def check(self) -> None:
        """Raise TurnCancelled if the turn has been stopped."""
        if self._stopped.is_set():
            raise TurnCancelled(self.reason or "cancelled")

    def sleep(self, seconds: float) -> None:
        """A back-off that a cancel cuts short (then raises TurnCancelled)."""
        self._stopped.wait(max(0.0, seconds))
        self.check()
