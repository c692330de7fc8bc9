"""Making stored text safe to show: terminal control characters are escaped, never sent.

A title, a user name or a synopsis may carry ESC sequences (clear the screen,
recolour the terminal, set the window title) or bidi overrides that reorder what
is displayed. Ingest refuses them in new files, but older catalogs, model replies
and typed names can still hold them, so every plain-text and TUI output passes
through `clean`. JSON output stays exact: `dumps` keeps every value, escaping the
characters JSON itself would print raw.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls except newline and tab, DEL, C1 controls (U+009B is a one-character CSI),
# bidi embeddings/overrides/isolates, and the line/paragraph separators.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object) -> str:
    """Text for a terminal: unsafe characters shown as visible escapes (ESC -> '\\x1b')."""
    return _UNSAFE.sub(_escape, str(text))


def clean_line(text: object) -> str:
    """As `clean`, and newlines too: for one-line places such as a title in a list."""
    return clean(text).replace("\n", "\\n").replace("\t", " ")


def _json_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def dumps(value: Any, **kw: Any) -> str:
    """json.dumps(ensure_ascii=False) that never emits a raw control character.

    json already escapes C0 controls; DEL, C1 controls and bidi characters it
    leaves raw. Outside strings JSON has none of them, so replacing them with
    \\uXXXX escapes keeps the document valid and every value exact.
    """
    text = json.dumps(value, ensure_ascii=False, **kw)
    return _UNSAFE.sub(_json_escape, text)
