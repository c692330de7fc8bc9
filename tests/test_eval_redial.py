"""The ReDial evaluation on a tiny synthetic ReDial: data mapping, no leakage, the metric, the CLI.

The real run (6.5k films, 2.7k turns) is a benchmark, not a test; here a
30-film world with three obvious taste clusters checks the machinery: a
dialogue's own mentions never train the model that scores it, recall counts
(turn, target) pairs, and "new" targets exclude films already mentioned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import bench.eval_redial as ev
from bench import redial_bench
from bench.redial_data import catalog_items, fold_of, load, name_key, split_name
from tests.fakes import WordHashEmbedder

CLUSTERS = {"horror": ("Horror", "haunted ghost scream night"), "comedy": ("Comedy", "funny jokes laugh party"),
            "scifi": ("Sci-Fi", "space robot alien planet")}


def write_dataset(root: Path, n_dialogues: int = 24, id_base: int = 5000) -> Path:
    movies: dict[str, Any] = {}
    for c, (genre, words) in enumerate(CLUSTERS.values()):
        for k in range(10):
            mid = str(1000 + 10 * c + k)
            movies[mid] = {"name": f"{genre} Tale {k} ({1990 + k})", "genre": [genre.lower()],
                           "plot": f"A {words} story number {k}.", "director": [f"Dir {genre}"],
                           "star": [f"Star {genre} {k % 3}"], "imdb_id": f"tt{mid}"}
    dialogues, turns = [], []
    for n in range(n_dialogues):
        c = n % 3
        a, b, r = (str(1000 + 10 * c + (n + j) % 10) for j in (0, 1, 2))
        name = lambda m: movies[m]["name"]  # noqa: E731
        msgs = [(1, "Hi, what do you like?"), (2, f"I loved @{a} and @{b}, anything like them?"),
                (1, f"You should try @{r}"), (2, "thanks!")]
        dialogues.append({"conversationId": str(id_base + n), "initiatorWorkerId": 2, "respondentWorkerId": 1,
                          "movieMentions": {m: name(m) for m in (a, b, r)},
                          "initiatorQuestions": {m: {"suggested": int(m == r), "seen": 1, "liked": 1}
                                                 for m in (a, b, r)},
                          "messages": [{"senderWorkerId": s, "turn_id": t, "text": x}
                                       for t, (s, x) in enumerate(msgs)]})
        turns.append({"dialog_id": str(id_base + n), "turn_id": 2, "rec": [name(r)],
                      "context": ["", msgs[0][1], msgs[1][1].replace(f"@{a}", name(a)).replace(f"@{b}", name(b))]})
    root.mkdir(parents=True, exist_ok=True)
    (root / "movies.json").write_text(json.dumps(movies))
    (root / "dialogues_valid.jsonl").write_text("\n".join(json.dumps(d) for d in dialogues))
    (root / "turns_valid.jsonl").write_text("\n".join(json.dumps(t) for t in turns))
    return root


def test_names_and_items(tmp_path: Path) -> None:
    assert split_name("The Shining  (1980)") == ("The Shining", 1980)
    assert split_name("Tinker Bell") == ("Tinker Bell", None)
    assert name_key("The Shining (1980)") == name_key("The  Shining  (1980)")
    data = load(write_dataset(tmp_path))
    items = {i.id: i for i in catalog_items(data)}
    assert items["1000"].genres == ("Horror",) and items["1000"].year == 1990
    assert data.movie_id("Horror Tale 3 (1993)") == "1003"


def test_evaluation_scores_without_leakage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_dataset(tmp_path / "redial")
    trained_on: list[set[str]] = []
    scored: list[set[str]] = [set()]
    real_train, real_score = ev._train_fold, ev._score

    def spy_train(svc: Any, *a: Any, **kw: Any) -> Any:
        out = real_train(svc, *a, **kw)
        trained_on.append({r.user_id for r in svc.memory.store.interactions(ev.CATALOG)})
        scored.append(set())
        return out

    def spy_score(report: Any, data: Any, turn: Any, *rest: Any) -> None:
        scored[-1].add(f"dlg:{turn.dialog_id}")
        real_score(report, data, turn, *rest)

    monkeypatch.setattr(ev, "_train_fold", spy_train)
    monkeypatch.setattr(ev, "_score", spy_score)
    report = ev.run(root, work_dir=tmp_path / "work", embedder=WordHashEmbedder(), folds=3, diversity=0.0)
    assert report.turns == 24 and report.tastebud_all.n == 24
    for users, dialogues in zip(trained_on, scored[1:], strict=True):
        assert dialogues and not users & dialogues  # never trained on what it scores
    d = report.to_dict()
    assert d["tastebud"]["all"]["R@10"] >= 0.5  # same-cluster films are easy here
    assert d["tastebud"]["new"]["R@50"] == d["tastebud"]["all"]["R@50"]  # targets never pre-mentioned
    assert d["seeker_mentions"]["recall"] == 1.0 and set(d["anchors"]) == set(ev.ANCHORS)
    assert "R@10" in ev.format_report(report)


def test_folds_are_stable_and_balanced() -> None:
    folds = [fold_of(str(n), 5) for n in range(1000)]
    assert folds == [fold_of(str(n), 5) for n in range(1000)]
    assert min(folds.count(f) for f in range(5)) > 150


def test_bench_cli_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_dataset(tmp_path / "redial", n_dialogues=9)
    real_run = ev.run
    monkeypatch.setattr(redial_bench, "run", lambda *a, **kw: real_run(*a, embedder=WordHashEmbedder(), **kw))
    assert redial_bench.main(["--data", str(root), "--work", str(tmp_path / "w"), "--folds", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["turns"] == 9 and {"all", "new"} <= set(out["tastebud"]) and "R@50" in out["popularity"]["all"]


def test_train_dialogues_train_and_the_scored_ones_only_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_dataset(tmp_path / "redial", n_dialogues=9)
    train = write_dataset(tmp_path / "train", n_dialogues=30, id_base=8000) / "dialogues_valid.jsonl"
    trained_on: list[set[str]] = []
    real_train, real_run = ev._train_fold, ev.run

    def spy_train(svc: Any, *a: Any, **kw: Any) -> Any:
        out = real_train(svc, *a, **kw)
        trained_on.append({r.user_id for r in svc.memory.store.interactions(ev.CATALOG)})
        return out

    monkeypatch.setattr(ev, "_train_fold", spy_train)
    monkeypatch.setattr(redial_bench, "run", lambda *a, **kw: real_run(*a, embedder=WordHashEmbedder(), **kw))
    argv = ["--data", str(root), "--work", str(tmp_path / "w"), "--train-dialogues", str(train), "--json"]
    assert redial_bench.main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(trained_on) == 1 and out["folds"] == 1  # disjoint: one model scores every turn
    assert trained_on[0] == {f"dlg:{8000 + n}" for n in range(30)}
    assert out["turns"] == 9
    for name in ("tastebud", "popularity"):
        for k in (1, 10, 50):
            assert out[f"{name}.all.R@{k}"] == out[name]["all"][f"R@{k}"]
