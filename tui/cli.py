"""The `tastebud` command: parses arguments, builds Settings once, runs one subcommand.

Subcommand bodies live in `tui/cli_*.py`; they are imported only when chosen so
that `tastebud --help` and the TUI start fast. Typed errors from the layers below
are turned into one clear line on stderr and exit code 2 here, at the edge.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from memory.settings import Settings
from tui.text_safety import clean

SIGNALS = ("like", "love", "dislike", "seen", "rate")


def _global_options(p: argparse.ArgumentParser, *, sub: bool = False) -> None:
    # On subcommands the defaults are SUPPRESS, so `tastebud --user a chat` keeps "a"
    # instead of the subparser resetting it to None.
    kw: dict[str, object] = {"default": argparse.SUPPRESS} if sub else {}
    p.add_argument("--user", help="whose taste to use and change (default: your login)", **kw)  # type: ignore[arg-type]
    p.add_argument("--data-dir", help="where Tastebud keeps its data (default: XDG data home)",
                   **kw)  # type: ignore[arg-type]
    p.add_argument("--catalog", help="which ingested catalog to use (default: the last ingested)",
                   **kw)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tastebud",
        description="A conversational movie recommender that learns from your feedback as you "
        "chat. With no subcommand it opens the chat on the bundled demo catalog.",
    )
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _global_options(p, sub=True)
        return p

    chat = add("chat", "open the chat (the Textual UI; --plain for a line-by-line loop)")
    chat.add_argument("--resume", action="store_true", help="continue the last conversation")
    chat.add_argument(
        "--plain", action="store_true", help="a plain terminal loop, no full-screen UI"
    )
    ask = add("ask", "run one chat turn and print the reply")
    ask.add_argument("text")
    ask.add_argument(
        "--json", action="store_true", help="print reply, tool calls and items as JSON"
    )
    ask.add_argument("--new", action="store_true", help="start a fresh conversation first")

    ing = add("ingest", "add or update a catalog from a file or folder (named by --catalog NAME,"
              " default: the file name)")
    ing.add_argument("path")
    ing.add_argument("--format", choices=("jsonl", "csv", "movielens", "redial"))
    ing.add_argument("--interactions", help="a user,item,value[,timestamp] CSV to load too")
    ing.add_argument(
        "--skip-invalid", action="store_true", help="ingest the valid rows, report the rest"
    )
    ing.add_argument(
        "--no-train", action="store_true", help="do not retrain the collaborative model"
    )
    ing.add_argument("--replace", action="store_true",
                     help="replace a catalog of the same name ingested from another file")
    ing.add_argument("--rating-scale", metavar="LOW-HIGH",
                     help="the scale of the ratings in the file (default 1-5; MovieLens 0.5-5)")
    cat = add("catalog", "list, inspect, remove catalogs, or rebuild the bundled demo")
    cat.add_argument("action", choices=("stats", "list", "rm", "restore-demo"))
    cat.add_argument("name", nargs="?", help="with rm: the catalog to remove")
    cat.add_argument("--json", action="store_true")
    add("train", "train the collaborative model of the active catalog")

    rec = add("recommend", "recommend films for the user")
    rec.add_argument("--query", help="what you are in the mood for, in words")
    rec.add_argument("--k", type=int, default=10, help="how many (1-100)")
    rec.add_argument("--json", action="store_true")
    rec.add_argument("--new", action="store_true",
                     help="start a fresh conversation (films shown earlier may come back)")
    rec.add_argument("--include-rated", action="store_true",
                     help="also list films you already rated, liked, disliked or saw")
    for name, text in (("explain", "why a film is recommended, with the numbers"),
                       ("similar", "films like a given one")):
        p = add(name, text)
        p.add_argument("title")
        p.add_argument("--json", action="store_true")
        if name == "similar":
            p.add_argument("--k", type=int, default=10)
    fb = add("feedback", "record feedback on a film: like, dislike, seen or rate N")
    fb.add_argument("title")
    fb.add_argument("signal", choices=SIGNALS)
    fb.add_argument("rating", nargs="?", type=float, help="1-5, with `rate`")
    prefs = add("prefs", "show, undo, reset or rebuild the user's preferences and weights")
    prefs.add_argument("action", choices=("show", "undo", "reset", "rebuild"))
    prefs.add_argument("--json", action="store_true")

    imp = add("import", "import your history: a Letterboxd export (ZIP or folder) or IMDb's"
                        " ratings.csv")
    imp.add_argument("site", choices=("letterboxd", "imdb"))
    imp.add_argument("path", help="Letterboxd: the export ZIP or its folder; IMDb: ratings.csv")
    imp.add_argument("--dry-run", action="store_true", help="show what would be imported, store nothing")
    imp.add_argument("--report", metavar="FILE",
                     help="write the ambiguous and unmatched rows with their nearest film to a CSV")
    ev = add("eval", "run a benchmark: movielens, adapt, redial or nlu")
    ev.add_argument("suite", choices=("movielens", "adapt", "redial", "nlu"))
    ev.add_argument("--data", help="the dataset folder (ml-latest-small or redial)")
    ev.add_argument("--turns", help="redial: a turns JSONL to use instead of the default")
    ev.add_argument("--dialogues", help="redial: a dialogues JSONL to use instead of the default")
    ev.add_argument("--train-dialogues",
                    help="redial: train only on these dialogues (never on a scored one)")
    ev.add_argument("--json", action="store_true")
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    for field, attr in (("user", "user"), ("data_dir", "data_dir"), ("catalog", "catalog")):
        value = getattr(args, attr, None)
        if value is not None:
            overrides[field] = value
    return Settings(**overrides)  # type: ignore[arg-type]


def _handler(command: str) -> Callable[[argparse.Namespace, Settings], int]:
    if command in ("chat", "ask"):
        from tui import cli_chat as mod
    elif command in ("ingest", "catalog", "train"):
        from tui import cli_catalog as mod  # type: ignore[no-redef]
    elif command in ("recommend", "explain", "similar", "feedback", "prefs"):
        from tui import cli_recs as mod  # type: ignore[no-redef]
    elif command == "import":
        from tui import cli_import as mod  # type: ignore[no-redef]
    else:
        from tui import cli_eval as mod  # type: ignore[no-redef]
    return getattr(mod, f"cmd_{command}")  # type: ignore[no-any-return]


def _shown(exc: BaseException, settings: Settings | None) -> str:
    """An error as the user may see it: control characters escaped, the API key blanked.

    The scrubber is imported only here, on the error path, so a command that succeeds
    never loads the agent package for it.
    """
    from agent.secrets import scrub

    key = settings.api_key_value() if settings is not None else None
    return scrub(clean(exc), key)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "chat"
    if args.command is None:
        args.resume, args.plain = False, False
    settings: Settings | None = None
    try:
        settings = load_settings(args)
        return _handler(command)(args, settings)
    except KeyboardInterrupt:
        return 130
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        print(f"tastebud: bad setting {where}: {first['msg']}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError, LookupError, OSError) as exc:
        # Typed errors from below (IngestError, CatalogError, EmbedderError, ...) carry
        # messages written for people; a server may still have echoed the key into one.
        print(f"tastebud: {_shown(exc, settings)}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:
        # A database error that no layer turned into a typed one (e.g. a damaged file
        # found mid-command): name the data dir, never advise throwing data away.
        print(f"tastebud: a database in {getattr(settings, 'data_dir', 'the data dir')} could"
              f" not be used ({_shown(exc, settings)}); nothing more was changed", file=sys.stderr)
        return 2
    except Exception as exc:
        # Last resort, so that no command ever ends in a traceback: the one line says
        # what broke; the exit code (70, EX_SOFTWARE) tells scripts it is a bug.
        print(f"tastebud: unexpected {type(exc).__name__}: {_shown(exc, settings)}. This is a bug;"
              " please report it with the command you ran.", file=sys.stderr)
        return 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
