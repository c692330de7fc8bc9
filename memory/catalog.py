"""The catalog in Chroma: item content vectors, collaborative factors, and the items themselves.

A catalog is a pair of Chroma collections named in the SQLite `catalogs`
table: `<name>-content-<version>` (one MiniLM/OpenAI vector per item, with the
item's JSON as metadata) and `<name>-cf-<version>` (one latent-factor vector per
item). Ingest and training write a *new* version and then flip the pointer in one
SQLite transaction, so a reader always sees a whole catalog and a killed ingest
leaves the previous one in place.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import urlparse

import numpy as np

from memory.items import Item
from memory.settings import Settings
from memory.store import CatalogRecord, Store

try:  # chromadb is a hard dependency; the import is here so its cost is paid once.
    import chromadb
    from chromadb.api import ClientAPI
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import ChromaError
except ImportError as exc:  # pragma: no cover - broken install
    raise RuntimeError("chromadb is not installed; run `make run` to set up the venv") from exc


class CatalogError(RuntimeError):
    """A catalog problem a person can act on (missing catalog, unreachable server)."""


def open_chroma(settings: Settings) -> ClientAPI:
    """The embedded store in the data dir, or a server when TASTEBUD_CHROMA_URL is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise CatalogError(
                f"TASTEBUD_CHROMA_URL={settings.chroma_url!r} is not an http(s)://host:port URL"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises bare ValueError/ConnectionError variants
            raise CatalogError(
                f"cannot reach the Chroma server at {settings.chroma_url}: {exc}."
                " Start it with `chroma run --host 127.0.0.1 --port 8000` or unset TASTEBUD_CHROMA_URL"
            ) from exc
    path = settings.chroma_path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CatalogError(f"cannot create the vector store folder {path} ({exc.strerror});"
                           " pass --data-dir with a folder you can write") from None
    read_only = CatalogError(
        f"the vector store in {path} is read-only, and Chroma must write to open it. Your data"
        " is intact: run the command where the data dir is writable, or give --data-dir a"
        " writable copy (`catalog list` and `catalog stats` work read-only)."
    )
    if not os.access(path, os.W_OK):
        raise read_only
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except ChromaError as exc:
        if "readonly" in str(exc):
            raise read_only from None
        raise CatalogError(
            f"the vector store in {settings.chroma_path} cannot be opened ({exc}); move it aside"
            " and re-ingest, or point --data-dir elsewhere"
        ) from None


def collection_name(catalog: str, kind: str, version: int) -> str:
    return f"{catalog}-{kind}-{version:06d}"


def next_version(client: ClientAPI, catalog: str, kind: str) -> int:
    prefix = f"{catalog}-{kind}-"
    versions = [
        int(c.name[len(prefix) :])
        for c in client.list_collections()
        if c.name.startswith(prefix) and c.name[len(prefix) :].isdigit()
    ]
    return max(versions, default=0) + 1


def hits(result: dict, n: int) -> list[tuple[str, float]]:
    """Chroma query result -> [(id, cosine similarity)]."""
    ids = result["ids"][0] if result["ids"] else []
    dists = result["distances"][0] if result.get("distances") else [1.0] * len(ids)
    return [(i, 1.0 - float(d)) for i, d in zip(ids[:n], dists[:n], strict=False)]


class Catalog:
    """Read access to the active version of one catalog.

    Items are loaded once into memory (a 36k-film catalog is a few MB of
    metadata): title matching, filters and explanations need all of them,
    and Chroma is then asked only for nearest neighbours.
    """

    def __init__(self, client: ClientAPI, store: Store, name: str) -> None:
        self.client = client
        self.store = store
        self.name = name
        self._record: CatalogRecord | None = None
        self._items: dict[str, Item] | None = None
        self._content: Any = None  # chromadb Collection handles, opened lazily
        self._cf: Any = None
        self._cf_count = 0
        self.refresh()

    def refresh(self) -> None:
        """Re-read the pointer; call after ingest or training in the same process."""
        self._record = self.store.catalog_record(self.name)
        self._items = None
        self._content = None
        self._cf = None

    @property
    def record(self) -> CatalogRecord | None:
        return self._record

    @property
    def exists(self) -> bool:
        return self._record is not None

    @property
    def has_cf(self) -> bool:
        return self._record is not None and self._record.cf_collection is not None

    def _content_collection(self):  # type: ignore[no-untyped-def]
        if self._record is None:
            raise CatalogError(
                f"catalog {self.name!r} is empty: ingest one with `tastebud ingest PATH`"
            )
        if self._content is None:
            self._content = self._open(self._record.content_collection)
        return self._content

    def _open(self, name: str):  # type: ignore[no-untyped-def]
        try:
            return self.client.get_collection(name)
        except ChromaError as exc:
            raise CatalogError(
                f"catalog {self.name!r} points at Chroma collection {name!r}, which cannot be"
                f" opened ({exc}); the vector store was moved, deleted or switched"
                " (TASTEBUD_CHROMA_URL). Re-ingest it with `tastebud ingest PATH`."
            ) from None

    def _cf_collection(self):  # type: ignore[no-untyped-def]
        if self._record is None or self._record.cf_collection is None:
            return None
        if self._cf is None:
            self._cf = self._open(self._record.cf_collection)
            self._cf_count = self._cf.count()  # a count() per query costs ~1 ms on a 10k catalog
        return self._cf

    # items ----------------------------------------------------------------
    @property
    def items(self) -> dict[str, Item]:
        if self._items is None:
            self._items = {}
            if self._record is not None:
                for got in paged_get(self._content_collection(), ["metadatas"]):
                    for meta in got["metadatas"] or []:
                        item = Item.from_json(str(meta["json"]))
                        self._items[item.id] = item
        return self._items

    def prime_items(self, items: dict[str, Item]) -> None:
        """Items read from a copy known to match this version (the trained model's files),
        so a cold process need not page them out of Chroma."""
        self._items = items

    def get(self, item_id: str) -> Item | None:
        return self.items.get(item_id)

    def __len__(self) -> int:
        return self._record.items if self._record else 0

    # vectors --------------------------------------------------------------
    def content_query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        if self._record is None or n <= 0:
            return []
        col = self._content_collection()
        res = col.query(query_embeddings=[vector.astype(np.float32)], n_results=min(n, len(self)),
                        include=["distances"])
        return hits(res, n)  # type: ignore[arg-type]

    def cf_query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        col = self._cf_collection()
        if col is None or n <= 0:
            return []
        res = col.query(query_embeddings=[vector.astype(np.float32)], n_results=min(n, self._cf_count),
                        include=["distances"])
        return hits(res, n)  # type: ignore[arg-type]

    def all_cf_rows(
        self, with_metadata: bool = True
    ) -> tuple[list[str], np.ndarray, list[dict]]:
        """Every CF row: ids, factors and (optionally) the per-item metadata written with them."""
        col = self._cf_collection()
        if col is None:
            return [], np.zeros((0, 0), dtype=np.float32), []
        include = ["embeddings", "metadatas"] if with_metadata else ["embeddings"]
        return _collect(col, include)

    def all_content_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every content vector (paged: a single get() fails above ~32k rows)."""
        if self._record is None:
            return [], np.zeros((0, 0), dtype=np.float32)
        ids, vectors, _ = _collect(self._content_collection(), ["embeddings"])
        return ids, vectors

    @property
    def cf_info(self) -> dict:
        """The metadata the CF collection was created with (training settings), or {}."""
        col = self._cf_collection()
        return dict(col.metadata or {}) if col is not None else {}

    # writes ------------------------------------------------------------------
    def write_cf_factors(
        self, ids: Sequence[str], factors: np.ndarray, *, metadatas: list[dict] | None = None,
        space: Literal["cosine", "ip", "l2"] = "cosine", info: dict | None = None,
        name: str | None = None,
    ) -> str:
        """Store new item factors as a new collection version and flip the pointer to it.

        `space="ip"` makes `cf_query` return inner products (1 - ip distance), which is
        what a matrix-factorization score is; `info` becomes the collection's metadata.
        """
        if self._record is None:
            raise CatalogError(f"catalog {self.name!r} is empty: ingest it before training")
        name = name or collection_name(self.name, "cf", next_version(self.client, self.name, "cf"))
        col = self.client.create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": space}},
            metadata=info or None,
        )
        add_in_batches(col, list(ids), factors.astype(np.float32), metadatas, None,
                       self.client.get_max_batch_size())
        old = self._record.cf_collection
        rec = CatalogRecord(**{**self._record.__dict__, "cf_collection": name,
                               "updated": time.time()})
        with self.store.transaction() as conn:
            Store.put_catalog_record(conn, rec)
        if old:
            drop_quietly(self.client, old)
        self.refresh()
        return name


def add_in_batches(
    col, ids: list[str], vectors: np.ndarray, metadatas: list[dict] | None,  # type: ignore[no-untyped-def]
    documents: list[str] | None, batch: int,
) -> None:
    """Chroma caps one add() at get_max_batch_size() rows."""
    for start in range(0, len(ids), batch):
        end = start + batch
        col.add(
            ids=ids[start:end],
            embeddings=vectors[start:end],
            metadatas=metadatas[start:end] if metadatas is not None else None,  # type: ignore[arg-type]
            documents=documents[start:end] if documents is not None else None,
        )


PAGE = 10_000  # Chroma binds one SQL variable per row; SQLite refuses more than 32766


def paged_get(col, include: list[str]):  # type: ignore[no-untyped-def]
    """col.get() over the whole collection, PAGE rows at a time."""
    total = col.count()
    for offset in range(0, total, PAGE):
        yield col.get(include=include, limit=PAGE, offset=offset)


def _collect(col, include: list[str]) -> tuple[list[str], np.ndarray, list[dict]]:  # type: ignore[no-untyped-def]
    ids: list[str] = []
    vectors: list[np.ndarray] = []
    metas: list[dict] = []
    for got in paged_get(col, include):
        ids.extend(got["ids"])
        if len(got["ids"]):
            vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
        if "metadatas" in include:
            metas.extend(dict(m or {}) for m in got["metadatas"])
    matrix = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
    return ids, matrix, metas


def drop_quietly(client: ClientAPI, name: str) -> None:
    """Old versions are garbage; failing to drop one must not fail the flip that replaced it."""
    with contextlib.suppress(Exception):  # cleanup only; the pointer already moved on
        client.delete_collection(name)
