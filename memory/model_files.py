"""Trained models as plain files next to the Chroma collections, keyed by catalog version.

A catalog's ranker (weights, settings, validation scores) and the arrays a
request needs (item neighbour lists, item factors) are written at `tastebud
train` into `<data dir>/models/<collection>/`, where `<collection>` is the
versioned CF collection the training flips the catalog to. Loading them is a
few `np.load` calls (milliseconds), where re-reading a million neighbour links
from Chroma metadata took seconds at every start. A directory is written
under a temporary name and renamed into place, so a reader sees all of it or
none of it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

META = "model.json"


class ModelFileError(RuntimeError):
    """Model files that exist but cannot be read (retrain with `tastebud train`)."""


def model_dir(models_dir: Path, version: str) -> Path:
    return models_dir / version


def save_model(directory: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any],
               lines: dict[str, list[str]] | None = None) -> Path:
    """Write `arrays` as .npy files, `meta` as JSON and `lines` as JSONL, all at once (atomic rename)."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name, array in arrays.items():
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
    for name, docs in (lines or {}).items():
        save_lines(tmp, name, docs)
    (tmp / META).write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
    if directory.exists():
        shutil.rmtree(directory)
    os.replace(tmp, directory)
    return directory


def load_meta(directory: Path) -> dict[str, Any] | None:
    """The model's JSON, or None when this catalog version has no model files."""
    path = directory / META
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path} is unreadable ({exc}); run `tastebud train` again") from None
    if not isinstance(data, dict):
        raise ModelFileError(f"{path} does not hold a JSON object; run `tastebud train` again")
    return data


def load_array(directory: Path, name: str, mmap: bool = False) -> np.ndarray | None:
    path = directory / f"{name}.npy"
    if not path.exists():
        return None
    try:
        return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{path} is unreadable ({exc}); run `tastebud train` again") from None


def save_lines(directory: Path, name: str, lines: list[str]) -> None:
    """A list of JSON documents, one per line (items), next to the arrays."""
    (directory / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def load_lines(directory: Path, name: str) -> list[str] | None:
    path = directory / f"{name}.jsonl"
    if not path.exists():
        return None
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    except OSError as exc:
        raise ModelFileError(f"{path} is unreadable ({exc}); run `tastebud train` again") from None


def remove_model(directory: Path) -> None:
    """Old versions are garbage once the catalog points elsewhere."""
    shutil.rmtree(directory, ignore_errors=True)
