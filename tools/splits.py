"""Held-out splits by time, and a user's imported history as a profile.

The same per-user temporal split serves two masters: `tastebud train` cuts a
validation split from the catalog's own interactions to fit the ranker, and
the MovieLens benchmark (bench/eval_movielens.py) cuts its test split with it.
`add_history` is how the facade turns a user's imported ratings into likes,
dislikes and seen films; training builds its validation users' profiles with
the same function, so the model is fitted on the profiles it will be served.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from memory.items import Interaction
from tools.profile import Profile


@dataclass
class Split:
    train: list[Interaction]
    test: dict[str, list[str]]  # user -> held-out positive item ids, in time order


def temporal_split(rows: Sequence[Interaction], *, frac: float = 0.2, threshold: float = 4.0,
                   min_positives: int = 5, implicit: bool = False) -> Split:
    """Per user in time order (ties by item id): the last `frac` of positives are held out.

    TRAIN is everything the user rated before their first held-out positive;
    users with fewer than `min_positives` positives stay whole in TRAIN.
    """
    by_user: dict[str, list[Interaction]] = defaultdict(list)
    for r in rows:
        by_user[r.user_id].append(r)
    train: list[Interaction] = []
    test: dict[str, list[str]] = {}
    for user in sorted(by_user):
        events = sorted(by_user[user], key=lambda r: (r.ts, r.item_id))
        pos = [n for n, r in enumerate(events) if implicit or r.value >= threshold]
        if len(pos) < min_positives:
            train.extend(events)
            continue
        held = pos[len(pos) - max(1, round(frac * len(pos))):]
        test[user] = [events[n].item_id for n in held]
        train.extend(events[: held[0]])
    return Split(train, test)


def add_history(profile: Profile, rows: Iterable[Interaction], implicit: bool = False) -> Profile:
    """Imported ratings, oldest first: >= 4 likes (strength (r-3)/2, at least 0.5), <= 2 dislikes.

    Every imported item is seen, so it is not recommended back. Chat feedback
    already in the profile wins over an imported rating of the same item. In an
    implicit log (every value 1.0) each row is a like.
    """
    for row in sorted(rows, key=lambda r: (r.ts, r.item_id)):
        item = row.item_id
        profile.seen.add(item)
        if item in profile.liked or item in profile.disliked:
            continue
        if implicit:
            profile.liked[item] = 1.0
        elif row.value >= 4.0:
            profile.liked[item] = min(1.0, max(0.5, (row.value - 3.0) / 2.0))
        elif row.value <= 2.0:
            profile.disliked.add(item)
    return profile
