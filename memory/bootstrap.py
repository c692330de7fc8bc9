"""Opening the stores from the settings, and the first-start demo catalog.

The CLI calls `open_memory` once and hands the result down; nothing else builds
a Chroma client, a Store or an embedder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from memory.catalog import Catalog, open_chroma
from memory.demo_vectors import shipped_first
from memory.embedder import Embedder, build_embedder
from memory.ingest.pipeline import IngestReport, Progress, ingest
from memory.ingest.readers import Parsed
from memory.items import Item
from memory.settings import Settings
from memory.store import Store

DEMO_CATALOG = "demo"
DEMO_FILES = ("films_a.jsonl", "films_b.jsonl")
ACTIVE_CATALOG_KEY = "active_catalog"


@dataclass
class Memory:
    settings: Settings
    store: Store
    client: Any
    embedder: Embedder
    catalog: Catalog

    def switch_catalog(self, name: str, *, remember: bool = True) -> Catalog:
        """Use another catalog; `remember` makes it the default for later runs too."""
        self.catalog = Catalog(self.client, self.store, name)
        if remember:
            self.store.set_meta(ACTIVE_CATALOG_KEY, name)
        return self.catalog


def open_memory(settings: Settings, embedder: Embedder | None = None) -> Memory:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db_path)
    client = open_chroma(settings)
    return Memory(
        settings=settings,
        store=store,
        client=client,
        embedder=embedder or build_embedder(settings),
        catalog=Catalog(client, store, active_catalog_name(settings, store)),
    )


def active_catalog_name(settings: Settings, store: Store) -> str:
    return settings.catalog or store.get_meta(ACTIVE_CATALOG_KEY) or DEMO_CATALOG


def demo_items() -> list[Item]:
    """The bundled catalog: facts plus synopses and mood words written by the project."""
    items: list[Item] = []
    base = resources.files("memory") / "demo"
    for name in DEMO_FILES:
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                items.append(Item.model_validate(json.loads(line)))
    return items


def demo_parsed(seed: int = 7) -> Parsed:
    from memory.community import generate_community

    items = demo_items()
    parsed = Parsed(source="demo")
    parsed.items = items
    parsed.item_lines = {i.id: n for n, i in enumerate(items, start=1)}
    parsed.interactions = generate_community(items, seed=seed)
    return parsed


def ensure_demo(memory: Memory, progress: Progress | None = None) -> IngestReport | None:
    """Ingest the demo catalog on first start; a no-op once it is there.

    The shipped vectors (memory.demo_vectors) stand in for embedding wherever they
    match, so a fresh data dir reaches the prompt without embedding anything.
    """
    if memory.catalog.name != DEMO_CATALOG or memory.catalog.exists:
        return None
    report = ingest(demo_parsed(), catalog=DEMO_CATALOG, client=memory.client,
                    store=memory.store, embedder=shipped_first(memory.embedder),
                    progress=progress)
    memory.catalog.refresh()
    return report
