"""The rule layer: feedback the model should have recorded but did not.

An LLM sometimes answers "I loved the second one, now something darker" with
only the recommend call. After each turn of a non-offline backend, the user's
message goes through the offline parser; every explicit signal it finds
("loved", "3/5", "not my thing", "seen it") and every implicit one ("more like
the first", "tell me about #2") whose film got no feedback this turn is
recorded through the facade. "This turn" is read from the turn's sink, which
the tools fill with the item ids they recorded, so nothing is counted twice
whatever the model called the film ("#2", "Heat" or its id).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage

from agent.offline.lexicon import Vocabulary
from agent.offline.nlu import parse
from memory.items import Item
from tools.tool_refs import ToolContext, ToolInputError, resolve_target

log = logging.getLogger(__name__)

IMPLICIT = {"similar": "more_like", "details": "details"}
"""Request intents that carry an implicit signal on their target (the reward table's names)."""
EXPLICIT = frozenset({"like", "love", "dislike", "rate", "seen", "not_for_me"})


@dataclass(frozen=True)
class Missed:
    item_id: str
    title: str
    signal: str
    rating: float | None
    target: str

    def as_call(self) -> dict[str, Any]:
        """How it is reported in TurnResult.tool_calls (marked as the rule layer's)."""
        args: dict[str, Any] = {"title_or_ref": self.target, "signal": self.signal,
                                "item_id": self.item_id, "source": "rules"}
        if self.rating is not None:
            args["rating"] = self.rating
        return {"name": "give_feedback", "args": args}


def find_missed(text: str, vocab: Vocabulary, ctx: ToolContext, before: list[BaseMessage],
                shown_before: list[Item] | None = None) -> list[Missed]:
    """Feedback in `text` that no tool recorded this turn, resolved against what the user saw.

    `before` is the conversation up to (not including) this turn and `shown_before` the list
    on screen when the user wrote it, so "the second one" means the second film of that list
    even if this turn's tools have shown a new one since.
    """
    explicit = {item_id for item_id, sig in ctx.sink.feedback if sig in EXPLICIT}
    anything = {item_id for item_id, _ in ctx.sink.feedback}
    out: list[Missed] = []
    for action in parse(text, vocab).actions:
        if action.intent == "feedback":
            signal = str(action.slots.get("signal", "like"))
        elif action.intent in IMPLICIT:
            signal = IMPLICIT[action.intent]
        else:
            continue
        rating = action.slots.get("rating") if signal == "rate" else None
        for target in action.targets():
            try:
                item = resolve_target(ctx, list(before), target, shown_before)
            except ToolInputError:
                continue  # ambiguous or unknown: the model (or the user) can sort it out
            if item.id in (explicit if signal in EXPLICIT else anything):
                continue
            explicit.add(item.id)
            anything.add(item.id)
            out.append(Missed(item.id, item.label, signal, rating, target))
    return out


def apply_missed(missed: list[Missed], ctx: ToolContext) -> list[dict[str, Any]]:
    """Record each missed signal through the facade; the calls made, for the turn's report."""
    calls = []
    for m in missed:
        try:
            ctx.service.feedback(ctx.user_id, m.item_id, m.signal, value=m.rating,
                                 text=ctx.text or None)
        except ValueError as exc:  # FeedbackError / RewardError: e.g. a rating outside 1-5
            log.info("rule layer skipped %s on %s: %s", m.signal, m.item_id, exc)
            continue
        ctx.sink.feedback.append((m.item_id, m.signal))
        calls.append(m.as_call())
    return calls
