"""Shared fixtures: the ../shared test data, and a private home for config and user models."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipewire_session import pipewire  # noqa: F401 - the private PipeWire session fixture

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DOCTOR_VIDEO = SHARED / "data" / "videos" / "Doctor-26732.mp4"
SEGMENTATION = SHARED / "data" / "segmentation"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def need_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"test data missing: {path} (../shared beside the repo)")
    return path


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch):
    """Config and user data go to a fresh folder: tests never read or write the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    return home


@pytest.fixture
def recording_backend():
    """pyvirtualcam with a backend that records what it is sent (tried after the real ones)."""
    import pyvirtualcam
    from pyvirtualcam.camera import BACKENDS

    from support.vcam import RecordingBackend

    pyvirtualcam.register_backend("recording", RecordingBackend)
    yield RecordingBackend
    BACKENDS.pop("recording", None)
    RecordingBackend.native = None
    RecordingBackend.last = None


@pytest.fixture(scope="session")
def doctor_video() -> Path:
    return need_shared(DOCTOR_VIDEO)


def webcam_like_pairs(limit: int | None = None) -> list[tuple[Path, Path]]:
    """(image, mask) pairs where the person covers at least 20 % of the frame."""
    need_shared(SEGMENTATION)
    pairs = []
    for image in sorted((SEGMENTATION / "images").glob("*.jpg"), key=lambda p: int(p.stem)):
        mask_path = SEGMENTATION / "masks" / f"{image.stem}.png"
        mask = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE)
        if mask is not None and (mask > 127).mean() >= 0.20:
            pairs.append((image, mask_path))
    return pairs[:limit] if limit else pairs


def read_ground_truth(mask_path: Path, image: np.ndarray) -> np.ndarray:
    """Boolean person mask at the image's size (nearest-neighbour when sizes differ)."""
    mask = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE)
    if mask.shape != image.shape[:2]:
        mask = cv2.resize(mask, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_NEAREST)
    return mask > 127


def iou(predicted: np.ndarray, truth: np.ndarray) -> float:
    union = np.logical_or(predicted, truth).sum()
    return float(np.logical_and(predicted, truth).sum() / union) if union else 1.0


def read_video(path: Path) -> tuple[list[np.ndarray], float]:
    """Every frame of a video file, and its frame rate."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return frames, fps


def is_status(frame: np.ndarray) -> bool:
    """The engine's dark "Camera paused" / "Reconnecting" frame rather than a picture."""
    return frame.mean() < 60


def doctor_frames(video: Path, count: int, size: tuple[int, int] = (640, 360), skip: int = 0) -> list[np.ndarray]:
    """``count`` frames of the video (after ``skip``), fitted to ``size`` as the stages fit them."""
    from haikei.frames.pyramid import Pyramid

    return [Pyramid(frame.image, frame.size).image for frame in captured_frames(video, count, size, skip)]


def captured_frames(video: Path, count: int, size: tuple[int, int] = (640, 360), skip: int = 0) -> list:
    """``count`` frames of the video (after ``skip``) as the engine's capture hands them on: the
    picture as decoded, to be fitted to ``size``."""
    from haikei.capture.files import VideoFileSource

    source = VideoFileSource(video, paced=False, loop=False)
    try:
        for _ in range(skip):
            source.read()
        return [dataclasses.replace(source.read(), size=size) for _ in range(count)]
    finally:
        source.close()
