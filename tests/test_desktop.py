"""Linux desktop integration: the shipped desktop entry, icon and AppStream metadata pass the freedesktop validators,
the icon is the tray icon's design, and the files installed for the user (menu entry, autostart) run this Haikei."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
import pytest

from haikei import desktop
from haikei.errors import HaikeiError

REPO = Path(__file__).resolve().parents[1]
LINUX = REPO / "packaging" / "linux"
ENTRY = LINUX / f"{desktop.APP_ID}.desktop"
METAINFO = LINUX / f"{desktop.APP_ID}.metainfo.xml"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def validator(name: str, package: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"{name} missing (Debian/Ubuntu: apt install {package})")
    return tool


def desktop_file_validate(path: Path) -> None:
    result = subprocess.run(
        [validator("desktop-file-validate", "desktop-file-utils"), str(path)], capture_output=True, text=True
    )
    # Errors, warnings and hints all print; a clean entry prints nothing.
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def appstream_validate(path: Path) -> None:
    result = subprocess.run(
        [validator("appstreamcli", "appstream"), "validate", "--no-net", str(path)], capture_output=True, text=True
    )
    problems = [line for line in result.stdout.splitlines() if re.match(r"\s*[EW]: ", line)]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def entry_keys(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def exec_argv(value: str) -> list[str]:
    """An ``Exec`` value back to argv, as the Desktop Entry spec reads it: undo the string escapes, then split at
    spaces outside double quotes, where a backslash escapes ``"`` `` ` `` ``$`` and ``\\``."""
    text = re.sub(r"\\(.)", r"\1", value)
    words = re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', text)
    return [(re.sub(r'\\([`"$\\])', r"\1", quoted) if quoted else bare).replace("%%", "%") for quoted, bare in words]


def test_shipped_desktop_entry_is_valid():
    desktop_file_validate(ENTRY)
    keys = entry_keys(ENTRY)
    assert keys["Icon"] == desktop.APP_ID and keys["Exec"] == "haikei gui"


def test_shipped_metainfo_is_valid_and_names_the_entry():
    appstream_validate(METAINFO)
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == desktop.APP_ID
    assert root.findtext("launchable") == ENTRY.name


def test_metainfo_screenshots_are_the_projects_own_and_not_blank():
    images = ET.parse(METAINFO).getroot().findall("screenshots/screenshot/image")
    assert len(images) >= 2
    for image in images:
        path = REPO / image.text.split("/main/", 1)[1]  # the URL is the file's path in the repository
        picture = cv2.imread(str(path))
        assert picture is not None, path
        assert (picture.shape[1], picture.shape[0]) == (int(image.get("width")), int(image.get("height")))
        preview = picture[40:500, 20:830]  # the live preview: a real picture, not a flat status frame
        assert preview.std() > 30


@pytest.fixture(scope="module")
def qt():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def rgba(image) -> np.ndarray:
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4).astype(int)


@pytest.mark.parametrize("size", SIZES)
def test_icon_pngs_are_the_tray_icon(qt, size):
    from PySide6.QtGui import QImage

    from haikei.gui.tray import app_icon

    png = QImage(str(LINUX / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{desktop.APP_ID}.png"))
    assert (png.width(), png.height()) == (size, size)
    diff = np.abs(rgba(png) - rgba(app_icon(size).pixmap(size, size).toImage()))
    assert diff.mean() < 1.0 and np.percentile(diff, 99) < 40  # only antialiased edge pixels differ


def test_icon_svg_renders_as_the_512_png(qt, tmp_path):
    sys.path.insert(0, str(REPO / "packaging"))
    try:
        import make_desktop_assets
    finally:
        sys.path.pop(0)
    svg = LINUX / f"{desktop.APP_ID}.svg"
    assert svg.read_text() == make_desktop_assets.icon_svg()
    make_desktop_assets.render_png(svg, 512, tmp_path / "icon.png")
    assert (
        cv2.imread(str(tmp_path / "icon.png"), cv2.IMREAD_UNCHANGED).tobytes()
        == cv2.imread(
            str(LINUX / "icons" / "hicolor" / "512x512" / "apps" / f"{desktop.APP_ID}.png"), cv2.IMREAD_UNCHANGED
        ).tobytes()
    )


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def test_install_puts_a_valid_entry_icons_and_metainfo_for_the_user(xdg):
    mine = xdg / "data" / "applications" / "mine.desktop"
    mine.parent.mkdir(parents=True)
    mine.write_text("[Desktop Entry]\nType=Application\nName=Mine\nExec=true\n")
    written = desktop.install_desktop_integration()
    entry = xdg / "data" / "applications" / f"{desktop.APP_ID}.desktop"
    assert entry in written and all(p.is_relative_to(xdg / "data") for p in written)
    desktop_file_validate(entry)
    appstream_validate(xdg / "data" / "metainfo" / f"{desktop.APP_ID}.metainfo.xml")
    for size in SIZES:
        assert (xdg / "data" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{desktop.APP_ID}.png").is_file()
    assert (xdg / "data" / "icons" / "hicolor" / "scalable" / "apps" / f"{desktop.APP_ID}.svg").is_file()
    # The entry runs this installation of Haikei, by absolute path.
    argv = exec_argv(entry_keys(entry)["Exec"])
    assert argv[-1] == "gui" and Path(argv[0]).is_absolute()
    version = subprocess.run([*argv[:-1], "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("haikei ")
    removed = desktop.uninstall_desktop_integration()
    assert set(removed) == set(written) and not any(p.exists() for p in written)
    assert mine.read_text().endswith("Exec=true\n")  # others' entries untouched


def test_autostart_entry_starts_haikei_in_the_tray_and_goes_away(xdg):
    assert not desktop.autostart_enabled()
    path = desktop.set_autostart(True)
    assert path == xdg / "config" / "autostart" / f"{desktop.APP_ID}.desktop"
    desktop_file_validate(path)
    assert exec_argv(entry_keys(path)["Exec"])[-2:] == ["gui", "--tray"]
    assert desktop.autostart_enabled()
    path.write_text(path.read_text() + "Hidden=true\n")  # switched off by the desktop's own settings
    assert not desktop.autostart_enabled()
    desktop.set_autostart(False)
    assert not path.exists() and not desktop.autostart_enabled()
    desktop.set_autostart(False)  # already off: nothing to do, no error


@pytest.mark.parametrize(
    "argv",
    [
        ["/opt/My Apps/haikei", "gui"],
        ["/usr/bin/python3", "-m", "haikei", "gui", "--tray"],
        ['/tmp/we"ird $dir/back\\slash/100%/haikei', "gui"],
    ],
)
def test_exec_value_quotes_as_the_spec_says(xdg, argv, tmp_path):
    value = desktop.exec_value(argv)
    assert exec_argv(value) == argv
    path = tmp_path / "quoted.desktop"
    path.write_text(f"[Desktop Entry]\nType=Application\nName=Q\nExec={value}\n")
    desktop_file_validate(path)


def test_unwritable_autostart_folder_is_one_clear_error(xdg):
    (xdg / "config").mkdir()
    (xdg / "config" / "autostart").write_text("a file where the folder should be")
    with pytest.raises(HaikeiError, match="cannot write .*autostart"):
        desktop.set_autostart(True)
    assert (xdg / "config" / "autostart").read_text() == "a file where the folder should be"


def test_module_command_line(xdg):
    on = subprocess.run([sys.executable, "-m", "haikei.desktop", "autostart", "on"], capture_output=True, text=True)
    assert on.returncode == 0 and Path(on.stdout.strip()).is_file()
    wrong = subprocess.run([sys.executable, "-m", "haikei.desktop", "frobnicate"], capture_output=True, text=True)
    assert wrong.returncode == 2 and wrong.stderr.startswith("usage:")
