"""Importing a history through the facade: the feedback path, idempotence, atomicity, the report."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.history_helpers import IMDB, LETTERBOXD, copy_letterboxd, history_memory
from tools.engine import Engine
from tools.history_files import HistoryFileError
from tools.learning import replay
from tools.service import Tastebud


@pytest.fixture
def svc(tmp_path: Path) -> Tastebud:
    return Tastebud(history_memory(tmp_path / "d"))


def _by_item(svc: Tastebud, user: str) -> dict[tuple[str, str], float | None]:
    return {(e.item_id or "", e.signal): e.value for e in svc.memory.store.feedback_events(user)}


def test_letterboxd_rows_become_chat_feedback_with_their_source(svc: Tastebud) -> None:
    report = svc.import_history("ann", "letterboxd", LETTERBOXD)
    assert (report.rows, report.matched, report.ambiguous, report.unmatched) == (184, 162, 2, 20)
    assert dict(report.planned) == {"rate": 37, "seen": 7, "like": 29, "want": 20}
    assert report.added == 93 and report.already == 0
    events = svc.memory.store.feedback_events("ann")
    assert len(events) == 93 and {e.source for e in events} == {"letterboxd"}
    got = _by_item(svc, "ann")
    assert got[("amelie-2001", "rate")] == 3.5  # accents, half star
    assert got[("das-boot-1981", "rate")] == 1.0  # half a star counts as the lowest rating
    assert got[("suspiria-1977", "rate")] != got.get(("suspiria-2018", "seen"), "x")
    assert ("king-kong-2005", "seen") in got  # watched, never rated
    assert not any(i.startswith("emma-") for i, _ in got)  # ambiguous: never matched silently
    das_boot = next(e for e in events if e.item_id == "das-boot-1981")
    assert das_boot.detail["import"]["rating"] == 0.5 and das_boot.detail["import"]["where"]
    profile = svc.profile("ann")
    assert "king-kong-2005" in profile.seen and "vertigo-1958" in profile.wanted
    assert not profile.wanted & (profile.seen | set(profile.liked))


def test_reimporting_adds_nothing_and_a_newer_export_only_what_is_new(
    svc: Tastebud, tmp_path: Path
) -> None:
    svc.import_history("ann", "letterboxd", LETTERBOXD)
    state = svc.memory.store.user_state("ann")
    again = svc.import_history("ann", "letterboxd", LETTERBOXD)
    assert (again.added, again.already) == (0, 93)
    assert svc.memory.store.user_state("ann") == state
    newer = copy_letterboxd(tmp_path / "newer")
    with (newer / "ratings.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["2024-05-01", "Vertigo", "1958", "https://boxd.it/v", "5"],
                                  ["2024-05-02", "Amélie", "2001", "https://boxd.it/a", "4.5"]])
    report = svc.import_history("ann", "letterboxd", newer)
    # the watchlisted Vertigo is now rated, Amélie re-rated: two new keys, the rest logged already
    assert report.added == 2 and report.already == 91
    new = svc.memory.store.feedback_events("ann")[-2:]
    assert [(e.item_id, e.signal, e.value) for e in new] == [
        ("vertigo-1958", "rate", 5.0), ("amelie-2001", "rate", 4.5)]
    assert "vertigo-1958" not in svc.profile("ann").wanted


def test_prefs_rebuild_reproduces_the_imported_state(tmp_path: Path) -> None:
    memory = history_memory(tmp_path / "d", with_community=True)
    engine = Engine(memory)
    engine.train()
    svc = Tastebud(memory, engine=engine)
    report = svc.import_history("ann", "letterboxd", LETTERBOXD)
    assert report.weights_after != report.weights_before  # credit went through the learner
    stored, n = memory.store.user_state("ann")
    events = memory.store.feedback_events("ann")
    assert n == len(events) == 93 and events[-1].state_after == stored
    assert replay(events) == stored
    assert svc.rebuild("ann")["matches"] is True
    svc.feedback("ann", "jaws-1975", "like")  # chat feedback continues from the imported state
    last = memory.store.feedback_events("ann")[-1]
    assert last.state_before == stored and last.source == "chat"


def test_import_never_changes_the_catalog(svc: Tastebud) -> None:
    store, name = svc.memory.store, svc.catalog_name
    before = (store.catalog_record(name), dict(svc.memory.catalog.items),
              store.count_interactions(name))
    svc.import_history("ann", "letterboxd", LETTERBOXD)
    svc.import_history("ann", "imdb", IMDB)
    svc.memory.catalog.refresh()
    assert (store.catalog_record(name), dict(svc.memory.catalog.items),
            store.count_interactions(name)) == before


def test_a_refused_export_stores_nothing(svc: Tastebud, tmp_path: Path) -> None:
    folder = copy_letterboxd(tmp_path / "lb")
    path = folder / "watchlist.csv"
    path.write_text(path.read_text(encoding="utf-8") + "2024-09-09,Heat,nineteen,x\n",
                    encoding="utf-8")
    with pytest.raises(HistoryFileError, match=r"watchlist.csv:36: year 'nineteen'"):
        svc.import_history("ann", "letterboxd", folder)
    assert svc.memory.store.feedback_events("ann") == []
    assert svc.memory.store.user_state("ann") == (None, 0)


def test_the_commit_is_one_transaction(svc: Tastebud, monkeypatch: pytest.MonkeyPatch) -> None:
    learner, store = svc.learner, svc.memory.store
    original, append = learner.apply, store.append_events
    calls = {"n": 0}

    def failing(state, event):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 99:  # 93 scored, 1 chat event, then 5 into the commit's re-apply
            raise RuntimeError("disk full")
        return original(state, event)

    def chat_first(user_id, catalog, source, change):  # type: ignore[no-untyped-def]
        svc.feedback("ann", "jaws-1975", "like")  # the stored state moves: the commit re-applies
        return append(user_id, catalog, source, change)

    monkeypatch.setattr(learner, "apply", failing)
    monkeypatch.setattr(store, "append_events", chat_first)
    with pytest.raises(RuntimeError, match="disk full"):
        svc.import_history("ann", "letterboxd", LETTERBOXD)
    assert [e.signal for e in store.feedback_events("ann")] == ["like"]
    assert store.import_keys("ann", svc.catalog_name) == set()


def test_state_moved_during_an_import_is_applied_on_top(svc: Tastebud,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = svc.memory.store
    append = store.append_events

    def chat_first(user_id, catalog, source, change):  # type: ignore[no-untyped-def]
        svc.feedback("ann", "jaws-1975", "dislike")  # another window, mid-import
        return append(user_id, catalog, source, change)

    monkeypatch.setattr(store, "append_events", chat_first)
    svc.import_history("ann", "letterboxd", LETTERBOXD)
    events = store.feedback_events("ann")
    assert events[0].signal == "dislike" and len(events) == 94
    assert replay(events) == store.user_state("ann")[0]


def test_dry_run_stores_nothing_and_counts_what_is_new(svc: Tastebud) -> None:
    dry = svc.import_history("ann", "imdb", IMDB, dry_run=True)
    assert dry.dry_run and dry.already == 0 and sum(dry.planned.values()) == 34
    assert svc.memory.store.feedback_events("ann") == []
    assert "would record 34 new event(s)" in dry.summary()
    svc.import_history("ann", "imdb", IMDB)
    assert svc.import_history("ann", "imdb", IMDB, dry_run=True).already == 34


def test_imdb_ratings_are_halved_and_matched_by_id(svc: Tastebud) -> None:
    report = svc.import_history("bob", "imdb", IMDB)
    assert (report.matched, report.ambiguous, report.unmatched) == (34, 1, 1)
    assert dict(report.skipped) == {"tvSeries": 1, "tvEpisode": 1}
    got = _by_item(svc, "bob")
    assert got[("amelie-2001", "rate")] == 1.0  # 1/10
    assert got[("leon-1994", "rate")] == 4.0  # 8/10
    assert got[("psycho-1998", "rate")] is not None  # the remake, by its id
    assert {e.source for e in svc.memory.store.feedback_events("bob")} == {"imdb"}


def test_watchlist_films_stay_listable_with_a_small_lift(svc: Tastebud) -> None:
    svc.import_history("ann", "letterboxd", LETTERBOXD)
    profile = svc.profile("ann")
    shown = svc.recommend("ann", k=30).items
    ids = {r.item.id for r in shown}
    assert ids & profile.wanted and not ids & profile.seen
    lifted = next(r for r in shown if r.item.id in profile.wanted)
    assert [a.value for a in lifted.breakdown.adjustments if a.name == "watchlist"] == [0.05]


def test_the_report_lists_every_unmatched_row_with_its_nearest_film(svc: Tastebud,
                                                                    tmp_path: Path) -> None:
    report = svc.import_history("ann", "letterboxd", LETTERBOXD)
    out = tmp_path / "report.csv"
    assert report.write(out) == 22
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 22 and {r["status"] for r in rows} == {"ambiguous", "unmatched"}
    nosferatu = next(r for r in rows if r["title"] == "Nosferatu")
    assert (nosferatu["candidate_id"], nosferatu["score"]) == ("nosferatu-1922", "100")
    emma = next(r for r in rows if r["title"] == "Emma")
    assert emma["status"] == "ambiguous" and "Emma (1996)" in emma["other_candidates"]
