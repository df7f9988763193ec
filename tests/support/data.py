"""The real test data in ../shared (photos with true masks, the Doctor video, third-party models),
and reading it the way the app's stages do."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
DOCTOR_VIDEO = SHARED / "data" / "videos" / "Doctor-26732.mp4"
SEGMENTATION = SHARED / "data" / "segmentation"


def need_shared(path: Path) -> Path:
    """``path`` in ../shared, or the test is skipped with why (the data is not shipped with the project)."""
    if not path.exists():
        pytest.skip(f"test data missing: {path} (../shared beside the repo)")
    return path


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


def write_clip(path: Path, colours, size: tuple[int, int] = (64, 48), fps: float = 10) -> Path:
    """A lossless (FFV1) clip of flat frames, one per colour (BGR): frames whose content is known."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"FFV1"), fps, size)
    for colour in colours:
        writer.write(np.full((size[1], size[0], 3), colour, np.uint8))
    writer.release()
    return path
