"""`tastebud ingest`, `catalog list|stats|rm|restore-demo` and `train`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from memory.bootstrap import ACTIVE_CATALOG_KEY, active_catalog_name, ensure_demo, open_memory
from memory.catalog_admin import (
    DEMO_CATALOG,
    CatalogIdentityError,
    check_name,
    name_from_stem,
    remove_catalog,
    vector_store_state,
)
from memory.ingest.limits import RatingScale
from memory.ingest.pipeline import ingest
from memory.ingest.readers import IngestError, ReadOptions, detect_format, read_catalog
from memory.ingest.rows import RowError
from memory.model_files import load_meta, model_dir
from memory.settings import Settings
from memory.store import Store
from tui.text_safety import clean, dumps


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


def _catalog_name(path: Path, fmt: str | None, given: str | None) -> str:
    """--catalog NAME when given (checked, never rewritten), else a name made from the file."""
    if given is not None:
        return check_name(given)
    return name_from_stem({"movielens": "movielens", "redial": "redial"}.get(fmt or "", "")
                          or path.stem)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if not args.path.strip():
        raise IngestError([RowError("''", 0, "an empty path")], hint="Give a file or folder.")
    path = Path(args.path).expanduser()
    scale = RatingScale.parse(args.rating_scale) if args.rating_scale else None
    options = ReadOptions(rating_scale=scale, lenient=args.skip_invalid)
    name = _catalog_name(path, args.format or (detect_format(path) if path.exists() else None),
                         args.catalog)
    parsed = read_catalog(path, args.format,
                          Path(args.interactions).expanduser() if args.interactions else None,
                          options)
    if parsed.errors and not args.skip_invalid:
        raise IngestError(parsed.errors)  # before the embedder loads or anything is opened
    memory = open_memory(settings)
    report = ingest(parsed, catalog=name, client=memory.client, store=memory.store,
                    embedder=memory.embedder, skip_invalid=args.skip_invalid,
                    progress=progress_bar(f"ingest {name}"), source_path=parsed.source_path,
                    replace=args.replace)
    print(clean(report.summary()))
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


def _ranker_stats(settings: Settings, version: str | None) -> dict | None:
    """What `tastebud train` learned: validation NDCG@10, when, how long, the weights.

    Read from the model files alone (no vector store), like the rest of `catalog stats`.
    """
    meta = load_meta(model_dir(settings.models_dir, version)) if version else None
    r = (meta or {}).get("ranker")
    if not isinstance(r, dict) or r.get("trained_at") is None:
        return None
    keys = ("weights", "diversity", "recency_tau", "cf_dislike_weight", "train_seconds")
    return {"validation_ndcg@10": r.get("val_ndcg"), "validation_users": r.get("val_users"),
            "trained_at": datetime.fromtimestamp(float(r["trained_at"]), tz=UTC).isoformat(),
            **{k: r.get(k) for k in keys}}


def cmd_catalog(args: argparse.Namespace, settings: Settings) -> int:
    if args.action in ("rm", "restore-demo"):
        return _change_catalogs(args, settings)
    if args.name is not None:
        print(f"tastebud: `catalog {args.action}` takes no name (got {args.name!r});"
              " use --catalog NAME", file=sys.stderr)
        return 2
    # Reading commands open only the database, so they work on a read-only data dir.
    store = Store(settings.db_path)
    active = active_catalog_name(settings, store)
    if args.action == "list":
        rows = [{"name": r.name, "items": r.items, "source": r.source_path or r.source,
                 "active": r.name == active} for r in store.catalog_records()]
        if args.json:
            print(dumps(rows, indent=2))
        elif not rows:
            print("no catalogs yet (the demo is built on first start)")
        for r in rows if not args.json else []:
            print(clean(f"{'*' if r['active'] else ' '} {r['name']:<20} {r['items']:>7} items"
                        f"  ({r['source']})"))
        return 0
    stats = catalog_stats(settings, store, active)
    if args.json:
        print(dumps(stats, indent=2))
    else:
        for key, value in stats.items():
            print(clean(f"{key:>20}: {value}"))
    return 0


def _change_catalogs(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "rm":
        if not args.name:
            print("tastebud: say which catalog: `tastebud catalog rm NAME`", file=sys.stderr)
            return 2
        if args.name == DEMO_CATALOG:
            raise CatalogIdentityError("the bundled catalog 'demo' is not removed;"
                                       " `tastebud catalog restore-demo` rebuilds it")
        memory = open_memory(settings)
        rec = remove_catalog(memory.client, memory.store, args.name, settings.models_dir)
        if memory.store.get_meta(ACTIVE_CATALOG_KEY) == args.name:
            memory.store.set_meta(ACTIVE_CATALOG_KEY, DEMO_CATALOG)
        print(clean(f"removed catalog {rec.name!r} ({rec.items} items, from"
                    f" {rec.source_path or rec.source}) and its interactions"))
        return 0
    memory = open_memory(settings.model_copy(update={"catalog": DEMO_CATALOG}))
    if memory.store.catalog_record(DEMO_CATALOG) is not None:
        remove_catalog(memory.client, memory.store, DEMO_CATALOG, settings.models_dir)
    memory.catalog.refresh()
    report = ensure_demo(memory, progress_bar("restore demo"))
    if report is not None:
        print(report.summary())
    if not memory.catalog.has_cf:  # the shipped model did not fit (another embedder, say)
        _train(memory)
    print("the bundled demo catalog is restored (use it with --catalog demo)")
    return 0


def catalog_stats(settings: Settings, store: Store, name: str) -> dict[str, object]:
    """What the catalog holds, checked against the vector store rather than assumed."""
    rec = store.catalog_record(name)
    vectors, cf_ok = vector_store_state(settings, rec)
    return {
        "catalog": name,
        "items": rec.items if rec else 0,
        "interactions": store.count_interactions(name),
        "interaction_users": store.count_interaction_users(name),
        "embedder": rec.embedder if rec else None,
        "collaborative_model": cf_ok,
        "vector_store": vectors,
        "source": (rec.source_path or rec.source) if rec else None,
        "chroma": settings.chroma_url or str(settings.chroma_path),
        "data_dir": str(settings.data_dir),
        "ranker": _ranker_stats(settings, rec.cf_collection) if rec and cf_ok else None,
    }
