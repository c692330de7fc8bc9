"""All-or-nothing ingest into a new catalog version.

The order matters:
1. refuse the whole input if any row is invalid (unless skip_invalid);
2. build a *new* Chroma collection: vectors of unchanged items are copied from
   the current version, only new or changed texts are embedded;
3. in one SQLite transaction, replace the interactions and flip the catalog
   pointer to the new collection;
4. drop the old collection.
A crash before step 3 leaves the old catalog active and a stray collection that
the next ingest removes; a crash after it leaves the new catalog active.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from memory.catalog import add_in_batches, collection_name, drop_quietly, next_version, paged_get
from memory.catalog_admin import check_replace
from memory.embedder import Embedder
from memory.ingest.rows import IngestError, Parsed, RowError
from memory.items import Item
from memory.store import CatalogRecord, Store

Progress = Callable[[int, int], None]
EMBED_CHUNK = 256


@dataclass
class IngestReport:
    catalog: str
    items: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0
    interactions: int = 0
    skipped: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    replaced: str | None = None  # the source a --replace ingest displaced
    dropped_interactions: int = 0
    seconds: float = 0.0
    up_to_date: bool = False

    def summary(self) -> str:
        head = f"catalog {self.catalog!r}: {self.items} items"
        if self.up_to_date:
            head += " (already up to date)"
        else:
            head += (f" ({self.added} added, {self.changed} changed, {self.unchanged} unchanged,"
                     f" {self.removed} removed; {self.embedded} embedded)")
        head += f", {self.interactions} interactions, in {self.seconds:.1f}s"
        if self.replaced:
            head += f"\nreplaced the catalog ingested from {self.replaced}"
        if self.dropped_interactions:
            head += (f"\nremoved {self.dropped_interactions} interaction(s) that belonged to the"
                     " previous version (their items are gone)")
        if self.skipped:
            head += f"\nskipped {len(self.skipped)} invalid row(s):\n" + "\n".join(
                f"  {e}" for e in self.skipped[:20]
            )
            if len(self.skipped) > 20:
                head += f"\n  ... and {len(self.skipped) - 20} more"
        if self.warnings:
            head += f"\n{len(self.warnings)} warning(s):\n" + "\n".join(
                f"  {w}" for w in grouped(self.warnings)[:20]
            )
        return head


def grouped(warnings: list[RowError]) -> list[str]:
    """One line per distinct warning: 'path:line: reason' or 'reason (N rows, first at path:line)'."""
    order: dict[str, list[RowError]] = {}
    for w in warnings:
        order.setdefault(w.reason, []).append(w)
    return [str(ws[0]) if len(ws) == 1 else f"{ws[0].reason} ({len(ws)} rows, first at"
            f" {ws[0].path}:{ws[0].line})" for ws in order.values()]


def _metadata(item: Item) -> dict[str, str | int | float]:
    return {"json": item.to_json(), "hash": item.content_hash(), "ehash": item.embedding_hash()}


def ingest(
    parsed: Parsed,
    *,
    catalog: str,
    client,  # type: ignore[no-untyped-def]
    store: Store,
    embedder: Embedder,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    source_path: str | None = None,
    replace: bool = False,
) -> IngestReport:
    """Ingest `parsed` as catalog `catalog`; every check runs before anything is embedded.

    `source_path` (the CLI passes the resolved input path) turns on the identity
    rules: the demo is never replaced, and another file's catalog only with `replace`.
    """
    started = time.perf_counter()
    if parsed.errors and not skip_invalid:
        raise IngestError(parsed.errors)
    if not parsed.items:
        raise IngestError(parsed.errors or [RowError(parsed.source, 0, "no items found")],
                          hint="Nothing to ingest.")
    displaced = None
    if source_path is not None:
        displaced = check_replace(store, catalog, source_path, replace=replace)
    report = IngestReport(catalog=catalog, items=len(parsed.items), skipped=list(parsed.errors),
                          warnings=list(parsed.warnings))
    old = store.catalog_record(catalog)
    if displaced is not None:
        report.replaced = displaced.source_path or displaced.source
    _drop_strays(client, catalog, old)

    old_meta: dict[str, dict] = {}
    old_col = None
    if old is not None and old.embedder == embedder.name:
        old_col = client.get_collection(old.content_collection)
        for got in paged_get(old_col, ["metadatas"]):
            old_meta.update(zip(got["ids"], got["metadatas"], strict=True))

    reuse: list[str] = []
    embed: list[Item] = []
    for item in parsed.items:
        meta = old_meta.get(item.id)
        if meta is None:
            report.added += 1
            embed.append(item)
        elif meta.get("ehash") == item.embedding_hash():
            reuse.append(item.id)
            if meta.get("hash") == item.content_hash():
                report.unchanged += 1
            else:
                report.changed += 1
        else:
            report.changed += 1
            embed.append(item)
    new_ids = {i.id for i in parsed.items}
    report.removed = sum(1 for i in old_meta if i not in new_ids)

    same = report.unchanged == len(parsed.items) and report.removed == 0
    if old is not None and same and displaced is None:
        report.up_to_date = True
        content_name = old.content_collection
    else:
        content_name = _build_collection(client, catalog, parsed.items, reuse, embed, old_col,
                                         embedder, progress)
        report.embedded = len(embed)

    try:
        with store.transaction() as conn:
            if displaced is not None:  # a new source: no event of the old one may stay
                report.dropped_interactions = Store.keep_interactions_of(
                    conn, catalog, (), all_sources=True)
            report.interactions = Store.replace_interactions(
                conn, catalog, parsed.source, parsed.interactions
            )
            if displaced is None:  # events from other sources whose item left the catalog
                report.dropped_interactions = Store.keep_interactions_of(
                    conn, catalog, new_ids, all_sources=False)
            if not report.up_to_date or (source_path and old and old.source_path != source_path):
                Store.put_catalog_record(conn, CatalogRecord(
                    name=catalog, content_collection=content_name,
                    cf_collection=old.cf_collection if old and displaced is None else None,
                    embedder=embedder.name, items=len(parsed.items), source=parsed.source,
                    updated=time.time(), source_path=source_path or parsed.source_path,
                ))
    except BaseException:
        if content_name != (old.content_collection if old else None):
            drop_quietly(client, content_name)  # never leave a stray collection behind
        raise
    if old is not None and not report.up_to_date:
        drop_quietly(client, old.content_collection)
    if displaced is not None and displaced.cf_collection:
        drop_quietly(client, displaced.cf_collection)  # trained on the old source's events
    report.seconds = time.perf_counter() - started
    return report


def _build_collection(
    client, catalog: str, items: list[Item], reuse: list[str], embed: list[Item],  # type: ignore[no-untyped-def]
    old_col, embedder: Embedder, progress: Progress | None,  # type: ignore[no-untyped-def]
) -> str:
    name = collection_name(catalog, "content", next_version(client, catalog, "content"))
    col = client.create_collection(
        name, embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedder": embedder.name, "catalog": catalog},
    )
    try:
        _fill(client, col, items, reuse, embed, old_col, embedder, progress)
    except BaseException:
        drop_quietly(client, name)  # a failed embed leaves no half-built collection
        raise
    return name


def _fill(
    client, col, items: list[Item], reuse: list[str], embed: list[Item],  # type: ignore[no-untyped-def]
    old_col, embedder: Embedder, progress: Progress | None,  # type: ignore[no-untyped-def]
) -> None:
    by_id = {i.id: i for i in items}
    batch = client.get_max_batch_size()
    total, done = len(items), 0
    if progress:
        progress(0, total)
    for start in range(0, len(reuse), EMBED_CHUNK * 4):
        ids = reuse[start : start + EMBED_CHUNK * 4]
        got = old_col.get(ids=ids, include=["embeddings"])
        vecs = np.asarray(got["embeddings"], dtype=np.float32)
        metas = [_metadata(by_id[i]) for i in got["ids"]]
        add_in_batches(col, list(got["ids"]), vecs, metas, None, batch)
        done += len(ids)
        if progress:
            progress(done, total)
    for start in range(0, len(embed), EMBED_CHUNK):
        chunk = embed[start : start + EMBED_CHUNK]
        vecs = embedder.embed([i.embedding_text() for i in chunk])
        add_in_batches(col, [i.id for i in chunk], vecs, [_metadata(i) for i in chunk], None, batch)
        done += len(chunk)
        if progress:
            progress(done, total)


def _drop_strays(client, catalog: str, current: CatalogRecord | None) -> None:  # type: ignore[no-untyped-def]
    """Collections of this catalog that no pointer names are leftovers of a killed run."""
    keep = {current.content_collection, current.cf_collection} if current else set()
    for col in client.list_collections():
        name = col.name
        ours = name.startswith((f"{catalog}-content-", f"{catalog}-cf-"))
        if ours and name not in keep:
            drop_quietly(client, name)
