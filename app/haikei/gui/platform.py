"""Can Qt open a window here? Answered without loading Qt, which aborts the whole process when its
platform plugin cannot load, so that ``haikei gui`` and ``haikei doctor`` can say why in one line.

Also: whether an installed font covers the UI language (:func:`font_problem`): Japanese without a CJK
font is all empty boxes.

Qt's X11 plugin (``libqxcb.so``, in the PySide6 wheel) needs about twenty system libraries that a
fresh Debian or Ubuntu lacks; the dynamic loader names the first one missing, and :data:`PACKAGES`
names the package that provides it. Importing OpenCV also points Qt at OpenCV's own (Qt 5) plugin
and font folders through the environment: :func:`clean_environment` takes that back.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: The packages (Debian/Ubuntu) that make ``haikei gui`` start on a fresh system: what the README's
#: apt line installs. tests/test_gui_platform.py checks on Debian that they provide every library
#: Qt's X11 plugin, Qt itself, OpenCV, onnxruntime and mediapipe load.
APT_PACKAGES = (
    "libgl1 libegl1 libgles2 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 "
    "libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 "
    "libxcb-shape0 libxcb-sync1 libxcb-xfixes0 libxcb-xkb1"
)
#: soname → the Debian/Ubuntu package that provides it, for the libraries Qt's X11 plugin loads.
PACKAGES = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLESv2.so.2": "libgles2",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
}
#: Platforms that draw into memory: they need no display and no system libraries.
HEADLESS = ("offscreen", "minimal", "vnc")
_MISSING = re.compile(r"(\S+\.so[.\d]*): cannot open shared object file")


def clean_environment(environ: dict | os._Environ = os.environ) -> None:
    """Drop the plugin and font folders OpenCV's import points Qt at (OpenCV's own Qt 5 ones): with
    them, Qt looks for its platform plugin in the wrong place first and reports that place."""
    opencv = importlib.util.find_spec("cv2")
    folder = str(Path(opencv.origin).parent) if opencv and opencv.origin else None
    for key in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        if folder and environ.get(key, "").startswith(folder):
            del environ[key]


def platform_plugin(name: str) -> Path | None:
    """The PySide6 wheel's plugin file for platform ``name`` (``xcb``, ``wayland``), if it has one."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(spec.submodule_search_locations[0]) / "Qt" / "plugins" / "platforms" / f"libq{name}.so"
    return plugin if plugin.is_file() else None


def missing_library_in(message: str) -> str | None:
    """The library a loader error (``OSError``, ``ImportError``) says it cannot find, if it says so."""
    match = _MISSING.search(message)
    return match.group(1) if match else None


def missing_library(plugin: Path) -> str | None:
    """The first system library ``plugin`` needs that the dynamic loader cannot find (``None``: none)."""
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        return missing_library_in(str(exc)) or str(exc)
    return None


def install_fix(library: str) -> str:
    package = PACKAGES.get(library)
    if package is None:
        return f"install the package that provides {library} (Debian/Ubuntu: apt-file search {library})"
    return f"sudo apt install {package} (or, for everything the window needs: sudo apt install {APT_PACKAGES})"


def chosen_platform(environ: dict | os._Environ = os.environ) -> str | None:
    """The platform plugin Qt will load: ``QT_QPA_PLATFORM``'s first choice, else X11 (or XWayland)
    where ``DISPLAY`` is set, else Wayland; ``None`` where there is no display at all."""
    asked = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if asked:
        return asked
    if environ.get("DISPLAY"):
        return "xcb"
    if environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return None


def library_problem(platform: str = "xcb") -> tuple[str, str] | None:
    """(problem, fix) when ``platform``'s plugin cannot load for a missing system library (Linux)."""
    if not sys.platform.startswith("linux") or platform in HEADLESS:
        return None
    plugin = platform_plugin(platform)
    library = missing_library(plugin) if plugin is not None else None
    if library is None:
        return None
    return f"Qt's {platform} platform plugin cannot load: {library} is missing", install_fix(library)


def window_problem(environ: dict | os._Environ = os.environ) -> tuple[str, str] | None:
    """(problem, fix) when Qt cannot open a window here, found without loading Qt; ``None`` if it can."""
    if not sys.platform.startswith("linux"):
        return None
    platform = chosen_platform(environ)
    if platform is None:
        return (
            "there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set)",
            "start Haikei from your desktop session, or use `haikei run` without a window",
        )
    return library_problem(platform)


#: The Debian/Ubuntu package with a font for each language the window is translated into.
FONT_PACKAGES = {"ja": "fonts-noto-cjk"}


def ui_language(environ: dict | os._Environ = os.environ) -> str:
    """The language the window speaks, as Qt reads it from the environment: ``ja_JP.UTF-8`` → ``ja``
    (``LANGUAGE``'s first choice, else ``LC_ALL``, ``LC_MESSAGES``, ``LANG``; ``en`` when none is set)."""
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "").split(":")[0]
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return re.split(r"[_.@-]", value)[0].lower()
    return "en"


def font_problem(language: str) -> tuple[str, str] | None:
    """(problem, fix) when no installed font covers ``language`` (fontconfig: ``fc-list :lang=LANG``);
    ``None`` when one does, or outside Linux (where the system brings its fonts)."""
    if not sys.platform.startswith("linux"):
        return None
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return (
            f"fontconfig's fc-list is missing: cannot tell whether a font covers the UI language ({language})",
            "sudo apt install fontconfig",
        )
    try:
        listed = subprocess.run(
            [fc_list, f":lang={language}", "family"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"fc-list failed: {exc}", "sudo apt install --reinstall fontconfig"
    if listed.strip():
        return None
    package = FONT_PACKAGES.get(language, "fonts-noto-core")
    return (
        f"no installed font covers the UI language ({language}): the window's text would be empty boxes",
        f"sudo apt install {package}",
    )
