"""A reply is shown as written: its line breaks, its lists, its closing sentence, its tables.

`as_written` is checked on text alone; the Pilot test looks at the widgets the chat log builds
from an LLM-style reply (single newlines, a closing line right under the list), where plain
CommonMark would glue the closing sentence onto the last list item.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from memory.settings import Settings
from tests.tui_fakes import FakeChatService, settle
from tui.app import TastebudApp
from tui.widgets.chat_log import ChatLog, as_written

GLUED = "Here you go:\n1. Heat (1995)\n2. Collateral (2004)\nTell me which ones you've seen."


@pytest.fixture(autouse=True)
def _unfreeze_heap() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_a_line_after_a_list_starts_a_paragraph() -> None:
    assert as_written(GLUED).endswith("2. Collateral (2004)\n\nTell me which ones you've seen.")
    nested = "- a\n  still a\nafter"
    assert as_written(nested) == "- a\n  still a\n\nafter"


def test_lists_code_and_plain_text_are_left_alone() -> None:
    for text in ("1. a\n2. b", "- a\n- b\n\nafter", "```\n- a\nb\n```", "one\ntwo", ""):
        assert as_written(text) == text


@pytest.mark.asyncio
async def test_the_chat_log_keeps_the_replys_lines(settings: Settings) -> None:
    app = TastebudApp(settings=settings, chat=FakeChatService())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        log = app.screen.query_one(ChatLog)
        message = log.start_assistant()
        await pilot.pause()  # mounted, as it is while a turn runs
        await log.finish_assistant(GLUED)
        await pilot.pause()
        top = [p for p in message.query("MarkdownParagraph") if p.parent is message]
        items = [str(i.render()) for i in message.query("MarkdownOrderedList MarkdownParagraph")]
        assert len(top) == 2 and "Tell me which" in str(top[-1].render())  # its own paragraph
        assert len(items) == 2 and not any("Tell me" in i for i in items)
        note = log.add_note("first line\nsecond line")
        await pilot.pause()
        assert str(note.query_one("MarkdownParagraph").render()).splitlines()[:2] == [
            "first line", "second line"]
        long_reason = "only a loose match for 'horror' (similarity 0.32), " * 2
        table = log.add_note(f"| part | = points |\n|:--|--:|\n| {long_reason} | -0.122 |")
        await pilot.pause()
        assert table.query_one("MarkdownTable").region.height == 2  # header + row: no rules,
        assert "-0.122" in str(table.query("MarkdownTableCellContents").last().render())  # no wrap
