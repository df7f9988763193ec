"""What only the window needs to remember (geometry, tray behaviour, the user's backgrounds), kept in
``gui.json`` beside ``settings.json`` so the core :class:`~haikei.settings.Settings` stays GUI-free."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haikei import paths
from haikei.config import load_json_file, save_json_file
from haikei.errors import SettingsError
from haikei.settings import PRESETS, checked_fields

PREVIEW_MODES = ("processed", "original", "mask")


@dataclass
class GuiState:
    #: ``QWidget.saveGeometry()`` as hex.
    geometry: str = ""
    #: Closing the window keeps Haikei running in the tray (when there is one).
    hide_to_tray: bool = True
    show_stats: bool = True
    advanced_open: bool = False
    preview_mode: str = "processed"
    #: Background specs the user added (``image:PATH`` / ``video:PATH``), in gallery order.
    user_backgrounds: list[str] = field(default_factory=list)
    #: The names the user gave their backgrounds (spec → name); unnamed ones show a tidy file name.
    background_names: dict[str, str] = field(default_factory=dict)
    #: The named preset the knobs were last set by: what "Reset to preset" goes back to from Custom.
    last_preset: str = "balanced"
    #: The background the effect returns to when it is switched back on.
    effect_background: str = "blur"
    colour: str = "#2e7d5b"
    blur: int = 20

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GuiState:
        data = checked_fields(cls, data, "window setting")
        defaults = cls()
        if not all(isinstance(spec, str) for spec in data.get("user_backgrounds", [])):
            raise SettingsError("window setting 'user_backgrounds' must be a list of strings")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.get("background_names", {}).items()):
            raise SettingsError("window setting 'background_names' must map strings to strings")
        if data.get("last_preset", defaults.last_preset) not in PRESETS:
            raise SettingsError(f"unknown preset {data['last_preset']!r}")
        if data.get("preview_mode", defaults.preview_mode) not in PREVIEW_MODES:
            raise SettingsError(f"unknown preview mode {data['preview_mode']!r}")
        return cls(**data)


def gui_state_path() -> Path:
    return paths.config_dir() / "gui.json"


def load_gui_state(path: Path | None = None) -> tuple[GuiState, list[str]]:
    return load_json_file(path or gui_state_path(), GuiState.from_dict, GuiState)


def save_gui_state(state: GuiState, path: Path | None = None) -> None:
    save_json_file(path or gui_state_path(), dataclasses.asdict(state))
