"""Imported data in the Store: catalog records (which collections are live) and interactions.

Kept apart from the user-state half of the Store because these rows are
replaced wholesale by ingest and training, and belong to one catalog version:
an interaction never outlives the catalog version whose item it names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from memory.items import Interaction


@dataclass(frozen=True)
class CatalogRecord:
    """Which Chroma collections hold a catalog now; flipped atomically by ingest and training."""

    name: str
    content_collection: str
    cf_collection: str | None
    embedder: str
    items: int
    source: str
    updated: float
    source_path: str = ""


_CATALOG_COLUMNS = "name, content_collection, cf_collection, embedder, items, source, updated, source_path"


class CatalogsAndInteractions:
    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    # interactions --------------------------------------------------------
    @staticmethod
    def replace_interactions(
        conn: sqlite3.Connection, catalog: str, source: str, rows: Iterable[Interaction]
    ) -> int:
        """Swap one source's interactions for a new set, inside the caller's transaction."""
        conn.execute("DELETE FROM interactions WHERE catalog = ? AND source = ?", (catalog, source))
        cur = conn.executemany(
            "INSERT INTO interactions (catalog, user_id, item_id, value, ts, source)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((catalog, r.user_id, r.item_id, r.value, r.ts, source) for r in rows),
        )
        return cur.rowcount

    @staticmethod
    def keep_interactions_of(
        conn: sqlite3.Connection, catalog: str, item_ids: Iterable[str], *, all_sources: bool
    ) -> int:
        """Delete the catalog's events whose item left it (or all of them, for a new source).

        Interactions belong to one catalog version: an id reused by a different
        film in a replacing file must not inherit the old film's ratings.
        """
        if all_sources:
            return conn.execute("DELETE FROM interactions WHERE catalog = ?", (catalog,)).rowcount
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _keep_items (id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM _keep_items")
        conn.executemany("INSERT OR IGNORE INTO _keep_items (id) VALUES (?)", ((i,) for i in item_ids))
        cur = conn.execute(
            "DELETE FROM interactions WHERE catalog = ? AND item_id NOT IN (SELECT id FROM _keep_items)",
            (catalog,),
        )
        conn.execute("DELETE FROM _keep_items")
        return cur.rowcount

    def interactions(self, catalog: str, user_id: str | None = None) -> list[Interaction]:
        sql = "SELECT user_id, item_id, value, ts, source FROM interactions WHERE catalog = ?"
        params: list[Any] = [catalog]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        return [
            Interaction(user_id=u, item_id=i, value=v, ts=t, source=s)
            for u, i, v, t, s in self.query(sql + " ORDER BY id", params)
        ]

    def count_interactions(self, catalog: str) -> int:
        return int(
            self.query("SELECT COUNT(*) FROM interactions WHERE catalog = ?", [catalog])[0][0]
        )

    def count_interaction_users(self, catalog: str) -> int:
        sql = "SELECT COUNT(DISTINCT user_id) FROM interactions WHERE catalog = ?"
        return int(self.query(sql, [catalog])[0][0])

    # catalogs ------------------------------------------------------------
    def catalog_record(self, name: str) -> CatalogRecord | None:
        rows = self.query(f"SELECT {_CATALOG_COLUMNS} FROM catalogs WHERE name = ?", [name])
        return CatalogRecord(*rows[0]) if rows else None

    def catalog_records(self) -> list[CatalogRecord]:
        rows = self.query(f"SELECT {_CATALOG_COLUMNS} FROM catalogs ORDER BY name")
        return [CatalogRecord(*r) for r in rows]

    @staticmethod
    def put_catalog_record(conn: sqlite3.Connection, rec: CatalogRecord) -> None:
        conn.execute(
            f"INSERT OR REPLACE INTO catalogs ({_CATALOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.name, rec.content_collection, rec.cf_collection, rec.embedder, rec.items,
             rec.source, rec.updated, rec.source_path),
        )

    @staticmethod
    def delete_catalog_record(conn: sqlite3.Connection, name: str) -> None:
        """Forget a catalog and its interactions (feedback history stays: it is the user's)."""
        conn.execute("DELETE FROM interactions WHERE catalog = ?", (name,))
        conn.execute("DELETE FROM catalogs WHERE name = ?", (name,))
