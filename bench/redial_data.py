"""ReDial as Tastebud data: the movie list as a catalog, dialogues as co-mention interactions.

ReDial (Li et al., 2018) is crowd-sourced movie-recommendation dialogues. Its
`movies.json` (6.5k films with plots, genres, people and imdb ids) becomes the
catalog; each dialogue's seeker-side movie mentions become one pseudo-user's
implicit interactions, which is the collaborative signal ReDial offers; and
MovieLens ratings join in through imdb ids. Which dialogues may contribute is
the caller's choice: the evaluator never lets a dialogue feed its own scoring.
"""

from __future__ import annotations

import csv
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory.items import Interaction, Item

_NAME = re.compile(r"^(.*?)\s*\((\d{4})\)\s*$")


def split_name(name: str) -> tuple[str, int | None]:
    """"The Shining  (1980)" -> ("The Shining", 1980); no year -> (name, None)."""
    m = _NAME.match(name.strip())
    if m and 1870 <= int(m.group(2)) <= 2100:
        return " ".join(m.group(1).split()), int(m.group(2))
    return " ".join(name.split()), None


def name_key(name: str) -> str:
    title, year = split_name(name)
    return f"{title.lower()} ({year})" if year else title.lower()


@dataclass
class Turn:
    dialog_id: str
    turn_id: int
    context: list[str]
    targets: list[str]  # "Title (Year)" as in the file


@dataclass
class Dialogue:
    id: str
    seeker: int
    messages: list[dict[str, Any]]
    mentions: dict[str, str]  # movie id -> name
    seeker_labels: dict[str, dict[str, int]] = field(default_factory=dict)



@dataclass
class RedialData:
    movies: dict[str, dict[str, Any]]
    dialogues: dict[str, Dialogue]
    turns: list[Turn]
    by_name: dict[str, str] = field(default_factory=dict)  # name_key -> movie id

    def movie_id(self, name: str) -> str | None:
        return self.by_name.get(name_key(name))


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_dialogues(path: Path) -> dict[str, Dialogue]:
    dlgs = {}
    for row in _jsonl(path):
        did = str(row["conversationId"])
        dlgs[did] = Dialogue(did, int(row["initiatorWorkerId"]), list(row["messages"]),
                             {str(k): v for k, v in row.get("movieMentions", {}).items()},
                             {str(k): v for k, v in (row.get("initiatorQuestions") or {}).items()})
    return dlgs


def load(data_dir: Path, turns: Path | None = None, dialogues: Path | None = None) -> RedialData:
    movies: dict[str, dict[str, Any]] = json.loads((data_dir / "movies.json").read_text(encoding="utf-8"))
    dlgs = load_dialogues(dialogues or data_dir / "dialogues_valid.jsonl")
    tlist = [Turn(str(r["dialog_id"]), int(r["turn_id"]), list(r["context"]), list(r["rec"]))
             for r in _jsonl(turns or data_dir / "turns_valid.jsonl")]
    by_name: dict[str, str] = {}
    for mid, movie in movies.items():
        by_name.setdefault(name_key(movie["name"]), str(mid))
    return RedialData(movies, dlgs, tlist, by_name)


def catalog_items(data: RedialData) -> list[Item]:
    items = []
    for mid, m in data.movies.items():
        title, year = split_name(m["name"])
        items.append(Item(
            id=str(mid), title=title or str(mid), year=year, genres=tuple(m.get("genre") or ()),
            directors=tuple(m.get("director") or ()), cast=tuple(m.get("star") or ()),
            description=m.get("plot") or "", imdb_id=m.get("imdb_id") or None,
        ))
    return items


def fold_of(dialog_id: str, folds: int) -> int:
    """A stable fold per dialogue (crc32), so a dialogue's own mentions never train its scorer."""
    return zlib.crc32(dialog_id.encode()) % folds


def comention_interactions(dialogues: Iterable[Dialogue], known: set[str]) -> list[Interaction]:
    """One pseudo-user per dialogue: every film mentioned that the seeker did not say they disliked."""
    out = []
    for d in dialogues:
        for pos, mid in enumerate(d.mentions):
            liked = d.seeker_labels.get(mid, {}).get("liked", 2)
            if mid in known and liked != 0:
                out.append(Interaction(user_id=f"dlg:{d.id}", item_id=mid, value=1.0, ts=float(pos),
                                       source="redial"))
    return out


def movielens_interactions(folder: Path, items: Iterable[Item]) -> list[Interaction]:
    """MovieLens ratings on the films ReDial shares with it, joined through imdb ids."""
    by_imdb = {i.imdb_id: i.id for i in items if i.imdb_id}
    links: dict[str, str] = {}
    with (folder / "links.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            target = by_imdb.get(f"tt{row['imdbId']}")
            if target:
                links[row["movieId"]] = target
    out = []
    with (folder / "ratings.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            target = links.get(row["movieId"])
            if target:
                out.append(Interaction(user_id=f"ml:{row['userId']}", item_id=target,
                                       value=float(row["rating"]), ts=float(row["timestamp"]),
                                       source="movielens"))
    return out
