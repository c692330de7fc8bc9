"""What the TUI tests drive the app with: fakes, the real stack on a tiny catalog, Pilot helpers.

The fakes (FakeChatService over FakeTastebud) have exactly the TUI-facing API
of ChatService and the Tastebud facade. They keep the snapshots independent of
ranking and learning (which other issues tune), and let tests hold a turn open
(`gate`) or make it fail on cue ("fail" returns TurnResult.error, "crash"
raises). `real_chat` builds the real ChatService on a 40-film catalog with a
trained collaborative model, for the tests that must exercise the true path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.command import CommandInput, CommandList
from textual.pilot import Pilot

from agent.offline import replies
from memory.items import Item
from memory.settings import Settings
from tests.fakes import GENRE_WORLD, small_catalog
from tools.explain import Explanation
from tools.feedback import FeedbackResult
from tools.profile import DEFAULT_WEIGHTS
from tools.scoring import Adjustment, Breakdown, ComponentScore, Ranked
from tools.service import TasteView
from tools.tool_refs import _brief, list_rows

if TYPE_CHECKING:
    from agent.session import ChatService

REWARDS = {"like": 0.8, "love": 1.0, "dislike": -0.8, "seen": 0.1, "details": 0.3}


@dataclass
class FakeTurnResult:
    reply: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    recommendations: list[Ranked] = field(default_factory=list)
    error: str | None = None


@dataclass
class FakeRecommendResult:
    items: list[Ranked]
    notes: list[str] = field(default_factory=list)
    query: str | None = None


class FakeTastebud:
    """Deterministic ranking from item order and learned genre affinity; events in a list."""

    catalog_name = "test"

    def __init__(self, items: list[Item] | None = None) -> None:
        self.items = {i.id: i for i in (items or small_catalog(4))}
        self.weights = dict(DEFAULT_WEIGHTS)
        self.history: list[dict[str, float]] = []
        self.affinity: dict[str, float] = {}
        self.rules: list[str] = ["never Western"]
        self.events: list[tuple[str, str, str, float | None]] = []
        self.shown: list[Ranked] = []  # the last list recommended

    def rank(self, item: Item, position: int, shown_at: int | None = None) -> Ranked:
        """The item's score as the `position`-th by score; `shown_at` is its place in the list."""
        parts = {"collaborative": 0.9 - 0.1 * position, "content": 0.8 - 0.05 * position,
                 "popularity": min(1.0, (item.popularity or 0) / 20)}
        comps = [ComponentScore(n, round(v, 3), round(v, 3), self.weights[n],
                                self.weights[n] * round(v, 3)) for n, v in parts.items()]
        adjustments = [
            Adjustment(f"genre:{g}", 0.2 * self.affinity[f"genre:{g}"], f"you like {g}")
            for g in item.genres if self.affinity.get(f"genre:{g}", 0) > 0
        ]
        breakdown = Breakdown(comps, adjustments)
        listed = shown_at is not None
        return Ranked(item, breakdown.total, breakdown, shown_at if listed else None,
                      position + 1 if listed else None)

    def recommend(self, user_id: str, *, query: str | None = None, filters: Any = None, k: int = 4,
                  like_ids: Any = (), thread_id: str = "default") -> FakeRecommendResult:
        words = (query or "").lower()
        wanted = [
            g for g, ws in GENRE_WORLD.items() if g.lower() in words or any(w in words for w in ws)
        ]
        pool = [i for i in self.items.values() if not wanted or set(i.genres) & set(wanted)]
        ranked = [self.rank(item, n) for n, item in enumerate(pool[:k])]
        if len(ranked) >= 4:  # as a diversity re-rank would: the 4th by score moves up one place
            ranked[2], ranked[3] = ranked[3], ranked[2]
        for place, r in enumerate(ranked, start=1):
            r.rank, r.score_rank = place, pool.index(r.item) + 1
        self.shown = ranked
        return FakeRecommendResult(ranked, [], query)

    def feedback(self, user_id: str, item_id: str, signal: str, *, value: float | None = None,
                 text: str | None = None) -> FeedbackResult:
        item = self.items[item_id]
        reward = (value - 3) / 2 if signal == "rate" and value is not None else REWARDS[signal]
        before = dict(self.weights)
        self.weights["collaborative"] = round(self.weights["collaborative"] + 0.04 * reward, 4)
        self.weights["content"] = round(self.weights["content"] - 0.02 * reward, 4)
        self.weights["popularity"] = round(
            1 - self.weights["collaborative"] - self.weights["content"], 4
        )
        moved: dict[str, tuple[float, float]] = {}
        for g in item.genres:
            key = f"genre:{g}"
            old = self.affinity.get(key, 0.0)
            self.affinity[key] = round(max(-1.0, min(1.0, old + 0.3 * reward)), 3)
            moved[key] = (old, self.affinity[key])
        self.history.append(dict(self.weights))
        self.events.append((user_id, item_id, signal, value))
        message = f"Noted: {signal} {item.label} (reward {reward:+.1f})."
        after = dict(self.weights)
        return FeedbackResult(len(self.events), reward, before, after, moved, message)

    def explain(self, user_id: str, item_id: str, *, thread_id: str = "default") -> Explanation:
        """The real Explanation, of the item as the last list showed it (rank included)."""
        listed = next((r for r in self.shown if r.item.id == item_id), None)
        ranked = listed or self.rank(self.items[item_id], 0)
        liked = [self.items[e[1]] for e in self.events if e[2] == "like" and e[1] != item_id]
        return Explanation(ranked.item, ranked.score, ranked.breakdown,
                           cf_neighbours=[(i, 0.5) for i in liked[:3]], rank=ranked.rank,
                           score_rank=ranked.score_rank)

    def details(self, user_id: str, item_id: str, *, thread_id: str = "default") -> Item:
        self.feedback(user_id, item_id, "details")
        return self.items[item_id]

    def taste(self, user_id: str) -> TasteView:
        ordered = sorted(self.affinity.items(), key=lambda kv: kv[1])
        history = {n: [h[n] for h in self.history[-30:]] for n in self.weights}
        return TasteView(
            dict(self.weights), history,
            top_positive=[kv for kv in reversed(ordered) if kv[1] > 0][:5],
            top_negative=[kv for kv in ordered if kv[1] < 0][:5],
            hard_rules=list(self.rules), n_events=len(self.events),
        )

    def undo_preference(self, user_id: str) -> str | None:
        return self.rules.pop() if self.rules else None

    def reset_preferences(self, user_id: str) -> int:
        n, self.rules = len(self.rules), []
        return n


class FakeChatService:
    """Answers from FakeTastebud, streaming its reply word by word through on_token."""

    def __init__(self, service: FakeTastebud | None = None, *, user_id: str = "tester",
                 backend_label: str = "offline") -> None:
        self.service = service or FakeTastebud()
        self.user_id = user_id
        self.thread_id = "t1"
        self.backend_label = backend_label
        self.turns: list[str] = []
        self.gate: threading.Event | None = None
        """When set to an Event, each turn waits on it: the test decides when the model answers."""

    def turn(self, text: str, *, on_token: Callable[[str], None] | None = None) -> FakeTurnResult:
        self.turns.append(text)
        if self.gate is not None:
            self.gate.wait(10)
        if "crash" in text:
            raise RuntimeError("the model went away")
        if "fail" in text:
            return FakeTurnResult("", error="model error: rate limited")
        if text.startswith("why"):  # "why #N": the offline model's reply to an explain result
            shown = self.service.shown or self.service.recommend(self.user_id).items
            item = shown[int(text.rsplit("#", 1)[-1]) - 1].item if "#" in text else shown[0].item
            data = {"item": _brief(item), **self.service.explain(self.user_id, item.id).to_dict()}
            call, recs = {"name": "explain", "args": {"title_or_ref": text[4:]}}, []
        else:
            recs = self.service.recommend(self.user_id, query=text, thread_id=self.thread_id).items
            data = {"list": list_rows(recs), "notes": []}
            call = {"name": "recommend", "args": {"query": text}}
        reply = replies.write([(call, {"ok": True, "data": data})], seed=len(self.turns))
        for word in reply.split(" "):
            if on_token is not None:
                on_token(word + " ")
        return FakeTurnResult(reply, [call], recs)

    def new_thread(self) -> None:
        self.thread_id = f"t{int(self.thread_id[1:]) + 1}"

    def switch_user(self, user_id: str) -> None:
        self.user_id = user_id


def recommend_replies(k: int = 4) -> list[Any]:
    """What a model says to "something funny": a recommend call, then one sentence."""
    from langchain_core.messages import AIMessage

    call = {"name": "recommend", "args": {"query": "funny", "genres": ["Comedy"], "k": k},
            "id": "c1"}
    return [AIMessage(content="", tool_calls=[call]), AIMessage(content="Here are some comedies.")]


def recommending() -> Any:
    """A ScriptedModel that answers one message with recommend_replies()."""
    from agent.scripted import ScriptedModel

    return ScriptedModel().enqueue(*recommend_replies())


def real_chat(settings: Settings, model: Any) -> ChatService:
    """The real ChatService and facade over small_catalog() (word-hash embeddings, trained CF)."""
    from agent.session import build_chat_service
    from memory.bootstrap import open_memory
    from memory.community import generate_community
    from memory.ingest.pipeline import ingest
    from memory.ingest.readers import Parsed
    from tests.fakes import WordHashEmbedder
    from tools.service import Tastebud

    memory = open_memory(settings, embedder=WordHashEmbedder())
    items = small_catalog()
    parsed = Parsed(source="test", items=items)
    parsed.interactions = generate_community(items, n_users=60)
    ingest(parsed, catalog=memory.catalog.name, client=memory.client, store=memory.store,
           embedder=memory.embedder)
    memory.catalog.refresh()
    service = Tastebud(memory)
    service.prepare()
    return build_chat_service(settings, service, model)


# --- driving the app -------------------------------------------------------------------------
async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the loop handle what they posted (handlers may post again)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def ask(pilot: Pilot[Any], text: str, *, type_it: bool = False) -> None:
    """Send a chat message; typed key by key only when the typing itself is under test."""
    from tui.widgets.prompt_input import PromptInput

    prompt = pilot.app.screen.query_one(PromptInput)
    prompt.focus()
    if type_it:
        await pilot.press(*text)
    else:
        prompt.insert(text)
    await pilot.press("enter")
    await settle(pilot)


async def palette(pilot: Pilot[Any], query: str) -> None:
    """ctrl+p, the query, then enter on the first hit once the palette has listed it."""
    await pilot.press("ctrl+p")
    pilot.app.screen.query_one(CommandInput).value = query
    for _ in range(500):  # up to 10 s: on a loaded machine the palette's search is slow
        await pilot.pause(0.02)
        if pilot.app.screen.query_one(CommandList).option_count:
            break
    assert pilot.app.screen.query_one(CommandList).option_count, f"the palette listed nothing for {query!r}"
    await pilot.press("down", "enter")
    await settle(pilot)
