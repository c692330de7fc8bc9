"""The import benchmark's own pieces: the exports it writes are real Letterboxd files."""

from __future__ import annotations

from pathlib import Path

from bench.import_bench import match_accuracy, write_letterboxd
from tests.history_helpers import history_items
from tools.history_files import read_letterboxd
from tools.history_match import HistoryMatcher


def test_written_exports_read_back_as_letterboxd_ratings(tmp_path: Path) -> None:
    rows = [("Amélie", 2001, 4.5, 1_000_000_000.0), ("Heat", None, 0.5, 1_100_000_000.0)]
    export = read_letterboxd(write_letterboxd(tmp_path / "lb", rows))
    assert [(r.kind, r.title, r.year, r.rating, r.date) for r in export.rows] == [
        ("rating", "Amélie", 2001, 4.5, "2001-09-09"), ("rating", "Heat", None, 0.5, "2004-11-09")]


def test_match_accuracy_counts_ambiguous_titles_apart() -> None:
    items = history_items()
    result = match_accuracy(HistoryMatcher(items), items)
    # the two 1996 "Emma"s are ambiguous; every other film finds itself
    assert (result["right"], result["ambiguous"], result["wrong"]) == (len(items) - 2, 2, 0)
