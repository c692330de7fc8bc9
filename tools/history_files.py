"""Reading a user's exported history: a Letterboxd export (ZIP or folder) or IMDb's ratings.csv.

Every file is checked whole before anything is imported: the format is told
from its header row (a file from the other site, or not an export at all, is
refused with the columns that were expected), every rating must be on the
site's scale, and the text must be UTF-8. A problem raises `HistoryFileError`
naming the file and line, so a refused export leaves nothing behind.

Letterboxd files read: ratings.csv, watched.csv, diary.csv, likes/films.csv
and watchlist.csv (any may be missing, not all). Ratings are 0.5-5 in half
stars; IMDb ratings are whole numbers 1-10, and only `movie` rows are kept.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from memory.ingest.limits import MAX_LINE_BYTES, MAX_TITLE, text_field

Site = Literal["letterboxd", "imdb"]
Kind = Literal["rating", "watched", "diary", "like", "watchlist", "imdb"]

LETTERBOXD_FILES: dict[str, tuple[Kind, tuple[str, ...]]] = {
    "ratings.csv": ("rating", ("Date", "Name", "Year", "Rating")),
    "watched.csv": ("watched", ("Date", "Name", "Year")),
    "diary.csv": ("diary", ("Date", "Name", "Year", "Rating", "Watched Date")),
    "likes/films.csv": ("like", ("Date", "Name", "Year")),
    "watchlist.csv": ("watchlist", ("Date", "Name", "Year")),
}
IMDB_COLUMNS = ("Const", "Your Rating", "Date Rated", "Title", "Title Type", "Year")
IMDB_MOVIE_TYPES = frozenset({"movie", "feature film"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_IMDB_ID = re.compile(r"^tt\d{5,}$")
MAX_LISTED = 10
MAX_FILE_BYTES = 64_000_000  # one exported CSV; a 2,000-film Letterboxd ratings.csv is ~100 kB


class HistoryFileError(ValueError):
    """An export that cannot be imported; the message names the file and line. Nothing was stored."""

    def __init__(self, problems: list[str], hint: str = "") -> None:
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        text = "; ".join(shown) + (f"; and {more} more" if more else "")
        super().__init__(f"{text}. Nothing was imported.{(' ' + hint) if hint else ''}")
        self.problems = problems


@dataclass(frozen=True)
class HistoryRow:
    """One exported row, with the site's own rating scale (None: not rated)."""

    file: str
    line: int
    kind: Kind
    title: str
    year: int | None
    rating: float | None = None
    date: str = ""
    imdb_id: str | None = None
    original_title: str | None = None
    rewatch: bool = False

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Export:
    site: Site
    path: Path
    rows: list[HistoryRow] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # IMDb rows that are not films, by type


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise HistoryFileError(
            [f"{name}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x})"],
            "Export the file again, or save it as UTF-8.",
        ) from None


def _too_big(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise HistoryFileError([f"{name}: {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"
                                " for one exported file"])


def _rows(name: str, text: str, required: tuple[str, ...], what: str, hint: str):  # type: ignore[no-untyped-def]
    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise HistoryFileError([f"{name}:1: not readable as CSV ({exc})"]) from None
    if not header:
        raise HistoryFileError([f"{name}:1: the file is empty, expected {what} columns"])
    missing = [c for c in required if c not in header]
    if missing:
        raise HistoryFileError(
            [f"{name}:1: not {what}: missing column(s) {', '.join(missing)}"
             f" (found {', '.join(header[:8])})"], hint)
    reader.fieldnames = header
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # an unclosed quote, a huge field: where the next row starts is lost
            raise HistoryFileError([f"{name}:{start}: not readable as CSV ({exc}); a quote"
                                    " opened in this row may never close"]) from None
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _year(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1870 <= int(value) <= 2100:
        raise ValueError(f"year {value!r} is not a year such as 1999")
    return int(value)


def _date(value: str, column: str) -> str:
    if value and not _DATE.match(value):
        raise ValueError(f"{column} {value!r} is not a date like 2021-03-04")
    return value[:10]


def _letterboxd_rating(value: str, required: bool) -> float | None:
    if not value:
        if required:
            raise ValueError("the Rating is empty")
        return None
    try:
        r = float(value)
    except ValueError:
        raise ValueError(f"rating {value!r} is not a number of stars (0.5-5)") from None
    if not 0.5 <= r <= 5.0 or r * 2 != int(r * 2):
        raise ValueError(f"rating {value} is outside Letterboxd's 0.5-5 half stars")
    return r


def _letterboxd_row(name: str, kind: Kind, n: int, row: dict[str, str]) -> HistoryRow:
    if not row.get("Name"):
        raise ValueError("the film's Name is empty")
    name_ = text_field("Name", row["Name"], MAX_TITLE)
    rating = None
    if kind in ("rating", "diary"):
        rating = _letterboxd_rating(row.get("Rating", ""), required=kind == "rating")
    date = _date(row.get("Watched Date", ""), "Watched Date") if kind == "diary" else ""
    return HistoryRow(name, n, kind, name_, _year(row.get("Year", "")), rating,
                      date or _date(row.get("Date", ""), "Date"),
                      rewatch=row.get("Rewatch", "").lower() == "yes")


def _letterboxd_files(path: Path) -> dict[str, tuple[str, bytes]]:
    """{known file: (name to show, bytes)} from a ZIP or a folder; the export may sit one level down."""
    found: dict[str, tuple[str, bytes]] = {}
    if path.is_dir():
        roots = [path, *sorted(p for p in path.iterdir() if p.is_dir())]
        for root in roots:
            for known in LETTERBOXD_FILES:
                if (root / known).is_file():
                    _too_big(str(root / known), (root / known).stat().st_size)
                    found[known] = (str(root / known), (root / known).read_bytes())
            if found:
                break
        return found
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            for known in LETTERBOXD_FILES:
                hits = sorted((n for n in names if n == known or n.endswith("/" + known)),
                              key=lambda n: (n.count("/"), n))
                if hits:
                    _too_big(f"{path.name}:{hits[0]}", zf.getinfo(hits[0]).file_size)
                    found[known] = (f"{path.name}:{hits[0]}", zf.read(hits[0]))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise HistoryFileError(
            [f"{path}: not a readable ZIP file ({exc})"],
            "Download the export again from Letterboxd, or unzip it and give the folder.",
        ) from None
    return found


def _exists(path: Path) -> None:
    if not path.exists():
        raise HistoryFileError([f"{path}: no such file or folder"])


def read_letterboxd(path: Path) -> Export:
    """The rows of every Letterboxd file in the export, or HistoryFileError naming file:line."""
    path = Path(path).expanduser()
    _exists(path)
    if path.is_file() and path.suffix.lower() == ".csv":
        raise HistoryFileError(
            [f"{path}: a single CSV file, expected the Letterboxd export ZIP or its folder"],
            "Give the ZIP from Settings > Import & Export > Export your data, or the unzipped folder.",
        )
    files = _letterboxd_files(path)
    if not files:
        raise HistoryFileError(
            [f"{path}: no Letterboxd files found (expected {', '.join(LETTERBOXD_FILES)})"],
            "Give the ZIP from Letterboxd's Settings > Import & Export, or the unzipped folder.",
        )
    export = Export("letterboxd", path, files=list(files))
    problems: list[str] = []
    hint = "Is it an IMDb export? Use `tastebud import imdb FILE`."
    for known, (name, data) in files.items():
        kind, required = LETTERBOXD_FILES[known]
        for n, row in _rows(name, _decode(name, data), required, f"a Letterboxd {known}", hint):
            try:
                export.rows.append(_letterboxd_row(name, kind, n, row))
            except ValueError as exc:
                problems.append(f"{name}:{n}: {exc}")
    if problems:
        raise HistoryFileError(problems)
    return export


def _imdb_row(name: str, n: int, row: dict[str, str]) -> HistoryRow:
    const = row["Const"]
    if not _IMDB_ID.match(const):
        raise ValueError(f"Const {const!r} is not an IMDb id like tt0133093")
    value = row["Your Rating"]
    if not value.isdigit() or not 1 <= int(value) <= 10:
        raise ValueError(f"rating {value!r} is outside IMDb's 1-10")
    if not row["Title"]:
        raise ValueError("the Title is empty")
    original = row.get("Original Title")
    return HistoryRow(name, n, "imdb", text_field("Title", row["Title"], MAX_TITLE),
                      _year(row["Year"]), float(value), _date(row["Date Rated"], "Date Rated"),
                      imdb_id=const,
                      original_title=text_field("Original Title", original, MAX_TITLE)
                      if original else None)


def read_imdb(path: Path) -> Export:
    """The film rows of an IMDb ratings export, or HistoryFileError naming file:line."""
    path = Path(path).expanduser()
    _exists(path)
    if path.is_dir():
        if not (path / "ratings.csv").is_file():
            raise HistoryFileError([f"{path}: a folder without ratings.csv; give IMDb's ratings.csv"])
        path = path / "ratings.csv"
    name = str(path)
    _too_big(name, path.stat().st_size)
    export = Export("imdb", path, files=[name])
    problems: list[str] = []
    hint = "Is it a Letterboxd export? Use `tastebud import letterboxd ZIP_OR_FOLDER`."
    for n, row in _rows(name, _decode(name, path.read_bytes()), IMDB_COLUMNS,
                        "an IMDb ratings export", hint):
        kind = row["Title Type"]
        if kind.lower() not in IMDB_MOVIE_TYPES:
            export.skipped[kind or "(no type)"] += 1
            continue
        try:
            export.rows.append(_imdb_row(name, n, row))
        except ValueError as exc:
            problems.append(f"{name}:{n}: {exc}")
    if problems:
        raise HistoryFileError(problems)
    return export


def detect_site(path: Path) -> Site:
    """A folder or a ZIP is a Letterboxd export; a CSV whose header has IMDb's `Const` is IMDb's."""
    path = Path(path).expanduser()
    if path.is_file() and path.suffix.lower() == ".csv":
        with path.open("rb") as fh:
            return "imdb" if b"Const" in fh.readline() else "letterboxd"
    return "letterboxd"


def read_export(site: Site, path: Path) -> Export:
    return read_letterboxd(path) if site == "letterboxd" else read_imdb(path)
