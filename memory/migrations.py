"""Schema changes as an ordered list of small functions.

Each migration runs once, in order, inside its own transaction, and is recorded
in `_migrations`. New schema goes in a new function appended to MIGRATIONS;
existing functions never change, so every database reaches the same schema
whatever version it started from.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _script(db: sqlite3.Connection, sql: str) -> None:
    # executescript() would COMMIT the migration's transaction half-way; run statements one by one.
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def m001_initial(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            created REAL NOT NULL
        );
        CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            catalog TEXT NOT NULL,
            user_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            value REAL NOT NULL,
            ts REAL NOT NULL,
            source TEXT NOT NULL
        );
        CREATE INDEX interactions_catalog_user ON interactions(catalog, user_id);
        CREATE INDEX interactions_catalog_source ON interactions(catalog, source);
        CREATE TABLE catalogs (
            name TEXT PRIMARY KEY,
            content_collection TEXT NOT NULL,
            cf_collection TEXT,
            embedder TEXT NOT NULL,
            items INTEGER NOT NULL,
            source TEXT NOT NULL,
            updated REAL NOT NULL
        );
        """,
    )


def m002_feedback_and_state(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE feedback_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL,
            catalog TEXT NOT NULL,
            item_id TEXT,
            signal TEXT NOT NULL,
            reward REAL NOT NULL,
            value REAL,
            text TEXT,
            detail TEXT NOT NULL DEFAULT '{}',
            ts REAL NOT NULL,
            state_before TEXT NOT NULL,
            state_after TEXT NOT NULL
        );
        CREATE INDEX feedback_user ON feedback_events(user_id, id);
        CREATE TABLE user_state (
            user_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            n_events INTEGER NOT NULL DEFAULT 0,
            updated REAL NOT NULL
        );
        """,
    )


def m003_preferences(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE preferences (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            text TEXT,
            ts REAL NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX preferences_user ON preferences(user_id, active, id);
        """,
    )


def m004_shown_lists(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE shown_lists (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL,
            thread_id TEXT NOT NULL,
            catalog TEXT NOT NULL,
            item_ids TEXT NOT NULL,
            query TEXT,
            ts REAL NOT NULL
        );
        CREATE INDEX shown_user_thread ON shown_lists(user_id, thread_id, id);
        """,
    )


def m005_meta(db: sqlite3.Connection) -> None:
    _script(db, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def m006_shown_context(db: sqlite3.Connection) -> None:
    # What each listed item scored and why, so "why the first?" is answered with the
    # numbers that ranked it, even after later feedback moved the weights.
    _script(db, "ALTER TABLE shown_lists ADD COLUMN context TEXT NOT NULL DEFAULT '{}'")


def m007_feedback_source(db: sqlite3.Connection) -> None:
    # Where an event came from (chat, or an imported Letterboxd/IMDb history) and, for imported
    # ones, a key naming the exported row, so importing the same export twice adds nothing.
    _script(
        db,
        """
        ALTER TABLE feedback_events ADD COLUMN source TEXT NOT NULL DEFAULT 'chat';
        ALTER TABLE feedback_events ADD COLUMN import_key TEXT;
        CREATE UNIQUE INDEX feedback_import_key ON feedback_events(user_id, catalog, import_key)
            WHERE import_key IS NOT NULL
        """,
    )


def m008_catalog_source_path(db: sqlite3.Connection) -> None:
    # The resolved path a catalog was ingested from: a file of the same name from
    # another folder must not silently replace it.
    _script(db, "ALTER TABLE catalogs ADD COLUMN source_path TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_feedback_and_state,
    m003_preferences,
    m004_shown_lists,
    m005_meta,
    m006_shown_context,
    m007_feedback_source,
    m008_catalog_source_path,
]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet recorded; returns the names applied."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    applied: list[str] = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-check under the write lock: another process may have just run it.
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (fn.__name__,)).fetchone():
                db.execute("ROLLBACK")
                continue
            fn(db)
            db.execute(
                "INSERT INTO _migrations (name, applied) VALUES (?, ?)", (fn.__name__, time.time())
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        applied.append(fn.__name__)
    return applied
