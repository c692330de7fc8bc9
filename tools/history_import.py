"""An exported history (Letterboxd, IMDb) becomes feedback: match, plan, learn in one go.

Per film the rows of an export are merged into the signals chat would have
recorded: its rating becomes `rate` (ratings.csv; else the newest rated diary
entry; IMDb's rating), a film watched but never rated becomes `seen`, a liked
film `like`, a watchlist film not yet watched `want` (kept listable, a mild
positive). Ratings go onto the reward table's 1-5 scale: Letterboxd's stars as
they are (half a star counts as one), IMDb's 1-10 halved (1 and 2 count as 1).

Each signal gets a key naming what was exported (the site, the film, and for a
rating its value and date), so re-importing an export adds nothing and a newer
export adds only what changed. The events are learned in date order, which is
the order the recency of likes is read in.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tools.feedback import BatchEntry, FeedbackService
from tools.history_files import Export, HistoryRow
from tools.history_match import HistoryMatcher, Match

Progress = Callable[[int, int], None]
ORDER = {"rate": 0, "seen": 1, "like": 2, "want": 3}


def rating_on_five(site: str, rating: float) -> float:
    """The site's rating on the reward table's 1-5 scale."""
    return max(1.0, rating / 2.0 if site == "imdb" else rating)


@dataclass
class ImportReport:
    site: str
    catalog: str
    rows: int = 0
    matched: int = 0
    ambiguous: int = 0
    unmatched: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    planned: Counter[str] = field(default_factory=Counter)  # signals planned, by name
    added: int = 0
    already: int = 0
    dry_run: bool = False
    problems: list[tuple[HistoryRow, Match]] = field(default_factory=list)
    entries: list[BatchEntry] = field(default_factory=list)  # what the export means, oldest first
    weights_before: dict[str, float] = field(default_factory=dict)
    weights_after: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"{self.site}: {self.rows} row(s): {self.matched} matched, {self.ambiguous}"
                 f" ambiguous, {self.unmatched} unmatched (catalog {self.catalog!r})"]
        if self.skipped:
            lines.append("skipped (not films): " + ", ".join(
                f"{n} {kind}" for kind, n in self.skipped.most_common()))
        plan = ", ".join(f"{n} {s}" for s, n in sorted(self.planned.items(), key=lambda kv: ORDER[kv[0]]))
        if self.dry_run:
            new = sum(self.planned.values()) - self.already
            lines.append(f"dry run, nothing stored: would record {new} new event(s),"
                         f" {self.already} already imported (in all: {plan or 'none'})")
        else:
            lines.append(f"recorded {self.added} new event(s), {self.already} already imported"
                         f" (in all: {plan or 'none'})")
            moved = [f"{n} {self.weights_before.get(n, 0):.2f}->{w:.2f}"
                     for n, w in self.weights_after.items()
                     if abs(w - self.weights_before.get(n, 0.0)) >= 0.005]
            if moved:
                lines.append("weights: " + ", ".join(moved))
        return "\n".join(lines)

    def write(self, path: Path) -> int:
        """The ambiguous and unmatched rows with their best candidate, as CSV; returns the count."""
        with Path(path).expanduser().open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["file", "line", "title", "year", "status", "best_candidate",
                          "candidate_id", "score", "other_candidates"])
            for row, m in self.problems:
                best = m.best
                others = "; ".join(f"{i.label} [{i.id}] {s:g}" for i, s in m.candidates[1:])
                out.writerow([row.file, row.line, row.title, row.year or "", m.status,
                              best[0].label if best else "", best[0].id if best else "",
                              f"{best[1]:g}" if best else "", others])
        return len(self.problems)


def _key(site: str, signal: str, item_id: str, row: HistoryRow | None = None) -> str:
    if signal == "rate" and row is not None:
        return f"{site}|rate|{item_id}|{row.rating:g}|{row.date}"
    return f"{site}|{signal}|{item_id}"


def _entry(site: str, signal: str, item_id: str, row: HistoryRow) -> tuple[tuple, BatchEntry]:
    value = rating_on_five(site, row.rating) if signal == "rate" and row.rating else None
    origin = {"site": site, "where": row.where, "title": row.title, "year": row.year,
              "date": row.date, "rating": row.rating}
    text = f"imported from {site} ({row.where})"
    entry = BatchEntry(item_id, signal, _key(site, signal, item_id, row), value, text, origin)
    return (row.date or "9999", ORDER[signal], row.file, row.line), entry


def _newest(rows: Iterable[HistoryRow]) -> HistoryRow | None:
    return max(rows, key=lambda r: (r.date, r.line), default=None)


def plan(export: Export, matches: dict[int, Match]) -> list[BatchEntry]:
    """The signals an export means, per film, oldest first (`matches` by row index)."""
    by_item: dict[str, list[HistoryRow]] = {}
    for n, row in enumerate(export.rows):
        m = matches[n]
        if m.item is not None:
            by_item.setdefault(m.item.id, []).append(row)
    planned: list[tuple[tuple, BatchEntry]] = []
    site = export.site
    for item_id, rows in by_item.items():
        kinds = {r.kind for r in rows}
        rated = _newest(r for r in rows if r.kind in ("rating", "imdb"))
        rated = rated or _newest(r for r in rows if r.kind == "diary" and r.rating is not None)
        watched = [r for r in rows if r.kind in ("watched", "diary")]
        if rated is not None:
            planned.append(_entry(site, "rate", item_id, rated))
        elif watched:
            planned.append(_entry(site, "seen", item_id, min(watched, key=lambda r: r.date or "9999")))
        if "like" in kinds:
            planned.append(_entry(site, "like", item_id, next(r for r in rows if r.kind == "like")))
        if "watchlist" in kinds and rated is None and not watched and "like" not in kinds:
            wish = next(r for r in rows if r.kind == "watchlist")
            planned.append(_entry(site, "want", item_id, wish))
    return [e for _, e in sorted(planned, key=lambda p: p[0])]


def import_export(export: Export, matcher: HistoryMatcher, feedback: FeedbackService,
                  user_id: str, *, dry_run: bool = False, progress: Progress | None = None,
                  match_progress: Progress | None = None) -> ImportReport:
    """Match every row, then record the planned signals in one transaction (unless dry_run)."""
    report = ImportReport(export.site, feedback.catalog_name, rows=len(export.rows),
                          skipped=Counter(export.skipped), dry_run=dry_run)
    cache: dict[tuple, Match] = {}
    matches: dict[int, Match] = {}
    for n, row in enumerate(export.rows):
        others = (row.original_title,) if row.original_title else ()
        key = (row.title, row.year, row.imdb_id, others)
        if key not in cache:
            cache[key] = matcher.match(row.title, row.year, row.imdb_id, others)
        m = matches[n] = cache[key]
        if m.status == "matched":
            report.matched += 1
        else:
            report.ambiguous += m.status == "ambiguous"
            report.unmatched += m.status == "unmatched"
            report.problems.append((row, m))
        if match_progress is not None and (n % 200 == 199 or n == len(export.rows) - 1):
            match_progress(n + 1, len(export.rows))
    entries = report.entries = plan(export, matches)
    report.planned = Counter(e.signal for e in entries)
    if dry_run:
        logged = feedback.store.import_keys(user_id, feedback.catalog_name)
        report.already = sum(e.key in logged for e in entries)
        return report
    result = feedback.record_batch(user_id, export.site, entries, progress)
    report.added, report.already = result.added, result.already
    report.weights_before, report.weights_after = result.weights_before, result.weights_after
    return report
