"""Readers for the catalog formats Tastebud ingests: JSONL, CSV, MovieLens and ReDial.

Readers never stop at the first bad row: they collect every error with its
file:line so that one run tells the user everything to fix. They are bounded
(see limits.py) and only read regular files, so a hostile input gives an error,
never a hang, a traceback or a half-read catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from memory.ingest.datasets import read_movielens, read_redial
from memory.ingest.files import (
    InputFileError,
    csv_records,
    decoded_lines,
    parse_json,
    require_regular_file,
)
from memory.ingest.ratings import read_interactions
from memory.ingest.rows import IngestError, Parsed, ReadOptions, RowError, add_row

Format = Literal["jsonl", "csv", "movielens", "redial"]

__all__ = ["Format", "IngestError", "Parsed", "ReadOptions", "read_catalog"]


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
    raise IngestError([RowError(str(path), 0, f"unknown file type {suffix!r};"
                                " pass --format jsonl|csv|movielens|redial")])


def read_jsonl(path: Path, options: ReadOptions | None = None) -> Parsed:
    parsed = Parsed(source=path.name)
    for n, text in decoded_lines(path, parsed.errors):
        if not text.strip():
            continue
        try:
            row = parse_json(text)
        except ValueError as exc:
            parsed.errors.append(RowError(str(path), n, str(exc)))
            continue
        if not isinstance(row, dict):
            parsed.errors.append(RowError(str(path), n, "expected a JSON object per line"))
            continue
        add_row(parsed, row, path, n, options)
    return parsed


def read_csv(path: Path, options: ReadOptions | None = None) -> Parsed:
    parsed = Parsed(source=path.name)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    for n, row in csv_records(path, parsed.errors, delimiter, need=[("title", "name")]):
        add_row(parsed, dict(row), path, n, options)
    return parsed


def input_files(path: Path, fmt: Format, interactions: Path | None) -> list[Path]:
    """Every file a read will open, so all are checked before any is read."""
    if fmt == "movielens":
        files = [path / "movies.csv"] + [
            path / n for n in ("tags.csv", "links.csv", "ratings.csv") if (path / n).exists()
        ]
    elif fmt == "redial" and path.is_dir():
        files = [path / "movies.json"]
    else:
        files = [path]
    return files + ([interactions] if interactions is not None else [])


def read_catalog(
    path: Path,
    fmt: Format | None = None,
    interactions: Path | None = None,
    options: ReadOptions | None = None,
) -> Parsed:
    if not path.exists():
        raise IngestError([RowError(str(path), 0, "no such file or folder")], hint="Check the path.")
    fmt = fmt or detect_format(path)
    try:
        for file in input_files(path, fmt, interactions):
            require_regular_file(file)
    except InputFileError as exc:
        raise IngestError([exc.error], hint="Nothing was read.") from None
    readers: dict[str, Callable[[Path, ReadOptions | None], Parsed]] = {
        "jsonl": read_jsonl,
        "csv": read_csv,
        "movielens": read_movielens,
        "redial": read_redial,
    }
    parsed = readers[fmt](path, options)
    parsed.source_path = str(path.resolve())
    if interactions is not None:
        read_interactions(interactions, parsed, options)
    return parsed
