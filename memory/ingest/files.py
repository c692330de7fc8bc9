"""Reading input files defensively: regular files only, bounded lines, strict CSV records.

A FIFO would hang a reader forever, a file without newlines would be read into
memory whole, and Python's csv module happily lets an unclosed quote swallow
every row after it. These helpers refuse all three with the file and line.
"""

from __future__ import annotations

import csv
import json
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from memory.ingest.limits import MAX_JSON_DEPTH, MAX_LINE_BYTES, json_depth, shown
from memory.ingest.rows import RowError

_CHUNK = 1 << 16


class InputFileError(ValueError):
    """The input path itself cannot be read (missing, not a regular file, unreadable)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.error = RowError(str(path), 0, reason)
        super().__init__(str(self.error))


def require_regular_file(path: Path) -> None:
    """Only regular files are read: a FIFO, socket or device would block or never end."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise InputFileError(path, "is a folder, expected a file")
    if not stat.S_ISREG(mode):
        what = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file")
        raise InputFileError(path, f"is {what}, not a regular file; only regular files are read")


def decoded_lines(
    path: Path, errors: list[RowError], max_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, str]]:
    """Lines as text, 1-based, without their line ending.

    A line that is not UTF-8 or longer than `max_bytes` becomes an error naming
    file:line, never a crash or an unbounded read.
    """
    require_regular_file(path)
    with path.open("rb") as fh:
        n = 0
        while True:
            raw = fh.readline(max_bytes + 1)
            if not raw:
                return
            n += 1
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                size = len(raw) + _skip_rest_of_line(fh)
                errors.append(RowError(str(path), n, f"line of {size:,} bytes is longer than"
                                       f" the {max_bytes:,}-byte limit; it was skipped"))
                continue
            try:
                text = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                bad = raw[exc.start : exc.start + 1].hex()
                errors.append(
                    RowError(str(path), n, f"not valid UTF-8 (byte 0x{bad} at column "
                             f"{exc.start + 1}); re-save the file as UTF-8")
                )
                continue
            yield n, text.rstrip("\r\n")


def _skip_rest_of_line(fh) -> int:  # type: ignore[no-untyped-def]
    skipped = 0
    while True:
        chunk = fh.readline(_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def csv_records(
    path: Path, errors: list[RowError], delimiter: str = ",",
    need: Sequence[tuple[str, ...]] = (),
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV with a header, as (line where the record starts, {column: value}).

    Strict: a record with a different number of fields than the header is an
    error, and so is a broken quote. After a broken quote the reader stops,
    because where the next record starts can no longer be known. A header
    without one of the `need` column groups is one error, not one per row.
    """
    numbers: list[int] = []

    def lines() -> Iterator[str]:
        for n, text in decoded_lines(path, errors):
            numbers.append(n)
            yield text + "\n"

    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    consumed = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start = numbers[min(consumed, len(numbers) - 1)] if numbers else 1
            errors.append(RowError(str(path), start, _csv_reason(str(exc), numbers)))
            return
        start = numbers[consumed]
        spanned = len(numbers) - consumed
        consumed = len(numbers)
        if not fields or fields == [""]:
            continue
        if header is None:
            header = [h.strip() for h in fields]
            missing = [" or ".join(g) for g in need if not set(g) & set(header)]
            if missing:
                errors.append(RowError(str(path), start, f"the header has no {missing[0]} column"
                                       f" (it has: {shown(', '.join(header), 80)}); is this the"
                                       " right file, with a header line?"))
                return
            continue
        if len(fields) != len(header):
            hint = (f"; a quote opened here may never close (the record runs over {spanned} lines)"
                    if spanned > 1 else "")
            errors.append(RowError(str(path), start, f"{len(fields)} field(s), but the header has"
                                   f" {len(header)}{hint}"))
            continue
        yield start, dict(zip(header, fields, strict=True))


def _csv_reason(message: str, numbers: list[int]) -> str:
    if "field larger than field limit" in message:
        return (f"a field longer than the {MAX_LINE_BYTES:,}-character limit (an unclosed quote?);"
                " nothing after this line was read")
    if "unexpected end of data" in message or "EOF" in message:
        last = numbers[-1] if numbers else 0
        return (f"a quote opened in this record never closes (it runs to the end of the file,"
                f" line {last}); nothing after this line was read")
    if "expected after" in message:
        return (f"a quoted field does not end where a field should ({message}); a quote in this"
                " record is probably unclosed; nothing after this line was read")
    return f"broken CSV ({message}); nothing after this line was read"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


class JsonError(ValueError):
    """Text that is not acceptable JSON; `line` is where in the text (1 for one-line JSON)."""

    def __init__(self, reason: str, line: int = 1) -> None:
        self.line = line
        super().__init__(reason)


def parse_json(text: str) -> Any:
    """json.loads without NaN/Infinity, duplicate keys, or unbounded nesting."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise JsonError(f"broken JSON: {exc.msg} at column {exc.colno}", exc.lineno) from None
    except RecursionError:
        raise JsonError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # from the two hooks above
        raise JsonError(str(exc)) from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise JsonError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value
