"""Where Haikei keeps things: shipped data beside the code, user data in the platform's folders.

Shipped data (``models/``, ``backgrounds/``) is found, in this order:

1. ``$HAIKEI_DATA_DIR``, a folder holding ``models/`` and ``backgrounds/`` (packagers, tests);
2. inside the installed package, ``haikei/data/`` (a wheel, an sdist install, the PyInstaller bundle:
   the build maps the repository's top-level folders there, see setup.py);
3. the repository's top-level folders, when running from a checkout (an editable install).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP = "haikei"
DATA_DIR_VARIABLE = "HAIKEI_DATA_DIR"
_REPO = Path(__file__).resolve().parents[2]


def _package_data() -> Path:
    # Installed packages are always unpacked folders (pip, PyInstaller), so this is a real path.
    return Path(str(resources.files("haikei") / "data"))


def data_root() -> Path:
    """The folder holding the shipped ``models/`` and ``backgrounds/``."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override).expanduser()
    installed = _package_data()
    if (installed / "models").is_dir():
        return installed
    return _REPO


def shipped_models_dir() -> Path:
    return data_root() / "models"


def shipped_backgrounds_dir() -> Path:
    return data_root() / "backgrounds"


def user_models_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "models"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP))
