"""Linux desktop integration, without Qt: the menu entry, icons and AppStream metadata installed for the user, and
the XDG autostart entry behind "Start with the system".

The files come from ``packaging/linux/`` (shipped in the package as ``haikei/data/packaging/linux/``); the
entries written here run *this* installation of Haikei (its absolute launcher), so they work for a venv, pipx or
the standalone bundle alike, whether or not ``haikei`` is on ``PATH``. Only files named after :data:`APP_ID`
are written or removed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from haikei import paths
from haikei.config import atomic_write_text
from haikei.errors import HaikeiError

APP_ID = "io.github.haikei.Haikei"
#: What the autostart entry runs after the launcher: the app, in the tray, its window hidden.
AUTOSTART_ARGS = ("gui", "--tray")
MENU_ARGS = ("gui",)


def assets_dir() -> Path:
    """The shipped desktop files: ``packaging/linux`` in a checkout, its copy inside an installed package."""
    return paths.data_root() / "packaging" / "linux"


def _xdg_home(variable: str, default: str) -> Path:
    value = os.environ.get(variable, "")
    # The XDG spec: an unset, empty or relative value means the default.
    return Path(value) if os.path.isabs(value) else Path.home() / default


def data_home() -> Path:
    return _xdg_home("XDG_DATA_HOME", ".local/share")


def config_home() -> Path:
    return _xdg_home("XDG_CONFIG_HOME", ".config")


def launcher() -> list[str]:
    """The command that starts this installation of Haikei, absolute."""
    if getattr(sys, "frozen", False):  # the PyInstaller bundle: its executable is the app
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.executable).parent / ("haikei.exe" if sys.platform == "win32" else "haikei")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "haikei"]


_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")


def exec_value(argv: list[str] | tuple[str, ...]) -> str:
    """``argv`` as a desktop entry's ``Exec`` value (the Desktop Entry spec's quoting, then its string escapes)."""
    words = []
    for arg in argv:
        arg = arg.replace("%", "%%")
        if arg == "" or _RESERVED.search(arg):
            arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
        words.append(arg)
    return " ".join(words).replace("\\", "\\\\")


def _entry_text(argv: list[str], extra: dict[str, str] | None = None) -> str:
    """The shipped desktop entry, running ``argv``, with ``extra`` keys added to its group."""
    template = (assets_dir() / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    lines = []
    for line in template.splitlines():
        key = line.split("=", 1)[0]
        if key == "Exec":
            line = f"Exec={exec_value(argv)}"
        elif key == "TryExec":
            line = "TryExec=" + argv[0].replace("\\", "\\\\")
        lines.append(line)
    lines += [f"{k}={v}" for k, v in (extra or {}).items()]
    return "\n".join(lines) + "\n"


def autostart_supported() -> bool:
    """Whether this system starts programs from XDG autostart entries (Linux and other free desktops)."""
    return sys.platform not in ("win32", "darwin")


def _require_freedesktop() -> None:
    if not autostart_supported():
        raise HaikeiError(
            "desktop entries and XDG autostart are for Linux desktops",
            "on Windows and macOS use the system's own startup settings",
        )


def _write(path: Path, text: str | bytes) -> None:
    try:
        if isinstance(text, bytes):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(text)
            os.replace(tmp, path)
        else:
            atomic_write_text(path, text)
    except OSError as exc:
        raise HaikeiError(f"cannot write {path}: {exc.strerror or exc}", "check that the folder is writable") from None


def desktop_files(home: Path | None = None) -> dict[Path, Path]:
    """Each shipped desktop file (except the menu entry, which is written from a template) → where it goes."""
    home = home or data_home()
    src = assets_dir()
    files = {
        src / f"{APP_ID}.svg": home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        src / f"{APP_ID}.metainfo.xml": home / "metainfo" / f"{APP_ID}.metainfo.xml",
    }
    for png in sorted((src / "icons" / "hicolor").glob(f"*/apps/{APP_ID}.png")):
        files[png] = home / "icons" / png.relative_to(src / "icons")
    return files


def menu_entry_path(home: Path | None = None) -> Path:
    return (home or data_home()) / "applications" / f"{APP_ID}.desktop"


def install_desktop_integration() -> list[Path]:
    """Put Haikei in the desktop's app menu: entry, icons (SVG + PNG sizes) and AppStream metadata, for this user.

    Returns the files written. Running it again (e.g. after moving the install) rewrites them."""
    _require_freedesktop()
    written = []
    for src, dest in desktop_files().items():
        _write(dest, src.read_bytes())
        written.append(dest)
    entry = menu_entry_path()
    _write(entry, _entry_text([*launcher(), *MENU_ARGS]))
    written.append(entry)
    _refresh_caches()
    return written


def uninstall_desktop_integration() -> list[Path]:
    """Remove what :func:`install_desktop_integration` wrote (and the autostart entry); returns the files removed."""
    removed = []
    for path in [*desktop_files().values(), menu_entry_path(), autostart_path()]:
        if path.is_file():
            path.unlink()
            removed.append(path)
    _refresh_caches()
    return removed


def _refresh_caches() -> None:
    """Tell menus and icon themes that something changed (best effort: both also notice on their own)."""
    icons = data_home() / "icons" / "hicolor"
    if icons.is_dir():
        os.utime(icons)  # GTK rescans an icon theme folder whose time changed
    tool = shutil.which("update-desktop-database")
    if tool and menu_entry_path().parent.is_dir():
        subprocess.run([tool, "-q", str(menu_entry_path().parent)], check=False, capture_output=True)


def autostart_path() -> Path:
    return config_home() / "autostart" / f"{APP_ID}.desktop"


def autostart_enabled() -> bool:
    """Whether the desktop will start Haikei at login (our entry exists and is not switched off in it)."""
    try:
        text = autostart_path().read_text(encoding="utf-8")
    except OSError:
        return False
    keys = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return keys.get("Hidden", "false") != "true" and keys.get("X-GNOME-Autostart-enabled", "true") != "false"


def set_autostart(enabled: bool) -> Path:
    """Write (``True``) or remove (``False``) the XDG autostart entry that starts Haikei in the tray at login."""
    _require_freedesktop()
    path = autostart_path()
    if enabled:
        _write(
            path,
            _entry_text(
                [*launcher(), *AUTOSTART_ARGS], {"X-GNOME-Autostart-enabled": "true", "X-KDE-autostart-after": "panel"}
            ),
        )
    else:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise HaikeiError(f"cannot remove {path}: {exc.strerror or exc}") from None
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m haikei.desktop install | uninstall | autostart on|off`` (``make install-desktop``)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        if args == ["install"]:
            print(*install_desktop_integration(), sep="\n")
        elif args == ["uninstall"]:
            print(*uninstall_desktop_integration(), sep="\n")
        elif len(args) == 2 and args[0] == "autostart" and args[1] in ("on", "off"):
            print(set_autostart(args[1] == "on"))
        else:
            print("usage: python -m haikei.desktop install | uninstall | autostart on|off", file=sys.stderr)
            return 2
    except HaikeiError as exc:
        print(f"haikei: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
