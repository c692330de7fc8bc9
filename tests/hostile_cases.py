"""The vocabulary of the table-driven hostile-input tests: a case and its exact expected outcome.

A case is a file (written into tmp_path) and one of three outcomes:
- `Err(line, reason)`: exactly one error, at `file:line`, whose text contains `reason`
  (the reason quotes the bad value or the limit); nothing else is accepted from that row;
- `Ok(**fields)`: no error, and the last item read has exactly these field values;
- `Warn(line, reason, **fields)`: accepted as `Ok`, plus a warning at `file:line`.
Anything else, a traceback included, fails the case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from memory.ingest.readers import IngestError, Parsed, ReadOptions, read_catalog

GOOD = {"id": "a", "title": "Alpha", "year": 1999}


@dataclass(frozen=True)
class Err:
    line: int
    reason: str


@dataclass(frozen=True)
class Ok:
    fields: dict[str, Any] = field(default_factory=dict)
    items: int | None = None

    def __init__(self, items: int | None = None, **fields: Any) -> None:
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "items", items)


@dataclass(frozen=True)
class Warn:
    line: int
    reason: str
    fields: dict[str, Any] = field(default_factory=dict)

    def __init__(self, line: int, reason: str, **fields: Any) -> None:
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "fields", fields)


Outcome = Err | Ok | Warn


def jsonl(*rows: Any) -> bytes:
    """A good first line, then each row (a dict is dumped; str/bytes are written as they are)."""
    lines = [json.dumps(GOOD).encode()]
    for r in rows:
        lines.append(r if isinstance(r, bytes) else r.encode() if isinstance(r, str)
                     else json.dumps(r).encode())
    return b"\n".join(lines) + b"\n"


def read(path: Path, fmt: str | None = None, interactions: Path | None = None,
         options: ReadOptions | None = None) -> Parsed:
    return read_catalog(path, fmt, interactions, options)  # type: ignore[arg-type]


def check(parsed: Parsed, path: Path, expect: Outcome) -> None:
    """Assert the exact outcome of one case."""
    errors = [str(e) for e in parsed.errors]
    if isinstance(expect, Err):
        assert len(errors) == 1, errors
        assert errors[0].startswith(f"{path}:{expect.line}: "), errors
        assert expect.reason in errors[0], errors
        return
    assert errors == [], errors
    if isinstance(expect, Ok) and expect.items is not None:
        assert len(parsed.items) == expect.items
    fields = expect.fields
    if fields:
        item = parsed.items[-1]
        got = {k: getattr(item, k) for k in fields}
        assert got == fields
    if isinstance(expect, Warn):
        warnings = [str(w) for w in parsed.warnings]
        assert any(w.startswith(f"{path}:{expect.line}: ") and expect.reason in w
                   for w in warnings), warnings


def check_file_error(path: Path, reason: str, **kw: Any) -> None:
    """A whole-input refusal: an IngestError naming the file and the reason, no traceback."""
    with pytest.raises(IngestError) as info:
        read(path, **kw)
    assert str(path) in str(info.value) and reason in str(info.value), str(info.value)
