"""How a tool call's `title_or_ref` becomes an item, and the JSON envelope tools answer in.

Kept apart from the @tool functions because the rule layer in agent/ resolves
references the same way: "#2", "the second one", "last" and "it" mean the same
thing to a model-made call, an offline-parsed call and a rule-caught feedback.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from langchain.tools import ToolRuntime
from langchain_core.messages import ToolMessage
from pydantic import ValidationError

from memory.items import Item
from tools.item_json import film_json, variety_note
from tools.scoring import Ranked

if TYPE_CHECKING:
    from tools.service import Tastebud

LIST_TOOLS = ("recommend", "search", "similar_to")
FOCUS_TOOLS = ("item_details", "explain", "give_feedback", "similar_to")
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
        "eighth": 8, "ninth": 9, "tenth": 10, "top": 1, "last": -1, "final": -1}
_REF = re.compile(r"^(?:the\s+)?(?:#\s*|no\.?\s*|number\s+|item\s+)?(?:(\d{1,2})(?:st|nd|rd|th)?|([a-z]+))"
                  r"(?:\s+(?:one|film|movie|pick|title|option))?\s*[?.!]*$")
_IT = frozenset({"it", "that", "this", "that one", "this one", "that film", "this film",
                 "that movie", "this movie", "the film", "the movie"})


class ToolInputError(ValueError):
    """Arguments a tool cannot act on; the message says what would work."""

    def __init__(self, message: str, candidates: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


@dataclass
class TurnSink:
    """What the tools did during one turn (a fresh one per turn, in the runtime context)."""

    shown: list[Ranked] = field(default_factory=list)
    feedback: list[tuple[str, str]] = field(default_factory=list)  # (item id, signal)
    moved_on: bool = False


class ToolContext(Protocol):
    """What the tools need from the runtime context (agent.context.TurnContext has it)."""

    user_id: str
    thread_id: str
    service: Tastebud
    text: str
    sink: TurnSink


def parse_ref(text: str) -> int | Literal["it"] | None:
    """ "#2", "2", "the second one", "2nd" -> 2; "last" -> -1; "it", "that one" -> "it"."""
    key = " ".join(text.lower().strip().split())
    if key.strip("?.! ") in _IT:
        return "it"
    m = _REF.match(key)
    if not m:
        return None
    return int(m.group(1)) if m.group(1) else _ORD.get(m.group(2))


# ---- results --------------------------------------------------------------------------
def _ok(data: Any) -> str:
    return json.dumps({"ok": True, "data": data}, ensure_ascii=False, separators=(",", ":"))


def _err(message: str, candidates: list[dict[str, Any]] | None = None) -> str:
    body: dict[str, Any] = {"ok": False, "error": message}
    if candidates:
        body["candidates"] = candidates
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _brief(item: Item) -> dict[str, Any]:
    return {"id": item.id, "title": item.title, "year": item.year}


def _why(r: Ranked) -> str:
    parts = sorted(r.breakdown.components, key=lambda c: -c.contribution)[:2]
    adj = sorted(r.breakdown.adjustments, key=lambda a: -abs(a.value))[:1]
    words = [f"{c.name} {c.contribution:+.2f}" for c in parts if c.available]
    words += [f"{a.reason} {a.value:+.2f}" for a in adj if abs(a.value) >= 0.01]
    return "; ".join(words)


def list_rows(items: list[Ranked]) -> list[dict[str, Any]]:
    """A list as the tools answer it: the item JSON without the full breakdown (its gist is
    `why`), plus a few keywords, and `variety` when the diversity re-rank moved the film."""
    rows = []
    for n, r in enumerate(items, start=1):
        row = {"n": n, **film_json(r.item), "keywords": list(r.item.keywords[:3]),
               "score": round(r.score, 3), "why": _why(r)}
        moved = variety_note(r.rank, r.score_rank)
        if moved:
            row["variety"] = moved
        rows.append(row)
    return rows


def _listed(ctx: ToolContext, items: list[Ranked], notes: list[str], **extra: Any) -> str:
    """A list answer; `extra` adds request context (the seed films, as the catalog spells them)."""
    ctx.sink.shown = items
    rows = list_rows(items)
    data: dict[str, Any] = {"list": rows, "notes": list(notes), **extra}
    if not rows:
        data["notes"].append("nothing matched; suggest loosening the filters")
    return _ok(data)


# ---- resolving what the user pointed at ---------------------------------------------------
def _shown_list(
    ctx: ToolContext, messages: list[Any], shown: list[Item] | None = None
) -> list[Item]:
    """The list the user last saw: the facade's last shown list, or, when this thread's newest
    list answer is that same list minus the films a tool filtered out ("avoid"), that answer."""
    if shown is None:
        shown = ctx.service.last_shown(ctx.user_id, ctx.thread_id)
    for msg in reversed(messages):
        if isinstance(msg, ToolMessage) and msg.name in LIST_TOOLS:
            ids = [r["id"] for r in _data(msg).get("list") or []]
            if ids and set(ids) <= {i.id for i in shown}:
                return [i for i in (ctx.service.item(x) for x in ids) if i is not None]
            break
    return shown


def _focus(ctx: ToolContext, messages: list[Any]) -> Item | None:
    """The film the conversation is about: the newest single-film tool result."""
    for msg in reversed(messages):
        if isinstance(msg, ToolMessage) and msg.name in FOCUS_TOOLS:
            data = _data(msg)
            ref = data.get("item") or data
            if isinstance(ref, dict) and ref.get("id"):
                return ctx.service.item(str(ref["id"]))
    return None


def _data(msg: ToolMessage) -> dict[str, Any]:
    try:
        body = json.loads(msg.content if isinstance(msg.content, str) else "")
    except json.JSONDecodeError:
        return {}
    return body.get("data") or {} if isinstance(body, dict) else {}


def resolve_target(ctx: ToolContext, messages: list[Any], text: str,
                   shown: list[Item] | None = None) -> Item:
    """A title, an item id, "#2"/"the second one"/"last", or "it" -> one catalog item.

    `shown` replaces the facade's last shown list (the rule layer resolves against the list
    as it was before the turn that may have replaced it)."""
    text = (text or "").strip()
    if not text:
        raise ToolInputError("title_or_ref is empty; give a title or a reference like '#2'")
    ref = parse_ref(text)
    if ref == "it":
        item = _focus(ctx, messages)
        shown = _shown_list(ctx, messages, shown)
        if item is None and len(shown) == 1:
            item = shown[0]
        if item is None:
            raise ToolInputError("'it' is unclear here; ask which film the user means",
                                 [{"n": n, **_brief(i)} for n, i in enumerate(shown, 1)])
        return item
    if isinstance(ref, int):
        shown = _shown_list(ctx, messages, shown)
        if not shown:
            raise ToolInputError("no list has been shown in this conversation yet; "
                                 "recommend first or name the film")
        if not (1 <= ref <= len(shown) or -len(shown) <= ref <= -1):
            raise ToolInputError(f"the last list has {len(shown)} films; #{ref} is not one of them",
                                 [{"n": n, **_brief(i)} for n, i in enumerate(shown, 1)])
        return shown[ref - 1 if ref > 0 else ref]
    direct = ctx.service.item(text)
    if direct is not None:
        return direct
    res = ctx.service.resolve(text)
    if res.item is not None:
        return cast(Item, res.item)
    cands = [{**_brief(i), "match": s} for i, s in res.candidates]
    raise ToolInputError(res.message(), cands)


def _messages(runtime: ToolRuntime[Any, Any]) -> list[Any]:
    state = runtime.state
    return list(state.get("messages", [])) if isinstance(state, dict) else []


def guarded(ctx_fn: Any) -> Any:
    """Turn the expected failures (bad title, bad filter, bad rating) into an error answer."""

    @functools.wraps(ctx_fn)
    def run(*args: Any, **kwargs: Any) -> str:
        try:
            return cast(str, ctx_fn(*args, **kwargs))
        except ToolInputError as exc:
            return _err(str(exc), exc.candidates)
        except ValidationError as exc:
            problems = "; ".join(e["msg"] for e in exc.errors())
            return _err(f"invalid arguments: {problems}")
        except (ValueError, LookupError) as exc:
            return _err(str(exc))

    return run


def _ctx(runtime: ToolRuntime[Any, Any]) -> ToolContext:
    return cast(ToolContext, runtime.context)
