"""The Tastebud facade: the one object the tool wrappers, the CLI and the TUI call.

It owns the bookkeeping that must be the same wherever a request comes from:
which list was shown last in a conversation (so "the second one" and "why the
first?" resolve), which items were engaged with (so "moving on" penalises only
the ignored ones), and the implicit rewards of asking for details or for "more
like X". Ranking itself lives in Engine, learning in FeedbackService.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from memory.bootstrap import DEMO_CATALOG, Memory, ensure_demo
from memory.items import Item
from tools import plot_search, preferences
from tools.engine import Engine
from tools.explain import Explanation
from tools.feedback import FeedbackResult, FeedbackService
from tools.filters import Filters
from tools.history_files import Export, Site, read_export
from tools.history_import import ImportReport, import_export
from tools.history_match import HistoryMatcher
from tools.learning import Learner, load_profile, rebuild
from tools.preferences import PreferenceChange
from tools.profile import Profile
from tools.rewards import RewardTable
from tools.scoring import breakdown_from_dict
from tools.splits import add_history

Progress = Callable[[int, int], None]
DEFAULT_THREAD = "default"


@dataclass
class TasteView:
    """What the "your taste" panel and `prefs show` display."""

    weights: dict[str, float]
    weight_history: dict[str, list[float]] = field(default_factory=dict)
    top_positive: list[tuple[str, float]] = field(default_factory=list)
    top_negative: list[tuple[str, float]] = field(default_factory=list)
    hard_rules: list[str] = field(default_factory=list)
    n_events: int = 0
    imported: dict[str, int] = field(default_factory=dict)  # events per imported source


class Tastebud:
    def __init__(self, memory: Memory, *, engine: Engine | None = None,
                 rewards: RewardTable | None = None, learner: Learner | None = None) -> None:
        self.memory = memory
        self.engine = engine or Engine(memory)
        self.rewards = rewards or RewardTable.from_overrides(memory.settings.rewards)
        self._base_learner = learner or Learner()
        self._learner: Learner | None = None
        self._feedback: FeedbackService | None = None
        self._matcher: tuple[object, HistoryMatcher] | None = None
        self._plot_index: tuple[tuple[str, int], plot_search.PlotIndex] | None = None

    @property
    def learner(self) -> Learner:
        """The update rule, starting every user from the catalog's learned weights.

        The weights `tastebud train` learned are each user's prior; feedback moves
        that user's weights around them. A learner given a prior keeps its own.
        """
        base = self._base_learner
        if base.config.prior is not None:
            return base
        prior = tuple(sorted(self.engine.ranker.weights.items()))
        if self._learner is None or self._learner.config.prior != prior:
            self._learner = Learner(replace(base.config, prior=prior), base.timings)
        return self._learner

    # set-up -------------------------------------------------------------------
    @property
    def catalog_name(self) -> str:
        return self.memory.catalog.name

    def needs_preparing(self) -> bool:
        cat = self.memory.catalog
        if not cat.exists:
            return cat.name == DEMO_CATALOG
        return not cat.has_cf and self.memory.store.count_interactions(cat.name) > 0

    def prepare(self, progress: Progress | None = None) -> list[str]:
        """First start: ingest the demo catalog, then train its collaborative model."""
        done: list[str] = []
        report = ensure_demo(self.memory, progress)
        if report is not None:
            done.append(report.summary())
            self.engine.refresh()
        cat = self.memory.catalog
        if cat.exists and not cat.has_cf and self.memory.store.count_interactions(cat.name):
            done.append(str(self.engine.train()))
        return done

    @property
    def feedback_service(self) -> FeedbackService:
        name, learner = self.catalog_name, self.learner
        if self._feedback is None or self._feedback.catalog_name != name \
                or self._feedback.learner is not learner:
            self._feedback = FeedbackService(self.memory.store, name, self.rewards, learner,
                                             self.engine.score_item, self.profile,
                                             self.engine.score_many)
        return self._feedback

    # reading ----------------------------------------------------------------
    def profile(self, user_id: str, state: tuple[dict, int] | None = None) -> Profile:
        """Learned state and rules, plus the user's imported history in this catalog.

        A MovieLens user (`--user ml-1`) arrives with ratings but no chat feedback;
        their ratings count as likes (>= 4) and dislikes (<= 2) so collaborative and
        content retrieval fold them in. Chat feedback on the same item wins. Every
        imported item counts as seen, so a film the user rated 3 is not recommended back.
        `state` replaces the stored learned state (an import in progress).
        """
        profile = load_profile(self.memory.store, user_id, catalog_items=self.engine.state.items,
                               config=self.learner.config, state=state)
        rows = self.memory.store.interactions(self.catalog_name, user_id)
        if rows:
            add_history(profile, rows, implicit=self.engine.state.popularity.implicit)
        return profile

    def resolve(self, title: str):  # type: ignore[no-untyped-def]
        return self.engine.resolve(title)

    def item(self, item_id: str) -> Item | None:
        return self.memory.catalog.get(item_id)

    def last_shown(self, user_id: str, thread_id: str = DEFAULT_THREAD) -> list[Item]:
        lists = self.memory.store.shown_lists(
            user_id, thread_id, limit=1, catalog=self.catalog_name
        )
        return [i for i in (self.item(x) for x in (lists[0] if lists else [])) if i is not None]

    def _shown_ids(self, user_id: str, thread_id: str) -> set[str]:
        return {
            i
            for ids in self.memory.store.shown_lists(user_id, thread_id, catalog=self.catalog_name)
            for i in ids
        }

    def _remember(self, user_id: str, thread_id: str, result, query: str | None,  # type: ignore[no-untyped-def]
                  like_ids: Sequence[str] = ()):
        if result.items:
            context = {"like_ids": list(like_ids),
                       "ranked": {r.item.id: r.to_dict() for r in result.items}}
            self.memory.store.record_shown(user_id, thread_id, self.catalog_name,
                                           [r.item.id for r in result.items], query, context)
        return result

    # ranking ------------------------------------------------------------------
    def recommend(self, user_id: str, *, query: str | None = None, filters: Filters | None = None,
                  k: int = 10, like_ids: Sequence[str] = (), thread_id: str = DEFAULT_THREAD,
                  include_rated: bool = False):  # type: ignore[no-untyped-def]
        """The user's list; what this conversation (thread) showed goes to the back, never away."""
        result = self.engine.recommend(self.profile(user_id), query=query, filters=filters, k=k,
                                       like_ids=like_ids, include_rated=include_rated,
                                       exclude_ids=self._shown_ids(user_id, thread_id))
        return self._remember(user_id, thread_id, result, query, like_ids)

    def search(self, user_id: str, query: str, *, filters: Filters | None = None, k: int = 10,
               thread_id: str = DEFAULT_THREAD):  # type: ignore[no-untyped-def]
        result = self.engine.search(query, filters=filters, k=k, profile=self.profile(user_id))
        return self._remember(user_id, thread_id, result, query)

    def plot_search(self, user_id: str, description: str, *, filters: Filters | None = None,
                    k: int = 5, thread_id: str = DEFAULT_THREAD):  # type: ignore[no-untyped-def]
        """ "The one where ...": by the synopsis and keywords alone (no taste, no popularity).

        Dense content candidates re-ordered by word match (tools.plot_search); the
        list is remembered in the order shown, so "the second one" is the second here.
        """
        result = self.engine.search(description, filters=filters, k=plot_search.POOL)
        key = (self.catalog_name, len(self.memory.catalog.items))
        if self._plot_index is None or self._plot_index[0] != key:
            self._plot_index = (key, plot_search.PlotIndex(self.memory.catalog.items.values()))
        items = plot_search.fuse(description, list(result.items), self._plot_index[1], k)
        return self._remember(user_id, thread_id, replace(result, items=items), description)

    def similar(self, user_id: str, item_id: str, *, k: int = 10,
                thread_id: str = DEFAULT_THREAD, record: bool = True):  # type: ignore[no-untyped-def]
        """ "More like X": X gets the implicit more_like reward, then its neighbours are listed."""
        if record:
            self.feedback(user_id, item_id, "more_like", text="more like this")
        result = self.engine.similar(item_id, k=k, profile=self.profile(user_id))
        return self._remember(user_id, thread_id, result, None, [item_id])

    def explain(
        self, user_id: str, item_id: str, *, thread_id: str = DEFAULT_THREAD
    ) -> Explanation:
        """Explained as it was ranked: for a listed item, the breakdown it was listed with.

        The evidence (neighbours, matched words) is recomputed in the same request
        context (query, seed items). When feedback since then has moved the score, the
        listed numbers are kept, since those are what the question is about, and a
        note gives today's score.
        """
        ctx = self.memory.store.shown_context(user_id, thread_id, item_id, self.catalog_name) or {}
        explanation = self.engine.explain(self.profile(user_id), item_id, query=ctx.get("query"),
                                          like_ids=ctx.get("like_ids", ()))
        shown = ctx.get("ranked", {}).get(item_id)
        if shown is None:
            return explanation
        explanation = replace(explanation, rank=shown.get("rank"), score_rank=shown.get("score_rank"))
        if abs(shown["score"] - explanation.score) < 5e-4:
            return explanation
        breakdown = breakdown_from_dict(shown["breakdown"])
        breakdown.notes.append(
            f"these are the numbers it was listed with; with your taste now it scores"
            f" {explanation.score:.3f}"
        )
        return replace(explanation, score=breakdown.total, breakdown=breakdown)

    def details(self, user_id: str, item_id: str, *, thread_id: str = DEFAULT_THREAD) -> Item:
        item = self.item(item_id)
        if item is None:
            raise LookupError(f"no item {item_id!r} in catalog {self.catalog_name!r}")
        if item_id in self._shown_ids(user_id, thread_id):
            self.feedback(user_id, item_id, "details", text="asked for details")
        return item

    # feedback and preferences ---------------------------------------------------
    def feedback(self, user_id: str, item_id: str, signal: str, *, value: float | None = None,
                 text: str | None = None) -> FeedbackResult:
        return self.feedback_service.record(user_id, item_id, signal, value=value, text=text)

    def import_history(self, user_id: str, site: Site, path: str | Path | Export, *,
                       dry_run: bool = False, progress: Progress | None = None,
                       match_progress: Progress | None = None) -> ImportReport:
        """A Letterboxd or IMDb export (a path, or one read already) as feedback
        (tools/history_import.py); the catalog is only read. A bad file raises
        HistoryFileError before anything is stored."""
        export = path if isinstance(path, Export) else read_export(site, Path(path))
        items = self.memory.catalog.items
        if not items:
            raise LookupError(f"catalog {self.catalog_name!r} is empty: ingest one first"
                              " (or start `tastebud` once for the demo catalog)")
        if self._matcher is None or self._matcher[0] is not items:
            self._matcher = (items, HistoryMatcher(items.values()))
        return import_export(export, self._matcher[1], self.feedback_service, user_id,
                             dry_run=dry_run, progress=progress, match_progress=match_progress)

    def moved_on(self, user_id: str, *, thread_id: str = DEFAULT_THREAD,
                 text: str | None = None) -> FeedbackResult | None:
        """The user asked for something else right after a list: penalise the ignored items."""
        last = self.memory.store.last_list_and_engaged(user_id, thread_id, self.catalog_name)
        if last is None:
            return None
        shown, engaged = last
        return self.feedback_service.record_moved_on(user_id, shown, engaged, text)

    def adjust_preferences(self, user_id: str, changes: Sequence[PreferenceChange | dict],
                           text: str | None) -> list[str]:
        return preferences.apply_changes(self.memory.store, user_id, changes, text)

    def undo_preference(self, user_id: str) -> str | None:
        return preferences.undo(self.memory.store, user_id)

    def reset_preferences(self, user_id: str) -> int:
        return preferences.reset(self.memory.store, user_id)

    def preference_rules(self, user_id: str) -> list[dict]:
        return [{"id": r.id, "kind": r.kind, "description": r.description, "text": r.text,
                 "ts": r.ts} for r in preferences.list_rules(self.memory.store, user_id)]

    def rebuild(self, user_id: str) -> dict:
        rebuilt = rebuild(self.memory.store, user_id, self.learner.config)
        return {"events": rebuilt.n_events, "matches": not rebuilt.changed,
                "weights": rebuilt.state.get("weights", {})}

    def taste(self, user_id: str, history: int = 30) -> TasteView:
        profile = self.profile(user_id)
        hist: dict[str, list[float]] = {n: [] for n in profile.weights}
        for state in self.memory.store.recent_states(user_id, history):
            for n in hist:
                hist[n].append(float(state.get("weights", {}).get(n, 0.0)))
        merged = dict(profile.affinities)
        for key, value in profile.soft.items():
            merged[key] = max(-1.0, min(1.0, merged.get(key, 0.0) + value))
        ranked = sorted(merged.items(), key=lambda kv: kv[1])
        return TasteView(
            weights=dict(profile.weights), weight_history=hist,
            top_positive=[(k, v) for k, v in reversed(ranked[-5:]) if v > 0.02],
            top_negative=[(k, v) for k, v in ranked[:5] if v < -0.02],
            hard_rules=[r.describe() for r in profile.hard], n_events=profile.n_events,
            imported=self.memory.store.imported_counts(user_id),
        )
