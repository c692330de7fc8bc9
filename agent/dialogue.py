"""The dialogue state: what the current request of one conversation asks for.

A conversation is not a string of fresh requests. "80s horror", then "make them
older", then "no gore" is one request refined three times. The state holds that
request (genres with and without, moods, people, years, countries, runtime,
count, anchor films, films ruled out here, the last list shown) and is stored
with the conversation in the LangGraph checkpoint, so it survives restarts.

Both backends share this one representation: the `recommend` tool takes
exactly these fields as arguments, and after a turn the state is read back
from the arguments of the turn's last `recommend` call (`fold`). The offline
model computes the new state itself (agent.offline.update) and passes it whole;
an LLM is shown the state in its prompt and passes the fields it keeps.
Lasting preferences are not here: they are rules in the store, made only when
the user asks for something to last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

LISTS = ("genres", "exclude_genres", "keywords", "avoid", "people", "countries", "anchors",
         "excluded")
NUMBERS = ("year_min", "year_max", "runtime_min", "runtime_max", "count")
# state field -> recommend argument, where the names differ
_ARG = {"keywords": "query", "anchors": "like_titles", "excluded": "exclude_titles", "count": "k"}


@dataclass
class DialogueState:
    """One conversation's current request (every field optional; empty = no constraint)."""

    genres: list[str] = field(default_factory=list)
    exclude_genres: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    """Moods and themes ("funny", "heist"): they steer the ranking, they do not filter."""
    avoid: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    countries: list[str] = field(default_factory=list)
    runtime_min: int | None = None
    runtime_max: int | None = None
    count: int | None = None
    anchors: list[str] = field(default_factory=list)
    """Films the results should resemble ("like Alien")."""
    excluded: list[str] = field(default_factory=list)
    """Films ruled out in this conversation ("not Heat")."""
    last_shown: list[str] = field(default_factory=list)
    """Titles of the last list shown, in order (what "the second one" means)."""

    # ---- (de)serialisation: the checkpoint stores a plain dict ------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DialogueState:
        """A state from a checkpoint; unknown keys and wrong types are dropped, never fatal."""
        out = cls()
        for f in fields(cls):
            value = (data or {}).get(f.name)
            if f.name in (*LISTS, "last_shown") and isinstance(value, list):
                setattr(out, f.name, [str(v) for v in value if isinstance(v, str | int)])
            elif f.name in NUMBERS and isinstance(value, int) and not isinstance(value, bool):
                setattr(out, f.name, value)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def copy(self) -> DialogueState:
        return DialogueState.from_dict(self.to_dict())

    @property
    def empty(self) -> bool:
        """True when no constraint is set (the last list shown does not count)."""
        return not any(getattr(self, n) for n in LISTS) and all(
            getattr(self, n) is None for n in NUMBERS
        )

    # ---- the shared representation: recommend's arguments -----------------------------------
    def recommend_args(self) -> dict[str, Any]:
        """The `recommend` tool arguments for this request (only the fields that are set)."""
        out: dict[str, Any] = {}
        for name in (*LISTS, *NUMBERS):
            value = getattr(self, name)
            if value in (None, []):
                continue
            out[_ARG.get(name, name)] = " ".join(value) if name == "keywords" else value
        return out

    @classmethod
    def from_args(cls, args: dict[str, Any], last_shown: Sequence[str] = ()) -> DialogueState:
        """The state a `recommend` call stands for (either backend's call)."""
        data: dict[str, Any] = {"last_shown": list(last_shown)}
        for name in (*LISTS, *NUMBERS):
            value = args.get(_ARG.get(name, name))
            if name == "keywords" and isinstance(value, str):
                value = [w for w in value.split() if w]
            if name == "count" and value == 5:
                value = None  # the tool's default is not a constraint the user set
            data[name] = value
        return cls.from_dict(data)

    # ---- what the TUI shows and lets the user remove ---------------------------------------
    def chips(self) -> list[tuple[str, str, str]]:
        """(field, value, label) for each constraint, in a stable order."""
        out: list[tuple[str, str, str]] = []
        label = {"genres": "{}", "exclude_genres": "no {}", "keywords": "{}", "avoid": "not {}",
                 "people": "with {}", "countries": "from {}", "anchors": "like {}",
                 "excluded": "not {}"}
        for name in LISTS:
            out += [(name, v, label[name].format(v)) for v in getattr(self, name)]
        if self.year_min is not None or self.year_max is not None:
            lo, hi = self.year_min, self.year_max
            text = f"{lo}-{hi}" if lo and hi else (f"from {lo}" if lo else f"up to {hi}")
            out.append(("years", text, text))
        if self.runtime_min is not None or self.runtime_max is not None:
            lo, hi = self.runtime_min, self.runtime_max
            text = f"{lo}-{hi} min" if lo and hi else (f">= {lo} min" if lo else f"<= {hi} min")
            out.append(("runtime", text, text))
        if self.count is not None:
            out.append(("count", str(self.count), f"{self.count} films"))
        return out

    def without(self, name: str, value: str | None = None) -> DialogueState:
        """A copy with one chip removed (a list value, or a whole range)."""
        out = self.copy()
        if name in LISTS:
            setattr(out, name, [v for v in getattr(out, name) if value is not None and v != value])
        elif name == "years":
            out.year_min = out.year_max = None
        elif name == "runtime":
            out.runtime_min = out.runtime_max = None
        elif name == "count":
            out.count = None
        return out


def fold(state: DialogueState, calls: Iterable[dict[str, Any]], shown: Sequence[str]) -> DialogueState:
    """The state after a turn: the last `recommend` call's arguments, and the list shown."""
    new = state.copy()
    for call in calls:
        if call.get("name") == "recommend":
            new = DialogueState.from_args(dict(call.get("args") or {}), new.last_shown)
    if shown:
        new.last_shown = list(shown)
    return new


def describe(state: DialogueState) -> str:
    """One line for an LLM's prompt: the request so far, as recommend arguments."""
    if state.empty:
        return ""
    args = ", ".join(f"{k}={v!r}" for k, v in state.recommend_args().items())
    return (f"Current request in this conversation: {args}. A refinement changes these; "
            "pass the whole request to recommend.")
