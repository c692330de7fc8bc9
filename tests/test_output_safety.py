"""Terminal safety of what Tastebud shows: escapes made visible, markup inert, JSON exact."""

from __future__ import annotations

import json

import pytest

from memory.items import Item
from tests.tui_fakes import FakeTastebud
from tui.screens.details_screen import facts_table
from tui.text_safety import clean, clean_line, dumps
from tui.widgets.cards_panel import RecommendationCard

NASTY = {
    "clear-screen": ("A\x1b[2JB", "A\\x1b[2JB"),
    "set-window-title": ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    "c1-csi": ("A\x9b31mB", "A\\x9b31mB"),
    "bidi-override": ("abc\u202edef", "abc\\u202edef"),
    "nul": ("a\x00b", "a\\x00b"),
    "del": ("a\x7fb", "a\\x7fb"),
    "backspace": ("ab\x08c", "ab\\x08c"),
    "carriage-return": ("ok\rfake", "ok\\x0dfake"),
    "line-separator": ("a\u2028b", "a\\u2028b"),
    "plain-unicode-kept": ("Amélie 東京 — ok", "Amélie 東京 — ok"),
}


@pytest.mark.parametrize(("raw", "shown"), NASTY.values(), ids=list(NASTY))
def test_clean_shows_control_characters_as_escapes(raw: str, shown: str) -> None:
    assert clean(raw) == shown


@pytest.mark.parametrize("raw", [r for r, _ in NASTY.values()], ids=list(NASTY))
def test_dumps_is_exact_and_has_no_raw_control_characters(raw: str) -> None:
    text = dumps({"title": raw, "list": [raw]})
    assert json.loads(text) == {"title": raw, "list": [raw]}
    assert clean(text) == text  # nothing left for a terminal to interpret


def test_clean_line_keeps_one_line() -> None:
    assert clean_line("two\nlines\tand tab") == "two\\nlines and tab"


def test_a_card_shows_a_hostile_title_escaped() -> None:
    item = Item(id="x", title="Evil \x1b[2J Film", genres=("Drama",))
    card = RecommendationCard(FakeTastebud([item]).rank(item, 0))
    text = card._render_body().plain
    assert "\x1b" not in text and "Evil \\x1b[2J Film" in text


def test_facts_are_text_not_markup() -> None:
    from rich.console import Console

    item = Item(id="x", title="T", directors=("[/]", "[bold red]Loud"), cast=("\x1b[2J",))
    console = Console(width=80, record=True, color_system=None)
    console.print(facts_table(item))  # markup in a name would raise MarkupError here
    out = console.export_text()
    assert "[/]" in out and "[bold red]Loud" in out and "\\x1b[2J" in out
