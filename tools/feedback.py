"""One path for every piece of feedback: chat, the TUI keys and `tastebud feedback`.

`FeedbackService.record` turns a signal into a reward (tools.rewards), asks the
engine for the item's score breakdown (credit assignment needs to know which
component liked the item), and hands both to the learner inside
`Store.update_user_state`, so the event row, the state before and after and
the new state commit together under the write lock. The breakdown is computed
*before* the lock is taken: ranking must never hold up another process's write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from memory.store import Store
from tools.learning import Learner, State, credit_inputs, default_state, load_profile
from tools.profile import Profile
from tools.rewards import RewardError, RewardTable
from tools.scoring import Ranked

ScoreFn = Callable[[Profile, str], Ranked]
ProfileFn = Callable[[str], Profile]


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


def _affinity_diff(before: State, after: State) -> dict[str, tuple[float, float]]:
    a0, a1 = before.get("affinities", {}), after.get("affinities", {})
    return {k: (a0.get(k, 0.0), v) for k, v in a1.items() if a0.get(k, 0.0) != v}


def _weights_phrase(before: dict[str, float], after: dict[str, float]) -> str:
    moved = [f"{n} {before.get(n, 0):.2f}->{w:.2f}" for n, w in after.items()
             if abs(w - before.get(n, 0.0)) >= 0.005]  # fmt: skip
    return f" Weights: {', '.join(moved)}." if moved else ""


class FeedbackService:
    """Records feedback for one catalog; users never share state (every call names its user)."""

    def __init__(self, store: Store, catalog_name: str, rewards: RewardTable, learner: Learner,
                 score_fn: ScoreFn, profile_fn: ProfileFn | None = None) -> None:  # fmt: skip
        """`profile_fn` must give the profile ranking used (the facade passes its own, which
        adds imported history), so credit goes to what actually scored the item."""
        self.store = store
        self.catalog_name = catalog_name
        self.rewards = rewards
        self.learner = learner
        self.score_fn = score_fn
        self.profile_fn = profile_fn or (
            lambda user_id: load_profile(store, user_id, config=learner.config)
        )

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
               text: str | None = None) -> FeedbackResult:  # fmt: skip
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
        }  # fmt: skip
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
                              _affinity_diff(before, after), msg)  # fmt: skip

    def record_moved_on(self, user_id: str, shown_ids: Sequence[str], engaged_ids: Sequence[str],
                        text: str | None = None) -> FeedbackResult:  # fmt: skip
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
        }  # fmt: skip
        event_id, before, after = self._commit(user_id, event)
        msg = f"Moving on from {len(ignored)} suggestion(s)." + _weights_phrase(
            before["weights"], after["weights"]
        )
        return FeedbackResult(event_id, reward, dict(before["weights"]), dict(after["weights"]),
                              _affinity_diff(before, after), msg)  # fmt: skip
