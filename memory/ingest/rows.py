"""Turning loosely-shaped rows into Items, with errors that point at file:line.

Every reader funnels its rows through `item_from_row`, so JSONL, CSV, MovieLens
and ReDial files accept the same field names and fail in the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from memory.items import Interaction, Item

_YEAR_SUFFIX = re.compile(r"\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$")
_ALT_TITLE = re.compile(r"^(.*\S)\s+\(([^()]+)\)$")
_ARTICLES = ("The", "A", "An", "Les", "Le", "La", "L'", "Il", "El", "Das", "Der", "Die")


@dataclass(frozen=True)
class RowError:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class Parsed:
    """What a reader found: the valid rows, and every invalid one with its place."""

    source: str
    items: list[Item] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    item_lines: dict[str, int] = field(default_factory=dict)

    def add_item(self, item: Item, path: str, line: int) -> None:
        first = self.item_lines.get(item.id)
        if first is not None:
            self.errors.append(
                RowError(path, line, f"duplicate id {item.id!r} (first seen at line {first})")
            )
            return
        self.item_lines[item.id] = line
        self.items.append(item)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "item"


def unarticle(title: str) -> str:
    """'Godfather, The' -> 'The Godfather' (MovieLens and ReDial move articles to the end)."""
    for art in _ARTICLES:
        suffix = f", {art}"
        if title.endswith(suffix):
            sep = "" if art.endswith("'") else " "
            return f"{art}{sep}{title[: -len(suffix)]}"
    return title


def split_title(raw: str) -> tuple[str, int | None, tuple[str, ...]]:
    """'Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)' -> title, year, alternate titles."""
    text = raw.strip()
    year: int | None = None
    m = _YEAR_SUFFIX.search(text)
    if m:
        year = int(m.group(1))
        text = text[: m.start()].strip()
    aka: list[str] = []
    m2 = _ALT_TITLE.match(text)
    if m2 and not m2.group(2).lower().startswith(("a.k.a", "aka ")):
        text, aka = m2.group(1), [unarticle(m2.group(2).strip())]
    elif m2:
        text, aka = m2.group(1), [m2.group(2)[4:].strip(" .")]
    return unarticle(text), year, tuple(aka)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[|;]", value) if p.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _year(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(f"bad year {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(\.0)?", text):
        return int(float(text))
    raise ValueError(f"bad year {value!r}: expected a four-digit year such as 1979")


def item_from_row(row: dict[str, Any]) -> Item:
    """Accepts the field names of our JSONL, plain CSVs and the common public datasets."""
    raw_title = row.get("title") or row.get("name")
    if not isinstance(raw_title, str) or not raw_title.strip():
        raise ValueError("missing title")
    title, year_in_title, aka = split_title(raw_title)
    year = _year(row["year"]) if row.get("year") not in (None, "") else year_in_title
    item_id = str(row.get("id") or row.get("item_id") or slugify(f"{title} {year or ''}"))
    popularity = row.get("popularity")
    runtime = row.get("runtime")
    try:
        return Item(
            id=item_id,
            title=title,
            year=year,
            aka=tuple(_as_list(row.get("aka"))) or aka,
            genres=tuple(_as_list(row.get("genres") or row.get("genre"))),
            keywords=tuple(k.lower() for k in _as_list(row.get("keywords") or row.get("tags"))),
            directors=tuple(_as_list(row.get("directors") or row.get("director"))),
            cast=tuple(_as_list(row.get("cast") or row.get("stars") or row.get("star"))),
            description=str(row.get("description") or row.get("plot") or row.get("synopsis") or ""),
            popularity=float(popularity) if popularity not in (None, "") else None,
            runtime=int(float(runtime)) if runtime not in (None, "") else None,
            country=row.get("country") or None,
            imdb_id=row.get("imdb_id") or None,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from None


def decoded_lines(path: Path, errors: list[RowError]) -> Iterator[tuple[int, str]]:
    """Lines as text, 1-based; a line that is not UTF-8 becomes an error, not a crash."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.start + 1].hex()
                errors.append(
                    RowError(str(path), n, f"not valid UTF-8 (byte 0x{bad} at column "
                             f"{exc.start + 1}); re-save the file as UTF-8")
                )  # fmt: skip
                continue
            yield n, text.rstrip("\r\n")
