"""Slot extractors that are patterns, not vocabulary: years and decades, ratings, counts, refs.

Each takes one clause of the user's text (lower-cased) and returns what it
found. They are separate from the vocabulary matcher because they need no
catalog, which also makes them the easiest part of the parser to test.
"""

from __future__ import annotations

import re

from agent.offline.lexicon import NUMBER_WORDS, ORDINALS

_DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950,
                 "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990}
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
_CENTURY = re.compile(r"\b(this|last|the last|the 21st|21st|the 20th|20th|previous)\s+century\b")
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
        m = _CENTURY.search(text)
        if m:
            return (2000, None) if m.group(1) in ("this", "the 21st", "21st") else (None, 1999)
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


_HOURS = {"an": 1.0, "a": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0,
          "1": 1.0, "2": 2.0, "3": 3.0, "4": 4.0, "half an": 0.5, "one and a half": 1.5,
          "an hour and a half": 1.5, "1.5": 1.5, "2.5": 2.5}
_DUR = (r"(?P<v>\d{2,3}|an hour and a half|one and a half|half an|\d(?:\.5)?|an|a|one|two|three|four)"
        r"\s*(?P<unit>minutes?|mins?|m\b|hours?|hrs?|h\b)")
_MAX = re.compile(r"\b(?:under|less than|shorter than|no longer than|at most|max(?:imum)?|below|"
                  r"within|up to|not over|nothing (?:over|longer than|more than|above)|"
                  r"no more than|isn'?t over|not more than|tops)\s+" + _DUR)
_MIN = re.compile(r"\b(?:over|more than|longer than|at least|above|minimum|min|no shorter than|"
                  r"not under)\s+" + _DUR + r"|" + _DUR.replace("?P<v>", "?P<v2>").replace(
                  "?P<unit>", "?P<unit2>") + r"\s+(?:or more|plus|long|or longer)")
_SHORT_WORDS = re.compile(r"\b(short (?:one|ones|film|films|movie|movies)|quick (?:one|watch)|"
                          r"not too long|nothing too long|not long)\b")
_COUNT_WORDS = re.compile(r"\b(?:just|only|give me|show me|like|maybe)\s+(?P<n>\d{1,2}|one|two|three|four|"
                          r"five|six|seven|eight|nine|ten|a couple|a few)\b(?!\s*(?:/|stars?|out of|"
                          r"minutes?|mins?|hours?|hrs?|years?|s\b|'s))")


def _minutes(value: str, unit: str) -> int:
    hours = unit.startswith("h")
    amount = _HOURS.get(value) if not value.isdigit() else float(value)
    if amount is None:
        amount = float(value)
    return round(amount * 60) if hours else int(amount)


def runtime_range(text: str) -> tuple[int | None, int | None]:
    """(runtime_min, runtime_max) in minutes: "under 2 hours", "nothing over 90 minutes"."""
    lo = hi = None
    m = _MAX.search(text)
    if m:
        hi = _minutes(m.group("v"), m.group("unit"))
    m = _MIN.search(text)
    if m and (hi is None or m.start() != _MAX.search(text).start()):  # type: ignore[union-attr]
        v, unit = (m.group("v"), m.group("unit")) if m.group("v") else (m.group("v2"), m.group("unit2"))
        if not (hi is not None and re.search(r"(not|nothing|no)\s+(over|more|longer)", text)):
            lo = _minutes(v, unit)
    if hi is None and lo is None and _SHORT_WORDS.search(text):
        hi = 100
    if lo is not None and hi is not None and lo > hi:
        lo = None
    return (lo if lo is None or 1 <= lo <= 1000 else None, hi if hi is None or 1 <= hi <= 1000 else None)


def count_words(text: str) -> int | None:
    """A count with no film noun: "just two", "only 3 please", "give me a couple"."""
    found = count(text)
    if found is not None:
        return found
    m = _COUNT_WORDS.search(text)
    if not m:
        return None
    raw = m.group("n")
    value = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    return value if 1 <= value <= 20 else None
