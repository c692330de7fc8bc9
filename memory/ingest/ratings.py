"""Ratings and other user-item events from CSV files, checked against a declared scale.

Every value must be a finite number inside the scale the file declares (1-5 by
default, MovieLens 0.5-5, `--rating-scale` for others); it is stored on the
5-star scale retrieval reads. A user who rated the same item twice keeps the
last rating, and a conflicting pair is reported, never stored twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from memory.ingest import limits
from memory.ingest.files import csv_records
from memory.ingest.limits import RatingScale, shown
from memory.ingest.rows import Parsed, ReadOptions, RowError
from memory.items import Interaction

DEFAULT_SCALE = RatingScale(1.0, 5.0)


def interaction_from_row(
    row: dict[str, Any], scale: RatingScale, source: str, user_prefix: str = ""
) -> Interaction:
    """One event; raises ValueError naming the bad column and value."""
    user = _pick(row, "user_id", "userId", "user")
    item = _pick(row, "item_id", "movieId", "item")
    if user is None:
        raise limits.FieldError("missing user id (a user_id, userId or user column)")
    if item is None:
        raise limits.FieldError("missing item id (an item_id, movieId or item column)")
    raw_value = _pick(row, "value", "rating")
    raw_ts = _pick(row, "timestamp", "ts")
    ts = limits.finite_number("timestamp", raw_ts) if raw_ts is not None else 0.0
    if ts < 0:
        raise limits.FieldError(f"timestamp: {shown(raw_ts)} is negative")
    return Interaction(
        user_id=user_prefix + limits.identifier("user", user),
        item_id=limits.identifier("item", item),
        # no value: an implicit "liked it", the top of the scale
        value=scale.stored(raw_value) if raw_value is not None else 5.0,
        ts=ts,
        source=source,
    )


def _pick(row: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = row.get(name)
        if value is not None and value.strip() != "":
            return value.strip()
    return None


def rating_rows(
    path: Path,
    parsed: Parsed,
    scale: RatingScale,
    *,
    source: str,
    user_prefix: str = "",
) -> list[tuple[int, Interaction]]:
    """Valid events of one CSV with their line numbers; bad rows go to parsed.errors."""
    rows: list[tuple[int, Interaction]] = []
    for n, row in csv_records(path, parsed.errors, need=[("user_id", "userId", "user"),
                                                           ("item_id", "movieId", "item")]):
        try:
            rows.append((n, interaction_from_row(row, scale, source, user_prefix)))
        except ValueError as exc:
            parsed.errors.append(RowError(str(path), n, f"bad rating row: {exc}"))
    return rows


def keep_known_last(rows: list[tuple[int, Interaction]], parsed: Parsed, path: str) -> list[Interaction]:
    """Drop events for unknown items (an error) and keep the last of duplicates (a warning)."""
    known = parsed.item_lines
    latest: dict[tuple[str, str], tuple[int, Interaction]] = {}
    repeats = 0
    for n, r in rows:
        if r.item_id not in known:
            parsed.errors.append(RowError(path, n, f"interaction for unknown item id {r.item_id!r}"))
            continue
        key = (r.user_id, r.item_id)
        before = latest.get(key)
        if before is not None:
            if before[1].value != r.value:
                parsed.warnings.append(RowError(path, n, (
                    f"user {r.user_id!r} rated item {r.item_id!r} {before[1].value:g} at line"
                    f" {before[0]} and {r.value:g} here; the last one is kept")))
            else:
                repeats += 1
            del latest[key]  # re-insert so the kept event sits where it last appeared
        latest[key] = (n, r)
    if repeats:
        parsed.warnings.append(RowError(path, 0, f"{repeats} repeated identical rating(s)"
                                        " stored once"))
    return [r for _, r in latest.values()]


def read_interactions(path: Path, parsed: Parsed, options: ReadOptions | None = None) -> None:
    """A user,item,value[,timestamp] CSV (MovieLens column names work too).

    Values are on the declared scale (1-5 unless --rating-scale says otherwise);
    a row without one is an implicit "liked it" (5).
    """
    scale = (options.rating_scale if options else None) or DEFAULT_SCALE
    rows = rating_rows(path, parsed, scale, source=path.name)
    parsed.interactions.extend(keep_known_last(rows, parsed, str(path)))
