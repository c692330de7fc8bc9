"""The request, said back as a noun phrase built only from words Tastebud owns.

"80s horror" comes back as "horror films from the 1980s", never as what was
typed: genres are the catalog vocabulary's, titles and people are spelled as
the catalog spells them (read off the tool result, which resolved them), and a
mood word is said only when it is one of the moods the parser knows or a
keyword the listed films carry. Anything else the user typed (a typo, a stray
word) is left out rather than echoed, and no word is said twice.
"""

from __future__ import annotations

import re
from typing import Any

from agent.offline.lexicon import MOOD_SYNONYMS
from memory.items import GENRES, normalize_genre

# How a genre reads before "films": the vocabulary's own name, lower-cased, except
# where that would say "film" twice or read wrongly.
_GENRE_WORD = {g: g.lower() for g in GENRES} | {"Film-Noir": "noir", "Animation": "animated",
                                                "Children": "children's"}
_MOODS = frozenset(MOOD_SYNONYMS.values())


def genre_words(names: list[Any]) -> list[str]:
    """Vocabulary genres for free-form names, each once, in order; unknown names drop out."""
    out: list[str] = []
    for name in names:
        genre = normalize_genre(str(name))
        if genre and genre not in out:
            out.append(genre)
    return out


def describe(args: dict[str, Any], data: dict[str, Any]) -> str:
    """"funny comedy films from the 1990s in the spirit of Alien (1979), without horror"."""
    rows = data.get("list") or []
    genres = genre_words(list(args.get("genres") or []))
    moods = [m for m in _moods(str(args.get("query") or ""), rows)
             if normalize_genre(m) not in genres and m.lower() not in {g.lower() for g in genres}]
    head = [*moods, "/".join(_GENRE_WORD[g] for g in genres)] if genres else moods
    bits = [" ".join([*(h for h in head if h), "films"])]
    years = _years(args.get("year_min"), args.get("year_max"))
    if years:
        bits.append(years)
    countries = [str(c) for c in args.get("countries") or [] if str(c).replace(" ", "").isalpha()]
    if countries:
        bits.append("from " + " or ".join(dict.fromkeys(countries)))
    if isinstance(args.get("runtime_max"), int):
        bits.append(f"under {args['runtime_max'] + 1} minutes")
    elif isinstance(args.get("runtime_min"), int):
        bits.append(f"of {args['runtime_min']} minutes or more")
    people = _people(list(args.get("people") or []), rows)
    if people:
        bits.append("with " + " or ".join(people))
    seeds = [label(i) for i in data.get("like") or [] if isinstance(i, dict) and i.get("title")]
    if seeds:
        bits.append("in the spirit of " + " and ".join(seeds))
    avoid = [_GENRE_WORD[g] for g in genre_words(list(args.get("exclude_genres") or []))]
    avoid += [m for m in (str(a).lower() for a in args.get("avoid") or []) if m in _MOODS]
    if avoid:
        bits.append("without " + " or ".join(dict.fromkeys(avoid)))
    return " ".join(bits)


def label(item: dict[str, Any]) -> str:
    """A film as the catalog spells it: "Alien (1979)"."""
    year = item.get("year")
    return f"{item.get('title', '?')} ({year})" if year else str(item.get("title", "?"))


def _moods(query: str, rows: list[dict[str, Any]]) -> list[str]:
    """The mood words of the query that Tastebud knows, spelled its way ("slow-burn")."""
    text = " " + " ".join(re.findall(r"[a-z0-9']+", query.lower())) + " "
    known = set(_MOODS) | {k for r in rows for k in r.get("keywords") or []}
    found = [k for k in known if f" {k.replace('-', ' ').lower()} " in text]
    return sorted(found, key=lambda k: text.index(f" {k.replace('-', ' ').lower()} "))


def _years(lo: Any, hi: Any) -> str:
    lo = lo if isinstance(lo, int) else None
    hi = hi if isinstance(hi, int) else None
    if lo and hi and hi - lo == 9 and lo % 10 == 0:
        return f"from the {lo}s"
    if lo and hi:
        return f"from {lo} to {hi}" if lo != hi else f"from {lo}"
    if lo:
        return f"from {lo} on"
    if hi:
        return f"up to {hi}"
    return ""


def _people(asked: list[Any], rows: list[dict[str, Any]]) -> list[str]:
    """Each asked-for person as a listed film spells them ("kurosawa" -> "Akira Kurosawa")."""
    known = {p for r in rows for p in [*(r.get("directors") or []), *(r.get("cast") or [])]}
    out: list[str] = []
    for name in asked:
        key = str(name).lower().split()
        match = next((p for p in sorted(known) if p.lower().split() == key), None) or next(
            (p for p in sorted(known) if key and p.lower().split()[-1:] == key[-1:]), None)
        if match and match not in out:
            out.append(match)
    return out
