"""The settings file: JSON under the platform's config folder, written atomically.

A file that cannot be read back is moved aside (never deleted) and defaults are used, with a
warning that says where the old file went.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from haikei import paths
from haikei.errors import SettingsError
from haikei.settings import Settings

T = TypeVar("T")


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The saved settings (defaults if none) and any warnings to show the user."""
    return load_json_file(path or settings_path(), Settings.from_dict, Settings)


def load_json_file(path: Path, parse: Callable[[dict], T], default: Callable[[], T]) -> tuple[T, list[str]]:
    """``parse`` of the JSON object in ``path``; ``default()`` if there is none. A file that
    ``parse`` rejects (raising :class:`SettingsError`) is moved aside, and the warning says where."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return default(), []
    except OSError as exc:
        return default(), [f"cannot read settings {path}: {exc.strerror}; using defaults"]
    try:
        data = json.loads(raw)  # bad UTF-8 and bad JSON are both ValueErrors
        if not isinstance(data, dict):
            raise SettingsError("the file does not hold a JSON object")
        return parse(data), []
    except (ValueError, SettingsError) as exc:
        backup = keep_broken_file(path)
        return default(), [
            f"settings file {path} was unusable ({exc}); using defaults, the old file is kept as {backup}"
        ]


def keep_broken_file(path: Path) -> Path:
    """Move an unreadable file aside under a new name (never over an earlier backup)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.broken-{stamp}{path.suffix}")
    counter = 1
    while backup.exists():
        counter += 1
        backup = path.with_name(f"{path.stem}.broken-{stamp}-{counter}{path.suffix}")
    os.replace(path, backup)
    return backup


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_settings(settings: Settings, path: Path | None = None) -> None:
    atomic_write_text(path or settings_path(), json.dumps(settings.to_dict(), indent=2) + "\n")


def save_preset(preset: str, path: Path | None = None) -> None:
    """Make ``preset`` the saved settings' preset, the rest of the file as it is."""
    saved, _ = load_settings(path)
    save_settings(saved.replace(preset=preset), path)
