"""`tastebud import letterboxd PATH | imdb FILE`: start from the history the user already has."""

from __future__ import annotations

import argparse
from pathlib import Path

from memory.settings import Settings
from tools.history_files import read_export
from tui.cli_catalog import progress_bar
from tui.factory import build_tastebud
from tui.text_safety import clean, clean_line


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    export = read_export(args.site, Path(args.path))  # a bad file is refused before any set-up
    svc = build_tastebud(settings)
    report = svc.import_history(settings.user, args.site, export, dry_run=args.dry_run,
                                match_progress=progress_bar("match"),
                                progress=progress_bar("learn"))
    if args.dry_run:
        for e in report.entries:
            item = svc.item(e.item_id)
            rating = e.origin.get("rating")
            shown = f" {rating:g}" if e.signal == "rate" and rating is not None else ""
            print(clean_line(f"{e.signal:<5}{shown:>5}  {item.label if item else e.item_id}"
                             f"  <- {e.origin.get('where', '')}"))
    print(clean(report.summary()))
    if args.report:
        n = report.write(args.report)
        print(f"wrote {n} ambiguous or unmatched row(s) to {args.report}")
    elif report.problems:
        print("see them with their nearest catalog films: add --report FILE")
    return 0
