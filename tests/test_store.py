"""The SQLite store: migrations from empty, WAL, transactions that roll back whole."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from memory.items import Interaction
from memory.migrations import MIGRATIONS, migrate
from memory.store import Store


def test_migrations_from_empty_database_create_every_table(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    applied = migrate(db)
    assert applied == [m.__name__ for m in MIGRATIONS]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    expected = {"users", "interactions", "catalogs", "feedback_events", "user_state",
                "preferences", "shown_lists", "_migrations"}
    assert expected <= tables
    assert migrate(db) == []  # a second run applies nothing


def test_migrations_resume_from_a_partial_history(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)")
    db.execute("BEGIN")
    MIGRATIONS[0](db)
    db.execute("INSERT INTO _migrations VALUES (?, 0)", (MIGRATIONS[0].__name__,))
    db.execute("COMMIT")
    assert migrate(db) == [m.__name__ for m in MIGRATIONS[1:]]


def test_store_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3", busy_timeout_ms=1234)
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA busy_timeout")[0][0] == 1234


def test_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    rows = [Interaction(user_id="u", item_id="i", value=4.0)]
    with store.transaction() as conn:
        Store.replace_interactions(conn, "c", "src", rows)
    with pytest.raises(RuntimeError), store.transaction() as conn:
        Store.replace_interactions(conn, "c", "src", rows * 3)
        raise RuntimeError("boom")
    assert store.count_interactions("c") == 1


def test_update_user_state_logs_before_and_after_atomically(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")

    def bump(old: dict | None) -> tuple[dict, dict]:
        n = (old or {}).get("n", 0)
        return {"n": n + 1}, {"signal": "like", "reward": 1.0, "item_id": "x", "catalog": "c"}

    store.update_user_state("alice", bump)
    store.update_user_state("alice", bump)
    state, n_events = store.user_state("alice")
    assert state == {"n": 2} and n_events == 2
    events = store.feedback_events("alice")
    assert [e.state_before for e in events] == [{}, {"n": 1}]
    assert [e.state_after for e in events] == [{"n": 1}, {"n": 2}]
    assert store.user_state("bob") == (None, 0)


def test_preferences_undo_and_reset(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.add_preference("u", "soft", {"key": "genre:Horror", "amount": -0.5}, "less horror")
    store.add_preference("u", "hard", {"kind": "exclude", "key": "genre:Horror"}, "no horror")
    undone = store.undo_preference("u")
    assert undone is not None and undone.text == "no horror"
    assert [p.text for p in store.preferences("u")] == ["less horror"]
    assert store.reset_preferences("u") == 1
    assert store.preferences("u") == []
    assert len(store.preferences("u", active_only=False)) == 2


def test_shown_lists_are_per_user_and_thread(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.record_shown("u", "t1", "demo", ["a", "b"], "q")
    store.record_shown("u", "t1", "demo", ["c"], None)
    store.record_shown("u", "t2", "demo", ["z"], None)
    assert store.shown_lists("u", "t1") == [["c"], ["a", "b"]]
    assert store.shown_lists("v", "t1") == []


def test_shown_lists_and_context_stay_within_a_catalog(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.record_shown("u", "t", "demo", ["alien"], "space", {"like_ids": ["x"]})
    store.record_shown("u", "t", "other", ["heat"], None)
    assert store.shown_lists("u", "t", catalog="demo") == [["alien"]]
    assert store.shown_lists("u", "t") == [["heat"], ["alien"]]
    assert store.shown_context("u", "t", "alien", "demo") == {"query": "space", "like_ids": ["x"]}
    assert store.shown_context("u", "t", "alien", "other") is None


def test_a_corrupt_database_is_a_clear_error_and_is_left_alone(tmp_path: Path) -> None:
    from memory.store import StoreError

    path = tmp_path / "tastebud.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match=r"tastebud.sqlite3 is not a usable Tastebud database"):
        Store(path)
    assert path.read_bytes().startswith(b"this is not sqlite")
