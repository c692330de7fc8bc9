"""The `tastebud` command at its edges: options, ingest, stats, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.cli import build_parser, load_settings, main

ROWS = [
    {"id": "alien", "title": "Alien", "year": 1979, "genres": ["Horror", "Sci-Fi"],
     "description": "A salvage crew meets a deadly creature in deep space."},
    {"id": "heat", "title": "Heat", "year": 1995, "genres": ["Crime", "Thriller"],
     "description": "A master thief and a driven detective circle each other in Los Angeles."},
    {"id": "up", "title": "Up", "year": 2009, "genres": ["Animation", "Adventure"],
     "description": "An old man ties balloons to his house and floats away to South America."},
]


def _catalog(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "films.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n" + extra)
    return path


def test_global_options_work_before_and_after_the_subcommand() -> None:
    parser = build_parser()
    assert load_settings(parser.parse_args(["--user", "ann", "chat"])).user == "ann"
    assert load_settings(parser.parse_args(["recommend", "--user", "bob"])).user == "bob"
    args = parser.parse_args(["--data-dir", "/tmp/x", "catalog", "stats"])
    assert str(load_settings(args).data_dir) == "/tmp/x"


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for cmd in ("chat", "ask", "ingest", "catalog", "recommend", "explain", "similar",
                "feedback", "prefs", "eval", "train"):
        assert cmd in out


def test_ingest_then_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inter = tmp_path / "ratings.csv"
    inter.write_text("user_id,item_id,value\nu1,alien,5\nu1,heat,4\nu2,up,5\n")
    assert main(["ingest", str(_catalog(tmp_path)), "--interactions", str(inter)]) == 0
    out = capsys.readouterr()
    assert "3 items" in out.out and "3 interactions" in out.out
    assert "ingest films [" in out.err  # the progress bar
    assert main(["catalog", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["catalog"], stats["items"], stats["interactions"]) == ("films", 3, 3)
    assert stats["collaborative_model"] is True
    ranker = stats["ranker"]  # too few users to validate on: trained, but no validation score
    assert ranker["validation_ndcg@10"] is None and ranker["train_seconds"] >= 0
    assert set(ranker["weights"]) == {"collaborative", "content", "popularity"}


def test_a_bad_row_exits_2_with_file_and_line_and_keeps_the_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _catalog(tmp_path)
    assert main(["ingest", str(good), "--no-train"]) == 0
    capsys.readouterr()
    bad = tmp_path / "films.jsonl"
    bad.write_text(good.read_text().replace('"year": 1995', '"year": "199x"'))
    assert main(["ingest", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: bad year '199x'" in err and "--skip-invalid" in err
    assert main(["catalog", "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["items"] == 3


def test_rate_without_a_rating_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feedback", "Alien", "rate"]) == 2
    assert "needs a rating from 1 to 5" in capsys.readouterr().err


def test_turns_only_apply_to_redial(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "nlu", "--turns", "x.jsonl"]) == 2
    assert "--turns, --dialogues and --train-dialogues only apply" in capsys.readouterr().err


def test_bad_setting_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TASTEBUD_DIVERSITY", "7")
    assert main(["catalog", "stats"]) == 2
    assert "bad setting diversity" in capsys.readouterr().err


def test_a_vanished_vector_store_is_a_clear_error(
    tmp_path: Path, _isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import shutil
    import subprocess
    import sys

    assert main(["ingest", str(_catalog(tmp_path)), "--no-train"]) == 0
    shutil.rmtree(_isolated_environment / "chroma")
    # A new process: chromadb caches open stores per process.
    out = subprocess.run([sys.executable, "-m", "tui.cli", "recommend"], capture_output=True,
                         text=True, env=dict(os.environ), cwd=Path(__file__).parents[1])
    assert out.returncode == 2, out.stderr
    assert "cannot be opened" in out.stderr and "tastebud ingest" in out.stderr
    assert "Traceback" not in out.stderr


def test_recommend_leaves_out_rated_films_and_new_starts_afresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inter = tmp_path / "ratings.csv"
    inter.write_text("user_id,item_id,value\nu1,alien,3\nu1,heat,4\nu2,up,5\n")
    assert main(["ingest", str(_catalog(tmp_path)), "--interactions", str(inter)]) == 0

    def listed(*argv: str) -> list[str]:
        capsys.readouterr()
        assert main(["--user", "u1", "recommend", "--json", *argv]) == 0
        return [r["id"] for r in json.loads(capsys.readouterr().out)]

    assert listed("--k", "3") == ["up"]  # a 3-star rating counts as seen too
    assert set(listed("--k", "3", "--include-rated")) == {"alien", "heat", "up"}
    first = listed("--k", "1", "--new", "--include-rated")
    second = listed("--k", "1", "--include-rated")
    assert first != second  # the same conversation shows something new
    assert listed("--k", "1", "--new", "--include-rated") == first
