"""A small world with a known right answer, for the engine's tests.

`small_catalog()` (5 genres x 8 films, genre words in the text) plus a synthetic
community in which every user loves one genre: users of genre g rate 6 of g's 8
films 5 stars and a few films of other genres 1.5 stars. Collaborative filtering
must therefore recommend g to anyone who liked g, and content must agree.
"""

from __future__ import annotations

import random
from pathlib import Path

from memory.bootstrap import Memory, open_memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import Parsed
from memory.items import Interaction, Item
from memory.settings import Settings
from tests.fakes import WordHashEmbedder, small_catalog
from tools.engine import Engine

CATALOG = "test-world"


def genre_community(items: list[Item], users_per_genre: int = 12, seed: int = 3) -> list[Interaction]:
    rng = random.Random(seed)
    by_genre: dict[str, list[Item]] = {}
    for item in items:
        by_genre.setdefault(item.genres[0], []).append(item)
    rows: list[Interaction] = []
    for g, films in sorted(by_genre.items()):
        others = [i for i in items if i.genres[0] != g]
        for u in range(users_per_genre):
            user = f"synth-{g.lower()}-{u}"
            for t, film in enumerate(rng.sample(films, 6)):
                rows.append(Interaction(user_id=user, item_id=film.id, value=5.0, ts=float(t)))
            for film in rng.sample(others, 2):
                rows.append(Interaction(user_id=user, item_id=film.id, value=1.5, ts=10.0))
    return rows


def build_memory(data_dir: Path, *, community: bool = True, items: list[Item] | None = None) -> Memory:
    settings = Settings(data_dir=data_dir, user="tester", catalog=CATALOG, diversity=0.0)
    memory = open_memory(settings, embedder=WordHashEmbedder())
    films = items if items is not None else small_catalog()
    parsed = Parsed(source="test", items=films,
                    interactions=genre_community(films) if community else [],
                    item_lines={i.id: n for n, i in enumerate(films, 1)})
    ingest(parsed, catalog=CATALOG, client=memory.client, store=memory.store,
           embedder=memory.embedder)
    memory.catalog.refresh()
    return memory


def trained_engine(data_dir: Path, **kw: object) -> Engine:
    memory = build_memory(data_dir)
    engine = Engine(memory, **kw)  # type: ignore[arg-type]
    engine.train()
    return engine
