"""Readers for the catalog formats Tastebud ingests: JSONL, CSV, MovieLens and ReDial.

Readers never stop at the first bad row: they collect every error with its
file:line so that one run tells the user everything to fix.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from memory.ingest.rows import Parsed, RowError, decoded_lines, item_from_row
from memory.items import Interaction

Format = Literal["jsonl", "csv", "movielens", "redial"]


class IngestError(ValueError):
    """Input that cannot be ingested as it is; the message lists every problem found."""

    def __init__(self, errors: list[RowError], hint: str = "") -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(
            f"{len(errors)} invalid row(s); nothing was ingested and the existing catalog is"
            f" unchanged:\n{shown}{more}\n{hint or 'Fix them, or pass --skip-invalid to ingest the valid rows.'}"
        )


def detect_format(path: Path) -> Format:
    if path.is_dir():
        if (path / "movies.csv").exists():
            return "movielens"
        if (path / "movies.json").exists():
            return "redial"
        raise IngestError([RowError(str(path), 0, "a folder without movies.csv or movies.json")])
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix == ".json":
        return "redial"
    raise IngestError(
        [
            RowError(
                str(path),
                0,
                f"unknown file type {suffix!r}; pass --format jsonl|csv|movielens|redial",
            )
        ]
    )


def read_jsonl(path: Path) -> Parsed:
    parsed = Parsed(source=path.name)
    for n, text in decoded_lines(path, parsed.errors):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            parsed.errors.append(
                RowError(str(path), n, f"broken JSON: {exc.msg} at column {exc.colno}")
            )
            continue
        if not isinstance(row, dict):
            parsed.errors.append(RowError(str(path), n, "expected a JSON object per line"))
            continue
        _add(parsed, row, path, n)
    return parsed


def read_csv(path: Path) -> Parsed:
    parsed = Parsed(source=path.name)
    lines = list(decoded_lines(path, parsed.errors))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader((t for _, t in lines), delimiter=delimiter)
    for row in reader:
        n = lines[reader.line_num - 1][0] if reader.line_num - 1 < len(lines) else reader.line_num
        if None in row:
            parsed.errors.append(RowError(str(path), n, "more fields than the header has"))
            continue
        _add(parsed, dict(row), path, n)
    return parsed


def _add(parsed: Parsed, row: dict, path: Path, n: int) -> None:
    try:
        parsed.add_item(item_from_row(row), str(path), n)
    except ValueError as exc:
        parsed.errors.append(RowError(str(path), n, str(exc)))


def read_movielens(folder: Path, top_tags: int = 8) -> Parsed:
    """movies.csv (+ tags.csv as keywords, links.csv for imdb ids, ratings.csv as interactions)."""
    parsed = Parsed(source="movielens")
    tags: dict[str, Counter[str]] = defaultdict(Counter)
    if (folder / "tags.csv").exists():
        for _, row in _csv_rows(folder / "tags.csv", parsed):
            tags[row["movieId"]][row["tag"].strip().lower()] += 1
    imdb: dict[str, str] = {}
    if (folder / "links.csv").exists():
        for _, row in _csv_rows(folder / "links.csv", parsed):
            if row.get("imdbId"):
                imdb[row["movieId"]] = f"tt{row['imdbId']}"
    counts: Counter[str] = Counter()
    ratings: list[tuple[int, Interaction]] = []
    ratings_path = folder / "ratings.csv"
    if ratings_path.exists():
        for n, row in _csv_rows(ratings_path, parsed):
            try:
                ratings.append((n, Interaction(
                    user_id=f"ml-{row['userId']}", item_id=row["movieId"],
                    value=float(row["rating"]), ts=float(row["timestamp"]), source="movielens",
                )))  # fmt: skip
                counts[row["movieId"]] += 1
            except (ValueError, KeyError, ValidationError) as exc:
                parsed.errors.append(RowError(str(ratings_path), n, f"bad rating row: {exc}"))
    genres_none = "(no genres listed)"
    for n, row in _csv_rows(folder / "movies.csv", parsed):
        mid = row.get("movieId", "")
        _add(parsed, {
            "id": mid, "title": row.get("title"),
            "genres": "" if row.get("genres") == genres_none else row.get("genres"),
            "keywords": [t for t, _ in tags[mid].most_common(top_tags)],
            "imdb_id": imdb.get(mid), "popularity": counts.get(mid, 0),
        }, folder / "movies.csv", n)  # fmt: skip
    parsed.interactions = _known_items(ratings, parsed, str(ratings_path))
    return parsed


def read_redial(path: Path) -> Parsed:
    """ReDial's movies.json: {id: {name, genre, plot, director, star, imdb_id}}."""
    if path.is_dir():
        path = path / "movies.json"
    parsed = Parsed(source="redial")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise IngestError([RowError(str(path), 1, f"not valid UTF-8: {exc.reason}")]) from None
    except json.JSONDecodeError as exc:
        raise IngestError([RowError(str(path), exc.lineno, f"broken JSON: {exc.msg}")]) from None
    if not isinstance(data, dict):
        raise IngestError([RowError(str(path), 1, "expected an object of id -> movie")])
    for n, (mid, row) in enumerate(data.items(), start=1):
        if not isinstance(row, dict):
            parsed.errors.append(RowError(str(path), n, f"entry {mid!r} is not an object"))
            continue
        _add(parsed, {**row, "id": mid}, path, n)
    return parsed


def read_interactions(path: Path, parsed: Parsed) -> None:
    """A user,item,value[,timestamp] CSV (MovieLens column names work too).

    Values are on the 1-5 scale; a row without one is an implicit "liked it" (5).
    """
    rows: list[tuple[int, Interaction]] = []
    for n, row in _csv_rows(path, parsed):
        user = row.get("user_id") or row.get("userId") or row.get("user")
        item = row.get("item_id") or row.get("movieId") or row.get("item")
        try:
            rows.append((n, Interaction(
                user_id=str(user or ""), item_id=str(item or ""),
                value=float(row.get("value") or row.get("rating") or 5.0),  # no value: a like
                ts=float(row.get("timestamp") or row.get("ts") or 0.0), source=path.name,
            )))  # fmt: skip
        except (ValueError, ValidationError) as exc:
            parsed.errors.append(RowError(str(path), n, f"bad interaction row: {exc}"))
    parsed.interactions.extend(_known_items(rows, parsed, str(path)))


def _known_items(
    rows: list[tuple[int, Interaction]], parsed: Parsed, path: str
) -> list[Interaction]:
    known = parsed.item_lines
    for n, r in rows:
        if r.item_id not in known:
            parsed.errors.append(
                RowError(path, n, f"interaction for unknown item id {r.item_id!r}")
            )
    return [r for _, r in rows if r.item_id in known]


def _csv_rows(path: Path, parsed: Parsed):  # type: ignore[no-untyped-def]
    lines = list(decoded_lines(path, parsed.errors))
    reader = csv.DictReader(t for _, t in lines)
    for row in reader:
        yield lines[min(reader.line_num, len(lines)) - 1][0], row


def read_catalog(path: Path, fmt: Format | None = None, interactions: Path | None = None) -> Parsed:
    fmt = fmt or detect_format(path)
    if not path.exists():
        raise IngestError([RowError(str(path), 0, "no such file or folder")])
    readers: dict[str, Callable[[Path], Parsed]] = {
        "jsonl": read_jsonl,
        "csv": read_csv,
        "movielens": read_movielens,
        "redial": read_redial,
    }
    parsed = readers[fmt](path)
    if interactions is not None:
        read_interactions(interactions, parsed)
    return parsed
