"""`tastebud import`: counts and progress printed, the report written, clear refusals, prefs reflect it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.history_helpers import HISTORY, IMDB, LETTERBOXD
from tui.cli import main


@pytest.fixture
def catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(HISTORY / "catalog.jsonl")]) == 0
    capsys.readouterr()


def test_import_prints_counts_writes_the_report_and_prefs_show_it(
    catalog: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "unmatched.csv"
    assert main(["import", "letterboxd", str(LETTERBOXD), "--report", str(report)]) == 0
    out = capsys.readouterr()
    assert "184 row(s): 162 matched, 2 ambiguous, 20 unmatched" in out.out
    assert "recorded 93 new event(s), 0 already imported" in out.out
    assert "learn [" in out.err and "match [" in out.err  # the progress bars
    assert "wrote 22 ambiguous or unmatched row(s)" in out.out
    assert report.read_text(encoding="utf-8").count("\n") == 23
    assert main(["prefs", "show"]) == 0
    shown = capsys.readouterr().out
    assert "93 feedback event(s) (93 from letterboxd)" in shown and "likes:" in shown
    assert main(["prefs", "rebuild"]) == 0
    assert "stored state matches" in capsys.readouterr().out


def test_dry_run_lists_the_events_and_stores_nothing(
    catalog: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "imdb", str(IMDB), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "rate     8  Léon: The Professional (1994)  <- " in out
    assert "would record 34 new event(s)" in out
    assert main(["prefs", "show"]) == 0
    assert "0 feedback event(s)" in capsys.readouterr().out


def test_a_wrong_file_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "imdb", str(LETTERBOXD / "ratings.csv")]) == 2
    err = capsys.readouterr().err
    assert "ratings.csv:1: not an IMDb ratings export" in err and "import letterboxd" in err
    assert main(["import", "letterboxd", str(tmp_path / "missing.zip")]) == 2
    assert "missing.zip: no such file" in capsys.readouterr().err
    assert not (tmp_path / "data" / "tastebud.sqlite3").exists()  # refused before any set-up
