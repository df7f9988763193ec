"""Make the desktop assets: the app icon (SVG and PNGs, the tray icon's design) and the AppStream screenshots.

    python packaging/make_desktop_assets.py icons                 # haikei.svg + icons/hicolor/NxN/apps/*.png
    python packaging/make_desktop_assets.py screenshots VIDEO     # packaging/screenshots/*.png (gui --screenshot)

The icon is the one ``haikei.gui.tray.app_icon`` paints (a rounded tile with a blue→purple gradient and a white
figure), written as SVG with the same geometry; the PNGs are rendered from that SVG by Qt. The screenshots are the
app's own window, grabbed by its ``--screenshot`` option with a private HOME (default settings, timing overlay off).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "linux"
APP_ID = "io.github.haikei.Haikei"
SVG = HERE / f"{APP_ID}.svg"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
SCREENSHOTS = {
    # name: the options after `haikei gui`
    "blur": ["--background", "blur:30"],
    "image": ["--background", "image:{backgrounds}/calm-room.jpg"],
}


def icon_svg(size: int = 512) -> str:
    """gui/tray.py's ``app_icon`` geometry, as fractions of the tile's side."""

    def f(x: float) -> str:
        return f"{x * size:g}"

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">
  <title>Haikei</title>
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="{size}" y2="{size}" gradientUnits="userSpaceOnUse">
      <stop offset="0" stop-color="#5b8def"/>
      <stop offset="1" stop-color="#8e5bd8"/>
    </linearGradient>
  </defs>
  <rect width="{size}" height="{size}" rx="{f(0.22)}" fill="url(#tile)"/>
  <g fill="#ffffff" fill-opacity="{235 / 255:.4f}">
    <circle cx="{f(0.5)}" cy="{f(0.32)}" r="{f(0.14)}"/>
    <rect x="{f(0.22)}" y="{f(0.52)}" width="{f(0.56)}" height="{f(0.40)}" rx="{f(0.2)}"/>
  </g>
</svg>
"""


def png_path(size: int) -> Path:
    return HERE / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render_png(svg: Path, size: int, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _ = QGuiApplication.instance() or QGuiApplication([])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")


def make_icons() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    SVG.write_text(icon_svg(), encoding="utf-8")
    for size in PNG_SIZES:
        render_png(SVG, size, png_path(size))
        print(png_path(size).relative_to(HERE))


def make_screenshots(video: Path, haikei: str = "haikei") -> None:
    from haikei import paths

    out = HERE.parent / "screenshots"
    out.mkdir(exist_ok=True)
    for name, options in SCREENSHOTS.items():
        with tempfile.TemporaryDirectory() as home:
            # A fresh HOME: default settings, except no timing overlay over the picture.
            (Path(home) / ".config" / "haikei").mkdir(parents=True)
            (Path(home) / ".config" / "haikei" / "gui.json").write_text('{"show_stats": false}\n', encoding="utf-8")
            env = {
                **os.environ,
                "HOME": home,
                "QT_QPA_PLATFORM": "offscreen",
                "XDG_CONFIG_HOME": f"{home}/.config",
                "XDG_DATA_HOME": f"{home}/.local/share",
            }
            argv = [
                haikei,
                "gui",
                "--source",
                str(video),
                "--output",
                "none",
                "--frames",
                "45",
                "--screenshot",
                str(out / f"{name}.png"),
                *(o.format(backgrounds=paths.shipped_backgrounds_dir()) for o in options),
            ]
            subprocess.run(argv, env=env, check=True)
        print(out / f"{name}.png")


def main(argv: list[str]) -> int:
    if argv[:1] == ["icons"]:
        make_icons()
    elif argv[:1] == ["screenshots"] and len(argv) >= 2:
        make_screenshots(Path(argv[1]), *argv[2:3])
    else:
        print(__doc__.strip().splitlines()[2:4], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
