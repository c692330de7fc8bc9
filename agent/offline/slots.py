"""Slot extractors that are patterns, not vocabulary: years and decades, ratings, counts, refs.

Each takes one clause of the user's text (lower-cased) and returns what it
found. They are separate from the vocabulary matcher because they need no
catalog, which also makes them the easiest part of the parser to test.
"""

from __future__ import annotations

import re

from agent.offline.lexicon import NUMBER_WORDS, ORDINALS

_DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950,
                 "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990}  # fmt: skip
_PART = r"(?P<part>early|mid|late)[\s-]*"
_DECADE = re.compile(
    rf"(?:{_PART})?(?:\b(?P<full>(?:18|19|20)\d0)'?s\b|(?<![\w/])'?(?P<short>\d0)'?s\b"
    rf"|\b(?P<word>{'|'.join(_DECADE_WORDS)})\b)"
)
_YEAR = r"((?:18|19|20)\d\d)"
_BETWEEN = re.compile(rf"\bbetween\s+{_YEAR}\s+(?:and|to|-)\s+{_YEAR}\b")
_AFTER = re.compile(rf"\b(after|since|post|newer than|from|later than|at least)\s+(?:the\s+year\s+)?{_YEAR}\b(\s+(?:on|onwards?|or later|and later|and after|and up))?")
_BEFORE = re.compile(rf"\b(before|pre|until|up to|older than|earlier than|prior to)\s+(?:the\s+year\s+)?{_YEAR}\b")
_NEG_BOUND = re.compile(
    rf"\b(?:nothing|no|not|never|don'?t[^.?!]{{0,25}}?|avoid[^.?!]{{0,15}}?)\s+(?:\w+\s+)?(?:from\s+)?"
    rf"(before|older than|earlier than|prior to|after|newer than|later than)\s+(?:the\s+year\s+)?{_YEAR}\b"
)
_FIRST_N = re.compile(r"\b(?:the\s+)?first\s+(two|three|four|2|3|4)\b")
_IN_YEAR = re.compile(rf"\b(?:in|of|released in|made in)\s+{_YEAR}\b")
_RECENT = re.compile(r"\b(recent|recently|newer|new releases?|latest|modern|last few years|new ones|current)\b")
_OLD = re.compile(r"\b(classics?|old(?:er)? (?:movies|films|ones|stuff)|old[- ]school|vintage|golden age|black and white)\b")

_RATINGS = (
    re.compile(r"(?<![\w#])(?P<v>\d+(?:\.\d)?)\s*(?:/|out of|of)\s*(?P<of>5|10|100)\b"),
    re.compile(r"(?<![\w#])(?P<v>\d(?:\.\d)?)\s*stars?\b"),
    re.compile(r"\b(?:rate|rating|rated|score)\b[^.?!]{0,30}?\b(?:an?\s+)?(?P<v>\d(?:\.\d)?)\b"
               r"(?!\s*(?:movies|films|more|/))"),
    re.compile(r"\b(?:give|gave|giving)\s+(?:it|that|this|that one|this one)\s+(?:an?\s+)?"
               r"(?P<v>\d(?:\.\d)?)\b"),
)
_K = re.compile(
    r"\b(?:top\s+(?P<top>\d+|" + "|".join(NUMBER_WORDS) + r")\b"
    r"|(?P<n>\d+|" + "|".join(NUMBER_WORDS) + r")\s+(?:more\s+|other\s+|good\s+|great\s+|new\s+|\w+\s+)?"
    r"(?:movies|films|picks|recommendations|suggestions|options|titles|ideas|ones|comedies|dramas|thrillers|westerns|horrors?|documentaries)\b)"
)
_ORD_WORDS = "|".join(sorted(ORDINALS, key=len, reverse=True))
_REF = re.compile(
    rf"(?:#\s*(?P<hash>\d+)\b|\b(?:number|no\.?|option|pick|item)\s*(?P<num>\d+)\b"
    rf"|\b(?P<the>the\s+)?(?P<ord>{_ORD_WORDS})\b(?P<tail>\s+(?:one|film|movie|pick|title|option|suggestion|recommendation|result)s?\b)?)"
)
_PRONOUN = re.compile(r"\b(it|that one|this one|that|this|that film|that movie|this film|this movie)\b")


def decade_range(text: str, recent_from: int) -> tuple[int | None, int | None]:
    """(year_min, year_max) from "80s", "early 2000s", "after 2000", "recent", "classics"..."""
    lo: int | None = None
    hi: int | None = None
    m = _BETWEEN.search(text)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = _NEG_BOUND.search(text)
    if m:
        older = m.group(1) in ("before", "older than", "earlier than", "prior to")
        return (int(m.group(2)), None) if older else (None, int(m.group(2)))
    for m in _DECADE.finditer(text):
        if m.group("full"):
            start = int(m.group("full"))
        elif m.group("short"):
            d = int(m.group("short"))
            start = (2000 if d <= 20 else 1900) + d
        else:
            start = _DECADE_WORDS[m.group("word")]
        a, b = start, start + 9
        part = m.group("part")
        if part == "early":
            b = start + 4
        elif part == "late":
            a = start + 5
        elif part == "mid":
            a, b = start + 3, start + 7
        lo = a if lo is None else min(lo, a)
        hi = b if hi is None else max(hi, b)
    m = _AFTER.search(text)
    if m:
        word, year, tail = m.group(1), int(m.group(2)), m.group(3)
        if word == "from" and not tail:
            return year, year
        lo = year + 1 if word in ("after", "post", "newer than", "later than") else year
    m = _BEFORE.search(text)
    if m:
        year = int(m.group(2))
        hi = year if m.group(1) in ("until", "up to") else year - 1
    if lo is None and hi is None:
        m = _IN_YEAR.search(text)
        if m:
            return int(m.group(1)), int(m.group(1))
        if _RECENT.search(text):
            lo = recent_from
        elif _OLD.search(text):
            hi = 1979
    return lo, hi


def rating(text: str) -> float | None:
    """A rating on the five-star scale: "3/5" -> 3, "8/10" -> 4, "4 stars" -> 4."""
    for pattern in _RATINGS:
        m = pattern.search(text)
        if not m:
            continue
        value = float(m.group("v"))
        scale = float(m.group("of")) if "of" in pattern.groupindex else 5.0
        if 0 <= value <= scale:
            return round(value * 5.0 / scale, 2)
    return None


def count(text: str) -> int | None:
    """How many results were asked for: "top 3", "five comedies", "give me 4 films"."""
    m = _K.search(text)
    if not m:
        return None
    raw = m.group("top") or m.group("n")
    value = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    return value if 1 <= value <= 50 else None


def refs(text: str) -> list[int]:
    """Ordinal references to the last list: 1-based positions, -1 for "the last one"."""
    out: list[int] = []
    m = _FIRST_N.search(text)
    if m:
        raw = m.group(1)
        return list(range(1, 1 + (int(raw) if raw.isdigit() else NUMBER_WORDS[raw])))
    for m in _REF.finditer(text):
        if m.group("hash") or m.group("num"):
            value = int(m.group("hash") or m.group("num"))
        else:
            word = m.group("ord")
            value = ORDINALS[word]
            after = text[m.end() :].lstrip()
            standalone = not after or after[0] in "?.!,;" or re.match(
                r"(one|and|or|was|is|looks|sounds|seems|please|for me)\b", after
            )
            if word in ("top", "final") and not m.group("tail"):
                continue
            if not (m.group("tail") or (m.group("the") and standalone) or word[0].isdigit()):
                continue
            if word == "last" and re.search(r"\blast\s+(night|week|time|year|month|weekend)", text):
                continue
        if value not in out:
            out.append(value)
    return out


def has_pronoun_ref(text: str) -> bool:
    return bool(_PRONOUN.search(text))
