"""One path for every piece of feedback: chat, the TUI keys and `tastebud feedback`.

`FeedbackService.record` turns a signal into a reward (tools.rewards), asks the
engine for the item's score breakdown (credit assignment needs to know which
component liked the item), and hands both to the learner inside
`Store.update_user_state`, so the event row, the state before and after and
the new state commit together under the write lock. The breakdown is computed
*before* the lock is taken: ranking must never hold up another process's write.

`record_batch` is the same path for an imported history (Letterboxd, IMDb): the
same rewards, credit inputs and learner, one event per exported row, but scored
in chunks against the state reached so far (one ranking request per chunk, not
per row) and committed in one transaction, skipping rows already imported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from memory.store import Store
from memory.store_history import NewEvent
from tools.learning import Learner, State, credit_inputs, default_state, load_profile
from tools.profile import Profile
from tools.rewards import RewardError, RewardTable
from tools.scoring import Ranked

ScoreFn = Callable[[Profile, str], Ranked]
ScoreManyFn = Callable[[Profile, Sequence[str]], list[Ranked]]
ProfileFn = Callable[..., Profile]  # (user_id, state=None | (state, n_events)) -> Profile
Progress = Callable[[int, int], None]
FIRST_CHUNK, MAX_CHUNK = 8, 128  # rows scored per request while an import is learned


class FeedbackError(ValueError):
    """Feedback that cannot be recorded; the message says why in the user's terms."""


@dataclass
class FeedbackResult:
    event_id: int | None
    reward: float | None
    weights_before: dict[str, float]
    weights_after: dict[str, float]
    affinities_changed: dict[str, tuple[float, float]] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class BatchEntry:
    """One imported row as feedback: `key` names the exported row (re-imports skip it)."""

    item_id: str
    signal: str
    key: str
    value: float | None = None
    text: str | None = None
    origin: dict[str, Any] = field(default_factory=dict)  # file, line, the rating as exported


@dataclass
class BatchResult:
    added: int
    already: int  # entries whose key was in the log already (or repeated in the batch)
    weights_before: dict[str, float]
    weights_after: dict[str, float]
    event_ids: list[int] = field(default_factory=list)


def _affinity_diff(before: State, after: State) -> dict[str, tuple[float, float]]:
    a0, a1 = before.get("affinities", {}), after.get("affinities", {})
    return {k: (a0.get(k, 0.0), v) for k, v in a1.items() if a0.get(k, 0.0) != v}


def _weights_phrase(before: dict[str, float], after: dict[str, float]) -> str:
    moved = [f"{n} {before.get(n, 0):.2f}->{w:.2f}" for n, w in after.items()
             if abs(w - before.get(n, 0.0)) >= 0.005]
    return f" Weights: {', '.join(moved)}." if moved else ""


class FeedbackService:
    """Records feedback for one catalog; users never share state (every call names its user)."""

    def __init__(self, store: Store, catalog_name: str, rewards: RewardTable, learner: Learner,
                 score_fn: ScoreFn, profile_fn: ProfileFn | None = None,
                 score_many: ScoreManyFn | None = None) -> None:
        """`profile_fn` must give the profile ranking used (the facade passes its own, which
        adds imported history), so credit goes to what actually scored the item. It takes
        an optional in-memory `state=(state, n_events)` to use instead of the stored one."""
        self.store = store
        self.catalog_name = catalog_name
        self.rewards = rewards
        self.learner = learner
        self.score_fn = score_fn
        self.score_many = score_many or (lambda p, ids: [score_fn(p, i) for i in ids])
        self.profile_fn = profile_fn or partial(load_profile, store, config=learner.config)

    def _score(self, profile: Profile, item_id: str) -> Ranked:
        try:
            return self.score_fn(profile, item_id)
        except (KeyError, LookupError) as exc:
            raise FeedbackError(
                f"unknown item {item_id!r} in catalog {self.catalog_name!r}"
            ) from exc

    def _commit(self, user_id: str, event: dict[str, Any]) -> tuple[int | None, State, State]:
        seen: dict[str, State] = {}

        def change(old: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            before = old or default_state(self.learner.config)
            after = self.learner.apply(before, event)
            seen["before"], seen["after"] = before, after
            return after, event

        _, event_id = self.store.update_user_state(user_id, change)
        return event_id, seen["before"], seen["after"]

    def record(self, user_id: str, item_id: str, signal: str, *, value: float | None = None,
               text: str | None = None) -> FeedbackResult:
        """Record one signal on one item; raises FeedbackError for bad input, storing nothing."""
        try:
            sig = self.rewards.signal(signal)
            reward = self.rewards.reward(sig.name, value)
        except RewardError as exc:
            raise FeedbackError(str(exc)) from None
        profile = self.profile_fn(user_id)
        ranked = self._score(profile, item_id)
        event = {
            "catalog": self.catalog_name, "item_id": item_id, "signal": sig.name,
            "reward": reward or 0.0, "value": value, "text": text,
            "detail": {"kind": sig.kind, "taste": reward is not None,
                       "items": [credit_inputs(ranked, self.learner.config)]},
        }
        event_id, before, after = self._commit(user_id, event)
        label = ranked.item.label
        if reward is None:
            msg = f"Noted: you have seen {label}; it won't be suggested again."
        else:
            verb = f"rated {label} {value:g}/5" if sig.name == "rate" else f"{sig.name} {label}"
            msg = f"Noted: {verb} (reward {reward:+.2g})." + _weights_phrase(
                before["weights"], after["weights"]
            )
        return FeedbackResult(event_id, reward, dict(before["weights"]), dict(after["weights"]),
                              _affinity_diff(before, after), msg)

    def record_moved_on(self, user_id: str, shown_ids: Sequence[str], engaged_ids: Sequence[str],
                        text: str | None = None) -> FeedbackResult:
        """ "Something else" right after a list: one event, a small penalty per ignored item."""
        engaged = set(engaged_ids)
        ignored = list(dict.fromkeys(i for i in shown_ids if i not in engaged))
        sig = self.rewards.signal("moved_on")
        reward = float(sig.reward or 0.0)
        if not ignored or reward == 0.0:
            state = self.store.user_state(user_id)[0] or default_state(self.learner.config)
            w = dict(state["weights"])
            return FeedbackResult(None, 0.0, w, w, {}, "Nothing to learn from that list.")
        profile = self.profile_fn(user_id)
        items = [credit_inputs(self._score(profile, i), self.learner.config) for i in ignored]
        event = {
            "catalog": self.catalog_name, "item_id": None, "signal": sig.name, "reward": reward,
            "value": None, "text": text,
            "detail": {"kind": sig.kind, "taste": True, "items": items},
        }
        event_id, before, after = self._commit(user_id, event)
        msg = f"Moving on from {len(ignored)} suggestion(s)." + _weights_phrase(
            before["weights"], after["weights"]
        )
        return FeedbackResult(event_id, reward, dict(before["weights"]), dict(after["weights"]),
                              _affinity_diff(before, after), msg)

    def _event(self, entry: BatchEntry, ranked: Ranked) -> dict[str, Any]:
        sig = self.rewards.signal(entry.signal)
        reward = self.rewards.reward(sig.name, entry.value)
        return {
            "catalog": self.catalog_name, "item_id": entry.item_id, "signal": sig.name,
            "reward": reward or 0.0, "value": entry.value, "text": entry.text,
            "detail": {"kind": sig.kind, "taste": reward is not None,
                       "items": [credit_inputs(ranked, self.learner.config)],
                       "import": entry.origin},
        }

    def record_batch(self, user_id: str, source: str, entries: Sequence[BatchEntry],
                     progress: Progress | None = None) -> BatchResult:
        """Learn a history in order, in one transaction; raises FeedbackError storing nothing.

        Every entry is checked before anything is scored. Entries are then scored in
        growing chunks, each against the state the earlier ones produced (as if they
        had been given one by one in chat), outside the write lock. The commit
        re-applies the events only if the stored state moved meanwhile.
        """
        for e in entries:
            try:
                self.rewards.reward(e.signal, e.value)
            except RewardError as exc:
                where = e.origin.get("where", e.key)
                raise FeedbackError(f"{where}: {exc}") from None
        logged = self.store.import_keys(user_id, self.catalog_name)
        todo = list({e.key: e for e in entries if e.key not in logged}.values())
        already = len(entries) - len(todo)
        start_state, n_start = self.store.user_state(user_id)
        start = start_state or default_state(self.learner.config)
        state, n = start, n_start
        events: list[dict[str, Any]] = []
        light: list[dict[str, Any]] = []  # weights after each event (the sparkline's history)
        done, chunk = 0, FIRST_CHUNK
        while done < len(todo):
            part = todo[done : done + chunk]
            profile = self.profile_fn(user_id, state=(state, n))
            for entry, ranked in zip(part, self._score_many(profile, part), strict=True):
                event = self._event(entry, ranked)
                state, n = self.learner.apply(state, event), n + 1
                events.append(event)
                light.append({"weights": dict(state["weights"])})
            done += len(part)
            chunk = min(2 * chunk, MAX_CHUNK)
            if progress is not None:
                progress(done, len(todo))
        final = state

        def change(old: dict[str, Any] | None, keys: set[str]) -> tuple[State, list[NewEvent]]:
            before = old or default_state(self.learner.config)
            pairs = [(e, ev) for e, ev in zip(todo, events, strict=True) if e.key not in keys]
            after, snaps = final, light
            if before != start or len(pairs) != len(todo):  # moved meanwhile: apply to it
                after, snaps = before, []
                for _, ev in pairs:
                    after = self.learner.apply(after, ev)
                    snaps.append({"weights": dict(after["weights"])})
            new = [NewEvent(ev, e.key, snaps[k - 1] if k else before,
                            after if k == len(pairs) - 1 else snaps[k])
                   for k, (e, ev) in enumerate(pairs)]
            return after, new

        stored, ids = self.store.append_events(user_id, self.catalog_name, source, change)
        w0 = dict(start["weights"])
        w1 = dict((stored or start)["weights"])
        return BatchResult(len(ids), already + len(todo) - len(ids), w0, w1, ids)

    def _score_many(self, profile: Profile, part: Sequence[BatchEntry]) -> list[Ranked]:
        try:
            return self.score_many(profile, [e.item_id for e in part])
        except (KeyError, LookupError) as exc:
            raise FeedbackError(f"unknown item in catalog {self.catalog_name!r}: {exc}") from exc
