"""A spinner line shown while the agent works, so a slow model never looks like a hang.

Its timer runs only while it is visible: an idle screen draws no changing
characters, which keeps snapshots deterministic and the CPU quiet.
"""

from __future__ import annotations

from textual.timer import Timer
from textual.widgets import Static

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ThinkingIndicator(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.frame = 0
        self.label = "thinking"
        self._timer: Timer | None = None

    @property
    def active(self) -> bool:
        return self._timer is not None

    def start(self, label: str = "thinking") -> None:
        self.label = label
        self.frame = 0
        self.add_class("-active")
        self._draw()
        if self._timer is None:
            self._timer = self.set_interval(0.1, self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.remove_class("-active")
        self.update("")

    def _tick(self) -> None:
        self.frame = (self.frame + 1) % len(FRAMES)
        self._draw()

    def _draw(self) -> None:
        self.update(f"{FRAMES[self.frame]} {self.label}… (keys still work; tab to the cards)")
