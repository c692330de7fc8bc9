"""Ingest: every bad row named by file:line, all-or-nothing, idempotent, incremental."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from memory.bootstrap import open_memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import IngestError, read_catalog
from memory.settings import Settings
from tests.fakes import WordHashEmbedder

GOOD = [
    {"id": "alien", "title": "Alien", "year": 1979, "genres": ["Horror", "Sci-Fi"],
     "description": "A crew meets a creature in space."},
    {"id": "heat", "title": "Heat", "year": 1995, "genres": "Crime|Thriller",
     "description": "A thief and a detective circle each other in Los Angeles."},
    {"id": "up", "title": "Up", "year": 2009, "genres": ["Animation"], "keywords": ["Balloons"]},
]


def write_jsonl(path: Path, rows: list[dict], extra_lines: list[str] = ()) -> Path:  # type: ignore[assignment]
    path.write_text("\n".join([json.dumps(r) for r in rows] + list(extra_lines)) + "\n")
    return path


@pytest.fixture
def memory(settings: Settings):
    return open_memory(settings, embedder=WordHashEmbedder())


def run(memory, path: Path, **kw):  # type: ignore[no-untyped-def]
    parsed = read_catalog(path, interactions=kw.pop("interactions", None))
    rep = ingest(parsed, catalog="demo", client=memory.client, store=memory.store,
                 embedder=memory.embedder, **kw)
    memory.catalog.refresh()
    return rep


def test_jsonl_ingest_stores_items_and_metadata(memory, tmp_path: Path) -> None:
    rep = run(memory, write_jsonl(tmp_path / "c.jsonl", GOOD))
    assert rep.added == 3 and rep.embedded == 3
    assert len(memory.catalog) == 3
    assert memory.catalog.get("heat").genres == ("Crime", "Thriller")
    assert memory.catalog.get("up").keywords == ("balloons",)
    vec = memory.embedder.embed(["crew creature space"])[0]
    assert memory.catalog.content_query(vec, 1)[0][0] == "alien"


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ('{"id": "x", "year": 1990}', "missing title"),
        ('{"id": "x", "title": "X", "year": "nineteen"}', "bad year 'nineteen'"),
        ('{"id": "x", "title": "X", "year": 3001}', "outside 1870-2100"),
        ('{"id": "x", "title": "X"', "broken JSON"),
        ('{"id": "alien", "title": "Alien again"}', "duplicate id 'alien' (first seen at line 1)"),
    ],
)
def test_bad_rows_refuse_the_whole_ingest_naming_file_and_line(
    memory, tmp_path: Path, bad_line: str, reason: str
) -> None:
    run(memory, write_jsonl(tmp_path / "ok.jsonl", GOOD[:1]))
    path = write_jsonl(tmp_path / "bad.jsonl", GOOD, [bad_line])
    with pytest.raises(IngestError) as info:
        run(memory, path)
    assert f"{path}:4: " in str(info.value)
    assert reason in str(info.value)
    memory.catalog.refresh()
    assert list(memory.catalog.items) == ["alien"]  # the previous catalog is untouched


def test_wrong_encoding_is_reported_with_line(memory, tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(GOOD[0]).encode() + b'\n{"id": "a2", "title": "Am\xe9lie"}\n')
    with pytest.raises(IngestError, match=r"latin1.jsonl:2: not valid UTF-8 \(byte 0xe9"):
        run(memory, path)


def test_skip_invalid_ingests_the_valid_rows_and_reports_the_rest(memory, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", GOOD, ['{"id": "x"}'])
    rep = run(memory, path, skip_invalid=True)
    assert rep.items == 3
    assert [str(e) for e in rep.skipped] == [f"{path}:4: missing title"]
    assert "skipped 1 invalid row" in rep.summary()


def test_reingest_is_idempotent_and_changes_reembed_only_what_changed(
    memory, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", GOOD)
    run(memory, path)
    again = run(memory, path)
    assert again.up_to_date and again.embedded == 0
    changed = [dict(GOOD[0], popularity=99.0), dict(GOOD[1], description="A new plot."), GOOD[2]]
    rep = run(memory, write_jsonl(path, changed))
    assert (rep.changed, rep.embedded, rep.unchanged) == (2, 1, 1)
    assert memory.catalog.get("alien").popularity == 99.0
    assert len(memory.client.list_collections()) == 1  # old versions are dropped


def test_csv_with_interactions(memory, tmp_path: Path) -> None:
    csv_path = tmp_path / "c.csv"
    csv_path.write_text(
        "id,title,year,genres\nalien,Alien,1979,Horror|Sci-Fi\nheat,Heat,1995,Crime\n"
    )
    inter = tmp_path / "i.csv"
    inter.write_text("user_id,item_id,value,timestamp\nu1,alien,5,1\nu1,heat,3,2\nu2,nope,4,3\n")
    with pytest.raises(IngestError, match=r"i.csv:4: interaction for unknown item id 'nope'"):
        run(memory, csv_path, interactions=inter)
    rep = run(memory, csv_path, interactions=inter, skip_invalid=True)
    assert rep.interactions == 2
    assert memory.store.count_interactions("demo") == 2
    run(memory, csv_path, interactions=inter, skip_invalid=True)
    assert memory.store.count_interactions("demo") == 2  # replaced, not doubled


def test_movielens_title_forms(tmp_path: Path) -> None:
    folder = tmp_path / "ml"
    folder.mkdir()
    (folder / "movies.csv").write_text(
        "movieId,title,genres\n"
        '1,"Godfather, The (1972)",Crime|Drama\n'
        "2,Amelie (Fabuleux destin d'Amélie Poulain; Le) (2001),Comedy|Romance\n"
        "3,Untitled,(no genres listed)\n"
    )
    (folder / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,5.0,10\n1,2,4.0,11\n")
    parsed = read_catalog(folder)
    titles = {i.id: (i.title, i.year, i.genres) for i in parsed.items}
    assert titles["1"] == ("The Godfather", 1972, ("Crime", "Drama"))
    assert titles["2"][:2] == ("Amelie", 2001)
    assert titles["3"] == ("Untitled", None, ())
    assert [(r.user_id, r.item_id, r.value) for r in parsed.interactions] == [
        ("ml-1", "1", 5.0), ("ml-1", "2", 4.0)
    ]


class _BrokenEmbedder(WordHashEmbedder):
    """Fails on the second batch, as a model or a remote API can half-way through."""

    def embed(self, texts):  # type: ignore[no-untyped-def]
        if self.calls >= 1:
            raise RuntimeError("embedding service went away")
        return super().embed(texts)


def test_a_failed_embed_leaves_no_collection_and_the_old_catalog(memory, tmp_path: Path) -> None:
    run(memory, write_jsonl(tmp_path / "ok.jsonl", GOOD[:1]))
    before = sorted(c.name for c in memory.client.list_collections())
    many = [{"id": f"m{i}", "title": f"Film {i}"} for i in range(600)]  # > one embed chunk
    parsed = read_catalog(write_jsonl(tmp_path / "big.jsonl", many))
    with pytest.raises(RuntimeError, match="went away"):
        ingest(parsed, catalog="demo", client=memory.client, store=memory.store,
               embedder=_BrokenEmbedder())
    assert sorted(c.name for c in memory.client.list_collections()) == before
    memory.catalog.refresh()
    assert list(memory.catalog.items) == ["alien"]


def test_a_failed_flip_after_embedding_leaves_no_stray_collection(
    memory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memory.store import Store

    run(memory, write_jsonl(tmp_path / "ok.jsonl", GOOD[:1]))
    before = sorted(c.name for c in memory.client.list_collections())

    def broken(*a, **kw):  # type: ignore[no-untyped-def]
        raise sqlite3.IntegrityError("NOT NULL constraint failed: interactions.value")

    monkeypatch.setattr(Store, "replace_interactions", staticmethod(broken))
    with pytest.raises(sqlite3.IntegrityError):
        run(memory, write_jsonl(tmp_path / "c.jsonl", GOOD))
    assert sorted(c.name for c in memory.client.list_collections()) == before
    assert memory.store.catalog_record("demo").items == 1  # type: ignore[union-attr]
