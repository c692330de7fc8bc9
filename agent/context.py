"""What the tools see at run time: the user, the thread, the facade, and a per-turn sink.

This is the agent's `context_schema`. LangGraph hands it to every tool through
`ToolRuntime.context`, which is how the user id and the stores reach the tools
without ever being model-visible arguments or module globals. The sink is
fresh for every turn: tools write the ranked lists they showed and the
feedback they recorded into it, so the session can return `Ranked` objects
and the rule layer can see what was already counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memory.settings import Settings
    from tools.scoring import Ranked
    from tools.service import Tastebud


@dataclass
class TurnSink:
    """What the tools did during one turn, for the session to report."""

    shown: list[Ranked] = field(default_factory=list)
    """The last list a tool showed this turn (recommend, search, similar_to)."""
    feedback: list[tuple[str, str]] = field(default_factory=list)
    """(item id, signal) for every feedback event recorded this turn."""
    moved_on: bool = False
    """True once this turn has told the facade the user moved on from the last list."""
    notes: list[str] = field(default_factory=list)


@dataclass
class TurnContext:
    """The runtime context of one agent turn (never shown to the model)."""

    user_id: str
    thread_id: str
    service: Tastebud
    settings: Settings | None = None
    text: str = ""
    """The user's message this turn, stored with feedback events as their wording."""
    sink: TurnSink = field(default_factory=TurnSink)

    def extra(self) -> dict[str, Any]:
        """A log-safe summary (no service, no settings, so never a key)."""
        return {"user_id": self.user_id, "thread_id": self.thread_id}
