"""The import tests' world: a catalog of real film titles (remakes, accents, articles) and exports.

The exports in tests/data/history were written for this project in the sites'
exact formats. The catalog spells titles the MovieLens way ("Thing, The",
"Boot, Das", "Amelie") so matching has to normalise; it holds remakes (two
"Suspiria", two "Dune"), a pair of same-title same-year films ("Emma", 1996)
and lacks some exported films, so every path of the matcher is exercised.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from memory.bootstrap import Memory
from memory.items import Interaction, Item
from tests.engine_helpers import build_memory

HISTORY = Path(__file__).parent / "data" / "history"
LETTERBOXD = HISTORY / "letterboxd"
IMDB = HISTORY / "imdb" / "ratings.csv"


def history_items() -> list[Item]:
    lines = (HISTORY / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    return [Item.model_validate(json.loads(line)) for line in lines if line.strip()]


def community(items: list[Item], users: int = 24, seed: int = 5) -> list[Interaction]:
    """Users who each love one primary genre, so the collaborative model has something to learn."""
    rng = random.Random(seed)
    rows: list[Interaction] = []
    for u in range(users):
        genre = items[u % len(items)].genres[0]
        liked = [i for i in items if i.genres[0] == genre]
        others = rng.sample([i for i in items if i.genres[0] != genre], 4)
        for t, item in enumerate(liked):
            rows.append(Interaction(user_id=f"c{u}", item_id=item.id, value=5.0, ts=float(t)))
        for item in others:
            rows.append(Interaction(user_id=f"c{u}", item_id=item.id, value=2.0, ts=50.0))
    return rows


def history_memory(data_dir: Path, *, with_community: bool = False) -> Memory:
    items = history_items()
    memory = build_memory(data_dir, community=False, items=items)
    if with_community:
        with memory.store.transaction() as conn:
            memory.store.replace_interactions(conn, memory.catalog.name, "test", community(items))
    return memory


def copy_letterboxd(dest: Path) -> Path:
    shutil.copytree(LETTERBOXD, dest)
    return dest
