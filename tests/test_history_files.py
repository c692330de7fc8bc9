"""Reading exports: both sites' formats, and a clear refusal (file:line) for every kind of bad input."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.history_helpers import IMDB, LETTERBOXD, copy_letterboxd
from tools.history_files import HistoryFileError, read_imdb, read_letterboxd


def _zip(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(folder.rglob("*.csv")):
            zf.write(path, path.relative_to(folder).as_posix())
    return dest


def test_letterboxd_folder_reads_every_file_with_its_kind() -> None:
    export = read_letterboxd(LETTERBOXD)
    kinds = {k: sum(r.kind == k for r in export.rows) for k in
             ("rating", "watched", "diary", "like", "watchlist")}
    assert kinds == {"rating": 39, "watched": 48, "diary": 32, "like": 31, "watchlist": 34}
    amelie = next(r for r in export.rows if r.kind == "rating" and r.title == "Amélie")
    assert (amelie.year, amelie.rating, amelie.date) == (2001, 3.5, "2023-01-08")
    assert amelie.where.endswith("ratings.csv:2")
    assert {r.rating for r in export.rows if r.kind == "rating"} >= {0.5, 1.5, 4.5}
    diary = [r for r in export.rows if r.kind == "diary"]
    assert any(r.rewatch for r in diary) and any(r.rating is None for r in diary)


def test_a_zip_reads_like_its_folder_even_one_level_down(tmp_path: Path) -> None:
    flat = read_letterboxd(_zip(LETTERBOXD, tmp_path / "export.zip"))
    nested_dir = tmp_path / "nested"
    shutil.copytree(LETTERBOXD, nested_dir / "letterboxd-ann-2024")
    nested = read_letterboxd(_zip(nested_dir, tmp_path / "nested.zip"))
    folder = read_letterboxd(LETTERBOXD)
    strip = lambda e: [(r.kind, r.line, r.title, r.year, r.rating, r.date) for r in e.rows]  # noqa: E731
    assert strip(flat) == strip(folder) == strip(nested)
    assert flat.rows[0].file.startswith("export.zip:")


def test_imdb_keeps_only_films_and_reads_ids() -> None:
    export = read_imdb(IMDB)
    assert len(export.rows) == 36 and dict(export.skipped) == {"tvSeries": 1, "tvEpisode": 1}
    first = export.rows[0]
    assert (first.imdb_id, first.rating, first.original_title) == (
        "tt0211915", 1.0, "Le fabuleux destin d'Amélie Poulain")


def test_missing_path_and_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(HistoryFileError, match="no such file"):
        read_letterboxd(tmp_path / "nope.zip")
    with pytest.raises(HistoryFileError, match="no Letterboxd files"):
        read_letterboxd(tmp_path)
    with pytest.raises(HistoryFileError, match="no such file"):
        read_imdb(tmp_path / "ratings.csv")


def test_the_other_sites_file_is_refused_from_its_header(tmp_path: Path) -> None:
    folder = tmp_path / "lb"
    folder.mkdir()
    shutil.copy(IMDB, folder / "ratings.csv")
    with pytest.raises(HistoryFileError) as info:
        read_letterboxd(folder)
    msg = str(info.value)
    assert "ratings.csv:1" in msg and "missing column(s) Date, Name, Rating" in msg
    assert "tastebud import imdb" in msg and "Nothing was imported" in msg
    with pytest.raises(HistoryFileError, match=r"ratings.csv:1: not an IMDb ratings export.*letterboxd"):
        read_imdb(LETTERBOXD / "ratings.csv")


def test_out_of_range_ratings_name_file_and_line(tmp_path: Path) -> None:
    folder = copy_letterboxd(tmp_path / "lb")
    path = folder / "ratings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0] + ",6"
    lines[7] = lines[7].rsplit(",", 1)[0] + ",3.7"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(HistoryFileError) as info:
        read_letterboxd(folder)
    assert "ratings.csv:5: rating 6 is outside Letterboxd's 0.5-5" in str(info.value)
    assert "ratings.csv:8: rating 3.7" in str(info.value)
    imdb = tmp_path / "imdb.csv"
    rows = IMDB.read_text(encoding="utf-8").splitlines()
    rows[3] = rows[3].replace(",5,2020", ",11,2020", 1)
    imdb.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(HistoryFileError, match=r"imdb.csv:4: rating '11' is outside IMDb's 1-10"):
        read_imdb(imdb)


def test_a_broken_zip_and_a_non_utf8_file_are_refused(tmp_path: Path) -> None:
    good = _zip(LETTERBOXD, tmp_path / "export.zip")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(HistoryFileError, match=r"broken\.zip: not a readable ZIP"):
        read_letterboxd(broken)
    folder = copy_letterboxd(tmp_path / "lb")
    path = folder / "watched.csv"
    lines = path.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b",", ",Caf\u00e9 ".encode("latin-1"), 1)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(HistoryFileError, match=r"watched.csv:6: not UTF-8 text"):
        read_letterboxd(folder)


def test_a_single_csv_is_not_a_letterboxd_export() -> None:
    with pytest.raises(HistoryFileError, match="single CSV file"):
        read_letterboxd(LETTERBOXD / "ratings.csv")


def test_hostile_rows_are_refused_with_their_line(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_letterboxd(tmp_path / "lb")
    path = folder / "watched.csv"
    base = path.read_text(encoding="utf-8")
    path.write_text(base + "2024-01-01,\x1b[31mRed\x1b[0m,1999,x\n", encoding="utf-8")
    with pytest.raises(HistoryFileError, match=r"watched.csv:50: Name: .*control"):
        read_letterboxd(folder)
    path.write_text(base + '2024-01-01,"Unclosed,1999,x\n2024-01-02,Heat,1995,y\n', encoding="utf-8")
    with pytest.raises(HistoryFileError, match=r"watched.csv:50: not readable as CSV"):
        read_letterboxd(folder)
    path.write_text(base, encoding="utf-8")
    monkeypatch.setattr("tools.history_files.MAX_FILE_BYTES", 1000)
    with pytest.raises(HistoryFileError, match=r"over the 1,000-byte limit"):
        read_letterboxd(folder)
