"""The layering contract: tui -> agent -> tools -> memory, and only tui imports textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _modules_after_import(package: str) -> set[str]:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("memory", ("tools", "agent", "tui", "textual")),
        ("tools", ("agent", "tui", "textual")),
        ("agent", ("tui", "textual")),
    ],
)
def test_lower_layers_never_import_upper_ones(package: str, forbidden: tuple[str, ...]) -> None:
    loaded = _modules_after_import(package)
    bad = sorted(m for m in loaded if m.split(".")[0] in forbidden)
    assert not bad, f"{package} pulled in {bad}"


def test_import_linter_contracts_hold() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    if not exe.exists():
        pytest.skip("import-linter is not installed (it comes with the dev extras)")
    out = subprocess.run([str(exe)], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_importing_does_not_read_settings_or_touch_the_data_dir(tmp_path: Path) -> None:
    code = (
        "import os\n"
        f"os.environ['TASTEBUD_DATA_DIR'] = {str(tmp_path / 'nowhere')!r}\n"
        "import memory.settings, memory.store, memory.catalog, memory.bootstrap\n"
        "import tools, agent\n"
        f"print(os.path.exists({str(tmp_path / 'nowhere')!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
