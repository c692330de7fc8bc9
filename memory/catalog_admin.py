"""Catalog identity: what a catalog is called, what may replace it, and removing one.

A catalog used to be named after its file's stem, so any `demo.jsonl` replaced
the bundled demo and a same-named file from another folder silently replaced
another catalog. Now a name comes from `--catalog NAME` (default: the stem), a
catalog remembers the resolved path it was ingested from, replacing it from a
different path needs `--replace`, and the bundled `demo` is never replaced by an
ingest (`tastebud catalog restore-demo` rebuilds it).
"""

from __future__ import annotations

import re
from pathlib import Path

from chromadb.errors import ChromaError

from memory.catalog import CatalogError, drop_quietly, open_chroma
from memory.model_files import model_dir, remove_model
from memory.settings import Settings
from memory.store import CatalogRecord, Store

DEMO_CATALOG = "demo"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]")


class CatalogIdentityError(ValueError):
    """An ingest that would replace or misname a catalog; the message says what to pass."""


def check_name(name: str) -> str:
    """A catalog name given with --catalog: 3-63 letters, digits, '.', '_' or '-'."""
    if not _NAME.fullmatch(name or ""):
        raise CatalogIdentityError(
            f"catalog name {name!r} is not usable: use 3-63 letters, digits, '.', '_' or '-',"
            " starting and ending with a letter or digit (for example --catalog my-films)"
        )
    return name


def name_from_stem(stem: str) -> str:
    """A usable name made from a file or folder name ('My Films!' -> 'My-Films')."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:63].strip("-._")
    if len(name) < 3:
        name = (name + "-catalog").strip("-")
    return name


def check_replace(
    store: Store, name: str, source_path: str, *, replace: bool
) -> CatalogRecord | None:
    """Refuse an ingest that would replace the demo, or another file's catalog without --replace.

    Returns the record being replaced from a different source (its interactions
    go with it), or None when the catalog is new or re-ingested from the same path.
    """
    if name == DEMO_CATALOG:
        raise CatalogIdentityError(
            f"{DEMO_CATALOG!r} is the bundled catalog and is never replaced by an ingest; pass"
            " --catalog NAME to ingest this file under another name"
            " (`tastebud catalog restore-demo` rebuilds the demo)"
        )
    rec = store.catalog_record(name)
    if rec is None or _same_source(rec, source_path):
        return None
    if not replace:
        raise CatalogIdentityError(
            f"catalog {name!r} ({rec.items} items) was ingested from {rec.source_path or rec.source},"
            f" not {source_path}; nothing was changed. Pass --replace to replace it, or"
            " --catalog NAME to keep both"
        )
    return rec


def _same_source(rec: CatalogRecord, source_path: str) -> bool:
    if rec.source_path:
        return rec.source_path == source_path
    # Recorded before paths were kept: only the file name is known.
    return rec.source == source_path.rsplit("/", 1)[-1]


def remove_catalog(client, store: Store, name: str,  # type: ignore[no-untyped-def]
                   models_dir: Path | None = None) -> CatalogRecord:
    """Delete a catalog's record, interactions, vector collections and trained model files."""
    rec = store.catalog_record(name)
    if rec is None:
        known = ", ".join(r.name for r in store.catalog_records()) or "none"
        raise CatalogIdentityError(f"no catalog named {name!r} (catalogs: {known})")
    with store.transaction() as conn:
        Store.delete_catalog_record(conn, name)
    for col in (rec.content_collection, rec.cf_collection):
        if col:
            drop_quietly(client, col)
    if models_dir is not None and rec.cf_collection:
        remove_model(model_dir(models_dir, rec.cf_collection))
    return rec


def vector_store_state(settings: Settings, rec: CatalogRecord | None) -> tuple[str, bool]:
    """('ok' or what is wrong, whether the collaborative model can be used), checked in Chroma.

    `catalog stats` used to report a collaborative model from the SQLite pointer
    alone, even with the Chroma folder deleted and `recommend` failing.
    """
    if rec is None:
        return "empty: nothing ingested under this name", False
    if not settings.chroma_url and not settings.chroma_path.exists():
        return f"missing: {settings.chroma_path} does not exist; re-ingest the catalog", False
    try:
        client = open_chroma(settings)
    except CatalogError as exc:
        return f"unavailable: {exc}", False
    try:
        count = client.get_collection(rec.content_collection).count()
    except (ChromaError, ValueError) as exc:  # NotFoundError is a ChromaError
        return f"missing: collection {rec.content_collection!r} cannot be opened ({exc})", False
    state = "ok" if count == rec.items else f"damaged: {count} vectors for {rec.items} items"
    if rec.cf_collection is None:
        return state, False
    try:
        client.get_collection(rec.cf_collection)
    except (ChromaError, ValueError):  # a missing model is reported, not raised
        return f"{state}; collaborative model collection {rec.cf_collection!r} is missing", False
    return state, True
