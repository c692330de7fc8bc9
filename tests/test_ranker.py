"""The ranker `tastebud train` learns: the loss finds a known answer, it is stored and used,
and training never reads an evaluation split's held-out rows."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from memory.bootstrap import open_memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import Parsed
from memory.items import Interaction
from memory.model_files import load_meta, model_dir
from memory.settings import Settings
from tests.engine_helpers import CATALOG, build_memory, genre_community
from tests.fakes import WordHashEmbedder, small_catalog
from tools.collaborative import CFConfig
from tools.engine import Engine
from tools.profile import COMPONENTS
from tools.ranker import Group, fit_shortlisted, fit_weights, ndcg_at
from tools.service import Tastebud
from tools.splits import temporal_split


def test_the_softmax_fit_finds_the_feature_that_ranks_the_positives() -> None:
    rng = np.random.default_rng(1)
    groups = []
    for _ in range(40):
        z = rng.random((30, 3))
        groups.append(Group(z, z[:, 2] > 0.85))  # only feature 2 says which are positives
    w, loss = fit_weights(groups)
    assert abs(w.sum() - 1.0) < 1e-9 and w.min() >= 0.05 - 1e-12
    assert int(np.argmax(w)) == 2 and w[2] > 0.8
    uniform = fit_weights(groups, steps=0)[1]
    assert loss < uniform


def test_the_trained_ranker_is_stored_with_the_catalog_version_and_used(tmp_path: Path) -> None:
    memory = build_memory(tmp_path / "d")
    report = Engine(memory).train()
    assert report.ranker is not None and report.ranker["val_ndcg"] is not None
    directory = model_dir(memory.settings.models_dir, report.collection or "")
    meta = load_meta(directory)
    assert meta is not None and (directory / "nbr_data.npy").exists()
    stored = meta["ranker"]
    assert stored["weights"] == report.ranker["weights"] and stored["trained_at"] is not None

    # a fresh process: a new Memory and Engine read the files, not the training run
    fresh = open_memory(memory.settings, embedder=WordHashEmbedder())
    svc = Tastebud(fresh)
    assert svc.engine.ranker.weights == stored["weights"]
    assert svc.engine.diversity == 0.0  # the test settings pin it; unset it follows the model
    assert svc.profile("newcomer").weights == stored["weights"]  # every user's prior
    top = svc.recommend("synth-horror-0", k=3, thread_id="t").items[0]
    used = {c.name: c.weight for c in top.breakdown.components}
    assert used == pytest.approx({c: stored["weights"][c] for c in COMPONENTS}, abs=1e-12)

    # the popularity counts are part of the trained model: a cold start does not recount them
    assert svc.engine.state.popularity.counts == meta["popularity"]["counts"]
    assert svc.engine.state.popularity.counts["horror-0"] == sum(
        1 for r in fresh.store.interactions(CATALOG) if r.item_id == "horror-0" and r.value >= 4)

    # retraining writes a new version and drops the old one's files
    again = Engine(fresh).train()
    assert again.collection != report.collection and not directory.exists()


def test_unset_diversity_follows_the_trained_model(tmp_path: Path) -> None:
    memory = build_memory(tmp_path / "d")
    memory.settings.diversity = None
    engine = Engine(memory)
    assert engine.diversity == 0.3  # untrained: the old default
    report = engine.train()
    assert report.ranker is not None
    assert engine.diversity == report.ranker["diversity"]


def _trained_model(data_dir: Path, rows: list[Interaction]) -> tuple[dict, bytes]:
    settings = Settings(data_dir=data_dir, user="tester", catalog=CATALOG, diversity=0.0)
    memory = open_memory(settings, embedder=WordHashEmbedder())
    films = small_catalog()
    split = temporal_split(rows)  # what `eval movielens` does: ingest only the training part
    parsed = Parsed(source="test", items=films, interactions=split.train,
                    item_lines={i.id: n for n, i in enumerate(films, 1)})
    ingest(parsed, catalog=CATALOG, client=memory.client, store=memory.store,
           embedder=memory.embedder)
    memory.catalog.refresh()
    report = Engine(memory, cf_config=CFConfig(threads=1)).train()
    assert report.collection is not None and report.ranker is not None
    directory = model_dir(settings.models_dir, report.collection)
    arrays = b"".join((directory / f"{n}.npy").read_bytes() for n in ("nbr_indptr", "nbr_indices", "nbr_data"))
    ranker = {k: v for k, v in report.ranker.items() if k not in ("trained_at", "train_seconds")}
    return ranker, arrays


def test_training_never_reads_the_held_out_rows(tmp_path: Path) -> None:
    rows = genre_community(small_catalog())
    # give every user a time order, so the split holds out their last positives
    rows = [r.model_copy(update={"ts": float(n)}) for n, r in enumerate(rows)]
    split = temporal_split(rows)
    kept = {(r.user_id, r.item_id, r.ts) for r in split.train}
    held = [r for r in rows if (r.user_id, r.item_id, r.ts) not in kept]
    assert held and split.test
    rng = random.Random(7)
    ids = [f.id for f in small_catalog()]
    poisoned = [r for r in rows if (r.user_id, r.item_id, r.ts) in kept] + [
        r.model_copy(update={"item_id": rng.choice(ids)}) for r in held]  # other films held out
    clean_model = _trained_model(tmp_path / "clean", rows)
    poisoned_model = _trained_model(tmp_path / "poisoned", poisoned)
    poisoned_split = temporal_split(poisoned)
    assert poisoned_split.train == split.train and poisoned_split.test != split.test
    assert poisoned_model == clean_model


def test_refitting_on_the_head_of_the_list_never_scores_worse_on_validation() -> None:
    rng = np.random.default_rng(3)
    groups = []
    for _ in range(30):
        z = rng.random((120, 3))
        # positives: a few top items by feature 0, plus far-down ones only feature 2 knows
        pos = (z[:, 0] > 0.97) | (z[:, 2] > 0.985)
        groups.append(Group(z, pos))
    full, _ = fit_weights(groups)
    best, tried = fit_shortlisted(groups)
    assert set(tried) == {"all", "200", "50"}
    assert ndcg_at(groups, best) >= ndcg_at(groups, full) - 1e-12
    assert abs(ndcg_at(groups, best) - max(tried.values())) < 1e-4  # the best of those tried
