"""Messages that carry results from worker threads back to the event loop.

Workers never touch widgets: they call the service, then post one of these. The
`@on` handlers on the screens are the only code that changes what is shown, so
every piece of UI state has exactly one writer, on one thread.

Payloads are the service's own objects (TurnResult, FeedbackResult, TasteView,
Explanation, Item), typed loosely here because the UI only reads them.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from agent.secrets import scrub


class TokenStreamed(Message):
    """One streamed fragment of the assistant's reply, in order."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token


class TurnCompleted(Message):
    """A turn returned without error; `taste` is read after it, since chat can give feedback."""

    def __init__(self, text: str, result: Any, taste: Any | None) -> None:
        super().__init__()
        self.text = text
        self.result = result
        self.taste = taste


class TurnFailed(Message):
    """A turn that returned an error or raised; `text` goes back into the input."""

    def __init__(self, text: str, error: str, reply: str = "", cancelled: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error
        self.reply = reply
        self.cancelled = cancelled


class FeedbackRecorded(Message):
    """Posted only after the facade committed the event, so an acknowledged like survives a quit.

    `result` is the FeedbackResult: weights before and after, and the affinities it moved,
    enough to redraw the taste panel before the full TasteView is re-read.
    """

    def __init__(
        self, item_id: str, title: str, signal: str, value: float | None, result: Any
    ) -> None:
        super().__init__()
        self.item_id = item_id
        self.title = title
        self.signal = signal
        self.value = value
        self.result = result


class ExplanationReady(Message):
    """The facade's Explanation, with the card's Ranked as the fallback for the numbers."""

    def __init__(self, ranked: Any, explanation: Any) -> None:
        super().__init__()
        self.ranked = ranked
        self.explanation = explanation


class DetailsReady(Message):
    """An item's facts; `taste` is re-read because opening details counts as interest."""

    def __init__(self, item: Any, taste: Any | None) -> None:
        super().__init__()
        self.item = item
        self.taste = taste


class TasteRefreshed(Message):
    """A fresh TasteView (after startup, feedback, an undo, a reset); `note` is shown.

    `before` is the weights before a feedback event, so the panel keeps showing its change.
    """

    def __init__(
        self, taste: Any, note: str | None = None, before: dict[str, float] | None = None
    ) -> None:
        super().__init__()
        self.taste = taste
        self.note = note
        self.before = before


class SessionChanged(Message):
    """The user or the catalog changed under the chat: header, cards and taste all redraw."""

    def __init__(self, note: str, taste: Any) -> None:
        super().__init__()
        self.note = note
        self.taste = taste


class ActionFailed(Message):
    """A key action or palette command that raised: a notification, never a crash."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what
        self.error = error


class ImportProgressed(Message):
    """An import's stage ("matching", "learning") and how far it is; stage "" when it ended."""

    def __init__(self, stage: str, done: int, total: int) -> None:
        super().__init__()
        self.stage = stage
        self.done = done
        self.total = total


class StartupProgressed(Message):
    """`total` 0 means the stage has no known length (an indeterminate bar)."""

    def __init__(self, stage: str, done: int, total: int) -> None:
        super().__init__()
        self.stage = stage
        self.done = done
        self.total = total


class StartupFinished(Message):
    """`result` is what startup returned: the ChatService, when the App was given none."""

    def __init__(self, result: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.error = error


def describe_error(exc: BaseException, key: str | None = None) -> str:
    """One line for a notification: the type says what kind of failure, the text says which.

    Whatever escaped may quote a request; the API key (and anything shaped like one) is
    blanked before it reaches the screen.
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = scrub(text, key)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
