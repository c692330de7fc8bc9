"""`tastebud recommend | explain | similar | feedback | prefs`: the recommender from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from memory.settings import Settings
from tools.service import Tastebud
from tui.factory import build_tastebud
from tui.text_safety import clean, clean_line, dumps


def conversation(settings: Settings, new: bool = False) -> str:
    """The user's current conversation (the one `ask` continues); `new` starts a fresh one.

    Lists shown earlier in it are kept out of the next `recommend`, so "more" gives
    new films; `recommend --new` forgets them.
    """
    from agent.threads import ThreadRegistry

    registry = ThreadRegistry(settings.data_dir / "threads.json")
    return registry.new(settings.user) if new else registry.current_or_new(settings.user)


def ranked_line(n: int, r) -> str:  # type: ignore[no-untyped-def]
    parts = " ".join(
        f"{c.name[:6]} {c.contribution:.2f}" for c in r.breakdown.components if c.available
    )
    adj = sum(a.value for a in r.breakdown.adjustments)
    genres = ", ".join(r.item.genres)
    return clean_line(
        f"{n:>2}. {r.item.label} — {genres}  score {r.score:.3f}  [{parts}; adj {adj:+.2f}]"
    )


def _print_list(svc: Tastebud, result, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        print(dumps([r.to_dict() for r in result.items], indent=2))
        return
    for note in result.notes:
        print(clean(f"note: {note}"))
    for n, r in enumerate(result.items, start=1):
        print(ranked_line(n, r))


def _resolve(svc: Tastebud, title: str):  # type: ignore[no-untyped-def]
    res = svc.resolve(title)
    if res.item is not None:
        return res.item
    if res.candidates:
        names = "; ".join(f"{c.label} [{c.id}]" for c, _ in res.candidates[:8])
        raise LookupError(f"{title!r} matches several films, say which: {names}")
    raise LookupError(f"no film in catalog {svc.catalog_name!r} looks like {title!r}")


def cmd_recommend(args: argparse.Namespace, settings: Settings) -> int:
    svc = build_tastebud(settings)
    thread = conversation(settings, new=getattr(args, "new", False))
    result = svc.recommend(settings.user, query=args.query, k=args.k, thread_id=thread,
                           include_rated=getattr(args, "include_rated", False))
    _print_list(svc, result, args.json)
    return 0


def cmd_similar(args: argparse.Namespace, settings: Settings) -> int:
    svc = build_tastebud(settings)
    item = _resolve(svc, args.title)
    result = svc.similar(settings.user, item.id, k=args.k, thread_id=conversation(settings))
    _print_list(svc, result, args.json)
    return 0


def cmd_explain(args: argparse.Namespace, settings: Settings) -> int:
    svc = build_tastebud(settings)
    item = _resolve(svc, args.title)
    explanation = svc.explain(settings.user, item.id, thread_id=conversation(settings))
    if args.json:
        print(dumps(explanation.to_dict(), indent=2))
    else:
        print(clean(explanation.text()))
    return 0


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    if args.signal == "rate" and args.rating is None:
        print("tastebud: `rate` needs a rating from 1 to 5, e.g. `rate 4`", file=sys.stderr)
        return 2
    if args.signal != "rate" and args.rating is not None:
        print(f"tastebud: a number only goes with `rate` (got `{args.signal} {args.rating:g}`)",
              file=sys.stderr)
        return 2
    svc = build_tastebud(settings)
    item = _resolve(svc, args.title)
    value = args.rating if args.signal == "rate" else None
    result = svc.feedback(settings.user, item.id, args.signal, value=value,
                          text=f"tastebud feedback {args.signal}")
    print(clean(result.message))
    return 0


def cmd_prefs(args: argparse.Namespace, settings: Settings) -> int:
    svc = build_tastebud(settings, prepare=False)
    user = settings.user
    if args.action == "undo":
        undone = svc.undo_preference(user)
        print(clean(f"undone: {undone}") if undone else "nothing to undo")
        return 0
    if args.action == "reset":
        print(f"reset {svc.reset_preferences(user)} preference rule(s)")
        return 0
    if args.action == "rebuild":
        rebuilt = svc.rebuild(user)
        print(json.dumps(rebuilt, indent=2) if args.json else
              f"replayed {rebuilt['events']} event(s); stored state "
              f"{'matches' if rebuilt['matches'] else 'DIFFERED and was replaced'}")
        return 0
    rules = svc.preference_rules(user)
    taste = svc.taste(user)
    if args.json:
        print(dumps({"rules": rules, "weights": taste.weights, "n_events": taste.n_events,
                     "imported": taste.imported,
                     "top_positive": taste.top_positive, "top_negative": taste.top_negative},
                    indent=2))
        return 0
    imported = ", ".join(f"{n} from {source}" for source, n in taste.imported.items())
    print(clean(f"{user}: {taste.n_events} feedback event(s)" + (f" ({imported})" if imported else "")))
    print("weights: " + ", ".join(f"{k} {v:.2f}" for k, v in taste.weights.items()))
    if taste.top_positive:
        print(clean("likes:    " + ", ".join(f"{k} {v:+.2f}" for k, v in taste.top_positive)))
    if taste.top_negative:
        print(clean("dislikes: " + ", ".join(f"{k} {v:+.2f}" for k, v in taste.top_negative)))
    if not rules:
        print("no preference rules (say things like 'less horror' or 'only after 2000')")
    for rule in rules:
        when = datetime.fromtimestamp(rule["ts"]).strftime("%Y-%m-%d %H:%M")
        print(clean_line(f'  #{rule["id"]} {when}  {rule["description"]}  — from: "{rule["text"] or ""}"'))
    return 0
