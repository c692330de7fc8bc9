"""The offline replies: every template over a grid of slot values, and whole replies over a grid
of requests typed the way people type, checked for doubled words ("horror horror films") and for
raw user text outside quotes (a typo echoed back). Titles are masked before the doubled-word
check, since the catalog may spell one that way ("La La Land").
"""

from __future__ import annotations

import itertools
import random
import re
import string
from typing import Any

import pytest

from agent.offline.describe import describe
from agent.offline.replies import TEMPLATES, say, social, write
from memory.bootstrap import demo_items
from tools.explain import Explanation, breakdown_rows, compact_rows
from tools.scoring import Adjustment, Breakdown, ComponentScore, Ranked
from tools.tool_refs import _brief, list_rows

ITEMS = {i.id: i for i in demo_items()}
FILMS = [ITEMS[i] for i in ("alien-1979", "heat-1995", "la-la-land-2016", "kiss-kiss-bang-bang-2005")]
TITLES = [f.label for f in FILMS] + [f.title for f in FILMS]
# What people type: typos and filler that must never be said back outside quotes.
RAW = ["horor", "moveis", "spielburg", "alein", "sumthing", "kinda", "pls", "scifii", "gorey"]

QUERIES = [None, "funny", "horor moveis pls", "horror", "sci-fi sumthing kinda slow burn"]
GENRES = [[], ["Horror"], ["Sci-Fi"], ["horror", "HORROR"], ["scifii", "Romance", "Comedy"]]
YEARS = [(None, None), (1980, 1989), (1990, 1995), (2000, None), (None, 1979)]
PEOPLE = [[], ["steven spielburg"], ["michael mann"], ["mann"]]
LIKES = [([], []), (["alein"], [_brief(ITEMS["alien-1979"])])]
AVOID = [([], []), (["Horror"], ["gory"]), (["horor"], ["gorey stuff"])]


def ranked(item_id: str, n: int, moved: bool = False) -> Ranked:
    comps = [ComponentScore("collaborative", 0.025, 0.857, 0.4, 0.343),
             ComponentScore("content", 0.6, 0.6, 0.35, 0.21),
             ComponentScore("popularity", 3.1, 0.5, 0.25, 0.125)]
    b = Breakdown(comps, [Adjustment("affinity:genre:Crime", 0.05, "you like Crime")])
    return Ranked(ITEMS[item_id], b.total, b, n, n + 2 if moved else n)


ROWS = list_rows([ranked("heat-1995", 1), ranked("alien-1979", 2, moved=True),
                  ranked("la-la-land-2016", 3)])


def request_grid() -> list[dict[str, Any]]:
    """Recommend calls as a model or the parser might make them, with what the tool answered."""
    out = []
    for q, g, (lo, hi), p, (likes, seeds), (ex, av) in itertools.product(
        QUERIES, GENRES, YEARS, PEOPLE, LIKES, AVOID
    ):
        args = {"query": q, "genres": g, "year_min": lo, "year_max": hi, "people": p,
                "like_titles": likes, "exclude_genres": ex, "avoid": av}
        out.append({"args": args, "data": {"list": ROWS, "notes": [], "like": seeds}})
    return out


GRID = request_grid()
SLOTS: dict[str, list[Any]] = {
    "what": sorted({describe(r["args"], r["data"]) for r in GRID}),
    "film": [f.label for f in FILMS],
    "films": ["Alien (1979) or Aliens (1986)", "La La Land (2016)"],
    "stars": ["4", "3.5"],
    "error": ["no title in the catalog looks like 'alein'", "the last list has 3 films; #7 is "
              "not one of them", "invalid arguments: Input should be a valid integer"],
    "score": ["0.612", "-0.104"],
    "reasons": ["people with taste like yours rated it highly; you like Crime",
                "no single strong reason"],
    "rank": [1, 3],
    "variety": ["moved up for variety; its score alone would place it 5th"],
    "genres": ["crime/thriller", "feature"],
    "who": ["", " directed by Michael Mann"],
    "cast": ["", ", with Al Pacino, Robert De Niro, Val Kilmer"],
    "runtime": ["", " It runs 170 minutes."],
    "rule": ["less Horror"],
    "count": [2],
    "rules": ["less Horror; never Western"],
    "similarity": ["0.61", "0.18"],
    "doing": ["suggest films", "note what you thought of a film"],
    "other": ["find a film from its story", "something else"],
    "tags": ["", " that is dark, tense, stylish"],
}


def doubled(text: str) -> list[str]:
    """Words said twice in a row (case-insensitive), outside titles and table rows."""
    for title in sorted(TITLES, key=len, reverse=True):
        text = text.replace(title, " TITLE ")
    prose = "\n".join(line for line in text.splitlines() if not line.startswith("|"))
    words = re.findall(r"[a-z][a-z'-]*|\d[\d.]*", prose.lower())
    return [a for a, b in itertools.pairwise(words) if a == b and a != "title"]


def echoed(text: str) -> list[str]:
    """Raw user words that appear outside '...' or "..." quotes."""
    bare = re.sub(r"(?<![\w])'[^'\n]*'(?![\w])|\"[^\"\n]*\"", " ", text).lower()
    return [w for w in RAW if re.search(rf"\b{w}\b", bare)]


def fields(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_template_over_its_slot_grid(kind: str) -> None:
    for template in TEMPLATES[kind]:
        names = fields(template)
        missing = [n for n in names if n not in SLOTS]
        assert not missing, f"add sample values for slot(s) {missing} of {kind!r} to SLOTS"
        for values in itertools.product(*(SLOTS[n] for n in names)):
            text = template.format(**dict(zip(names, values, strict=True)))
            assert not doubled(text), f"{kind}: doubled {doubled(text)} in {text!r}"
            assert not echoed(text), f"{kind}: echoed {echoed(text)} in {text!r}"


def test_the_grid_covers_the_stutters_that_were_seen() -> None:
    phrases = SLOTS["what"]
    assert "horror films from the 1980s" in phrases  # query "horror" + genre Horror, said once
    assert "sci-fi films" in phrases and "slow-burn sci-fi films" in phrases
    assert not any("horror horror" in p or "sci-fi sci-fi" in p for p in phrases)
    assert any("with Michael Mann" in p for p in phrases)  # the catalog's spelling of "mann"
    assert any("in the spirit of Alien (1979)" in p for p in phrases)
    assert any(p.endswith("without horror or gory") for p in phrases)


def test_whole_list_replies_never_stutter_or_echo() -> None:
    for n, req in enumerate(GRID):
        for name in ("recommend", "similar_to"):
            data = {**req["data"], "item": _brief(ITEMS["heat-1995"])}
            text = write([({"name": name, "args": req["args"]}, {"ok": True, "data": data})], n)
            assert not doubled(text) and not echoed(text), text
        empty = {"ok": True, "data": {**req["data"], "list": []}}
        text = write([({"name": "recommend", "args": req["args"]}, empty)], n)
        assert not doubled(text) and not echoed(text), text


def test_a_list_reply_is_laid_out_in_paragraphs() -> None:
    """The closing sentence is its own paragraph, never glued to the last list line."""
    req = GRID[0]
    for seed in range(12):
        text = write([({"name": "recommend", "args": req["args"]}, {"ok": True, "data": req["data"]})],
                     seed)
        head, listing, *outro = text.split("\n\n")
        assert head.endswith(":") and listing.splitlines()[0].startswith("1. Heat (1995)")
        assert all(re.match(r"\d+\. ", line) for line in listing.splitlines())
        assert len(outro) <= 1 and not (outro and re.match(r"\d+\. ", outro[0]))


def test_other_replies_never_stutter_or_echo() -> None:
    rng = random.Random(0)
    item = _brief(ITEMS["la-la-land-2016"])
    steps: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"name": "give_feedback", "args": {}},
         {"ok": True, "data": {"item": item, "signal": s, "rating": 3.5}})
        for s in ("love", "like", "dislike", "rate", "seen", "more_like")
    ]
    steps += [({"name": "explain", "args": {"title_or_ref": "alein"}},
               {"ok": False, "error": "'alein' was not found; nearest matches: Alien (1979)",
                "candidates": [_brief(ITEMS["alien-1979"])]}),
              ({"name": "recommend", "args": {"query": "horor"}},
               {"ok": False, "error": "no title in the catalog looks like 'horor'"}),
              ({"name": "item_details", "args": {}}, {"ok": True, "data": ITEMS["heat-1995"].model_dump()}),
              ({"name": "adjust_preferences", "args": {}}, {"ok": True, "data": {"applied": ["less Horror"]}}),
              ({"name": "adjust_preferences", "args": {}}, {"ok": True, "data": {"undone": None}})]
    for step in steps:
        text = write([step], rng.randrange(100))
        assert text and not doubled(text) and not echoed(text), text
    for intent in ("greeting", "help", "chitchat"):
        assert not doubled(social(intent, 3)) and not echoed(social(intent, 3))
    assert say("feedback.rate", rng, film="Heat (1995)", stars="4").count("Heat (1995)") == 1


def test_a_why_reply_is_a_sentence_the_table_and_the_reasons() -> None:
    listed = ranked("heat-1995", 2)
    listed.breakdown.notes.append("no liked films the collaborative model knows yet.")
    expl = Explanation(listed.item, listed.score, listed.breakdown, query="horor moveis", rank=2,
                       score_rank=5, cf_neighbours=[(ITEMS["la-la-land-2016"], 0.4)])
    data = {"item": _brief(listed.item), **expl.to_dict(), "text": expl.text()}
    text = write([({"name": "explain", "args": {"title_or_ref": "#2"}}, {"ok": True, "data": data})], 0)
    head, table, words = text.split("\n\n")
    assert head.startswith("**Heat (1995)** scores 0.728 for you: people with taste like yours")
    rows = table.splitlines()
    assert rows[0] == "| part | raw | value | × weight | = points |" and len(rows) == 2 + 4
    assert rows[2] == "| collaborative | 0.025 | 0.857 | 0.40 | +0.343 |"
    assert rows[-1] == "| you like Crime |  |  |  | +0.050 |"
    assert words.splitlines() == [
        "Listed #2: moved up for variety; its score alone would place it 5th.",
        "Note: no liked films the collaborative model knows yet.",
        "People who liked it also liked your La La Land (0.40).",
        "Your request 'horor moveis' matches: nothing literally, only in meaning.",
    ]
    assert not doubled(text) and not echoed(text)


def test_the_chat_table_folds_small_adjustments_and_still_adds_up() -> None:
    comps = [ComponentScore("collaborative", 0.1, 0.5, 0.4, 0.2),
             ComponentScore("content", 0.6, 0.6, 0.4, 0.24),
             ComponentScore("popularity", 3.1, 0.5, 0.2, 0.1)]
    adjs = [Adjustment(f"affinity:genre:{g}", v, f"you have liked {g} films")
            for g, v in (("Crime", 0.03), ("Thriller", 0.03), ("Drama", 0.01), ("War", 0.02))]
    adjs.append(Adjustment("query_match", -0.09, "only a loose match for 'tense heist'"))
    bd = Breakdown(comps, adjs).to_dict()
    full, rows = breakdown_rows(bd), compact_rows(bd)
    assert len(full) == 8 and len(rows) == 6
    assert rows[:5] == [full[0], full[1], full[2], full[3], full[7]]  # the two largest, in order
    assert rows[5] == ("3 smaller adjustments (all in w)", "", "", "", "+0.060")
    assert sum(float(r[4]) for r in rows) == pytest.approx(Breakdown(comps, adjs).total, abs=2e-3)
    small = Breakdown(comps, adjs[:3]).to_dict()
    assert compact_rows(small) == breakdown_rows(small)  # nothing to fold
