"""The bounds every ingested value must respect, and the checks that name the bad value.

Hostile or careless files (a 10 MB synopsis, a title full of terminal escape
codes, a NaN rating, a 100k-deep JSON line) must be refused with a message that
points at the value, before anything is embedded or stored. All the limits live
here so the readers, the README and the tests quote the same numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

MAX_LINE_BYTES = 1_000_000  # one JSONL line or one CSV field
MAX_JSON_FILE_BYTES = 256_000_000  # a whole-document JSON file (ReDial's movies.json is 3 MB)
MAX_JSON_DEPTH = 8  # our rows are flat: an object of strings, numbers and lists
MAX_TITLE = 500
MAX_DESCRIPTION = 20_000
MAX_ID = 200
MAX_NAME = 500  # one director, cast member, keyword, alternate title, country
MAX_LIST = 200  # entries in one list field
RUNTIME_RANGE = (1, 1000)  # minutes

# C0 controls except tab/newline/CR (which are squashed to spaces), DEL, C1 controls,
# and the bidi overrides that make text display in a different order than it is stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


class FieldError(ValueError):
    """One bad field value; the message names the field and shows the value (shortened)."""


def shown(value: Any, limit: int = 40) -> str:
    """A value as it can safely appear in an error message: repr'd and shortened."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(value)):,} chars)"


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def text_field(field: str, value: Any, max_len: int, *, allow_number: bool = False) -> str:
    """A single-line text value: no control characters, spaces squashed, at most max_len chars."""
    if allow_number and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FieldError(f"{field}: expected text, got {kind(value)} {shown(value)}")
    if (len(value) <= max_len and value.isascii() and value.isprintable()
            and value == value.strip() and "  " not in value):
        return value  # the common case, checked in C: printable ASCII, already squashed
    bad = _CONTROL.search(value)
    if bad:
        raise FieldError(
            f"{field}: control character {bad.group()!r} at column {bad.start() + 1}"
            f" in {shown(value)}; remove it"
        )
    text = _SPACE.sub(" ", value).strip()
    if len(text) > max_len:
        raise FieldError(
            f"{field}: {len(text):,} characters, more than the {max_len:,} allowed ({shown(text)})"
        )
    return text


def identifier(field: str, value: Any) -> str:
    """An id: printable text, at most MAX_ID characters (numbers are accepted as text)."""
    text = text_field(field, value, MAX_ID, allow_number=True)
    if not text:
        raise FieldError(f"{field}: empty")
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text


def text_list(field: str, value: Any) -> tuple[str, ...]:
    """A list given as a JSON list or as 'a|b' / 'a;b' text."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        parts: list[Any] = [p for p in re.split(r"[|;]", value)]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise FieldError(f"{field}: expected text or a list of text, got {kind(value)} {shown(value)}")
    if len(parts) > MAX_LIST:
        raise FieldError(f"{field}: {len(parts)} entries, more than the {MAX_LIST} allowed")
    out: list[str] = []
    for p in parts:
        text = text_field(field, p, MAX_NAME, allow_number=field == "keywords")
        if text and text not in out:
            out.append(text)
    return tuple(out)


def finite_number(field: str, value: Any) -> float:
    if isinstance(value, bool):
        raise FieldError(f"{field}: expected a number, got {shown(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FieldError(f"{field}: expected a number, got {kind(value)} {shown(value)}") from None
    if not math.isfinite(number):
        raise FieldError(f"{field}: {shown(value)} is not a finite number")
    return number


def runtime(value: Any) -> int:
    number = finite_number("runtime", value)
    low, high = RUNTIME_RANGE
    if not number.is_integer():
        raise FieldError(f"runtime: {shown(value)} is not a whole number of minutes")
    if not low <= number <= high:
        raise FieldError(f"runtime: {shown(value)} minutes is outside {low}-{high}")
    return int(number)


def popularity(value: Any) -> float:
    number = finite_number("popularity", value)
    if number < 0:
        raise FieldError(f"popularity: {shown(value)} is negative")
    return number


@dataclass(frozen=True)
class RatingScale:
    """The scale a file's ratings are on. Values are stored on Tastebud's 5-star scale."""

    low: float = 1.0
    high: float = 5.0

    @classmethod
    def parse(cls, text: str) -> RatingScale:
        """'1-5', '0.5-5', '1-10', '0-100'."""
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[-–:]\s*(\d+(?:\.\d+)?)\s*", text or "")
        if not m:
            raise ValueError(f"--rating-scale {text!r}: expected LOW-HIGH such as 1-5 or 1-10")
        low, high = float(m.group(1)), float(m.group(2))
        if not low < high:
            raise ValueError(f"--rating-scale {text!r}: LOW must be less than HIGH")
        return cls(low, high)

    def __str__(self) -> str:
        return f"{self.low:g}-{self.high:g}"

    def stored(self, value: Any, field: str = "rating") -> float:
        """Checks a rating against the scale and maps it onto 0-5 (x 5/HIGH)."""
        number = finite_number(field, value)
        if not self.low <= number <= self.high:
            raise FieldError(f"{field}: {shown(value)} is outside the rating scale {self}"
                             " (pass --rating-scale LOW-HIGH if the file uses another)")
        return number * 5.0 / self.high


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of parsed JSON, stopping early once past `limit`."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest
