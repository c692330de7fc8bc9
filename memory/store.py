"""The SQLite store: everything about users that must survive a restart.

One database file in the data dir, WAL mode and a busy timeout so that the TUI,
a `tastebud feedback` in another shell and a benchmark can write at once. Every
write goes through `transaction()`, which takes the write lock up front
(BEGIN IMMEDIATE): read-modify-write sequences such as a weight update can then
never interleave with another process's.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memory.migrations import MIGRATIONS, migrate
from memory.store_catalogs import CatalogRecord, CatalogsAndInteractions
from memory.store_history import ImportedEvents, read_state, write_state
from memory.store_lists import ListsAndRules
from memory.store_open import (
    StoreError,
    connect,
    read_only_error,
    refuse_truncated,
    unusable_error,
    writable,
)

__all__ = ["CatalogRecord", "FeedbackRow", "Store", "StoreError"]


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    user_id: str
    catalog: str
    item_id: str | None
    signal: str
    reward: float
    value: float | None
    text: str | None
    detail: dict[str, Any]
    ts: float
    state_before: dict[str, Any]
    state_after: dict[str, Any]
    source: str = "chat"  # or the site an imported event came from: letterboxd, imdb


class Store(CatalogsAndInteractions, ListsAndRules, ImportedEvents):
    """Thread-safe handle on the database: one connection per thread.

    On a data dir this process cannot write, the Store opens read-only: reads work,
    and a write raises a StoreError that says so (and that nothing is lost).
    """

    def __init__(self, path: Path, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data dir {self.path.parent} ({exc.strerror});"
                             " pass --data-dir with a folder you can write") from None
        self._busy_ms = busy_timeout_ms
        self._local = threading.local()
        self.read_only = not writable(self.path)
        if self.read_only and not self.path.exists():
            raise read_only_error(self.path, "there is no database there yet to read")
        refuse_truncated(self.path)
        try:
            if self.read_only:
                self._check_schema()
            else:
                migrate(self._conn())
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc):
                raise read_only_error(self.path) from None
            raise unusable_error(self.path, exc) from None
        except sqlite3.DatabaseError as exc:
            raise unusable_error(self.path, exc) from None

    def _check_schema(self) -> None:
        done = {r[0] for r in self._conn().execute("SELECT name FROM _migrations")}
        if any(fn.__name__ not in done for fn in MIGRATIONS):
            raise read_only_error(self.path, "it needs a schema upgrade that must write to it")

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, self._busy_ms, read_only=self.read_only)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the database's write lock from its first statement."""
        if self.read_only:
            raise read_only_error(self.path)
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc):
                raise read_only_error(self.path) from None
            raise
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            if "readonly" in str(exc):
                raise read_only_error(self.path) from None
            raise
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn().execute(sql, tuple(params)).fetchall()

    # small settings that belong to the data dir, not to a run -------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", [key])
        return str(rows[0][0]) if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # users ---------------------------------------------------------------
    def ensure_user(self, user_id: str, conn: sqlite3.Connection | None = None) -> None:
        sql = "INSERT OR IGNORE INTO users (id, created) VALUES (?, ?)"
        if conn is not None:
            conn.execute(sql, (user_id, time.time()))
            return
        with self.transaction() as c:
            c.execute(sql, (user_id, time.time()))

    def users(self) -> list[str]:
        return [r[0] for r in self.query("SELECT id FROM users ORDER BY id")]

    # feedback log and per-user state --------------------------------------
    def user_state(self, user_id: str) -> tuple[dict[str, Any] | None, int]:
        rows = self.query("SELECT state, n_events FROM user_state WHERE user_id = ?", [user_id])
        return (json.loads(rows[0][0]), int(rows[0][1])) if rows else (None, 0)

    def update_user_state(
        self,
        user_id: str,
        change: Callable[[dict[str, Any] | None], tuple[dict[str, Any], dict[str, Any] | None]],
    ) -> tuple[dict[str, Any], int | None]:
        """Read-modify-write a user's state atomically, appending the event it produced.

        `change(old_state)` returns `(new_state, event)`. `event` is a dict with
        the feedback_events columns (catalog, item_id, signal, reward, value,
        text, detail) or None for a change that is not a feedback event (a reset).
        The log row, with the state before and after, and the new state commit
        together or not at all, so replaying the log always gives the stored state.
        """
        with self.transaction() as conn:
            self.ensure_user(user_id, conn)
            before = read_state(conn, user_id)
            after, event = change(before)
            event_id: int | None = None
            if event is not None:
                cur = conn.execute(
                    "INSERT INTO feedback_events (user_id, catalog, item_id, signal, reward, value,"
                    " text, detail, ts, state_before, state_after)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (user_id, event.get("catalog", ""), event.get("item_id"), event["signal"],
                     float(event.get("reward", 0.0)), event.get("value"), event.get("text"),
                     json.dumps(event.get("detail", {})), event.get("ts", time.time()),
                     json.dumps(before or {}), json.dumps(after)),
                )
                event_id = cur.lastrowid
            write_state(conn, user_id, after, 1 if event else 0)
        return after, event_id

    def put_user_state(self, user_id: str, state: dict[str, Any], n_events: int) -> None:
        with self.transaction() as conn:
            self.ensure_user(user_id, conn)
            conn.execute(
                "INSERT OR REPLACE INTO user_state (user_id, state, n_events, updated)"
                " VALUES (?, ?, ?, ?)",
                (user_id, json.dumps(state), n_events, time.time()),
            )

    def recent_states(self, user_id: str, limit: int) -> list[dict[str, Any]]:
        """The state after each of the user's last `limit` events, oldest first (for sparklines)."""
        rows = self.query(
            "SELECT state_after FROM feedback_events WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            [user_id, limit],
        )
        return [json.loads(r[0]) for r in reversed(rows)]

    def feedback_events(self, user_id: str, catalog: str | None = None) -> list[FeedbackRow]:
        sql = (
            "SELECT id, user_id, catalog, item_id, signal, reward, value, text, detail, ts,"
            " state_before, state_after, source FROM feedback_events WHERE user_id = ?"
        )
        params: list[Any] = [user_id]
        if catalog is not None:
            sql += " AND catalog = ?"
            params.append(catalog)
        return [
            FeedbackRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]), r[9],
                        json.loads(r[10]), json.loads(r[11]), r[12])
            for r in self.query(sql + " ORDER BY id", params)
        ]
