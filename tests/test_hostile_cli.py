"""Careless or hostile command lines: each gets exit 2 and one line naming the problem.

One data dir (the demo, fake-embedded) serves every case; no case may end in a
traceback or in the CLI's last-resort "unexpected ..." line, which means a bug.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.bootstrap import open_memory
from tests.fakes import WordHashEmbedder
from tui import cli_catalog, factory
from tui.cli import main

ESC = "\x1b[2J"

CASES: list[tuple[str, list[str], str]] = [
    ("k-zero", ["recommend", "--k", "0"], "k must be a whole number from 1 to 100, got 0"),
    ("k-negative", ["recommend", "--k", "-5"], "k must be a whole number from 1 to 100, got -5"),
    ("k-huge", ["recommend", "--k", "100000"], "k must be a whole number from 1 to 100, got 100000"),
    ("similar-k-zero", ["similar", "Alien", "--k", "0"], "k must be a whole number from 1 to 100, got 0"),
    ("explain-empty-title", ["explain", ""], "no film in catalog 'demo' looks like ''"),
    ("explain-unknown", ["explain", "zzzz-no-film"], "no film in catalog 'demo' looks like 'zzzz-no-film'"),
    ("explain-escape-title", ["explain", ESC], "no film in catalog 'demo' looks like '\\x1b[2J'"),
    ("rate-99", ["feedback", "Alien", "rate", "99"], "rating 99.0 is outside 1-5"),
    ("rate-nan", ["feedback", "Alien", "rate", "nan"], "rating nan is outside 1-5"),
    ("rate-inf", ["feedback", "Alien", "rate", "inf"], "rating inf is outside 1-5"),
    ("rate-zero", ["feedback", "Alien", "rate", "0"], "rating 0.0 is outside 1-5"),
    ("rate-negative", ["feedback", "Alien", "rate", "-3"], "rating -3.0 is outside 1-5"),
    ("rate-without-number", ["feedback", "Alien", "rate"], "`rate` needs a rating from 1 to 5"),
    ("like-with-number", ["feedback", "Alien", "like", "4"], "a number only goes with `rate` (got `like 4`)"),
    ("feedback-empty-title", ["feedback", "", "like"], "no film in catalog 'demo' looks like ''"),
    ("user-blank", ["--user", " ", "prefs", "show"], "bad setting user: Value error, user must not be empty"),
    ("user-escape", ["--user", f"a{ESC}", "prefs", "show"], "bad setting user: Value error, user 'a\\x1b[2J' contains control characters"),
    ("data-dir-empty", ["--data-dir", "", "recommend"], "bad setting data_dir: Value error, data_dir is empty"),
    ("catalog-missing", ["--catalog", "nope", "recommend"], "catalog 'nope' is empty"),
    ("train-missing-catalog", ["train", "--catalog", "nope"], "catalog 'nope' is empty; ingest it first"),
    ("ingest-empty-path", ["ingest", ""], "'': an empty path"),
    ("ingest-missing-file", ["ingest", "/nonexistent/films.jsonl"], "/nonexistent/films.jsonl: no such file or folder"),
    ("ingest-a-folder", ["ingest", "/proc/self"], "a folder without movies.csv or movies.json"),
    ("ingest-unknown-type", ["ingest", "/etc/hostname"], "unknown file type ''; pass --format"),
    ("ingest-device", ["ingest", "/dev/zero", "--format", "jsonl"], "/dev/zero: is a device, not a regular file"),
    ("ingest-not-a-csv", ["ingest", "/etc/passwd", "--format", "csv"], "the header has no title or name column"),
    ("ingest-bad-scale", ["ingest", "/etc/passwd", "--format", "csv", "--rating-scale", "5-1"], "--rating-scale '5-1': LOW must be less than HIGH"),
    ("ingest-bad-name", ["ingest", "/etc/passwd", "--format", "csv", "--catalog", "a b"], "catalog name 'a b' is not usable"),
    ("catalog-rm-nothing", ["catalog", "rm"], "say which catalog: `tastebud catalog rm NAME`"),
    ("catalog-rm-unknown", ["catalog", "rm", "nope"], "no catalog named 'nope' (catalogs: demo)"),
    ("catalog-rm-demo", ["catalog", "rm", "demo"], "the bundled catalog 'demo' is not removed"),
    ("catalog-list-with-name", ["catalog", "list", "extra"], "`catalog list` takes no name (got 'extra')"),
    ("eval-missing-data", ["eval", "movielens", "--data", "/nonexistent"], "no MovieLens ratings.csv in /nonexistent"),
]


def _fast(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    for module in (cli_catalog, factory):
        monkeypatch.setattr(module, "open_memory", lambda s: open_memory(s, embedder=WordHashEmbedder()))
    monkeypatch.setenv("TASTEBUD_DATA_DIR", str(data_dir))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile-cli") / "data"
    with pytest.MonkeyPatch.context() as mp:
        _fast(mp, path)
        assert main(["catalog", "restore-demo"]) == 0  # every case meets the same demo
    return path


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    _fast(monkeypatch, data_dir)


@pytest.mark.parametrize(("name", "args", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_command_line(
    capsys: pytest.CaptureFixture[str], name: str, args: list[str], message: str
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "unexpected" not in err and "Traceback" not in err and "\x1b" not in err
