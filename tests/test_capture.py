"""Capture, stage 1: video files (looped or once, paced like a camera) and still images as sources."""

from __future__ import annotations

import time

import numpy as np
import pytest

from haikei.capture import open_source
from haikei.capture.files import ImageSource, VideoFileSource
from haikei.errors import SourceError
from support.data import SHARED, need_shared, write_clip


def test_video_source_loops_and_reports_its_format(tmp_path):
    clip = write_clip(tmp_path / "clip.mkv", [(i * 40, 0, 0) for i in range(5)])
    source = open_source(str(clip), (640, 480), 30, paced=False)
    assert isinstance(source, VideoFileSource) and source.size == (64, 48) and source.fps == 10
    blues = [int(source.read().image[0, 0, 0]) for _ in range(12)]
    assert blues == [0, 40, 80, 120, 160] * 2 + [0, 40]


def test_video_source_without_loop_ends(tmp_path):
    source = VideoFileSource(write_clip(tmp_path / "clip.mkv", [(1, 2, 3)] * 3), paced=False, loop=False)
    for _ in range(3):
        source.read()
    with pytest.raises(SourceError, match="no more frames"):
        source.read()


def test_paced_source_delivers_at_its_frame_rate(tmp_path):
    source = VideoFileSource(write_clip(tmp_path / "clip.mkv", [(0, 0, 0)] * 5, fps=50), paced=True)
    started = time.monotonic()
    for _ in range(10):
        source.read()
    assert 0.17 <= time.monotonic() - started < 0.6  # 9 frame intervals of 20 ms


def test_still_image_source_repeats_the_image():
    portrait = need_shared(SHARED / "data" / "portraits" / "doctor-5871743_640.jpg")
    source = open_source(str(portrait), (640, 480), 30, paced=False)
    assert isinstance(source, ImageSource)
    first, second = source.read(), source.read()
    assert np.array_equal(first.image, second.image) and second.index == 1
