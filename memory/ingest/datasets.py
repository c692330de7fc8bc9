"""Readers for the two public dataset layouts: a MovieLens folder and ReDial's movies.json."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from memory.ingest.files import JsonError, csv_records, parse_json, require_regular_file
from memory.ingest.limits import MAX_JSON_FILE_BYTES, RatingScale
from memory.ingest.ratings import keep_known_last, rating_rows
from memory.ingest.rows import IngestError, Parsed, ReadOptions, RowError, add_row

MOVIELENS_SCALE = RatingScale(0.5, 5.0)


def read_movielens(folder: Path, options: ReadOptions | None = None, top_tags: int = 8) -> Parsed:
    """movies.csv (+ tags.csv as keywords, links.csv for imdb ids, ratings.csv as interactions)."""
    parsed = Parsed(source="movielens")
    tags: dict[str, Counter[str]] = defaultdict(Counter)
    if (folder / "tags.csv").exists():
        for _, row in csv_records(folder / "tags.csv", parsed.errors):
            tags[row.get("movieId", "")][row.get("tag", "").strip().lower()] += 1
    imdb: dict[str, str] = {}
    if (folder / "links.csv").exists():
        for _, row in csv_records(folder / "links.csv", parsed.errors):
            if row.get("imdbId"):
                imdb[row.get("movieId", "")] = f"tt{row['imdbId']}"
    ratings_path = folder / "ratings.csv"
    rows = []
    if ratings_path.exists():
        scale = (options.rating_scale if options else None) or MOVIELENS_SCALE
        rows = rating_rows(ratings_path, parsed, scale, source="movielens", user_prefix="ml-")
    counts = Counter(r.item_id for _, r in rows)
    genres_none = "(no genres listed)"
    for n, row in csv_records(folder / "movies.csv", parsed.errors, need=[("movieId",), ("title",)]):
        mid = row.get("movieId", "")
        add_row(parsed, {
            "id": mid, "title": row.get("title"),
            "genres": "" if row.get("genres") == genres_none else row.get("genres"),
            "keywords": [t for t, _ in tags[mid].most_common(top_tags) if t],
            "imdb_id": imdb.get(mid), "popularity": counts.get(mid, 0),
        }, folder / "movies.csv", n, options)
    parsed.interactions = keep_known_last(rows, parsed, str(ratings_path))
    return parsed


def read_redial(path: Path, options: ReadOptions | None = None) -> Parsed:
    """ReDial's movies.json: {id: {name, genre, plot, director, star, imdb_id}}."""
    if path.is_dir():
        path = path / "movies.json"
    require_regular_file(path)
    parsed = Parsed(source="redial")
    size = path.stat().st_size
    if size > MAX_JSON_FILE_BYTES:
        raise IngestError([RowError(str(path), 1, f"{size:,} bytes, more than the"
                                    f" {MAX_JSON_FILE_BYTES:,}-byte limit for one JSON file")])
    try:
        data = parse_json(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise IngestError([RowError(str(path), 1, f"not valid UTF-8: {exc.reason}")]) from None
    except JsonError as exc:
        raise IngestError([RowError(str(path), exc.line, str(exc))]) from None
    if not isinstance(data, dict):
        raise IngestError([RowError(str(path), 1, "expected an object of id -> movie")])
    for n, (mid, row) in enumerate(data.items(), start=1):
        if not isinstance(row, dict):
            parsed.errors.append(RowError(str(path), n, f"entry {mid!r} is not an object"))
            continue
        add_row(parsed, {**row, "id": mid}, path, n, options)
    return parsed
