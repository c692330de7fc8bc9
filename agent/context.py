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

from tools.tool_refs import TurnSink

if TYPE_CHECKING:
    from memory.settings import Settings
    from tools.service import Tastebud


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

    def log_fields(self) -> dict[str, Any]:
        """A log-safe summary (no service, no settings, so never a key)."""
        return {"user_id": self.user_id, "thread_id": self.thread_id}
