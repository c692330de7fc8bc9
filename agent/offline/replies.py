"""The offline model's voice: a reply written from the tool results of the turn.

Phrasing varies between turns but not between runs: every choice comes from a
`random.Random` seeded by the turn (its text and its position in the thread),
so a test, a demo and a bug report all see the same sentence. Film facts come
only from the tool results; nothing here invents a title, a year or a number.
"""

from __future__ import annotations

import random
from typing import Any

Step = tuple[dict[str, Any], dict[str, Any]]  # (tool call, parsed tool result)

_INTRO = ("Here are a few {d} for you:", "You might like these {d}:", "Try one of these {d}:",
          "Some {d} I think you'll enjoy:", "A handful of {d} to consider:")  # fmt: skip
_OUTRO = ('Ask "why #1?" for my reasoning, or tell me what you think of any of them.',
          "Tell me which ones you've seen or liked, and I'll learn from it.",
          'Say "more like #2" to go deeper, or "something else" to move on.', "")  # fmt: skip
_GREET = ("Hi! I'm Tastebud. Tell me what you're in the mood for, or name a film you loved.",
          "Hello! What kind of film are you after tonight?",
          "Hey there. Ask me for a film: a mood, a genre, a decade or something like a favourite.")  # fmt: skip
_HELP = ("I recommend films from the catalog and learn from what you tell me. Try: "
         '"something like Alien but funnier", "80s horror without gore", "why the first?", '
         '"tell me about #2", "I loved the second one", "3/5 for Heat", "less horror", '
         '"never westerns", "trust people like me more", "what do you know about me?", "undo".')  # fmt: skip
_CHAT = ("Happy to help whenever you want a film. What are you in the mood for?",
         "Sure. If you want a suggestion, just describe a mood, a genre or a film you liked.",
         "I'm best at films: ask me for something, or tell me what you thought of one.")  # fmt: skip
_FEEDBACK = {
    "love": ("Glad you loved {t}! I'll lean towards films like it.", "{t} is a keeper, then. Noted."),
    "like": ("Good to hear you liked {t}; I've noted it.", "Noted: you liked {t}."),
    "dislike": ("Got it, {t} isn't for you. I'll steer away from films like it.",
                "Noted: {t} missed the mark. I'll adjust."),
    "rate": ("Thanks, I've recorded {r:g}/5 for {t}.", "Noted: {t} gets {r:g}/5 from you."),
    "seen": ("Noted that you've seen {t}; I won't suggest it again.",
             "Okay, {t} is already seen; it's off future lists."),
}  # fmt: skip


def social(intent: str, seed: int) -> str:
    rng = random.Random(seed)
    if intent == "greeting":
        return rng.choice(_GREET)
    if intent == "help":
        return _HELP
    return rng.choice(_CHAT)


def write(steps: list[Step], seed: int) -> str:
    """One reply for all the tool steps of a turn, in order."""
    rng = random.Random(seed)
    parts = [_one(call, result, rng) for call, result in steps]
    return "\n\n".join(p for p in parts if p).strip() or "Done."


def _one(call: dict[str, Any], result: dict[str, Any], rng: random.Random) -> str:
    name, args = call["name"], call.get("args", {})
    if not result.get("ok"):
        return _error(args, result)
    data = result.get("data") or {}
    if name in ("recommend", "search", "similar_to"):
        return _films(name, args, data, rng)
    if name == "explain":
        return _explain(data)
    if name == "item_details":
        return _details(data)
    if name == "give_feedback":
        item = data.get("item", {})
        template = rng.choice(_FEEDBACK.get(data.get("signal", "like"), _FEEDBACK["like"]))
        return template.format(t=_label(item), r=data.get("rating") or 0)
    if name == "adjust_preferences":
        return _prefs(data)
    if name == "show_profile":
        return _profile(data)
    return ""


def _label(item: dict[str, Any]) -> str:
    year = item.get("year")
    return f"{item.get('title', '?')} ({year})" if year else str(item.get("title", "?"))


def _error(args: dict[str, Any], result: dict[str, Any]) -> str:
    cands = result.get("candidates") or []
    if cands:
        listed = ", ".join(_label(c) for c in cands[:5])
        return f"I'm not sure which film you mean ({result.get('error', '')}). Did you mean: {listed}?"
    return f"I couldn't do that: {result.get('error', 'unknown problem')}."


def _describe(args: dict[str, Any]) -> str:
    """A noun phrase for the request: "funny films in the spirit of Alien, without horror"."""
    head = " ".join(x for x in (str(args.get("query") or ""), "/".join(args.get("genres", [])).lower())
                    if x)  # fmt: skip
    bits = [f"{head} films".strip()]
    lo, hi = args.get("year_min"), args.get("year_max")
    if lo and hi and hi - lo == 9 and lo % 10 == 0:
        bits.append(f"from the {lo}s")
    elif lo and hi:
        bits.append(f"from {lo}-{hi}" if lo != hi else f"from {lo}")
    elif lo:
        bits.append(f"from {lo} on")
    elif hi:
        bits.append(f"up to {hi}")
    if args.get("people"):
        bits.append("with " + " or ".join(args["people"]))
    if args.get("like_titles"):
        bits.append("in the spirit of " + " and ".join(args["like_titles"]))
    avoid = [*args.get("exclude_genres", []), *args.get("avoid", [])]
    if avoid:
        bits.append("without " + " or ".join(avoid).lower())
    return " ".join(bits)


def _row(row: dict[str, Any]) -> str:
    extra = ", ".join(row.get("genres", [])[:3])
    if row.get("by"):
        extra += f"; dir. {row['by']}"
    return f"{row['n']}. {_label(row)}" + (f" — {extra}" if extra else "")


def _films(name: str, args: dict[str, Any], data: dict[str, Any], rng: random.Random) -> str:
    rows = data.get("list", [])
    if not rows:
        return (f"I couldn't find any {_describe(args)}. Try loosening a filter, "
                "or describe it differently.")  # fmt: skip
    lines = [_row(r) for r in rows]
    if name == "search":
        head = f"That sounds like {_label(rows[0])}."
        return head + ("\nOther candidates:\n" + "\n".join(lines[1:]) if len(lines) > 1 else "")
    if name == "similar_to":
        head = rng.choice(("If you like {t}, try these:", "More in the vein of {t}:",
                           "Close relatives of {t}:")).format(t=_label(data.get("item", {})))  # fmt: skip
    else:
        head = rng.choice(_INTRO).format(d=_describe(args))
    outro = rng.choice(_OUTRO)
    return "\n".join([head, *lines] + ([outro] if outro else []))


_WORDS = {"collaborative": "people with taste like yours rated it highly",
          "content": "it is close in content to what you like or asked for",
          "popularity": "it is widely watched and well liked"}  # fmt: skip


def _explain(data: dict[str, Any]) -> str:
    """Plain words first (the biggest contributions), then the engine's exact breakdown."""
    item, bd, text = data.get("item", {}), data.get("breakdown", {}), str(data.get("text", ""))
    comps = sorted((c for c in bd.get("components") or [] if c.get("available", True)),
                   key=lambda c: -c["contribution"])  # fmt: skip
    reasons = [_WORDS.get(c["name"], c["name"]) + f" ({c['contribution']:+.2f})"
               for c in comps[:2] if c["contribution"] > 0.02]  # fmt: skip
    adjs = sorted(bd.get("adjustments") or [], key=lambda a: -abs(a["value"]))
    reasons += [f"{a['reason']} ({a['value']:+.2f})" for a in adjs[:1] if abs(a["value"]) >= 0.02]
    total = bd.get("total")
    head = f"{_label(item)} scores {total:.3f} for you" if total is not None else _label(item)
    plain = f"{head}: " + ("; ".join(reasons) if reasons else "no single strong reason") + "."
    detail = "\n".join(text.splitlines()[1:]) if text else ""
    return plain + (f"\nThe exact breakdown:\n{detail}" if detail else "")


def _details(data: dict[str, Any]) -> str:
    genres = ", ".join(data.get("genres", [])).lower() or "film"
    who = f" directed by {', '.join(data['directors'])}" if data.get("directors") else ""
    cast = f", with {', '.join(data['cast'][:3])}" if data.get("cast") else ""
    runtime = f" It runs {data['runtime']} minutes." if data.get("runtime") else ""
    synopsis = f"\n{data['description']}" if data.get("description") else ""
    return f"{_label(data)} is a {genres}{who}{cast}.{runtime}{synopsis}"


def _prefs(data: dict[str, Any]) -> str:
    if "undone" in data:
        return f"Undone: {data['undone']}." if data["undone"] else "There was nothing to undo."
    if "reset" in data:
        return f"All preference rules cleared ({data['reset']} removed)."
    return "Done: " + "; ".join(data.get("applied", [])) + ". Your next lists will reflect it."


def _profile(data: dict[str, Any]) -> str:
    weights = ", ".join(f"{k} {v:.2f}" for k, v in data.get("weights", {}).items())
    out = [f"From {data.get('events', 0)} signals so far, your blend is {weights}."]
    if data.get("likes"):
        out.append("You lean towards " + ", ".join(k.split(":", 1)[-1] for k, _ in data["likes"]) + ".")
    if data.get("dislikes"):
        out.append("Less so: " + ", ".join(k.split(":", 1)[-1] for k, _ in data["dislikes"]) + ".")
    if data.get("rules"):
        out.append("Rules in force: " + "; ".join(data["rules"]) + ".")
    return " ".join(out)
