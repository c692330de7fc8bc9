"""What a conversation showed, and the rules a user stated: the Store's second half.

Kept in its own module because these tables change with the chat (a list per
answer, a rule per "less horror"), while the rest of the Store holds imported
data and learned state. `Store` mixes this class in; the three methods declared
below are the Store's own.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PreferenceRow:
    id: int
    user_id: str
    kind: str
    payload: dict[str, Any]
    text: str | None
    ts: float
    active: bool


class StoreCore:
    """What the Store's mixins call on the Store itself (it defines all three)."""

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def ensure_user(self, user_id: str, conn: sqlite3.Connection | None = None) -> None:
        raise NotImplementedError


class ListsAndRules(StoreCore):

    # shown lists (what "the second one" refers to) --------------------------
    def record_shown(
        self, user_id: str, thread_id: str, catalog: str, item_ids: list[str], query: str | None,
        context: dict[str, Any] | None = None,
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO shown_lists (user_id, thread_id, catalog, item_ids, query, ts, context)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user_id, thread_id, catalog, json.dumps(item_ids), query, time.time(),
                 json.dumps(context or {})),
            )

    def shown_context(
        self, user_id: str, thread_id: str, item_id: str, catalog: str | None = None
    ) -> dict[str, Any] | None:
        """The newest list in this conversation that showed the item: its query and context."""
        for ids, query, context in self._shown(
            user_id, thread_id, catalog, 50, "item_ids, query, context"
        ):
            if item_id in json.loads(ids):
                return {"query": query, **json.loads(context)}
        return None

    def last_list_and_engaged(
        self, user_id: str, thread_id: str, catalog: str
    ) -> tuple[list[str], list[str]] | None:
        """The newest list shown, and the items the user gave feedback on since it was shown."""
        rows = self._shown(user_id, thread_id, catalog, 1, "item_ids, ts")
        if not rows:
            return None
        engaged = self.query(
            "SELECT item_id FROM feedback_events WHERE user_id = ? AND catalog = ? AND ts >= ?"
            " AND item_id IS NOT NULL",
            [user_id, catalog, rows[0][1]],
        )
        return json.loads(rows[0][0]), [r[0] for r in engaged]

    def shown_lists(
        self, user_id: str, thread_id: str, limit: int = 50, catalog: str | None = None
    ) -> list[list[str]]:
        """The lists shown in a conversation (in one catalog, if given), newest first."""
        return [
            json.loads(r[0]) for r in self._shown(user_id, thread_id, catalog, limit, "item_ids")
        ]

    def _shown(
        self, user_id: str, thread_id: str, catalog: str | None, limit: int, columns: str
    ) -> list[tuple[Any, ...]]:
        sql = f"SELECT {columns} FROM shown_lists WHERE user_id = ? AND thread_id = ?"
        params: list[Any] = [user_id, thread_id]
        if catalog is not None:
            sql += " AND catalog = ?"
            params.append(catalog)
        return self.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])

    # preference rules ("less horror", "only after 2000") --------------------
    def add_preference(
        self, user_id: str, kind: str, payload: dict[str, Any], text: str | None
    ) -> int:
        with self.transaction() as conn:
            self.ensure_user(user_id, conn)
            cur = conn.execute(
                "INSERT INTO preferences (user_id, kind, payload, text, ts, active)"
                " VALUES (?, ?, ?, ?, ?, 1)",
                (user_id, kind, json.dumps(payload), text, time.time()),
            )
            return int(cur.lastrowid or 0)

    def preferences(self, user_id: str, active_only: bool = True) -> list[PreferenceRow]:
        sql = (
            "SELECT id, user_id, kind, payload, text, ts, active FROM preferences WHERE user_id = ?"
        )
        if active_only:
            sql += " AND active = 1"
        return [
            PreferenceRow(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], bool(r[6]))
            for r in self.query(sql + " ORDER BY id", [user_id])
        ]

    def undo_preference(self, user_id: str) -> PreferenceRow | None:
        """Deactivate the newest active rule; returns it, or None when there is none."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT id, user_id, kind, payload, text, ts, active FROM preferences"
                " WHERE user_id = ? AND active = 1 ORDER BY id DESC LIMIT 1",
                (user_id,),
            ).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE preferences SET active = 0 WHERE id = ?", (row[0],))
        return PreferenceRow(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], False)

    def reset_preferences(self, user_id: str) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE preferences SET active = 0 WHERE user_id = ? AND active = 1", (user_id,)
            )
            return cur.rowcount
