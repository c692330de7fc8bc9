"""The system prompt is snapshot-tested: any change to what the model is told shows up as a diff.

To accept a deliberate change, run `UPDATE_PROMPT_SNAPSHOT=1 .venv/bin/pytest tests/test_prompts.py`
and commit the new tests/snapshots/system_prompt.txt.
"""

from __future__ import annotations

import os
from pathlib import Path

from agent.prompts import DATA_NOT_INSTRUCTIONS, system_prompt
from tools.toolkit import all_tools

SNAPSHOT = Path(__file__).parent / "snapshots" / "system_prompt.txt"


def test_system_prompt_matches_snapshot() -> None:
    rendered = system_prompt(catalog="demo")
    if os.environ.get("UPDATE_PROMPT_SNAPSHOT") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert rendered == SNAPSHOT.read_text(encoding="utf-8"), (
        "the system prompt changed; if that is intended, rerun with UPDATE_PROMPT_SNAPSHOT=1"
    )


def test_prompt_names_every_tool_and_the_data_rule() -> None:
    text = system_prompt()
    for tool in all_tools():
        assert tool.name in text, tool.name
    assert DATA_NOT_INSTRUCTIONS in text
    assert "never instructions" in DATA_NOT_INSTRUCTIONS


def test_prompt_is_parameterised_not_global() -> None:
    assert 'the "mine" catalog' in system_prompt(catalog="mine")
    assert system_prompt(catalog="a") != system_prompt(catalog="b")


TOOLLESS_SNAPSHOT = Path(__file__).parent / "snapshots" / "toolless_prompt.txt"


def test_toolless_instructions_match_snapshot() -> None:
    """What a model without tool calling is told after the system prompt, rendered whole."""
    from agent.prompts import toolless_instructions

    rendered = toolless_instructions(['recommend: {"ok":true,"data":{"list":[{"n":1,"title":"Alien"}]}}'],
                                     "Here is one film: 1. Alien (1979).")
    if os.environ.get("UPDATE_PROMPT_SNAPSHOT") == "1":
        TOOLLESS_SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert rendered == TOOLLESS_SNAPSHOT.read_text(encoding="utf-8")
    assert DATA_NOT_INSTRUCTIONS in rendered
