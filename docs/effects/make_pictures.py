"""Before/after pictures of the effects for docs/effects.md, made by ``haikei process`` on real footage
from ../shared: the Doctor clip as it is, placed small in a wide room (auto-framing) and darkened as a
dim webcam (light), and a portrait (touch-up). Run from the checkout: ``python docs/effects/make_pictures.py``.
The scenes are the tests' (tests/support/scenes.py)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))
from support.data import DOCTOR_VIDEO, SHARED  # noqa: E402
from support.scenes import darken, doctor_with_mattes, person_in_room  # noqa: E402

WIDTH = 480  # each panel


def write(path: Path, frames: list[np.ndarray], fps: float = 30) -> Path:
    """A lossless clip of ``frames``."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"FFV1"), fps, frames[0].shape[1::-1])
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def processed(source: Path, frames: int, *options: str) -> np.ndarray:
    """The last frame ``haikei process`` makes of ``source`` with ``options``."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.avi"
        command = ["haikei", "process", str(source), str(out), "--frames", str(frames), "--no-progress", *options]
        subprocess.run(command, check=True, capture_output=True)
        capture = cv2.VideoCapture(str(out))
        last = None
        while True:
            ok, frame = capture.read()
            if not ok:
                return last
            last = frame


def panel(image: np.ndarray, label: str) -> np.ndarray:
    image = cv2.resize(image, (WIDTH, round(image.shape[0] * WIDTH / image.shape[1])), interpolation=cv2.INTER_AREA)
    (w, h), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, 0.55, 1)
    cv2.rectangle(image, (0, 0), (w + 16, h + 14), (30, 30, 30), -1)
    cv2.putText(image, label, (8, h + 6), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1, cv2.LINE_AA)
    return image


def sheet(name: str, panels: list[np.ndarray], columns: int = 2) -> None:
    rows = [np.hstack(panels[i : i + columns]) for i in range(0, len(panels), columns)]
    cv2.imwrite(str(HERE / f"{name}.jpg"), np.vstack(rows), [cv2.IMWRITE_JPEG_QUALITY, 85])


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        pictures, mattes = doctor_with_mattes(75)
        wide = write(folder / "wide.avi", [person_in_room(p, m, 0.3) for p, m in zip(pictures, mattes)])
        sheet(
            "framing",
            [
                panel(processed(wide, 75, "--background", "none"), "off"),
                panel(processed(wide, 75, "--background", "none", "--framing", "auto"), "--framing auto"),
            ],
        )
        dark = write(folder / "dark.avi", [darken(p, i) for i, p in enumerate(pictures[:45])])
        sheet(
            "light",
            [
                panel(processed(dark, 45, "--background", "none"), "off"),
                panel(processed(dark, 45, "--background", "none", "--light", "auto"), "--light auto"),
            ],
        )
        portrait = SHARED / "data" / "portraits" / "doctor-5871743_640.jpg"
        face = write(folder / "portrait.avi", [cv2.imread(str(portrait))] * 20)
        sheet(
            "touch-up",
            [
                panel(processed(face, 20, "--background", "none"), "off"),
                panel(processed(face, 20, "--background", "none", "--touch-up", "100"), "--touch-up 100"),
            ],
        )
        looks = [panel(processed(DOCTOR_VIDEO, 20, "--background", "none"), "off")]
        for style in ("painting", "cartoon", "pencil"):
            looks.append(
                panel(processed(DOCTOR_VIDEO, 20, "--background", "none", "--style", style), f"--style {style}")
            )
        sheet("styles", looks)
        sheet(
            "styles-picture",
            [
                panel(
                    processed(DOCTOR_VIDEO, 20, "--background", "none", "--style", style, "--style-on", "picture"),
                    f"--style {style} --style-on picture",
                )
                for style in ("painting", "cartoon", "pencil")
            ],
            columns=3,
        )


if __name__ == "__main__":
    main()
