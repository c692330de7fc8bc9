"""How well the offline parser understands people: intent accuracy and slot F1.

Runs the labelled utterances in tests/data/nlu_utterances.jsonl through the
offline NLU with the demo catalog's vocabulary. Targets: >= 90 % intent
accuracy and >= 85 % slot F1. Run: `.venv/bin/python -m bench.nlu_bench [--json]`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from agent.eval_nlu import DEFAULT_DATA, format_report, run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nlu_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled JSONL file (or its folder)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--errors", type=int, default=15, help="how many misses to list")
    args = parser.parse_args(argv)
    data = args.data / DEFAULT_DATA.name if args.data.is_dir() else args.data
    report = run(data)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_report(report, show_errors=args.errors))
    return 0 if report.meets_targets else 1


if __name__ == "__main__":
    raise SystemExit(main())
