"""Turning loosely-shaped rows into Items, with errors that point at file:line.

Every reader funnels its rows through `item_from_row`, so JSONL, CSV, MovieLens
and ReDial files accept the same field names and fail in the same words.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from memory.ingest import limits
from memory.ingest.limits import RatingScale, shown
from memory.items import GENRES, Interaction, Item, normalize_genre

_YEAR_SUFFIX = re.compile(r"\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$")
_ALT_TITLE = re.compile(r"^(.*\S)\s+\(([^()]+)\)$")
_ARTICLES = ("The", "A", "An", "Les", "Le", "La", "L'", "Il", "El", "Das", "Der", "Die")


@dataclass(frozen=True)
class RowError:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line > 0 else self.path
        return f"{where}: {self.reason}"


class IngestError(ValueError):
    """Input that cannot be ingested as it is; the message lists every problem found."""

    def __init__(self, errors: list[RowError], hint: str = "") -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        rows = sum(1 for e in errors if e.line > 0)
        what = f"{rows} invalid row(s)" if rows == len(errors) else f"{len(errors)} problem(s)"
        default = ("Fix them, or pass --skip-invalid to ingest the valid rows." if rows else
                   "Fix the input; --skip-invalid only skips bad rows.")
        super().__init__(
            f"{what}; nothing was ingested and the existing catalog is"
            f" unchanged:\n{shown}{more}\n{hint or default}"
        )


@dataclass(frozen=True)
class ReadOptions:
    """How strictly to read: the ratings' declared scale, and whether --skip-invalid is on.

    `rating_scale` None means the format's own (1-5; MovieLens 0.5-5). `lenient`
    truncates over-long descriptions with a warning instead of refusing the row.
    """

    rating_scale: RatingScale | None = None
    lenient: bool = False


@dataclass
class Parsed:
    """What a reader found: the valid rows, every invalid one with its place, and warnings.

    A warning is a value that was accepted after a change the user should know about
    (an unknown genre dropped, a duplicate rating replaced, a description truncated).
    """

    source: str
    items: list[Item] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    item_lines: dict[str, int] = field(default_factory=dict)
    warnings: list[RowError] = field(default_factory=list)
    source_path: str = ""

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
    raise ValueError(f"bad year {shown(value)}: expected a four-digit year such as 1979")


def _genres(value: Any, warnings: list[str]) -> tuple[str, ...]:
    """Known genres normalised; unknown ones dropped with a warning, never silently."""
    if isinstance(value, str):
        value = re.split(r"[|,;]", value)
    names = limits.text_list("genres", value)
    out: list[str] = []
    for name in names:
        norm = normalize_genre(name)
        if norm is None:
            close = difflib.get_close_matches(name.title(), GENRES, n=1, cutoff=0.75)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(GENRES)}"
            warnings.append(f"unknown genre {shown(name)} ignored ({hint})")
        elif norm not in out:
            out.append(norm)
    return tuple(out)


def _description(row: dict[str, Any], options: ReadOptions, warnings: list[str]) -> str:
    raw = _first(row, "description", "plot", "synopsis")
    if raw is None:
        return ""
    if isinstance(raw, str) and options.lenient and len(raw) > limits.MAX_DESCRIPTION:
        cut = limits.text_field("description", raw[: limits.MAX_DESCRIPTION * 2], 10**9)
        if len(cut) > limits.MAX_DESCRIPTION:
            warnings.append(f"description of {len(raw):,} characters truncated to"
                            f" {limits.MAX_DESCRIPTION:,}")
            return cut[: limits.MAX_DESCRIPTION]
        return cut
    return limits.text_field("description", raw, limits.MAX_DESCRIPTION)


def _first(row: dict[str, Any], *names: str) -> Any:
    """The first of several synonymous columns that holds a value."""
    for name in names:
        value = row.get(name)
        if value is not None and value != "":
            return value
    return None


def _optional(row: dict[str, Any], name: str, check) -> Any:  # type: ignore[no-untyped-def]
    value = row.get(name)
    return None if value is None or value == "" else check(value)


def item_from_row(
    row: dict[str, Any], options: ReadOptions | None = None
) -> tuple[Item, list[str]]:
    """Accepts the field names of our JSONL, plain CSVs and the common public datasets.

    Returns the item and the warnings about values it changed; raises ValueError
    naming the field and value for anything out of bounds (see limits.py).
    """
    options = options or ReadOptions()
    warnings: list[str] = []
    raw_title = _first(row, "title", "name")
    if raw_title is None:
        raise ValueError("missing title")
    raw_title = limits.text_field("title", raw_title, 10**9, allow_number=True)
    if not raw_title:
        raise ValueError("missing title")
    title, year_in_title, aka = split_title(raw_title)
    if len(title) > limits.MAX_TITLE:
        raise limits.FieldError(f"title: {len(title):,} characters, more than the"
                                f" {limits.MAX_TITLE} allowed ({shown(title)})")
    year = _year(row["year"]) if row.get("year") not in (None, "") else year_in_title
    raw_id = _first(row, "id", "item_id")
    item_id = limits.identifier("id", raw_id) if raw_id is not None else slugify(
        f"{title} {year or ''}")[: limits.MAX_ID]
    try:
        return Item(
            id=item_id,
            title=title,
            year=year,
            aka=limits.text_list("aka", row.get("aka")) or aka,
            genres=_genres(_first(row, "genres", "genre"), warnings),
            keywords=tuple(k.lower() for k in limits.text_list("keywords", _first(row, "keywords", "tags"))),
            directors=limits.text_list("directors", _first(row, "directors", "director")),
            cast=limits.text_list("cast", _first(row, "cast", "stars", "star")),
            description=_description(row, options, warnings),
            popularity=_optional(row, "popularity", limits.popularity),
            runtime=_optional(row, "runtime", limits.runtime),
            country=_optional(row, "country", lambda v: limits.text_field("country", v, limits.MAX_NAME)),
            imdb_id=_optional(row, "imdb_id", lambda v: limits.identifier("imdb_id", v)),
        ), warnings
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from None


def add_row(
    parsed: Parsed, row: dict[str, Any], path: Path, n: int, options: ReadOptions | None = None
) -> None:
    try:
        item, warnings = item_from_row(row, options)
    except ValueError as exc:
        parsed.errors.append(RowError(str(path), n, str(exc)))
        return
    parsed.add_item(item, str(path), n)
    parsed.warnings.extend(RowError(str(path), n, w) for w in warnings)


