"""A CLI that starts fast imports only what its command needs.

Each command runs in a fresh interpreter (the way a user runs it), and the
modules it loaded are checked: the recommender commands never load the agent
stack, nothing outside `chat` loads textual, and the offline backend never
loads the openai SDK. `bench/cold_start_bench.py` measures what this saves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
AGENT_STACK = ("langchain", "langchain_core", "langgraph", "langchain_openai", "openai", "langsmith")
LIGHT_AGENT_MODULES = {"agent", "agent.threads"}  # the per-user thread ids: json and os only
RUNNER = """
import contextlib, io, json, sys
from tui.cli import main
codes = []
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()):
        codes.append(main(argv))
print(json.dumps({"codes": codes, "modules": sorted(sys.modules)}))
"""


def run_cli(data_dir: Path, *commands: list[str]) -> tuple[list[int], set[str]]:
    env = {**os.environ, "TASTEBUD_DATA_DIR": str(data_dir), "TASTEBUD_USER": "importer",
           "TASTEBUD_CHAT_BACKEND": "offline"}
    out = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(list(commands))], cwd=REPO,
                         env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["codes"], set(result["modules"])


def test_recommender_commands_never_load_the_agent_stack_or_textual(tmp_path: Path) -> None:
    codes, loaded = run_cli(
        tmp_path,
        ["recommend", "--json"],
        ["explain", "The Dark Knight", "--json"],
        ["feedback", "The Dark Knight", "like"],
        ["prefs", "show", "--json"],
        ["similar", "Heat", "--json"],
    )
    assert codes == [0, 0, 0, 0, 0]
    bad = sorted(m for m in loaded if m.split(".")[0] in (*AGENT_STACK, "textual")
                 or (m.split(".")[0] == "agent" and m not in LIGHT_AGENT_MODULES))
    assert not bad, f"the recommender commands imported {bad[:20]}"


@pytest.mark.slow
def test_offline_ask_loads_neither_textual_nor_the_openai_sdk(tmp_path: Path) -> None:
    codes, loaded = run_cli(tmp_path, ["ask", "recommend a comedy", "--json"])
    assert codes == [0]
    bad = sorted(m for m in loaded if m.split(".")[0] in ("textual", "openai", "langchain_openai"))
    assert not bad, f"`tastebud ask` with the offline backend imported {bad}"
