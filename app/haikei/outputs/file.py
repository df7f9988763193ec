"""Outputs without a device: a video file, and none at all."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from haikei.errors import OutputError
from haikei.frames import I420
from haikei.frames.files import MEDIA
from haikei.outputs.base import Sink


class NullSink(Sink):
    """Drops every frame. Takes I420 like a virtual camera, so that a bench with no output still
    times the picture in the format a camera would get."""

    description = "no output"
    pixel_format = I420

    @classmethod
    def from_spec(cls, arg: str, size: tuple[int, int], fps: float) -> NullSink:
        return cls()

    def send(self, frame: np.ndarray) -> None:
        pass


class FileSink(Sink):
    """A video file, written beside the target and renamed into place when complete."""

    #: Suffix → the FourCC it is written with (from the one table of media files).
    CODECS = {suffix: media.writer_fourcc for suffix, media in MEDIA.items() if media.writer_fourcc}

    def __init__(self, path: Path, size: tuple[int, int], fps: float):
        codec = self.CODECS.get(path.suffix.lower())
        if codec is None:
            raise OutputError(
                f"unsupported output file type {path.suffix or path.name!r}", f"use one of {', '.join(self.CODECS)}"
            )
        if not path.parent.is_dir():
            raise OutputError(f"output folder {path.parent} does not exist")
        if not os.access(path.parent, os.W_OK):
            raise OutputError(f"output folder {path.parent} is not writable")
        self.path = path
        self.partial = path.with_name(f".{path.stem}.partial{path.suffix}")
        self.writer = cv2.VideoWriter(str(self.partial), cv2.VideoWriter_fourcc(*codec), fps, size)
        if not self.writer.isOpened():
            raise OutputError(f"cannot write {codec} video to {path}", "try another file type, e.g. .avi or .mkv")
        self.description = f"file {path}"
        self.frames = 0

    @classmethod
    def from_spec(cls, arg: str, size: tuple[int, int], fps: float) -> FileSink:
        return cls(Path(arg).expanduser(), size, fps)

    def send(self, frame: np.ndarray) -> None:
        self.writer.write(frame)
        self.frames += 1

    def close(self) -> None:
        self.writer.release()
        if self.frames:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)
