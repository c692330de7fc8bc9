"""Finding catalog names in a message: titles, people, genres and moods, with their negations.

The matcher walks word n-grams longest first, so "In the Heat of the Night"
beats "Heat" and "romantic comedy" beats "romantic". Titles that are ordinary
words ("Heat", "Up", "Her") need evidence before they count: a capital letter
mid-sentence, or a cue word such as "like" or "loved" right before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from agent.offline.lexicon import ORDINALS, STOPWORDS, Tok, Vocabulary, fold, words

TITLE_CUES = words(
"like liked loved love hated hate watched seen saw about why explain than enjoyed rate "
    "rated to as adored disliked finished rewatched pick picked chose recommend recommended "
    "suggested is was on"
)
NEGATORS = words(
"not no without less never avoid nothing dont skip except minus fewer stop non hate hates "
    "tired sick enough zero instead exclude excluding cant wont dislike dislikes isnt arent "
    "wasnt doesnt nor"
)
SCOPE_BREAKS = words("but though yet rather with just only plus")
_MAX_N = 12
FUZZY_MIN = 80  # typed span vs the whole title: a prefix alone ("even" -> "Even Money") is not enough


@dataclass
class Span:
    kind: str  # "title" | "person" | "genre" | "mood"
    value: str | tuple[str, ...]
    first: int  # token index
    last: int  # token index, inclusive
    negator: str | None = None  # the word that negates it ("no", "less", "never", ...)


def _sentence_initial(toks: list[Tok], i: int) -> bool:
    j = i - 1
    while j >= 0 and not toks[j].word and toks[j].norm == ",":
        j -= 1
    return j < 0 or toks[j].norm in ".!?;:"


def _prev_word(toks: list[Tok], i: int) -> str:
    j = i - 1
    while j >= 0 and not toks[j].word:
        j -= 1
    return toks[j].norm if j >= 0 else ""


def _title_ok(vocab: Vocabulary, key: str, toks: list[Tok], idx: list[int]) -> bool:
    if key not in vocab.common_titles or _year_after(toks, idx[-1]):
        return True
    first = next((i for i in idx if toks[i].norm not in ("the", "a", "an")), idx[0])
    cap = toks[first].cap
    strict = len(key) <= 3 or all(w in STOPWORDS for w in key.split())
    if _sentence_initial(toks, idx[0]):
        nxt = idx[-1] + 1
        following = toks[nxt].norm if nxt < len(toks) else ""
        return cap and (len(idx) > 1 or following in ("was", "is", "looks", "sounds"))
    if strict:
        return cap
    return cap or _prev_word(toks, idx[0]) in TITLE_CUES


def find_spans(toks: list[Tok], vocab: Vocabulary) -> list[Span]:
    """Every title, person, genre and mood in the message, non-overlapping, in text order."""
    words = [i for i, t in enumerate(toks) if t.word]
    taken: set[int] = set()
    spans: list[Span] = []
    for n in range(min(_MAX_N, len(words)), 0, -1):
        for s in range(len(words) - n + 1):
            idx = words[s : s + n]
            if any(i in taken for i in idx):
                continue
            key = " ".join(toks[i].norm for i in idx)
            span = _classify(vocab, key, toks, idx)
            if span is not None:
                spans.append(span)
                taken.update(range(idx[0], idx[-1] + 1))
    if vocab.resolve is not None:
        spans.extend(_fuzzy_titles(toks, vocab, taken))
    spans.sort(key=lambda sp: sp.first)
    for sp in spans:
        if sp.kind == "title":
            _attach_year(sp, toks)
    for sp in spans:
        if sp.kind in ("genre", "mood"):
            sp.negator = _negator(toks, sp.first, spans)
    return spans


def _classify(vocab: Vocabulary, key: str, toks: list[Tok], idx: list[int]) -> Span | None:
    first, last = idx[0], idx[-1]
    if key in vocab.people and key not in vocab.surnames:
        return Span("person", vocab.people[key], first, last)
    if key in vocab.titles and _title_ok(vocab, key, toks, idx):
        titles = vocab.titles[key]
        return Span("title", titles[0] if len(titles) == 1 else key, first, last)
    if key in vocab.genres:
        return Span("genre", vocab.genres[key], first, last)
    if key in vocab.moods:
        return Span("mood", vocab.moods[key], first, last)
    if len(idx) == 1 and key in vocab.surnames:
        return Span("person", vocab.people[key], first, last)
    return None


def _negator(toks: list[Tok], first: int, spans: list[Span]) -> str | None:
    """The negating word governing a genre or mood, looking back within its clause."""
    j = first - 1
    seen_words = 0
    while j >= 0 and seen_words < 6:
        t = toks[j]
        if not t.word:
            if t.norm in ".!?;":
                return None
            if t.norm == ",":
                prev = _prev_word(toks, j)
                if prev not in NEGATORS and not _is_listed(spans, j):
                    return None
            j -= 1
            continue
        prev = _prev_word(toks, j)
        if t.norm == "more":
            return "no more" if prev in ("no", "any") else None
        if t.norm == "but" and prev in ("anything", "everything", "all", "whatever"):
            return "but"
        if t.norm in NEGATORS:
            return t.norm
        if t.norm in SCOPE_BREAKS:
            return None
        seen_words += 1
        j -= 1
    return None


def _is_listed(spans: list[Span], comma: int) -> bool:
    """True if the comma separates two listed genres/moods ("no horror, gore or slashers")."""
    return any(sp.last == comma - 1 and sp.kind in ("genre", "mood") for sp in spans)


_SPAN_BREAKS = words("but and or with from in please so because though since then now")


def _fuzzy_titles(toks: list[Tok], vocab: Vocabulary, taken: set[int]) -> list[Span]:
    """Titles typed loosely after a cue ("loved the godfathr"): the facade's fuzzy matcher decides."""
    assert vocab.resolve is not None
    out: list[Span] = []
    for i, t in enumerate(toks):
        if not t.word or t.norm not in TITLE_CUES or i in taken:
            continue
        run: list[int] = []
        j = i + 1
        while j < len(toks) and len(run) < 6:
            if not toks[j].word or j in taken or toks[j].norm in _SPAN_BREAKS:
                break
            run.append(j)
            j += 1
        if any(toks[k].norm in ORDINALS for k in run):
            continue  # "the third one" is a reference to a list, not "The Third Man"
        content = [k for k in run if toks[k].norm not in STOPWORDS]
        if not content or len(" ".join(toks[k].norm for k in content)) < 4:
            continue
        for n in range(len(run), 0, -1):
            idx = run[:n]
            if toks[idx[-1]].norm in STOPWORDS:
                continue
            words = [toks[k].norm for k in idx if toks[k].norm not in STOPWORDS]
            if len(words) < 2 and not any(toks[k].cap for k in idx) and set(words) <= vocab.common_words:
                continue  # one lower-case word ("creepy", "lost") is a word, not a typo'd title
            span_text = " ".join(toks[k].orig for k in idx)
            res = vocab.resolve(span_text)
            item = getattr(res, "item", None)
            if item is not None and fuzz.ratio(fold(span_text), fold(item.title)) >= FUZZY_MIN:
                out.append(Span("title", item.title, idx[0], idx[-1]))
                taken.update(idx)
                break
    return out


def _year_after(toks: list[Tok], last: int) -> str | None:
    nxt = last + 1
    if nxt < len(toks) and re.fullmatch(r"(18|19|20)\d\d", toks[nxt].norm):
        return toks[nxt].norm
    return None


def _attach_year(span: Span, toks: list[Tok]) -> None:
    """"The Shining (1980)": a year right after a title picks the film, as people write it."""
    year = _year_after(toks, span.last)
    if year:
        span.value = f"{span.value} ({year})"
        span.last += 1
