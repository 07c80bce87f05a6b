"""local.settings.json for the local host, as Core Tools reads it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def settings_file(root: Path = ROOT) -> Path:
    """local.settings.json when it exists, else the committed example."""
    own = root / "local.settings.json"
    return own if own.exists() else root / "local.settings.example.json"


def load(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text())
    values = document.get("Values", {})
    bad = [name for name, value in values.items() if not isinstance(value, str)]
    if bad:
        raise ValueError(f"{path.name}: values must be strings: {', '.join(bad)}")
    return document


def apply(values: dict[str, str]) -> None:
    """Put the values into the environment; a variable already set in the environment wins."""
    for name, value in values.items():
        os.environ.setdefault(name, value)
