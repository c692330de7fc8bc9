"""Imported history in the feedback log: many events in one transaction, each at most once.

A Letterboxd or IMDb export becomes ordinary feedback events (the same table,
the same replay as chat). They are written here in one transaction per export,
so a refused or interrupted import leaves nothing behind. Each imported event
carries an `import_key` naming the exported row; keys already in the log are
skipped under the write lock, which is what makes importing the same export
twice (or a newer export) add only what is new. `Store` mixes this class in.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from memory.store_lists import StoreCore


@dataclass(frozen=True)
class NewEvent:
    """One event to append: the feedback_events columns, its import key, the states around it."""

    event: dict[str, Any]  # catalog, item_id, signal, reward, value, text, detail
    key: str
    state_before: dict[str, Any]
    state_after: dict[str, Any]


def read_state(conn: sqlite3.Connection, user_id: str) -> dict[str, Any] | None:
    """The user's stored state inside the caller's transaction (None: never written)."""
    row = conn.execute("SELECT state FROM user_state WHERE user_id = ?", (user_id,)).fetchone()
    return json.loads(row[0]) if row else None


def write_state(conn: sqlite3.Connection, user_id: str, state: dict[str, Any], added: int) -> None:
    """Store the state after `added` new events, inside the caller's transaction."""
    conn.execute(
        "INSERT INTO user_state (user_id, state, n_events, updated) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET state = excluded.state,"
        " n_events = user_state.n_events + ?, updated = excluded.updated",
        (user_id, json.dumps(state), added, time.time(), added),
    )


BatchChange = Callable[
    [dict[str, Any] | None, set[str]], tuple[dict[str, Any], list[NewEvent]]
]


class ImportedEvents(StoreCore):
    def import_keys(self, user_id: str, catalog: str) -> set[str]:
        """The keys of the user's imported events in a catalog (what an import will skip)."""
        rows = self.query(
            "SELECT import_key FROM feedback_events WHERE user_id = ? AND catalog = ?"
            " AND import_key IS NOT NULL",
            [user_id, catalog],
        )
        return {r[0] for r in rows}

    def imported_counts(self, user_id: str) -> dict[str, int]:
        """How many of the user's events each imported source gave (chat not counted)."""
        rows = self.query(
            "SELECT source, COUNT(*) FROM feedback_events WHERE user_id = ? AND source != 'chat'"
            " GROUP BY source ORDER BY source",
            [user_id],
        )
        return {r[0]: int(r[1]) for r in rows}

    def append_events(
        self, user_id: str, catalog: str, source: str, change: BatchChange
    ) -> tuple[dict[str, Any] | None, list[int]]:
        """Append a batch of events and the state they lead to, atomically.

        `change(old_state, keys_already_logged)` returns `(new_state, events)`; it
        runs under the write lock, so it sees the state and keys as they are now.
        With no events nothing is written and the old state is returned.
        """
        with self.transaction() as conn:
            self.ensure_user(user_id, conn)
            before = read_state(conn, user_id)
            keys = {
                r[0]
                for r in conn.execute(
                    "SELECT import_key FROM feedback_events WHERE user_id = ? AND catalog = ?"
                    " AND import_key IS NOT NULL",
                    (user_id, catalog),
                )
            }
            after, events = change(before, keys)
            if not events:
                return before, []
            now = time.time()
            ids: list[int] = []
            for new in events:
                ev = new.event
                cur = conn.execute(
                    "INSERT INTO feedback_events (user_id, catalog, item_id, signal, reward, value,"
                    " text, detail, ts, state_before, state_after, source, import_key)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (user_id, catalog, ev.get("item_id"), ev["signal"],
                     float(ev.get("reward") or 0.0), ev.get("value"), ev.get("text"),
                     json.dumps(ev.get("detail", {})), now, json.dumps(new.state_before),
                     json.dumps(new.state_after), source, new.key),
                )
                ids.append(int(cur.lastrowid or 0))
            write_state(conn, user_id, after, len(events))
        return after, ids
