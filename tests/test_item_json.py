"""Item JSON: one schema for `recommend`, `similar`, `ask` and `explain --json`, pinned by a snapshot
of its JSON schema; and the list's rank beside the rank the score alone gives (the MMR move).

To accept a deliberate schema change, run
`UPDATE_JSON_SCHEMA_SNAPSHOT=1 .venv/bin/pytest tests/test_item_json.py`, commit the new
tests/snapshots/item_json.schema.json and update the README's "Item JSON" section.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.engine_helpers import trained_engine
from tools.item_json import ExplanationJSON, ItemJSON, ordinal, variety_note
from tools.service import Tastebud
from tui.cli import main

SNAPSHOT = Path(__file__).parent / "snapshots" / "item_json.schema.json"
FILMS = [
    {"id": "heat", "title": "Heat", "year": 1995, "genres": ["Crime", "Thriller"],
     "directors": ["Michael Mann"], "cast": ["Al Pacino", "Robert De Niro", "Val Kilmer", "Jon Voight"],
     "runtime": 170, "country": "United States", "keywords": ["heist"],
     "description": "A master thief and a driven detective circle each other in Los Angeles."},
    {"id": "collateral", "title": "Collateral", "year": 2004, "genres": ["Crime", "Thriller"],
     "directors": ["Michael Mann"], "cast": ["Tom Cruise", "Jamie Foxx"], "runtime": 120,
     "description": "A cab driver spends a night driving a hitman around Los Angeles."},
    {"id": "up", "title": "Up", "year": 2009, "genres": ["Animation", "Adventure"],
     "description": "An old man ties balloons to his house and floats away to South America."},
]


def schemas() -> dict[str, Any]:
    return {"item": ItemJSON.model_json_schema(), "explanation": ExplanationJSON.model_json_schema()}


def test_json_schema_matches_snapshot() -> None:
    rendered = json.dumps(schemas(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_JSON_SCHEMA_SNAPSHOT") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert rendered == SNAPSHOT.read_text(encoding="utf-8"), (
        "the --json item schema changed; if intended, rerun with UPDATE_JSON_SCHEMA_SNAPSHOT=1 "
        "and update the README"
    )


def test_the_schema_names_every_field_a_script_needs() -> None:
    item = schemas()["item"]
    wanted = ["id", "title", "year", "genres", "directors", "cast", "runtime", "country", "score",
              "breakdown"]
    assert set(wanted) <= set(item["required"]) and item["additionalProperties"] is False


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_json_command_prints_items_of_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "films.jsonl"
    path.write_text("\n".join(json.dumps(f) for f in FILMS) + "\n")
    assert main(["ingest", str(path), "--no-train"]) == 0
    capsys.readouterr()
    listed = run_json(capsys, "recommend", "--k", "3")
    similar = run_json(capsys, "similar", "Heat", "--k", "2")
    asked = run_json(capsys, "ask", "something like Heat")["recommendations"]
    explained = run_json(capsys, "explain", "Heat")
    items = [*listed, *similar, *asked]
    assert len(listed) == 3 and similar and asked
    for data in items:
        assert ItemJSON.model_validate(data).model_dump() == data  # no field more, none less
    assert ExplanationJSON.model_validate(explained).model_dump() == explained
    heat = next(i for i in [*items, explained] if i["id"] == "heat")
    assert (heat["genres"], heat["directors"], heat["runtime"], heat["country"]) == (
        ["Crime", "Thriller"], ["Michael Mann"], 170, "United States")
    assert heat["cast"] == ["Al Pacino", "Robert De Niro", "Val Kilmer"]  # the first three
    assert [i["rank"] for i in listed] == [1, 2, 3]
    for data in [*items, explained]:
        parts = sum(c["contribution"] for c in data["breakdown"]["components"])
        assert data["score"] == pytest.approx(parts + sum(a["value"] for a in data["breakdown"]["adjustments"]))


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Tastebud:
    engine = trained_engine(tmp_path_factory.mktemp("moved"))
    return Tastebud(engine.memory, engine=engine)


def test_a_list_knows_where_diversity_moved_each_film(svc: Tastebud) -> None:
    profile = svc.profile("fan")
    plain = svc.engine.recommend(profile, k=8, diversity=0.0).items
    assert [r.rank for r in plain] == [r.score_rank for r in plain] == list(range(1, 9))
    by_score = [r.item.id for r in svc.engine.recommend(profile, k=24, diversity=0.0).items]
    diverse = svc.engine.recommend(profile, k=8, diversity=0.9).items
    assert [r.rank for r in diverse] == list(range(1, 9))
    assert [r.score_rank for r in diverse] == [by_score.index(r.item.id) + 1 for r in diverse]
    assert any(r.rank != r.score_rank for r in diverse), "a strong lambda must move something"


def test_why_says_a_film_moved_up_for_variety(svc: Tastebud) -> None:
    svc.engine.diversity = 0.9
    listed = svc.recommend("vic", k=8, thread_id="t").items
    up = next(r for r in listed if r.score_rank is not None and r.rank < r.score_rank)
    explanation = svc.explain("vic", up.item.id, thread_id="t")
    sentence = f"moved up for variety; its score alone would place it {ordinal(up.score_rank)}"
    assert explanation.variety == sentence and sentence in explanation.text()
    assert explanation.to_dict()["rank"] == up.rank
    steady = next(r for r in listed if r.rank == r.score_rank)
    assert svc.explain("vic", steady.item.id, thread_id="t").variety is None


def test_variety_words() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]
    assert variety_note(2, 5) == "moved up for variety; its score alone would place it 5th"
    assert variety_note(4, 3) == "moved down for variety; its score alone would place it 3rd"
    assert variety_note(3, 3) is None and variety_note(None, 2) is None
