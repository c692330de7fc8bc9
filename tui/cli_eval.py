"""`tastebud eval SUITE`: runs the benchmark of that name from bench/, same code as `make bench`."""

from __future__ import annotations

import argparse
import importlib

from memory.settings import Settings

SUITES = {
    "movielens": "bench.movielens_bench",
    "adapt": "bench.adapt_bench",
    "redial": "bench.redial_bench",
    "nlu": "bench.nlu_bench",
}


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    argv: list[str] = []
    if args.data:
        argv += ["--data", args.data]
    if args.suite == "redial":
        argv += ["--turns", args.turns] if args.turns else []
        argv += ["--dialogues", args.dialogues] if args.dialogues else []
        train = getattr(args, "train_dialogues", None)
        argv += ["--train-dialogues", train] if train else []
    elif args.turns or args.dialogues or getattr(args, "train_dialogues", None):
        raise ValueError("--turns, --dialogues and --train-dialogues only apply to"
                         " `tastebud eval redial`")
    if args.json:
        argv.append("--json")
    module = importlib.import_module(SUITES[args.suite])
    return int(module.main(argv) or 0)
