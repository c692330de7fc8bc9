"""Catalog identity: names, --replace, the protected demo, rm/list/restore-demo, one version's data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memory.bootstrap import open_memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import read_catalog
from memory.items import Interaction
from memory.settings import Settings
from memory.store import Store
from tests.fakes import WordHashEmbedder
from tui import cli_catalog
from tui.cli import main

ROWS = [{"id": f"f{i}", "title": f"Film {i}", "genres": ["Drama"]} for i in range(20)]


def write(path: Path, rows: list[dict] = ROWS) -> Path:  # type: ignore[assignment]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture(autouse=True)
def fast_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_catalog, "open_memory",
                        lambda s: open_memory(s, embedder=WordHashEmbedder()))


def stats(capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    capsys.readouterr()
    assert main(["catalog", "stats", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_a_file_named_demo_never_replaces_the_bundled_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "demo.jsonl", ROWS[:2])
    assert main(["ingest", str(path), "--no-train"]) == 2
    err = capsys.readouterr().err
    assert "'demo' is the bundled catalog and is never replaced" in err and "--catalog NAME" in err
    assert main(["ingest", str(path), "--catalog", "demo", "--replace"]) == 2
    assert main(["ingest", str(path), "--catalog", "my-demo", "--no-train"]) == 0
    assert stats(capsys, "--catalog", "my-demo")["items"] == 2


def test_a_same_named_file_from_another_folder_needs_replace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(tmp_path / "a" / "films.jsonl")
    assert main(["ingest", str(first), "--no-train"]) == 0
    other = write(tmp_path / "b" / "films.jsonl", [*ROWS[:1], {"id": "bad"}])
    capsys.readouterr()
    assert main(["ingest", str(other), "--skip-invalid", "--no-train"]) == 2
    err = capsys.readouterr().err
    assert f"catalog 'films' (20 items) was ingested from {first}, not {other}" in err
    assert "--replace" in err and "nothing was changed" in err
    assert stats(capsys)["items"] == 20
    assert main(["ingest", str(other), "--skip-invalid", "--no-train", "--replace"]) == 0
    out = capsys.readouterr().out
    assert f"replaced the catalog ingested from {first}" in out
    assert stats(capsys)["items"] == 1


def test_reingesting_the_same_path_needs_no_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "films.jsonl")
    assert main(["ingest", str(path), "--no-train"]) == 0
    write(path, ROWS[:5])
    assert main(["ingest", str(path), "--no-train"]) == 0
    assert stats(capsys)["items"] == 5


@pytest.mark.parametrize("name", ["x", "a b", "-lead", "../up", "é" * 4, "n" * 64])
def test_a_bad_catalog_name_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert main(["ingest", str(write(tmp_path / "f.jsonl")), f"--catalog={name}"]) == 2
    assert f"catalog name {name!r} is not usable" in capsys.readouterr().err


def test_stem_names_are_made_usable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(write(tmp_path / "My Films!.jsonl")), "--no-train"]) == 0
    assert "catalog 'My-Films'" in capsys.readouterr().out


def test_list_and_rm(tmp_path: Path, capsys: pytest.CaptureFixture[str], _isolated_environment: Path) -> None:
    path = write(tmp_path / "films.jsonl")
    ratings = tmp_path / "r.csv"
    ratings.write_text("user_id,item_id,value\nu1,f1,5\nu2,f2,4\n")
    assert main(["ingest", str(path), "--interactions", str(ratings)]) == 0
    capsys.readouterr()
    assert main(["catalog", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"name": "films", "items": 20, "source": str(path), "active": True}]
    assert main(["catalog", "rm", "demo"]) == 2
    assert "restore-demo" in capsys.readouterr().err
    assert main(["catalog", "rm", "nope"]) == 2
    assert "no catalog named 'nope' (catalogs: films)" in capsys.readouterr().err
    rec = Store(_isolated_environment / "tastebud.sqlite3").catalog_record("films")
    assert rec is not None and rec.cf_collection  # trained: its model files are on disk
    model_files = _isolated_environment / "models" / rec.cf_collection
    assert model_files.is_dir()
    assert main(["catalog", "rm", "films"]) == 0
    assert not model_files.exists()
    assert "removed catalog 'films' (20 items" in capsys.readouterr().out
    store = Store(_isolated_environment / "tastebud.sqlite3")
    assert store.catalog_records() == [] and store.count_interactions("films") == 0
    assert store.get_meta("active_catalog") == "demo"
    memory = open_memory(Settings(), embedder=WordHashEmbedder())
    assert [c.name for c in memory.client.list_collections()] == []


def test_restore_demo_rebuilds_the_bundled_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "restore-demo"]) == 0
    first = stats(capsys, "--catalog", "demo")
    assert first["items"] == 792 and first["interactions"] > 10_000
    assert first["collaborative_model"] is True and first["vector_store"] == "ok"


def test_interactions_belong_to_one_catalog_version(settings: Settings, tmp_path: Path) -> None:
    memory = open_memory(settings, embedder=WordHashEmbedder())

    def run(path: Path, **kw: object) -> object:
        parsed = read_catalog(path)
        return ingest(parsed, catalog="films", client=memory.client, store=memory.store,
                      embedder=memory.embedder, source_path=parsed.source_path, **kw)  # type: ignore[arg-type]

    path = write(tmp_path / "films.jsonl")
    run(path)
    with memory.store.transaction() as conn:  # events from another source (an import, say)
        Store.replace_interactions(conn, "films", "letterboxd", [
            Interaction(user_id="u", item_id="f1", value=5.0),
            Interaction(user_id="u", item_id="f19", value=4.0)])
    report = run(write(path, ROWS[:10]))
    assert report.dropped_interactions == 1  # type: ignore[attr-defined]
    assert [r.item_id for r in memory.store.interactions("films")] == ["f1"]
    other = write(tmp_path / "other" / "films.jsonl", ROWS[:3])
    run(other, replace=True)
    assert memory.store.interactions("films") == []  # a new source starts a new history
