"""Countries and languages people name ("something Japanese", "a French film", "from Korea").

The catalog has a production country per film and no language field, so a
language is read as the country whose films are in it ("in Spanish" -> Spain,
Mexico, Argentina). Only countries the catalog actually has are kept, so the
filter never asks for something that cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# word people say -> catalog countries it means
COUNTRY_WORDS: dict[str, tuple[str, ...]] = {
    "japan": ("Japan",), "japanese": ("Japan",), "jp": ("Japan",),
    "france": ("France",), "french": ("France",),
    "italy": ("Italy",), "italian": ("Italy",),
    "korea": ("South Korea",), "korean": ("South Korea",), "south korea": ("South Korea",),
    "south korean": ("South Korea",), "k": (),
    "china": ("China", "Hong Kong", "Taiwan"), "chinese": ("China", "Hong Kong", "Taiwan"),
    "mandarin": ("China", "Taiwan"), "cantonese": ("Hong Kong",),
    "hong kong": ("Hong Kong",), "taiwan": ("Taiwan",), "taiwanese": ("Taiwan",),
    "india": ("India",), "indian": ("India",), "bollywood": ("India",), "hindi": ("India",),
    "germany": ("Germany", "West Germany"), "german": ("Germany", "West Germany"),
    "spain": ("Spain",), "spanish": ("Spain", "Mexico", "Argentina"),
    "mexico": ("Mexico",), "mexican": ("Mexico",),
    "argentina": ("Argentina",), "argentinian": ("Argentina",), "argentine": ("Argentina",),
    "brazil": ("Brazil",), "brazilian": ("Brazil",), "portuguese": ("Brazil",),
    "sweden": ("Sweden",), "swedish": ("Sweden",), "denmark": ("Denmark",), "danish": ("Denmark",),
    "scandinavian": ("Sweden", "Denmark"), "nordic": ("Sweden", "Denmark"),
    "russia": ("Soviet Union",), "russian": ("Soviet Union",), "soviet": ("Soviet Union",),
    "ussr": ("Soviet Union",), "iran": ("Iran",), "iranian": ("Iran",), "persian": ("Iran",),
    "uk": ("United Kingdom",), "britain": ("United Kingdom",), "british": ("United Kingdom",),
    "england": ("United Kingdom",), "english": ("United Kingdom",), "scottish": ("United Kingdom",),
    "united kingdom": ("United Kingdom",), "brit": ("United Kingdom",),
    "usa": ("United States",), "us": (), "american": ("United States",), "hollywood": ("United States",),
    "united states": ("United States",), "america": ("United States",),
    "australia": ("Australia",), "australian": ("Australia",), "aussie": ("Australia",),
    "new zealand": ("New Zealand",), "kiwi": ("New Zealand",), "canada": ("Canada",),
    "canadian": ("Canada",), "ireland": ("Ireland",), "irish": ("Ireland",),
    "netherlands": ("Netherlands",), "dutch": ("Netherlands",), "hungary": ("Hungary",),
    "hungarian": ("Hungary",), "indonesia": ("Indonesia",), "indonesian": ("Indonesia",),
    "south africa": ("South Africa",), "south african": ("South Africa",),
    "asian": ("Japan", "South Korea", "China", "Hong Kong", "Taiwan", "India", "Indonesia"),
    "european": ("France", "Italy", "Germany", "West Germany", "Spain", "Sweden", "Denmark",
                 "United Kingdom", "Soviet Union", "Ireland", "Netherlands", "Hungary"),
    "foreign": (), "world": (),
}
# "English" and "American" are also how people describe language or style, not a filter,
# unless they come with a film noun ("an English film", "American movies").
_WEAK = frozenset({"english", "american", "us", "k", "foreign", "world", "brit"})
_NOUN = r"(?:\s+(?:-?language\s+)?(?:film|films|movie|movies|one|ones|cinema|picture|pictures|drama|dramas|comedy|comedies|thriller|thrillers|horror|animation|anime|western|classic|classics|stuff))"
_WORDS = sorted(COUNTRY_WORDS, key=len, reverse=True)
_ANY = re.compile(r"\b(" + "|".join(re.escape(w) for w in _WORDS) + r")\b")
_LANG = re.compile(r"\b(?:in|spoken in|language:?)\s+(" + "|".join(re.escape(w) for w in _WORDS) + r")\b")


def countries(text: str, known: Iterable[str] | None = None) -> list[str]:
    """Catalog countries named in a (lower-cased) clause, in order, without repeats."""
    allowed = set(known) if known is not None else None
    out: list[str] = []
    for m in _ANY.finditer(text):
        word = m.group(1)
        if word in _WEAK:
            after = text[m.end() :]
            if not (re.match(_NOUN, after) or _LANG.match(text, m.start() - 12 if m.start() >= 12 else 0)):
                continue
        if _negated(text, m.start()):
            continue
        for c in COUNTRY_WORDS[word]:
            if (allowed is None or c in allowed) and c not in out:
                out.append(c)
    return out


def _negated(text: str, start: int) -> bool:
    return bool(re.search(r"\b(no|not|nothing|without|except|but not|non)\s+(?:\w+\s+)?$",
                          text[max(0, start - 20) : start]))
