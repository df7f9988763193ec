"""The MJPG camera path: JPEG frames decoded on the capture thread, from MJPG files, from memory (the
bench's webcam stand-in) and from cameras; ``haikei bench --mjpeg`` and its CPU time per frame."""

from __future__ import annotations

import json
import re

import cv2
import numpy as np
import pytest

from haikei import cli
from haikei.capture import open_source
from haikei.capture.camera import CameraSource
from haikei.capture.files import VideoFileSource
from haikei.capture.mjpeg import JpegPacketSource, MjpegFileSource, open_raw_mjpeg, webcam_clip
from haikei.errors import SourceError
from haikei.frames.jpeg import dct_factor, decode_jpeg, encode_jpeg
from support.data import doctor_frames


@pytest.fixture(scope="module")
def doctor_jpegs(doctor_video) -> list[bytes]:
    """Six Doctor frames at 320x180 as a webcam sends them (JPEG, 4:2:2, q85)."""
    return [encode_jpeg(frame) for frame in doctor_frames(doctor_video, 6, size=(320, 180), skip=120)]


def write_mjpg(path, frames, fps=15.0):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, frames[0].shape[1::-1])
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def raw_packets(path) -> list[np.ndarray]:
    capture = open_raw_mjpeg(path)
    packets = []
    while True:
        ok, packet = capture.read()
        if not ok:
            break
        packets.append(packet.reshape(-1).copy())
    capture.release()
    return packets


def test_an_mjpg_file_is_decoded_here_from_its_jpeg_packets_and_loops(tmp_path, doctor_video):
    frames = doctor_frames(doctor_video, 4, size=(320, 180), skip=60)
    path = write_mjpg(tmp_path / "webcam.avi", frames)
    packets = raw_packets(path)
    assert len(packets) == 4 and all(packet[:2].tolist() == [0xFF, 0xD8] for packet in packets)  # whole JPEGs
    source = open_source(str(path), (320, 180), 30, paced=False)
    try:
        assert isinstance(source, MjpegFileSource) and source.size == (320, 180) and source.fps == 15.0
        assert "MJPG" in source.description and source.frame_count == 4
        read = [source.read() for _ in range(6)]
    finally:
        source.close()
    for index, frame in enumerate(read):
        assert frame.index == index and frame.capture_ms > 0
        assert np.array_equal(frame.image, decode_jpeg(packets[index % 4])), index  # looped at the end
        assert np.abs(frame.image.astype(int) - frames[index % 4]).mean() < 3  # the picture that was written
    # OpenCV's own (FFmpeg) decoding of the same file: the same pictures within JPEG decoders' rounding
    capture = cv2.VideoCapture(str(path))
    ok, decoded = capture.read()
    capture.release()
    assert ok and np.abs(decoded.astype(int) - read[0].image).mean() < 1.5


def test_an_mjpg_file_once_ends_and_other_videos_are_decoded_as_before(tmp_path, doctor_video):
    path = write_mjpg(tmp_path / "webcam.avi", doctor_frames(doctor_video, 2, size=(64, 48)))
    once = MjpegFileSource(path, paced=False, loop=False)
    once.read(), once.read()
    with pytest.raises(SourceError, match="no more frames"):
        once.read()
    once.close()
    h264 = open_source(str(doctor_video), (640, 360), 30, paced=False)
    assert isinstance(h264, VideoFileSource)
    h264.close()
    with pytest.raises(SourceError, match="cannot decode video .* as MJPG"):
        MjpegFileSource(doctor_video, paced=False)


def test_undecodable_frames_are_skipped_and_a_stream_of_them_stops_the_source(doctor_jpegs):
    torn = doctor_jpegs[1][: len(doctor_jpegs[1]) // 3]  # a frame cut short (a camera's torn frame)
    assert decode_jpeg(torn) is None  # not shown half grey: the next whole frame is
    packets = [doctor_jpegs[0], b"\xff\xd8garbage" * 8, b"not a jpeg at all", torn, doctor_jpegs[2]]
    source = JpegPacketSource(packets, 30.0, paced=False)
    pictures = [source.read().image for _ in range(3)]
    for picture, jpeg in zip(pictures, (doctor_jpegs[0], doctor_jpegs[2], doctor_jpegs[0])):
        assert np.array_equal(picture, decode_jpeg(jpeg))
    broken = JpegPacketSource([doctor_jpegs[0]] + [b"\xff\xd8broken"] * 40, 30.0, paced=False)
    broken.read()
    with pytest.raises(SourceError, match="frames that cannot be decoded"):
        broken.read()


def test_the_webcam_stand_in_is_the_clip_fitted_and_encoded_as_a_webcam_sends_it(doctor_video):
    packets, fps = webcam_clip(doctor_video, (320, 240), 3)
    assert len(packets) == 3 and fps == pytest.approx(29.97, abs=0.01)
    source = JpegPacketSource(packets, fps, paced=False)
    assert source.size == (320, 240)
    pictures = [source.read().image for _ in range(4)]
    assert np.array_equal(pictures[3], pictures[0])  # looped
    expected = doctor_frames(doctor_video, 1, size=(320, 240))[0]
    assert np.abs(pictures[0].astype(int) - expected).mean() < 3


def test_bench_mjpeg_reports_cpu_time_per_frame_with_decoding_in_capture(doctor_video, capsys):
    args = ["bench", "--source", str(doctor_video), "--size", "320x180", "--frames", "12", "--mjpeg"]
    assert cli.main([*args, "--json", "--cpu-time"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["source"].startswith("MJPG 4:2:2 q85 in memory") and report["frames"] == 12
    assert report["stages"]["capture"]["p50"] > 0  # the decode, on the capture thread
    stages = sum(report["stages"][name]["p50"] for name in ("capture", "preprocess", "inference", "refine", "compose"))
    assert 0.5 * stages < report["cpu_ms_per_frame"] < 50 * stages
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "CPU ms" in out and re.search(r"\nCPU time per frame \d+\.\d\d ms", out)
    assert cli.main(["bench", "--source", "0", "--mjpeg", "--frames", "5"]) == 2
    assert "--mjpeg re-encodes a video file" in capsys.readouterr().err


def test_libjpeg_turbo_through_simplejpeg_gives_opencvs_pixels(doctor_video):
    """The decoder changed, not the picture: every pixel as cv2.imdecode gives it, 4:2:2 and 4:2:0."""
    frames = doctor_frames(doctor_video, 2, size=(1280, 720), skip=200)
    for frame in frames:
        for sampling in (cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420):
            params = [cv2.IMWRITE_JPEG_QUALITY, 85, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, sampling]
            packet = cv2.imencode(".jpg", frame, params)[1].reshape(-1)
            assert np.array_equal(decode_jpeg(packet), cv2.imdecode(packet, cv2.IMREAD_COLOR))


def test_an_mjpg_camera_hands_its_jpegs_over_undecoded_and_they_are_decoded_here(tmp_path, doctor_video):
    """No camera here: OpenCV's own capture of an MJPG file stands in for the V4L2 device, in the two
    ways a camera's backend answers: JPEG packets once decoding is off, or decoded frames regardless."""
    frames = doctor_frames(doctor_video, 4, size=(320, 180), skip=90)
    path = write_mjpg(tmp_path / "webcam.avi", frames)
    packets = raw_packets(path)
    opened = []

    def raw_device(device, api):  # hands packets, as V4L2 does for MJPG with CONVERT_RGB off
        opened.append((device, api))
        return open_raw_mjpeg(path)

    camera = CameraSource("/dev/video0", (320, 180), 30, open_capture=raw_device)
    try:
        assert camera.raw_mjpg and "MJPG decoded by libjpeg-turbo" in camera.description
        read = [camera.read().image for _ in range(4)]
        with pytest.raises(SourceError, match="stopped delivering frames"):
            camera.read()
    finally:
        camera.close()
    assert opened == [("/dev/video0", cv2.CAP_V4L2)]
    for image, packet in zip(read, packets, strict=True):  # every frame, the first one included
        assert np.array_equal(image, cv2.imdecode(packet, cv2.IMREAD_COLOR))

    def decoding_device(device, api):  # a backend that cannot turn decoding off: OpenCV decodes as before
        return cv2.VideoCapture(str(path), cv2.CAP_OPENCV_MJPEG)

    camera = CameraSource(0, (320, 180), 30, open_capture=decoding_device)
    try:
        assert not camera.raw_mjpg and camera.description == "camera 0"
        image = camera.read().image
    finally:
        camera.close()
    assert image.shape == (180, 320, 3) and np.array_equal(image, cv2.imdecode(packets[0], cv2.IMREAD_COLOR))


@pytest.mark.parametrize(
    "picture, output, factor",
    [
        ((1280, 720), (1280, 720), 1),
        ((1920, 1080), (1280, 720), 1),  # 6/8 would do, but is slower than a full decode
        ((1280, 720), (640, 360), 2),
        ((1920, 1080), (640, 360), 2),
        ((2560, 1440), (640, 360), 4),
        ((640, 480), (320, 180), 2),  # 4:3 cover-fitted to 16:9: the width decides
        ((640, 480), (160, 160), 2),  # a square: the height decides
        ((3840, 2160), (320, 180), 8),
    ],
)
def test_the_dct_scale_is_a_fast_one_that_still_covers_the_output(picture, output, factor):
    assert dct_factor(picture, output) == factor


def test_an_mjpg_file_for_a_smaller_output_is_decoded_dct_scaled(tmp_path, doctor_video):
    frames = doctor_frames(doctor_video, 2, size=(640, 360), skip=30)
    path = write_mjpg(tmp_path / "webcam.avi", frames)
    packets = raw_packets(path)
    for output, shape in (((320, 180), (180, 320, 3)), ((200, 100), (180, 320, 3)), ((160, 90), (90, 160, 3))):
        source = open_source(str(path), output, 30, paced=False)
        try:
            picture = source.read().image
        finally:
            source.close()
        assert picture.shape == shape
        # libjpeg-turbo's scaled IDCT: the picture shrunk by area average, give or take its filter.
        shrunk = cv2.resize(cv2.imdecode(packets[0], cv2.IMREAD_COLOR), shape[1::-1], interpolation=cv2.INTER_AREA)
        difference = np.abs(picture.astype(int) - shrunk)
        assert difference.mean() < 2.0 and np.percentile(difference, 99) <= 12
