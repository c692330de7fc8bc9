"""Damaged, empty, read-only and hostile state: one clear line, the right advice, no traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from memory.bootstrap import open_memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import Parsed
from memory.items import Item
from memory.settings import Settings
from tests.fakes import WordHashEmbedder
from tui import cli_catalog, factory
from tui.cli import main

REPO = Path(__file__).resolve().parents[1]
ESC_TITLE = "Evil \x1b[2J\x1b]0;pwned\x07 Film"


def _fill(settings: Settings, items: list[Item]) -> None:
    memory = open_memory(settings, embedder=WordHashEmbedder())
    parsed = Parsed(source="old.jsonl", items=items, item_lines={i.id: 1 for i in items})
    ingest(parsed, catalog="films", client=memory.client, store=memory.store, embedder=memory.embedder)
    memory.switch_catalog("films")


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (cli_catalog, factory):
        monkeypatch.setattr(module, "open_memory", lambda s: open_memory(s, embedder=WordHashEmbedder()))


def test_empty_data_dir_is_refused_and_nothing_lands_in_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--data-dir", "", "catalog", "list"]) == 2
    assert "bad setting data_dir: Value error, data_dir is empty" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_zero_byte_database_is_not_rebuilt(
    _isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _isolated_environment / "tastebud.sqlite3"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    assert main(["catalog", "list"]) == 2
    err = capsys.readouterr().err
    assert "tastebud.sqlite3 is empty (0 bytes): the database was probably truncated" in err
    assert db.stat().st_size == 0


def test_a_garbled_conversations_file_is_a_clear_error(
    settings: Settings, fast: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(settings, [Item(id="a", title="Alpha")])
    settings.checkpoint_path.write_bytes(b"garbage, not sqlite " * 200)
    assert main(["ask", "something funny"]) == 2
    err = capsys.readouterr().err
    assert "conversations.sqlite3 (the saved conversations) cannot be read" in err
    assert "tastebud.sqlite3 and are not affected" in err and "Traceback" not in err


def test_stats_tell_the_truth_when_the_vector_store_is_gone(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(settings, [Item(id="a", title="Alpha")])
    memory = open_memory(settings, embedder=WordHashEmbedder())
    rec = memory.store.catalog_record("films")
    assert rec is not None
    memory.client.delete_collection(rec.content_collection)
    assert main(["catalog", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["vector_store"].startswith("missing: collection 'films-content-000001' cannot be opened")
    assert stats["collaborative_model"] is False
    shutil.rmtree(settings.chroma_path)
    assert main(["catalog", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["vector_store"] == f"missing: {settings.chroma_path} does not exist; re-ingest the catalog"


def test_control_characters_are_escaped_in_text_and_exact_in_json(
    settings: Settings, fast: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # An old catalog (ingested before the readers refused control characters).
    _fill(settings, [Item(id="evil", title=ESC_TITLE, description="\x9b31m red"),
                     Item(id="b", title="Beta")])
    assert main(["recommend", "--k", "2"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "Evil \\x1b[2J\\x1b]0;pwned\\x07 Film" in out
    assert main(["--user", "other", "recommend", "--k", "2", "--json"]) == 0  # nothing shown yet
    raw = capsys.readouterr().out
    assert "\x1b" not in raw and "\x9b" not in raw
    assert ESC_TITLE in [r["title"] for r in json.loads(raw)]  # the exact value


def test_a_user_name_with_control_characters_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--user", "bob\x1b[2J", "catalog", "list"]) == 2
    err = capsys.readouterr().err
    assert "bad setting user" in err and "\x1b" not in err


def _drop_privileges() -> list[str]:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run a command as an unprivileged user")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_a_read_only_data_dir(tmp_path: Path) -> None:
    """As a user who may read but not write the data dir (a real EACCES, not a mock)."""
    prefix = _drop_privileges()
    base = Path(tempfile.mkdtemp(prefix="tastebud-ro-"))
    try:
        base.chmod(0o755)
        settings = Settings(data_dir=base / "data", user="me")
        _fill(settings, [Item(id="a", title="Alpha"), Item(id="b", title="Beta")])
        for p in [base, *base.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        before = {p: p.read_bytes() for p in (base / "data").rglob("*") if p.is_file()}
        env = {**os.environ, "TASTEBUD_DATA_DIR": str(settings.data_dir), "HOME": str(base)}

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*prefix, sys.executable, "-m", "tui.cli", *args], cwd=REPO,
                                  env=env, capture_output=True, text=True, timeout=120)

        listed = run("catalog", "list")
        assert listed.returncode == 0, listed.stderr
        assert "films" in listed.stdout
        stats = run("catalog", "stats", "--json")
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)["items"] == 2
        for args in (("feedback", "Alpha", "like"), ("prefs", "reset"), ("recommend",)):
            out = run(*args)
            assert out.returncode == 2, out.stderr
            assert "read-only" in out.stderr and "Your data is intact" in out.stderr
            assert "Move it aside" not in out.stderr and "Traceback" not in out.stderr
        after = {p: p.read_bytes() for p in (base / "data").rglob("*") if p.is_file()}
        assert after == before
    finally:
        shutil.rmtree(base, ignore_errors=True)
