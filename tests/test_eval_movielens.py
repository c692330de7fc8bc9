"""The MovieLens benchmark: metric math by hand, the split, and a whole run on a tiny dataset."""

from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

from bench.eval_movielens import format_table, run, temporal_split
from bench.metrics import coverage, evaluate, mean_popularity, ndcg_at_k, recall_at_k
from memory.items import Interaction
from tests.conftest import shared_path
from tests.fakes import WordHashEmbedder, small_catalog


def test_metrics_by_hand() -> None:
    ranked, relevant = ["a", "b", "c"], {"b", "d"}
    dcg = 1 / math.log2(3)
    assert ndcg_at_k(ranked, relevant, 3) == pytest.approx(dcg / (1 + dcg))  # 0.38685
    assert ndcg_at_k(ranked, relevant, 3) == pytest.approx(0.386853, abs=1e-6)
    assert ndcg_at_k(["b", "d"], relevant, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["b"], {"b", "d", "e"}, 1) == pytest.approx(1.0)  # IDCG uses min(k, |T|)
    assert recall_at_k(ranked, relevant, 2) == 0.5 and recall_at_k(ranked, relevant, 1) == 0.0
    lists = [["a", "b"], ["b", "c"]]
    assert coverage(lists, 10, 2) == pytest.approx(0.3)
    assert mean_popularity(lists, {"a": 10, "b": 2}, 2) == pytest.approx(3.5)
    got = evaluate({"u": ["a", "b", "c"], "v": ["x"]}, {"u": ["b", "d"], "v": ["y"]},
                   {"a": 4.0}, n_items=8, k=2, k_large=3)
    assert got["ndcg@2"] == pytest.approx((dcg / (1 + dcg)) / 2)
    assert got["recall@2"] == pytest.approx(0.25) and got["recall@3"] == pytest.approx(0.25)
    assert got["coverage"] == pytest.approx(3 / 8) and got["mean_popularity"] == pytest.approx(4 / 3)


def _rows(user: str, spec: list[tuple[str, float]]) -> list[Interaction]:
    return [Interaction(user_id=user, item_id=i, value=v, ts=float(t)) for t, (i, v) in enumerate(spec)]


def test_temporal_split_holds_out_the_last_fifth_of_positives() -> None:
    u = _rows("u", [("i1", 5), ("i2", 2), ("i3", 4), ("i4", 4.5), ("i5", 4), ("i6", 1),
                    ("i7", 5), ("i8", 4)])
    v = _rows("v", [(f"j{n}", 4.0) for n in range(10)])
    w = _rows("w", [("k1", 5), ("k2", 5), ("k3", 5), ("k4", 5), ("k5", 3)])
    split = temporal_split(u + v + w)
    assert split.test == {"u": ["i8"], "v": ["j8", "j9"]}  # 6 positives -> 1; 10 -> 2; w has 4
    train = defaultdict(list)
    for r in split.train:
        train[r.user_id].append(r.item_id)
    assert train["u"] == ["i1", "i2", "i3", "i4", "i5", "i6", "i7"]
    assert train["v"] == [f"j{n}" for n in range(8)] and len(train["w"]) == 5


def _write_movielens(folder: Path, seed: int = 0) -> None:
    """small_catalog() as a MovieLens folder, rated by genre-loyal users in time order."""
    items = small_catalog()
    folder.mkdir()
    with (folder / "movies.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["movieId", "title", "genres"])
        for n, item in enumerate(items, 1):
            out.writerow([n, f"{item.title} ({item.year})", "|".join(item.genres)])
    rng = random.Random(seed)
    with (folder / "ratings.csv").open("w", newline="") as fh, \
            (folder / "tags.csv").open("w", newline="") as tags:
        out, tag_out = csv.writer(fh), csv.writer(tags)
        out.writerow(["userId", "movieId", "rating", "timestamp"])
        tag_out.writerow(["userId", "movieId", "tag", "timestamp"])
        for user in range(1, 41):
            genre = items[(user % 5) * 8].genres[0]
            mine = [n for n, i in enumerate(items, 1) if i.genres[0] == genre]
            other = [n for n, i in enumerate(items, 1) if i.genres[0] != genre]
            picks = [(m, 4.5) for m in rng.sample(mine, 7)] + [(m, 2.0) for m in rng.sample(other, 2)]
            rng.shuffle(picks)
            for t, (movie, stars) in enumerate(picks):
                out.writerow([user, movie, stars, 1_000_000 + 1000 * user + t])
            tag_out.writerow([user, picks[0][0], genre.lower(), 1_000_000])


def test_a_whole_run_on_a_tiny_dataset(tmp_path: Path) -> None:
    data = tmp_path / "ml"
    _write_movielens(data)
    lines: list[str] = []
    with threadpool_limits(1, "blas"):  # tiny matrices: BLAS threads only add stalls
        result = run(data, embedder=WordHashEmbedder(), work_dir=tmp_path / "work", say=lines.append)
    systems = result["systems"]
    assert set(systems) == {"most-popular", "ItemKNN", "ALS", "EASE", "tastebud (shipped)"}
    for m in systems.values():
        assert 0.0 <= m["ndcg@10"] <= 1.0 and m["recall@10"] <= m["recall@50"] <= 1.0
        assert 0.0 < m["coverage"] <= 1.0 and m["mean_popularity"] >= 0.0
    # genre-loyal users: anything collaborative beats chance by far, popularity does not
    assert systems["tastebud (shipped)"]["ndcg@10"] > systems["most-popular"]["ndcg@10"]
    assert systems["most-popular"]["coverage"] <= 19 / 40  # top 10 of 40, minus <= 9 seen
    assert result["split"]["test_users"] == 40 and result["split"]["items"] == 40
    # the shipped row used the model `tastebud train` stored, with its validation score
    shipped = result["tuned"]["tastebud (shipped)"]
    assert set(shipped["weights"]) == {"collaborative", "content", "popularity"}
    assert shipped["val_ndcg"] is not None
    table = format_table(result)
    assert "| tastebud (shipped) |" in table and "best baseline" in table
    assert any(line.startswith("tastebud train:") for line in lines)


def test_split_of_the_real_movielens_small() -> None:
    from memory.ingest.readers import read_catalog

    parsed = read_catalog(shared_path("data", "movielens-small"), "movielens")
    split = temporal_split(parsed.interactions)
    assert len(split.test) > 550
    last_train: dict[str, float] = {}
    for r in split.train:
        last_train[r.user_id] = max(last_train.get(r.user_id, 0.0), r.ts)
    by_pair = {(r.user_id, r.item_id): r for r in parsed.interactions}
    for user, items in split.test.items():
        assert items and all(by_pair[(user, i)].value >= 4.0 for i in items)
        assert all(by_pair[(user, i)].ts >= last_train[user] for i in items)
