"""`haikei process`: the Doctor video with a green background, checked pixel by pixel."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from support.data import read_video

# Regions of the 960x540 Doctor video (x0, y0, x1, y1): her face and coat, and bare background.
PERSON_BOXES = [(575, 110, 625, 170), (560, 280, 660, 340)]
BACKGROUND_BOXES = [(20, 20, 120, 100), (820, 20, 940, 100), (180, 80, 300, 140)]
GREEN = np.array([0, 255, 0])


@pytest.fixture(scope="module")
def green_run(doctor_video, tmp_path_factory):
    out = tmp_path_factory.mktemp("process") / "green.mkv"
    result = subprocess.run(
        [sys.executable, "-m", "haikei", "process", str(doctor_video), str(out), "--background", "color:#00ff00"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out, result


def test_process_keeps_frame_count_and_fps(doctor_video, green_run):
    out, result = green_run
    inputs, in_fps = read_video(doctor_video)
    outputs, out_fps = read_video(out)
    assert len(outputs) == len(inputs) == 760
    assert out_fps == pytest.approx(in_fps, abs=0.01)
    assert outputs[0].shape == inputs[0].shape
    assert result.stderr.strip().splitlines()[-1] == f"haikei: wrote 760 frames (H.264, no sound) to {out}"
    assert not list(out.parent.glob(".*partial*"))  # the temporary file was renamed into place


def test_process_keeps_the_person_and_replaces_the_background(doctor_video, green_run):
    inputs, _ = read_video(doctor_video)
    outputs, _ = read_video(green_run[0])
    for index in (0, 200, 400, 759):
        source, result = inputs[index].astype(int), outputs[index].astype(int)
        for x0, y0, x1, y1 in PERSON_BOXES:
            diff = np.abs(result[y0:y1, x0:x1] - source[y0:y1, x0:x1]).mean()
            assert diff < 6, f"frame {index}: person region changed by {diff:.1f} levels"
        for x0, y0, x1, y1 in BACKGROUND_BOXES:
            diff = np.abs(result[y0:y1, x0:x1] - GREEN).max(axis=2)
            assert np.percentile(diff, 99) <= 4, f"frame {index}: background not green in {(x0, y0, x1, y1)}"
        green_share = (np.abs(result - GREEN).max(axis=2) <= 4).mean()
        assert 0.45 < green_share < 0.85, green_share  # she covers a good part of the frame, not all of it


def test_process_writes_mp4_and_honours_frames(doctor_video, tmp_path):
    from haikei import cli

    out = tmp_path / "blur.mp4"
    assert (
        cli.main(["process", str(doctor_video), str(out), "--background", "blur:30", "--frames", "12", "--no-progress"])
        == 0
    )
    frames, fps = read_video(out)
    assert len(frames) == 12 and fps == pytest.approx(29.97, abs=0.01)
    original, _ = read_video(doctor_video)
    x0, y0, x1, y1 = BACKGROUND_BOXES[2]  # shelves: detailed, so blur must flatten them

    def sharpness(img):
        return cv2.Laplacian(cv2.cvtColor(img[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY), cv2.CV_64F).var()

    assert sharpness(frames[5]) < 0.2 * sharpness(original[5])
