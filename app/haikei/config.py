"""The settings file: JSON under the platform's config folder, never lost.

- A file whose content is unusable (bad JSON, a wrong value, too large, too deep) is moved aside
  (never deleted) and defaults are used, with a warning that says where the old file went.
- A file that cannot be read (permissions) is left alone and never written over; neither is
  anything that is not a regular file.
- Settings this version does not know (a newer Haikei wrote them) are ignored, with a warning, and
  kept in the file when it is saved again.
- Saving writes a complete new file and renames it into place; a folder that cannot be written is a
  :class:`SettingsError` saying the settings will not be saved (the app runs on).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

from haikei import paths
from haikei.errors import SettingsError, SettingsNotSaved
from haikei.safefiles import PendingFile, RefusedFile, parse_json, read_file, reason
from haikei.settings import Settings

T = TypeVar("T")

#: A settings file is a few kB; anything much larger is not one.
MAX_SETTINGS_BYTES = 1 << 20
NOT_SAVED = "settings will not be saved"


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The saved settings (defaults if none) and any warnings to show the user."""
    return load_json_file(path or settings_path(), Settings.from_dict, Settings)


def load_json_file(path: Path, parse: Callable[[dict], T], default: Callable[[], T]) -> tuple[T, list[str]]:
    """``parse`` of the JSON object in ``path``; ``default()`` if there is none or it cannot be used,
    with the warnings to show. ``default`` is the dataclass ``parse`` makes: keys that are not its
    fields (from a newer version) are left out, and said."""
    try:
        raw = read_file(path, MAX_SETTINGS_BYTES)
    except FileNotFoundError:
        return default(), []
    except RefusedFile as refused:
        if not refused.regular:
            return default(), [f"settings file {path} is not used ({refused}); using defaults"]
        return default(), [_set_aside(path, str(refused))]
    except OSError as exc:
        return default(), [
            f"cannot read settings file {path} ({reason(exc)}); using defaults, and it is not written over"
        ]
    try:
        data = parse_json(raw)  # bad UTF-8 and bad JSON are both ValueErrors
        if not isinstance(data, dict):
            raise SettingsError("the file does not hold a JSON object")
        known = {f.name for f in fields(default)} if is_dataclass(default) else set(data)
        unknown = sorted(set(data) - known)
        value = parse({key: data[key] for key in data if key in known})
    except (ValueError, SettingsError) as exc:
        return default(), [_set_aside(path, str(exc))]
    if unknown:
        return value, [
            f"settings file {path} has settings this version does not know ({', '.join(unknown)}); "
            "they are ignored and kept in the file"
        ]
    return value, []


def _set_aside(path: Path, why: str) -> str:
    try:
        backup = keep_broken_file(path)
    except OSError as exc:
        return f"settings file {path} was unusable ({why}) and cannot be moved aside ({exc.strerror}); using defaults"
    return f"settings file {path} was unusable ({why}); using defaults, the old file is kept as {backup}"


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
    """Write a complete new file beside ``path`` and rename it into place: readers never see half a
    file, and a failure leaves the old one as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with PendingFile(path) as pending:
        pending.path.write_text(text, encoding="utf-8")
        pending.commit()


def save_json_file(path: Path, values: dict[str, Any]) -> None:
    """Save ``values`` as the JSON object in ``path``, keeping the keys of the file there that are not
    among them (a newer version's). Raises :class:`SettingsError` when it cannot: the file there
    cannot be read (it is never written over then) or the folder cannot be written."""
    try:
        raw = read_file(path, MAX_SETTINGS_BYTES)
    except FileNotFoundError:
        raw = None
    except (OSError, RefusedFile) as exc:
        why = reason(exc)
        message = f"cannot read {path} ({why}), so it is not written over; {NOT_SAVED}"
        raise SettingsNotSaved(message, path, why, unreadable=True) from None
    try:
        existing = parse_json(raw) if raw else {}
    except ValueError:
        existing = {}
    kept = {k: v for k, v in existing.items() if k not in values} if isinstance(existing, dict) else {}
    try:
        atomic_write_text(path, json.dumps({**values, **kept}, indent=2) + "\n")
    except OSError as exc:
        message = f"cannot write {path} ({exc.strerror}); {NOT_SAVED}"
        raise SettingsNotSaved(message, path, str(exc.strerror), unreadable=False) from None


def save_settings(settings: Settings, path: Path | None = None) -> None:
    save_json_file(path or settings_path(), settings.to_dict())


def save_preset(preset: str, path: Path | None = None) -> None:
    """Make ``preset`` the saved settings' preset, the rest of the file as it is."""
    saved, _ = load_settings(path)
    save_settings(saved.replace(preset=preset), path)
