"""The shipped backgrounds: the video loops are small, seamless and play as backgrounds."""

from __future__ import annotations

import numpy as np
import pytest

from haikei import paths
from haikei.compose.backgrounds import BackgroundSpec, VideoBackground
from haikei.tools import make_backgrounds
from support.data import read_video

SHIPPED_VIDEOS = sorted(paths.shipped_backgrounds_dir().glob("*.webm"))
#: A shipped loop stays this small (a JPEG background is 60–150 KB).
MAX_VIDEO_BYTES = 500_000


def test_at_least_two_video_loops_are_shipped_and_each_is_generated():
    assert len(SHIPPED_VIDEOS) >= 2
    assert {p.stem for p in SHIPPED_VIDEOS} == set(make_backgrounds.VIDEOS)


@pytest.mark.parametrize("name", sorted(make_backgrounds.VIDEOS))
def test_each_loop_is_a_closed_path_in_time(name):
    """The generator's frame at phase 1 is its frame at phase 0: the loop has no seam by construction."""
    frame = make_backgrounds.VIDEOS[name](np.random.default_rng(1))
    start, end, quarter = frame(0.0), frame(1.0), frame(0.25)
    assert np.abs(end - start).max() < 0.5
    assert np.abs(quarter - start).mean() > 3  # and it moves


@pytest.mark.parametrize("path", SHIPPED_VIDEOS, ids=lambda p: p.name)
def test_shipped_loop_is_small_and_seamless(path):
    assert path.stat().st_size <= MAX_VIDEO_BYTES
    frames, fps = read_video(path)
    seconds = len(frames) / fps
    assert (frames[0].shape[1], frames[0].shape[0]) == (make_backgrounds.VIDEO_W, make_backgrounds.VIDEO_H)
    assert 6 <= seconds <= 12
    frames = [f.astype(np.int16) for f in frames]
    steps = [np.abs(b - a).mean() for a, b in zip(frames, frames[1:])]
    seam = np.abs(frames[0] - frames[-1]).mean()  # from the last frame back to the first
    assert seam <= 1.5 * np.median(steps)  # no bigger than any other step: no visible jump
    assert np.abs(frames[0] - frames[len(frames) // 2]).mean() > 5 * np.median(steps)  # it does move


def test_a_shipped_loop_plays_as_a_background_and_wraps():
    background = BackgroundSpec.parse(f"video:{SHIPPED_VIDEOS[0]}").open()
    assert isinstance(background, VideoBackground)
    frame = np.zeros((360, 640, 3), np.uint8)
    loop, step = make_backgrounds.LOOP_SECONDS, 0.25
    try:
        shown = [background.render(frame, i * step).astype(int) for i in range(int(2 * loop / step) + 1)]
    finally:
        background.close()
    half, whole = int(loop / 2 / step), int(loop / step)
    assert np.abs(shown[half] - shown[0]).mean() > 5
    assert np.abs(shown[whole + half] - shown[half]).mean() < 1  # one whole loop later: the same picture
