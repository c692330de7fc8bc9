"""`tastebud ingest`, `catalog stats|list` and `train`."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from memory.bootstrap import open_memory
from memory.ingest.pipeline import ingest
from memory.ingest.readers import read_catalog
from memory.settings import Settings


def progress_bar(label: str, stream: TextIO | None = None) -> Callable[[int, int], None]:
    """A one-line text progress bar with items/s, redrawn in place on a terminal."""
    out = stream or sys.stderr
    started = time.perf_counter()
    last = [0.0]

    def update(done: int, total: int) -> None:
        now = time.perf_counter()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(now - started, 1e-9)
        line = (
            f"{label} [{'#' * filled}{'-' * (width - filled)}] {done}/{total} {rate:,.0f} items/s"
        )
        end = "\n" if done >= total else ""
        out.write(("\r" if out.isatty() else "") + line + (end if out.isatty() else "\n"))
        out.flush()

    return update


def _catalog_name(path: Path, fmt: str | None, settings: Settings, explicit: bool) -> str:
    if explicit and settings.catalog:
        name = settings.catalog
    else:
        name = {"movielens": "movielens", "redial": "redial"}.get(fmt or "", "") or path.stem
    name = re.sub(r"[^a-zA-Z0-9._-]+", "-", name).strip("-._")
    if len(name) < 3:
        name = (name + "-catalog")[:12]
    return name


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.path).expanduser()
    parsed = read_catalog(path, args.format, Path(args.interactions) if args.interactions else None)
    fmt = args.format or ("movielens" if path.is_dir() and (path / "movies.csv").exists() else None)
    name = _catalog_name(path, fmt, settings, explicit=bool(args.catalog))
    memory = open_memory(settings)
    report = ingest(parsed, catalog=name, client=memory.client, store=memory.store,
                    embedder=memory.embedder, skip_invalid=args.skip_invalid,
                    progress=progress_bar(f"ingest {name}"))  # fmt: skip
    print(report.summary())
    memory.switch_catalog(name)
    if not args.no_train and memory.store.count_interactions(name):
        _train(memory)
    print(f"catalog {name!r} is now the active one (switch back with --catalog demo)")
    return 0


def _train(memory) -> None:  # type: ignore[no-untyped-def]
    from tools.engine import Engine

    print(Engine(memory).train().summary())


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    memory = open_memory(settings)
    if not memory.catalog.exists:
        print(
            f"tastebud: catalog {memory.catalog.name!r} is empty; ingest it first", file=sys.stderr
        )
        return 2
    _train(memory)
    return 0


def cmd_catalog(args: argparse.Namespace, settings: Settings) -> int:
    memory = open_memory(settings)
    records = memory.store.catalog_records()
    if args.action == "list":
        rows = [{"name": r.name, "items": r.items, "source": r.source,
                 "active": r.name == memory.catalog.name} for r in records]  # fmt: skip
        if args.json:
            print(json.dumps(rows, indent=2))
        for r in rows if not args.json else []:
            print(
                f"{'*' if r['active'] else ' '} {r['name']:<20} {r['items']:>7} items  ({r['source']})"
            )
        return 0
    name = memory.catalog.name
    rec = memory.store.catalog_record(name)
    stats = {
        "catalog": name,
        "items": rec.items if rec else 0,
        "interactions": memory.store.count_interactions(name),
        "interaction_users": memory.store.count_interaction_users(name),
        "embedder": rec.embedder if rec else None,
        "collaborative_model": bool(rec and rec.cf_collection),
        "source": rec.source if rec else None,
        "chroma": settings.chroma_url or str(settings.chroma_path),
        "data_dir": str(settings.data_dir),
    }
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:>20}: {value}")
    return 0
