"""Bad input and missing pieces: cold users, no CF model, empty catalog, bad k, unknown ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.bootstrap import open_memory
from memory.catalog import CatalogError
from memory.settings import Settings
from tests.engine_helpers import build_memory
from tests.fakes import WordHashEmbedder
from tools.engine import Engine, RecommendResult
from tools.profile import Profile


@pytest.fixture(scope="module")
def untrained(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine(build_memory(tmp_path_factory.mktemp("cold")))  # interactions, but no model


def test_untrained_model_falls_back_and_says_so(untrained: Engine) -> None:
    p = Profile("u", liked={"horror-0": 1.0, "horror-1": 1.0})
    result = untrained.recommend(p, k=5)
    assert len(result.items) == 5
    note = "no collaborative model yet; ranked by content and popularity"
    assert note in result.notes
    for r in result.items:
        cf = r.breakdown.component("collaborative")
        assert cf is not None and not cf.available and cf.contribution == 0.0 and cf.weight == 0.0
        assert note in r.breakdown.notes
        weights = {c.name: c.weight for c in r.breakdown.components if c.available}
        assert weights == pytest.approx({"content": 0.4 / 0.6, "popularity": 0.2 / 0.6})
        assert r.score == r.breakdown.total


def test_cold_user_gets_popularity_then_the_query(untrained: Engine) -> None:
    cold = Profile("new")
    plain = untrained.recommend(cold, k=5)
    assert plain.items and all(r.breakdown.component("popularity").available for r in plain.items)
    assert any("no request text and no liked films" in n for n in plain.notes)
    asked = untrained.recommend(cold, query="cowboy desert sheriff", k=3)
    assert all("Western" in r.item.genres for r in asked.items)
    comps = {c.name: c.available for c in asked.items[0].breakdown.components}
    assert comps == {"collaborative": False, "content": True, "popularity": True}


def test_k_is_validated(untrained: Engine) -> None:
    for bad in (0, 101, -3, True, 2.5):
        with pytest.raises(ValueError, match="k must be a whole number from 1 to 100"):
            untrained.recommend(Profile("u"), k=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must be"):
        untrained.search("funny", k=0)
    with pytest.raises(ValueError, match="diversity must be between 0 and 1"):
        untrained.recommend(Profile("u"), diversity=1.5)


def test_unknown_ids_and_empty_search_are_clear_errors(untrained: Engine) -> None:
    with pytest.raises(LookupError, match="no item with id 'nope'"):
        untrained.similar("nope")
    with pytest.raises(LookupError, match="unknown item id"):
        untrained.recommend(Profile("u"), like_ids=["nope"])
    with pytest.raises(ValueError, match="needs a description"):
        untrained.search("   ")


def test_empty_catalog_is_a_catalog_error(tmp_path: Path) -> None:
    memory = open_memory(Settings(data_dir=tmp_path, catalog="nothing"), WordHashEmbedder())
    engine = Engine(memory)
    with pytest.raises(CatalogError, match="catalog 'nothing' is empty: ingest one with"):
        engine.recommend(Profile("u"))
    with pytest.raises(CatalogError, match="is empty"):
        engine.train()
    assert engine.ensure_trained() is None
    assert engine.resolve("Alien").item is None


def test_catalog_without_interactions_or_popularity(tmp_path: Path) -> None:
    from tests.fakes import small_catalog
    from tools.item_json import ItemJSON

    bare = [i.model_copy(update={"popularity": None}) for i in small_catalog(3)]
    engine = Engine(build_memory(tmp_path, community=False, items=bare))
    result = engine.recommend(Profile("u"), k=4)
    assert len(result.items) == 4 and all(r.score == 0.0 for r in result.items)
    assert any("nothing to rank by yet" in n for n in result.notes)
    data = result.to_dict()
    assert ItemJSON.model_validate(data["items"][0]).model_dump() == data["items"][0]
    assert isinstance(result, RecommendResult) and data["notes"] == result.notes
