"""The CLI's edges: a failing turn surfaces its own error, and no error line carries the key."""

from __future__ import annotations

from typing import Any

import pytest

from tui import cli
from tui.cli_chat import run_turn

KEY = "sk-edge-0123456789abcdefghijklmnop"


class _Boom:
    def turn(self, text: str, on_token: Any = None) -> Any:
        raise RuntimeError(f"the store said no to {text!r}")

    def cancel(self) -> None:  # never reached: the turn fails at once
        raise AssertionError("cancel called without a Ctrl-C")


def test_a_turn_that_raises_gives_its_own_error_not_an_index_error() -> None:
    with pytest.raises(RuntimeError, match="the store said no to 'hi'"):
        run_turn(_Boom(), "hi")


def test_an_error_that_echoes_the_key_is_printed_without_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)

    def failing(args: Any, settings: Any) -> int:
        raise RuntimeError(f"proxy said: bad key {KEY} (Authorization: Bearer {KEY[:10]}...)")

    monkeypatch.setattr(cli, "_handler", lambda command: failing)
    code = cli.main(["--data-dir", str(tmp_path), "recommend"])
    err = capsys.readouterr().err
    assert code == 2
    assert "proxy said: bad key" in err
    assert KEY not in err and KEY[:8] not in err and KEY[-6:] not in err
