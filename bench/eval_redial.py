"""ReDial evaluation: how often the film a human recommender named is in our top k.

Method. For each dialogue, a fresh Tastebud user reads the conversation turn
by turn through the same pipeline as chat: the offline parser reads each of
the seeker's messages; films they mention become feedback ("like" unless they
said otherwise: dislike, seen, a rating); preferences they state become rules;
their requests become the query. At each scored turn the facade ranks the
whole catalog and we check where the recommender's actual suggestions landed:
Recall@1/10/50 over (turn, target) pairs, for all targets and for the targets
nobody had mentioned yet in the dialogue.

Collaborative signal: co-mentions in the other dialogues (5 folds by dialogue
id; a dialogue's own mentions never train the model that scores it) plus
MovieLens ratings joined by imdb id. A popularity baseline (most-mentioned in
the training folds) is reported beside it.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.offline.lexicon import Vocabulary
from agent.offline.nlu import parse, query_text
from agent.offline.prefs import loves, to_change
from bench.redial_data import (
    Dialogue,
    RedialData,
    Turn,
    catalog_items,
    comention_interactions,
    fold_of,
    movielens_interactions,
)
from memory.ingest.pipeline import ingest
from memory.ingest.rows import Parsed
from memory.store import Store
from tools.service import Tastebud

KS = (1, 10, 50)
CATALOG = "redial"
ANCHORS = {"UniCRS (ReDial test split)": {"R@1": 0.050, "R@10": 0.215, "R@50": 0.413},
           "GPT-4 zero-shot (ReDial test split)": {"R@10": 0.19}}
_MENTION = re.compile(r"@(\d+)")


@dataclass
class Recall:
    hits: Counter[int] = field(default_factory=Counter)
    n: int = 0

    def add(self, rank: int | None) -> None:
        self.n += 1
        for k in KS:
            if rank is not None and rank < k:
                self.hits[k] += 1

    def as_dict(self) -> dict[str, float]:
        return {f"R@{k}": round(self.hits[k] / self.n, 4) if self.n else 0.0 for k in KS}


@dataclass
class RedialReport:
    turns: int = 0
    tastebud_all: Recall = field(default_factory=Recall)
    tastebud_new: Recall = field(default_factory=Recall)
    popular_all: Recall = field(default_factory=Recall)
    popular_new: Recall = field(default_factory=Recall)
    unresolved_targets: int = 0
    mentions: Counter[str] = field(default_factory=Counter)  # gold / found / right seeker mentions
    folds: int = 5
    diversity: float = 0.0
    interactions: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        m = self.mentions
        return {
            "turns": self.turns, "targets": self.tastebud_all.n, "new_targets": self.tastebud_new.n,
            "unresolved_targets": self.unresolved_targets,
            "tastebud": {"all": self.tastebud_all.as_dict(), "new": self.tastebud_new.as_dict()},
            "popularity": {"all": self.popular_all.as_dict(), "new": self.popular_new.as_dict()},
            **{f"{name}.all.R@{k}": rec.as_dict()[f"R@{k}"] for name, rec in
               (("tastebud", self.tastebud_all), ("popularity", self.popular_all)) for k in KS},
            "anchors": ANCHORS, "folds": self.folds, "diversity": self.diversity,
            "interactions": self.interactions,
            "seeker_mentions": {"gold": m["gold"], "found": m["found"], "correct": m["right"],
                                "precision": round(m["right"] / m["found"], 4) if m["found"] else 0.0,
                                "recall": round(m["right"] / m["gold"], 4) if m["gold"] else 0.0},
            "seconds": round(self.seconds, 1),
        }


def prepare(data: RedialData, svc: Tastebud, *, rebuild: bool = False) -> None:
    """Ingest the ReDial movies as the active catalog, unless the cached data dir has them.

    The cache is trusted only if it holds as many items, embedded by the same embedder;
    after a change to how catalogs are stored, pass rebuild=True (bench: --rebuild).
    """
    catalog = svc.memory.catalog
    items = catalog_items(data)
    record = svc.memory.store.catalog_record(CATALOG)
    same = record is not None and record.embedder == svc.memory.embedder.name
    if catalog.exists and len(catalog.items) == len(items) and same and not rebuild:
        return
    ingest(Parsed(source="redial", items=items), catalog=CATALOG, client=svc.memory.client,
           store=svc.memory.store, embedder=svc.memory.embedder)
    svc.engine.refresh()


def _train_fold(svc: Tastebud, pool: dict[str, Dialogue], scored: set[str],
                movielens: list[Any]) -> tuple[Counter[str], int]:
    """Train on the pool's dialogues except those being scored: a dialogue never trains its own model."""
    known = set(svc.memory.catalog.items)
    train = [d for d in pool.values() if d.id not in scored]
    rows = comention_interactions(train, known)
    with svc.memory.store.transaction() as conn:
        Store.replace_interactions(conn, CATALOG, "redial", rows)
        Store.replace_interactions(conn, CATALOG, "movielens", movielens)
    svc.engine.train()
    return Counter(r.item_id for r in rows), len(rows)


def evaluate(data: RedialData, svc: Tastebud, *, folds: int = 5, movielens_dir: Path | None = None,
             limit: int | None = None, only_folds: int | None = None, diversity: float | None = None,
             rebuild: bool = False, progress: Callable[[int, int], None] | None = None,
             train_dialogues: dict[str, Dialogue] | None = None) -> RedialReport:
    """Score the turns (the first `limit` of each fold; the first `only_folds` folds).

    The collaborative model and the ranker learn from `train_dialogues` (default:
    the scored dialogues file itself, by folds). A scored dialogue is always left
    out of the model that scores it; when no training dialogue is scored, one
    model scores every turn (a single fold).
    """
    started = time.perf_counter()
    prepare(data, svc, rebuild=rebuild)
    if diversity is not None:
        svc.engine.diversity = diversity
    items = svc.memory.catalog.items
    vocab = Vocabulary.from_items(items.values(), resolve=svc.resolve)
    ml = movielens_interactions(movielens_dir, items.values()) if movielens_dir else []
    turns = [t for t in data.turns if t.dialog_id in data.dialogues]
    pool = train_dialogues if train_dialogues is not None else data.dialogues
    if not set(pool) & {t.dialog_id for t in turns}:
        folds = 1
    report = RedialReport(folds=folds, interactions={"movielens": len(ml)})
    report.diversity = svc.engine.diversity
    run_id = uuid.uuid4().hex[:8]
    done = 0
    for fold in range(min(folds, only_folds or folds)):
        mine = [t for t in turns if fold_of(t.dialog_id, folds) == fold][:limit]
        if not mine:
            continue
        counts, n_rows = _train_fold(svc, pool, {t.dialog_id for t in mine}, ml)
        report.interactions[f"redial_fold{fold}"] = n_rows
        popular = [i for i, _ in counts.most_common()]
        readers: dict[str, DialogueReader] = {}  # users are fresh per run: the data dir is a cache
        for turn in sorted(mine, key=lambda t: (t.dialog_id, t.turn_id)):
            dlg = data.dialogues[turn.dialog_id]
            reader = readers.setdefault(dlg.id, DialogueReader(svc, vocab, dlg, report, run_id))
            reader.read_until(turn.turn_id)
            _score(report, data, turn, reader, popular)
            done += 1
            if progress:
                progress(done, len(turns) if limit is None else limit * (only_folds or folds))
    report.turns = done
    report.seconds = time.perf_counter() - started
    return report


def _score(report: RedialReport, data: RedialData, turn: Turn, reader: DialogueReader,
           popular: list[str]) -> None:
    ranked = reader.rank(turn)
    mentioned = reader.context_ids(turn)
    pop = [i for i in popular if i not in reader.liked][:max(KS)]
    for name in turn.targets:
        target = data.movie_id(name)
        if target is None:
            report.unresolved_targets += 1
            continue
        fresh = target not in mentioned
        for recall, ranking in ((report.tastebud_all, ranked), (report.popular_all, pop)):
            recall.add(ranking.index(target) if target in ranking else None)
        if fresh:
            for recall, ranking in ((report.tastebud_new, ranked), (report.popular_new, pop)):
                recall.add(ranking.index(target) if target in ranking else None)


class DialogueReader:
    """One seeker as a Tastebud user: reads their messages in order, as chat would."""

    def __init__(self, svc: Tastebud, vocab: Vocabulary, dlg: Dialogue, report: RedialReport,
                 run_id: str = "") -> None:
        self.svc, self.vocab, self.dlg, self.report = svc, vocab, dlg, report
        self.user = f"redial:{run_id}:{dlg.id}"
        self.read = 0
        self.liked: list[str] = []
        self.queries: list[str] = []
        self.last_other: list[str] = []  # films the recommender just named ("it", "that one")

    def _ids(self, titles: list[str]) -> list[str]:
        out = []
        for t in titles:
            res = self.svc.resolve(t)
            if res.item is not None and res.item.id not in out:
                out.append(res.item.id)
        return out

    def read_until(self, turn_id: int) -> None:
        """Read every message before `turn_id` not read yet (a turn's context is exactly those)."""
        msgs = self.dlg.messages
        while self.read < len(msgs) and int(msgs[self.read].get("turn_id", self.read)) < turn_id:
            message = msgs[self.read]
            self.read += 1
            text = _with_names(str(message.get("text", "")), self.dlg.mentions)
            parsed = parse(text, self.vocab)
            films = self._ids(parsed.mentions)
            if message.get("senderWorkerId") != self.dlg.seeker:
                self.last_other = films or self.last_other
                continue
            gold = set(_MENTION.findall(str(message.get("text", ""))))
            self.report.mentions.update(gold=len(gold), found=len(films), right=len(gold & set(films)))
            for clause in parsed.clauses:  # every clause: a film named anywhere is a signal
                self._act(clause, text)

    def _act(self, act: Any, text: str) -> None:
        targets = self._ids(list(act.mentions))
        if not targets and act.slots.get("refs") and self.last_other:
            targets = self.last_other[-1:]
        signal = str(act.slots.get("signal", "like")) if act.intent == "feedback" else "like"
        rating = act.slots.get("rating") if signal == "rate" else None
        for item_id in targets:
            if item_id in self.liked:
                continue
            try:
                self.svc.feedback(self.user, item_id, signal, value=rating, text=text)
            except ValueError:
                continue
            if signal in ("like", "love") or (signal == "rate" and (rating or 0) >= 3.5):
                self.liked.append(item_id)
        if act.intent in ("recommend", "search", "similar"):
            words = " ".join([query_text(act), *act.slots.get("genres", [])]).split()
            self.queries.append(" ".join(dict.fromkeys(w.lower() for w in words)))
        elif act.intent == "adjust_preferences":
            changes = [c for c in (to_change(x, loves(text.lower())) for x in act.slots["changes"]) if c]
            if changes:
                with contextlib.suppress(ValueError):  # a change the rules reject is just skipped
                    self.svc.adjust_preferences(self.user, changes, text)

    def rank(self, turn: Turn) -> list[str]:
        query = " ".join(q for q in self.queries[-2:] if q) or None
        result = self.svc.recommend(self.user, query=query, k=max(KS), like_ids=self.liked[-5:],
                                    thread_id=f"{self.user}:{turn.turn_id}")
        return [r.item.id for r in result.items]

    def context_ids(self, turn: Turn) -> set[str]:
        """Films anyone mentioned before this turn (gold ids from the dialogue's @ mentions)."""
        out: set[str] = set()
        for message in self.dlg.messages:
            if int(message.get("turn_id", 0)) < turn.turn_id:
                out.update(_MENTION.findall(str(message.get("text", ""))))
        return out


def _with_names(text: str, mentions: dict[str, str]) -> str:
    """The message as the seeker saw it: "@135508" -> "The Babadook (2014)"."""
    return _MENTION.sub(lambda m: " ".join(mentions.get(m.group(1), m.group(0)).split()), text)


def run(data_dir: Path, *, work_dir: Path, turns: Path | None = None, dialogues: Path | None = None,
        train_dialogues: Path | None = None, embedder: Any = None, **kw: Any) -> RedialReport:
    """Load ReDial, open (or build) the cached Tastebud data dir, evaluate."""
    from bench.redial_data import load, load_dialogues
    from memory.bootstrap import open_memory
    from memory.settings import Settings

    data = load(data_dir, turns, dialogues)
    if train_dialogues is not None:
        kw["train_dialogues"] = load_dialogues(train_dialogues)
    settings = Settings(data_dir=work_dir, user="redial-eval", catalog=CATALOG)
    svc = Tastebud(open_memory(settings, embedder=embedder))
    return evaluate(data, svc, **kw)


def format_report(report: RedialReport) -> str:
    d = report.to_dict()
    rows = [("Tastebud, all targets", d["tastebud"]["all"]), ("Tastebud, new targets", d["tastebud"]["new"]),
            ("Popularity, all targets", d["popularity"]["all"]),
            ("Popularity, new targets", d["popularity"]["new"]), *ANCHORS.items()]
    lines = [f"ReDial: {d['turns']} turns, {d['targets']} targets ({d['new_targets']} not yet "
             f"mentioned), {d['folds']} folds, {d['seconds']}s", f"{'':38}  R@1    R@10   R@50"]
    for name, r in rows:
        cells = "  ".join(f"{r[k]:.3f}" if k in r else "  -  " for k in ("R@1", "R@10", "R@50"))
        lines.append(f"{name:38}  {cells}")
    m = d["seeker_mentions"]
    lines.append(f"seeker film mentions found by the parser: recall {m['recall']:.1%}, "
                 f"precision {m['precision']:.1%} ({m['gold']} gold)")
    return "\n".join(lines)
