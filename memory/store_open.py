"""Opening the SQLite file safely: read-only data dirs, truncated files, and honest messages.

Three situations used to get the same advice ("not a usable database, move it
aside to start fresh"), which is wrong for two of them:
- a read-only data dir holds a healthy database: reading commands must work,
  writing ones must say the dir is read-only and that nothing is lost;
- a 0-byte file is a truncated database (a full disk, a failed copy), not a
  fresh start: rebuilding it silently would hide the loss;
- only a file that is not SQLite at all is really unusable.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote


class StoreError(RuntimeError):
    """The database file cannot be used; the message names it and what to do."""


def writable(path: Path) -> bool:
    """Whether this process may write the database (and its -wal/-shm files beside it)."""
    folder_ok = os.access(path.parent, os.W_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def read_only_error(path: Path, action: str = "this command needs to save changes") -> StoreError:
    return StoreError(
        f"{path} is read-only (its folder {path.parent} cannot be written), and {action}."
        " Your data is intact: run the command where the data dir is writable, or give"
        " --data-dir a writable copy. `catalog list` and `catalog stats` work as they are."
    )


def unusable_error(path: Path, exc: BaseException) -> StoreError:
    return StoreError(
        f"{path} is not a usable Tastebud database ({exc}). Move it aside to start"
        " fresh, or point --data-dir elsewhere; nothing was changed."
    )


def refuse_truncated(path: Path) -> None:
    """A 0-byte database is a lost one, not a new one: say so instead of rebuilding it."""
    if path.exists() and path.stat().st_size == 0 and not Path(f"{path}-wal").exists():
        raise StoreError(
            f"{path} is empty (0 bytes): the database was probably truncated (a full disk or a"
            " failed copy). Nothing was changed. Restore it from a backup, or delete the empty"
            " file if you really want to start over."
        )


def connect(path: Path, busy_ms: int, *, read_only: bool) -> sqlite3.Connection:
    """A connection in WAL mode, or a read-only one that never creates or changes a file."""
    if not read_only:
        conn = sqlite3.connect(path, isolation_level=None, timeout=busy_ms / 1000)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.OperationalError as exc:
            conn.close()
            if "readonly" in str(exc) or "read-only" in str(exc):
                raise read_only_error(path) from None
            raise unusable_error(path, exc) from None
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise unusable_error(path, exc) from None
        return conn
    uri = f"file:{quote(str(path))}?mode=ro"
    last: sqlite3.DatabaseError | None = None
    # A WAL database needs its -shm file; when the folder forbids creating it, SQLite
    # can still read a file nobody writes ("immutable").
    for suffix in ("", "&immutable=1"):
        conn = sqlite3.connect(uri + suffix, uri=True, isolation_level=None,
                               timeout=busy_ms / 1000, check_same_thread=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            last = exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise unusable_error(path, exc) from None
    raise StoreError(f"{path} cannot be opened for reading ({last}); nothing was changed.")
