"""Where Haikei keeps things: shipped data beside the code, user data in the platform's folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "haikei"
_REPO = Path(__file__).resolve().parents[2]


def _data_root() -> Path:
    """The folder holding the shipped ``models/`` and ``backgrounds/`` (``HAIKEI_DATA_DIR`` overrides)."""
    return Path(os.environ.get("HAIKEI_DATA_DIR") or _REPO)


def shipped_models_dir() -> Path:
    return _data_root() / "models"


def shipped_backgrounds_dir() -> Path:
    return _data_root() / "backgrounds"


def user_models_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "models"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP))
