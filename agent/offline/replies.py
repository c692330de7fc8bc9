"""The offline model's voice: a reply written from the tool results of the turn.

Phrasing varies between turns but not between runs: every choice comes from a
`random.Random` seeded by the turn (its text and its position in the thread),
so a test, a demo and a bug report all see the same sentence. Film facts come
only from the tool results; nothing here invents a title, a year or a number.

Every sentence of Tastebud's own is a template in TEMPLATES, filled by `say`.
Slots are filled only with words Tastebud owns (titles and people as the catalog
spells them, vocabulary genres, numbers, see agent/offline/describe.py) or with
tool text that quotes what the user typed, never with the raw text itself; the
engine's own lines (breakdown rows and notes, evidence, preference descriptions)
are passed through. tests/test_replies.py renders every template over a grid of
slot values, and whole replies over a grid of requests, to hold that and to
catch doubled words. A new kind of reply adds its templates here and sample
slot values there.

Replies are Markdown laid out as a person reads them: a sentence, a blank line,
the numbered list or the breakdown table, a blank line, the closing sentence.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from agent.offline.describe import describe, label
from tools.explain import HEADER, compact_rows, evidence_lines
from tools.plot_search import WEAK_MATCH

Step = tuple[dict[str, Any], dict[str, Any]]  # (tool call, parsed tool result)

TEMPLATES: dict[str, tuple[str, ...]] = {
    "intro": ("Here are a few {what} for you:", "You might like these {what}:",
              "Try one of these {what}:", "Some {what} I think you'll enjoy:",
              "A handful of {what} to consider:"),
    "outro": ('Ask "why #1?" for my reasoning, or tell me what you think of any of them.',
              "Tell me which ones you've seen or liked, and I'll learn from it.",
              'Say "more like #2" to go deeper, or "something else" to move on.', ""),
    "similar": ("If you like {film}, try these:", "More in the vein of {film}:",
                "Close relatives of {film}:"),
    "search": ("That sounds like {film} (similarity {similarity}).",),
    "search_weak": ("Nothing matches that description well; the closest is {film} "
                    "(similarity {similarity}).",),
    "clarify": ("Sorry, I'm not sure what you'd like: should I {doing}, or {other}?",
                "Just to check: do you want me to {doing} or to {other}?"),
    "verdict": ("Verdict: worth watching if you want {genres}{tags}. Ask \"why\" to see how it "
                "scores for your taste.",
                "My take: a good pick for a {genres} night{tags}. Ask \"why\" to see how it "
                "scores for your taste."),
    "search_more": ("Other candidates:",),
    "nothing": ("I couldn't find any {what}. Try loosening a filter, or describe it differently.",),
    "greeting": ("Hi! I'm Tastebud. Tell me what you're in the mood for, or name a film you loved.",
                 "Hello! What kind of film are you after tonight?",
                 "Hey there. Ask me for a film: a mood, a genre, a decade or something like a "
                 "favourite."),
    "help": ("I recommend films from the catalog and learn from what you tell me. Try: "
             '"something like Alien but funnier", "80s horror without gore", "why the first?", '
             '"tell me about #2", "I loved the second one", "3/5 for Heat", "less horror", '
             '"never westerns", "trust people like me more", "what do you know about me?", '
             '"undo".',),
    "chitchat": ("Happy to help whenever you want a film. What are you in the mood for?",
                 "Sure. If you want a suggestion, just describe a mood, a genre or a film you "
                 "liked.",
                 "I'm best at films: ask me for something, or tell me what you thought of one."),
    "feedback.love": ("Glad you loved {film}! I'll lean towards films like it.",
                      "{film} is a keeper, then. Noted."),
    "feedback.like": ("Good to hear you liked {film}; I've noted it.", "Noted: you liked {film}."),
    "feedback.dislike": ("Got it, {film} isn't for you. I'll steer away from films like it.",
                         "Noted: {film} missed the mark. I'll adjust."),
    "feedback.rate": ("Thanks, I've recorded {stars}/5 for {film}.",
                      "Noted: {film} gets {stars}/5 from you."),
    "feedback.seen": ("Noted that you've seen {film}; I won't suggest it again.",
                      "Okay, {film} is already seen; it's off future lists."),
    "which": ("I'm not sure which film you mean. Did you mean {films}?",),
    "failed": ("I couldn't do that: {error}.",),
    "why": ("**{film}** scores {score} for you: {reasons}.",),
    "why_unlisted": ("**{film}**: {reasons}.",),
    "moved": ("Listed #{rank}: {variety}.",),
    "details": ("{film} is a {genres} film{who}{cast}.{runtime}",),
    "undone": ("Undone: {rule}.",),
    "nothing_to_undo": ("There was nothing to undo.",),
    "reset": ("All preference rules cleared ({count} removed).",),
    "applied": ("Done: {rules}. Your next lists will reflect it.",),
}

_WORDS = {"collaborative": "people with taste like yours rated it highly",
          "content": "it is close in content to what you like or asked for",
          "popularity": "it is widely watched and well liked"}


def say(kind: str, rng: random.Random, **slots: Any) -> str:
    """One of the templates of `kind`, filled with `slots`."""
    return rng.choice(TEMPLATES[kind]).format(**slots)


def social(intent: str, seed: int) -> str:
    kind = intent if intent in ("greeting", "help") else "chitchat"
    return say(kind, random.Random(seed))


def write(steps: list[Step], seed: int, *, verdict: bool = False) -> str:
    """One reply for all the tool steps of a turn, in order; `verdict` answers "is X worth it?"."""
    rng = random.Random(seed)
    parts = [_one(call, result, rng) for call, result in steps]
    if verdict:
        parts += [_verdict(result.get("data") or {}, rng) for call, result in steps
                  if call["name"] == "item_details" and result.get("ok")]
    return "\n\n".join(p for p in parts if p).strip() or "Done."


def _one(call: dict[str, Any], result: dict[str, Any], rng: random.Random) -> str:
    name, args = call["name"], call.get("args", {})
    if not result.get("ok"):
        return _error(result, rng)
    data = result.get("data") or {}
    if name in ("recommend", "search", "similar_to"):
        return _films(name, args, data, rng)
    if name == "explain":
        return _explain(data, rng)
    if name == "item_details":
        return _details(data, rng)
    if name == "give_feedback":
        signal = data.get("signal", "like")
        kind = f"feedback.{signal}" if f"feedback.{signal}" in TEMPLATES else "feedback.like"
        return say(kind, rng, film=label(data.get("item", {})), stars=f"{data.get('rating') or 0:g}")
    if name == "adjust_preferences":
        return _prefs(data, rng)
    if name == "show_profile":
        return _profile(data)
    return ""


def _error(result: dict[str, Any], rng: random.Random) -> str:
    cands = result.get("candidates") or []
    if cands:
        return say("which", rng, films=" or ".join(label(c) for c in cands[:5]))
    return say("failed", rng, error=str(result.get("error") or "unknown problem").rstrip("."))


def _row(row: dict[str, Any]) -> str:
    extra = ", ".join(row.get("genres", [])[:3])
    if row.get("directors"):
        extra += f"; dir. {row['directors'][0]}"
    return f"{row['n']}. {label(row)}" + (f" — {extra}" if extra else "")


def _films(name: str, args: dict[str, Any], data: dict[str, Any], rng: random.Random) -> str:
    rows = data.get("list", [])
    if not rows:
        return say("nothing", rng, what=describe(args, data))
    lines = "\n".join(_row(r) for r in rows)
    if name == "search":
        best = float(rows[0].get("similarity", rows[0].get("score")) or 0.0)
        kind = "search" if best >= WEAK_MATCH else "search_weak"
        head = say(kind, rng, film=label(rows[0]), similarity=f"{best:.2f}")
        more = "\n".join(_row(r) for r in rows[1:])
        return head + (f"\n\n{say('search_more', rng)}\n\n{more}" if more else "")
    if name == "similar_to":
        head = say("similar", rng, film=label(data.get("item", {})))
    else:
        head = say("intro", rng, what=describe(args, data))
    outro = say("outro", rng)
    return "\n\n".join(p for p in (head, lines, outro) if p)


def _explain(data: dict[str, Any], rng: random.Random) -> str:
    """A sentence in plain words, the breakdown table (the `w` modal's rows, at most six: the
    smallest adjustments folded into one), then why it sits where it does in the list, the
    breakdown's notes and the nearest liked films."""
    bd = data.get("breakdown") or {}
    comps = sorted((c for c in bd.get("components") or [] if c.get("available", True)),
                   key=lambda c: -c["contribution"])
    reasons = [_WORDS.get(c["name"], c["name"]) for c in comps[:2] if c["contribution"] > 0.02]
    adjs = sorted(bd.get("adjustments") or [], key=lambda a: -abs(a["value"]))
    reasons += [a["reason"] for a in adjs[:1] if abs(a["value"]) >= 0.02 and a.get("reason")]
    film = label(data.get("item") or data)
    because = "; ".join(reasons) or "no single strong reason"
    total = bd.get("total")
    head = (say("why", rng, film=film, score=f"{total:.3f}", reasons=because) if total is not None
            else say("why_unlisted", rng, film=film, reasons=because))
    parts = [head]
    rows = compact_rows(bd)
    if rows:
        parts.append(markdown_table(rows))
    words = []
    if data.get("variety"):
        words.append(say("moved", rng, rank=data.get("rank"), variety=data["variety"]))
    words += [f"Note: {note.rstrip('.')}." for note in bd.get("notes") or []]
    words += [f"{line.rstrip('.')}." for line in evidence_lines(data)[:2]]
    if words:
        parts.append("\n".join(words))
    return "\n\n".join(parts)


def markdown_table(rows: Sequence[tuple[str, ...]]) -> str:
    """The breakdown as a Markdown table: text left, numbers right."""

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = "|:--|" + "--:|" * (len(HEADER) - 1)
    return "\n".join([line(HEADER), align, *(line(r) for r in rows)])


def _details(data: dict[str, Any], rng: random.Random) -> str:
    genres = "/".join(g.lower() for g in data.get("genres", [])) or "feature"
    who = f" directed by {', '.join(data['directors'])}" if data.get("directors") else ""
    cast = f", with {', '.join(data['cast'][:3])}" if data.get("cast") else ""
    runtime = f" It runs {data['runtime']} minutes." if data.get("runtime") else ""
    text = say("details", rng, film=label(data), genres=genres, who=who, cast=cast, runtime=runtime)
    return text + (f"\n\n{data['description']}" if data.get("description") else "")


def _prefs(data: dict[str, Any], rng: random.Random) -> str:
    if "undone" in data:
        return say("undone", rng, rule=data["undone"]) if data["undone"] else say(
            "nothing_to_undo", rng)
    if "reset" in data:
        return say("reset", rng, count=data["reset"])
    return say("applied", rng, rules="; ".join(data.get("applied", [])))


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


# ---- a clarifying question, and a verdict on one film -------------------------------------
_DOING = {"recommend": "suggest films", "refine": "change the current list",
          "reject": "show other films", "group": "find a film for several people",
          "search": "find a film from its story", "similar": "find similar films",
          "explain": "explain a pick", "details": "describe a film",
          "feedback": "note what you thought of a film",
          "feedback+recommend": "note your opinion and suggest more",
          "preference": "change your lasting preferences", "show_profile": "show what I've learned",
          "greeting": "say hello", "help": "explain what I can do", "chitchat": "just chat"}


def clarify(top: str, other: str, seed: int) -> str:
    """One short question naming the two likeliest readings; nothing was done."""
    doing, alt = _DOING.get(top, "suggest films"), _DOING.get(other, "just chat")
    return say("clarify", random.Random(seed), doing=doing,
               other=alt if alt != doing else "something else")


def _verdict(data: dict[str, Any], rng: random.Random) -> str:
    """ "Is X worth watching?": a verdict from the film's own facts (its genres and tags)."""
    tags = [str(k).replace("-", " ") for k in (data.get("keywords") or [])[:3]]
    genres = "/".join(data.get("genres", [])[:2]).lower() or "film"
    return say("verdict", rng, genres=genres, tags=f" that is {', '.join(tags)}" if tags else "")
