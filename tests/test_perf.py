"""`haikei bench` and the fast paths: the bench reports every stage with plausible numbers, and each
optimised path gives the pixels of the straightforward one (no wall-clock thresholds here)."""

from __future__ import annotations

import json
import os

import cv2
import numpy as np
import pytest

from haikei import cli
from haikei.cli.bench import format_table
from haikei.compose.blend import Compositor
from haikei.compose.blur import blur_frame, blur_frame_i420
from haikei.config import load_settings, save_preset
from haikei.frames import I420, Frame
from haikei.frames.fit import cover_crop, cover_fit
from haikei.frames.i420 import to_i420
from haikei.frames.pyramid import Pyramid
from haikei.live import Engine
from haikei.measure import autopreset
from haikei.outputs.null import NullSink
from haikei.pipeline import FrameProcessor
from haikei.segment import open_segmenter
from haikei.segment.catalog import load_catalog
from haikei.segment.reuse import MAX_REUSE, MaskReuse
from haikei.settings import Settings
from haikei.stats import STAGES
from support.data import captured_frames, doctor_frames

SIZE = (640, 360)


def float_blend(frame, background, alpha):
    """The straightforward reference: the blend in float, rounded once."""
    a = alpha[:, :, None].astype(np.float64)
    return np.rint(frame * a + background * (1.0 - a)).astype(np.uint8)


def test_bench_json_has_every_stage_and_plausible_numbers(doctor_video, capsys):
    assert cli.main(["bench", "--source", str(doctor_video), "--size", "640x360", "--frames", "20", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(STAGES) | {"latency"} <= report["stages"].keys()
    for name, value in report["stages"].items():
        assert 0 <= value["p50"] <= value["p95"] <= value["p99"] < 10_000, name
    stages = report["stages"]
    for name in ("capture", "preprocess", "inference", "refine", "compose"):
        assert 0 < stages[name]["p50"] < stages["total"]["p99"], name
    parts = sum(stages[name]["p50"] for name in STAGES if name != "total")
    assert stages["total"]["p50"] >= 0.5 * parts  # total covers the stages (percentiles do not add up exactly)
    assert report["fps"] > 0 and report["frames"] == 20 and report["dropped"] == 0
    assert 0 < report["cpu_cores"] <= os.cpu_count() + 0.5
    assert 50 < report["rss_mb"] < 4000
    assert report["settings"]["width"] == 640 and report["settings"]["preset"] == "balanced"


def test_paced_bench_runs_at_the_source_rate(doctor_video, capsys):
    assert (
        cli.main(
            [
                "bench",
                "--source",
                str(doctor_video),
                "--size",
                "320x180",
                "--frames",
                "15",
                "--paced",
                "--background",
                "color:#00ff00",
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    # Frames come at the video's rate (a burst only while catching up after a slow frame, hence the margin).
    assert report["paced"] and 0 < report["fps"] < 29.97 * 2


def test_bench_all_prints_a_row_per_model_and_preset(doctor_video, capsys):
    assert (
        cli.main(["bench", "--all", "--source", str(doctor_video), "--size", "320x180", "--frames", "2", "--json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    combos = {(row["settings"]["model"], row["settings"]["preset"]) for row in rows}
    models = {row["settings"]["model"] for row in rows}
    assert {"selfie-landscape", "selfie-general"} <= models
    assert combos == {(m, p) for m in models for p in autopreset.PRESET_ORDER}
    assert "selfie-landscape" in format_table(rows)


def test_bench_auto_picks_the_first_preset_that_fits_and_saves_it(capsys):
    assert cli.main(["bench", "--auto", "--seconds", "0.6", "--size", "320x180", "--fps", "30", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    costs, budget = result["cost_ms_p95"], result["budget_ms"]
    tried = list(costs)
    assert tried == list(autopreset.PRESET_ORDER[: len(tried)]) and tried[-1] == result["preset"]
    assert all(costs[name] > budget for name in tried[:-1])  # every better preset was too slow
    assert costs[result["preset"]] <= budget or result["preset"] == "speed"
    assert load_settings()[0].preset == result["preset"]


def test_auto_preset_runs_on_the_first_start_with_a_camera_only(tmp_path):
    camera, video = Settings(source="0"), Settings(source=str(tmp_path / "talk.mp4"))
    assert autopreset.wants_auto_preset(camera, asked=False, preset_given=False)
    assert not autopreset.wants_auto_preset(camera, asked=False, preset_given=True)
    assert not autopreset.wants_auto_preset(video, asked=False, preset_given=False)
    assert autopreset.wants_auto_preset(video, asked=True, preset_given=False)
    chosen = autopreset.auto_preset(Settings(width=320, height=180, fps=1), seconds=0.3)  # 1 s a frame: quality fits
    assert chosen == "quality" and autopreset.first_start()  # measured, not saved: the caller saves it
    save_preset(chosen)
    assert load_settings()[0].preset == "quality" and not autopreset.first_start()
    assert not autopreset.wants_auto_preset(camera, asked=False, preset_given=False)


def test_uint8_blend_matches_the_float_blend(doctor_video):
    frame, background = doctor_frames(doctor_video, 2, skip=100)
    rng = np.random.default_rng(1)
    alpha = cv2.GaussianBlur(rng.random((SIZE[1], SIZE[0])).astype(np.float32), (0, 0), 8)
    alpha = (alpha - alpha.min()) / (alpha.max() - alpha.min())
    alpha[:40] = 0.0
    alpha[-40:] = 1.0
    compositor = Compositor()
    for _ in range(2):  # the second call reuses the scratch buffers
        out = compositor(frame, background, alpha)
        difference = np.abs(out.astype(int) - float_blend(frame, background, alpha))
        assert difference.max() <= 2
    assert np.array_equal(out[:40], background[:40]) and np.array_equal(out[-40:], frame[-40:])
    small = compositor(frame[:90, :160].copy(), background[:90, :160].copy(), alpha[:90, :160].copy())
    assert small.shape == (90, 160, 3) and out is not compositor(frame, background, alpha)  # fresh output each time


def test_i420_blend_matches_the_bgr_blend_converted(doctor_video):
    """Composing straight in I420 (for a virtual camera): Y within ±2 levels of converting the BGR
    blend; chroma too, except on the matte's edge (mixed before the 2x2 average there, not after)."""
    frame, background = doctor_frames(doctor_video, 2, skip=100)
    y, x = np.mgrid[: SIZE[1], : SIZE[0]]
    alpha = np.clip((120.3 - np.hypot(x - 321.5, y - 180.5)) / 2 + 0.5, 0, 1).astype(np.float32)  # 2 px soft edge
    compositor = Compositor()
    out = compositor.i420(to_i420(frame), to_i420(background), alpha)
    difference = np.abs(out.astype(int) - to_i420(compositor(frame, background, alpha)))
    assert out.shape == (SIZE[1] * 3 // 2, SIZE[0]) and difference[: SIZE[1]].max() <= 2
    half = cv2.resize(alpha, (SIZE[0] // 2, SIZE[1] // 2), interpolation=cv2.INTER_AREA)
    flat = (half == 0) | (half == 1)
    chroma = difference[SIZE[1] :].reshape(2, SIZE[1] // 2, SIZE[0] // 2)
    assert (chroma[:, flat] <= 2).all() and chroma.max() <= 32


def test_i420_blur_matches_the_bgr_blur_converted(doctor_video):
    """Each I420 plane scaled up from the small blur: within 2 levels of converting the BGR blur."""
    (frame,) = doctor_frames(doctor_video, 1, size=(1280, 720), skip=300)
    alpha = np.zeros((720, 1280), np.float32)
    alpha[100:, 400:900] = 1.0
    for strength, matte in ((20, None), (20, alpha), (7, alpha), (0, None)):
        fast = blur_frame_i420(frame, strength, matte).astype(int)
        difference = np.abs(fast - to_i420(blur_frame(frame, strength, matte)))
        assert fast.shape == (1080, 1280) and np.percentile(difference, 99.9) <= 2, strength


def test_blur_weights_from_the_refiners_small_matte_match_the_full_one(doctor_video):
    """The refiner's working-size matte stands in for halvings of the frame-sized one."""
    frames = doctor_frames(doctor_video, 3, size=(1280, 720), skip=200)
    # selfie-landscape: its 256x144 mask makes a 320x180 working matte, a halving of the frame.
    processor = FrameProcessor(Settings(width=1280, height=720, model="selfie-landscape"))
    try:
        for index, frame in enumerate(frames):
            segmented = processor.segment(Frame(frame, index, index / 30))
        assert 2 in segmented.matte.levels and 1 not in segmented.matte.levels  # 320x180: the refiner's own
        seeded = blur_frame(segmented.image, 20, segmented.matte)
        assert 1 not in segmented.matte.levels  # nothing read the frame-sized matte
        full = blur_frame(segmented.image, 20, segmented.alpha)
        difference = np.abs(seeded.astype(int) - full)
        assert difference.mean() <= 0.5 and np.percentile(difference, 99) <= 4
    finally:
        processor.close()


def test_the_person_is_measured_on_the_small_matte_as_on_the_frame_sized_one(doctor_video):
    """Matte.small (the ramp scaled to 320x180, for measuring the person) stands in for the frame-sized
    matte halved twice, without making it: the same person within a pixel."""
    from haikei.frames.person import measure

    frames = doctor_frames(doctor_video, 3, size=(1280, 720), skip=200)
    processor = FrameProcessor(Settings(width=1280, height=720))  # selfie-general: a 336x192 ramp
    try:
        for index, frame in enumerate(frames):
            segmented = processor.segment(Frame(frame, index, index / 30))
        matte = Pyramid.of(segmented.matte)
        small = matte.small(2)
        assert small.shape == (180, 320) and 0 not in matte.levels  # the frame-sized matte not made
        halved = matte.halved(2)
        assert np.abs(small - halved).mean() <= 0.01
        a, b = measure(small), measure(halved)
        assert a.present and b.present
        for name in ("top", "head_x", "head_width", "span_left", "span_right"):
            assert abs(getattr(a, name) - getattr(b, name)) <= 1.0, name
    finally:
        processor.close()


def test_low_resolution_blur_matches_a_full_resolution_blur(doctor_video):
    """Blurring at reduced size: within 1 level on average, 3 at the 99th percentile (borders aside)."""
    (frame,) = doctor_frames(doctor_video, 1, size=(1280, 720), skip=300)
    for strength in (10, 40):
        fast = blur_frame(frame, strength).astype(np.float32)
        full = cv2.GaussianBlur(frame, (0, 0), strength).astype(np.float32)
        difference = np.abs(fast - full)[100:-100, 100:-100]
        assert difference.mean() <= 1.0 and np.percentile(difference, 99) <= 3.0


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_model_input_cut_from_the_pyramid_matches_a_direct_area_resize(doctor_video, size):
    """Halvings then a small bilinear step: about one level from the direct area resize, the same mask."""
    (frame,) = doctor_frames(doctor_video, 1, size=size, skip=150)
    segmenter = open_segmenter(load_catalog().get("selfie-landscape"), 1, "cpu")
    try:
        pyramid = Pyramid(frame)
        fast = segmenter.resize_input(pyramid).copy()
        assert [level.shape[1] for level in pyramid.levels.values()] == [size[0], size[0] // 2, size[0] // 4]
        direct = cv2.cvtColor(cv2.resize(frame, (256, 144), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        assert np.abs(fast.astype(int) - direct).mean() <= 1.5
        masks = [segmenter.infer(segmenter.prepare(image)) > 0.5 for image in (fast, direct)]
        assert (masks[0] & masks[1]).sum() / (masks[0] | masks[1]).sum() >= 0.98
    finally:
        segmenter.close()


def test_a_smaller_picture_is_never_scaled_up_to_the_frame(doctor_video):
    """960x540 for 720p out: the small copies are cut from the picture itself and the frame exists
    only in I420, scaled up plane by plane; each within a level or two of the straightforward way
    (fit the picture to the frame, halve it, convert it)."""
    (frame,) = captured_frames(doctor_video, 1, size=(1280, 720), skip=300)
    assert frame.image.shape == (540, 960, 3)
    fitted = cover_fit(frame.image, (1280, 720))
    # selfie-landscape: its 256x144 input is cut from the 320x180 halving.
    settings = Settings(width=1280, height=720, background="blur:20", smoothing=0, model="selfie-landscape")
    processor = FrameProcessor(settings)
    try:
        segmented = processor.segment(frame, NullSink.pixel_format)
        processor.compose(segmented)
        masks = [alpha > 0.5 for alpha in (segmented.alpha, processor.segment(Frame(fitted, 1, 0.0)).alpha)]
        # Composited in BGR (a file), the frame is needed: made while segmenting, not in compose;
        # the small copies stay the picture's, so the mask does not depend on the output's format.
        for_bgr = processor.segment(frame).pyramid
        assert 0 in for_bgr.levels and np.array_equal(for_bgr.levels[2], segmented.pyramid.levels[2])
    finally:
        processor.close()
    pyramid = segmented.pyramid
    assert sorted(pyramid.levels) == [2, 3]  # 320x180 (model input, guide), 160x90 (blur), from the picture
    straight = Pyramid(fitted)
    small = np.abs(pyramid.halved(2).astype(int) - straight.halved(2))
    assert small.mean() <= 1.0 and np.percentile(small, 99) <= 8  # one resampling fewer: a little sharper
    assert (masks[0] & masks[1]).sum() / (masks[0] | masks[1]).sum() >= 0.98
    difference = np.abs(pyramid.i420().astype(int) - to_i420(straight.image))
    assert pyramid.i420().shape == (1080, 1280) and np.percentile(difference[:720], 99.9) <= 2  # Y
    assert difference[720:].mean() <= 0.5 and np.percentile(difference[720:], 99) <= 4  # U, V
    assert sorted(pyramid.levels) == [2, 3]
    assert np.array_equal(pyramid.image, cover_fit(frame.image, (1280, 720)))  # made on demand, as fitted
    assert pyramid.image is pyramid.image  # and once


def test_cover_crop_is_the_centre_at_the_outputs_aspect():
    image = np.arange(7 * 11).reshape(7, 11)
    crop = cover_crop(image, (1280, 720))
    assert crop.shape == (6, 10) and np.shares_memory(crop, image)  # even sides, a view
    assert crop[0, 0] == image[0, 0] and crop[-1, -1] == image[5, 9]
    assert cover_crop(image, (100, 100)).shape == (6, 6) and cover_crop(image, (100, 100))[0, 0] == image[0, 2]
    assert cover_crop(np.zeros((540, 960)), (1280, 720)).shape == (540, 960)


def test_mask_reuse_only_for_a_still_picture(doctor_video):
    clip = doctor_frames(doctor_video, 10, size=(256, 144), skip=200)
    first, moved = clip[0], clip[-1]
    noisy = cv2.add(first, np.random.default_rng(2).integers(0, 2, first.shape, np.uint8))  # sensor-like noise
    mask = np.ones((144, 256), np.float32)
    reuse = MaskReuse()
    assert reuse.lookup(first, 2.0) is None  # nothing to reuse yet
    reuse.store(first, mask)
    assert reuse.change(moved) > 2.0 and reuse.lookup(moved, 2.0) is None
    assert reuse.lookup(noisy, 0.0) is None  # 0 = off
    reused = [reuse.lookup(noisy, 2.0) is mask for _ in range(MAX_REUSE + 1)]
    assert reused == [True] * MAX_REUSE + [False]  # the model runs again after MAX_REUSE frames


def test_mask_reuse_gives_the_same_pixels_on_a_still_frame(doctor_video):
    (image,) = doctor_frames(doctor_video, 1, skip=50)
    outputs = {}
    for threshold in (0.0, 2.0):
        processor = FrameProcessor(Settings(mask_reuse=threshold, width=SIZE[0], height=SIZE[1]))
        try:
            outputs[threshold] = [processor.process(Frame(image.copy(), i, i / 30)).image for i in range(4)]
            assert processor.reuse.reused == (0 if threshold == 0 else 3)
        finally:
            processor.close()
    for plain, reused in zip(outputs[0.0], outputs[2.0]):
        assert np.array_equal(plain, reused)


def test_pipelined_engine_gives_the_serial_pixels(doctor_video):
    """Segment and compose on two threads: the same frames, in order, as one thread doing both."""
    settings = Settings(source=str(doctor_video), width=SIZE[0], height=SIZE[1], background="blur:20", output="none")
    threaded = {}
    engine = Engine(
        settings,
        paced=False,
        max_frames=12,
        on_output=lambda result, frame: threaded.setdefault(frame.index, result.image.copy()),
    ).start()
    assert engine.wait(60)
    engine.stop()
    assert sorted(threaded) == list(range(12))  # unpaced: every frame, none dropped
    processor = FrameProcessor(settings)
    try:
        for index, frame in enumerate(captured_frames(doctor_video, 12, SIZE)):
            expected = processor.process(frame, NullSink.pixel_format).image
            assert np.array_equal(threaded[index], expected), index
    finally:
        processor.close()


@pytest.mark.parametrize("bad", ["-1", "0"])
def test_bench_rejects_no_frames(doctor_video, bad, capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main(["bench", "--source", str(doctor_video), "--frames", bad])
    assert ended.value.code == 2
    assert f"argument --frames: must be a whole number from 1 up, not '{bad}'" in capsys.readouterr().err


@pytest.mark.parametrize("model", ["selfie-landscape", "selfie-general"])
def test_a_720p_frame_for_a_camera_is_shrunk_once_for_every_stage_and_has_no_frame_sized_matte(doctor_video, model):
    """Blur in I420 at 720p (issue 20): the model input, the refiner's guide and the blur all come from
    the same halvings (640x360, 320x180, 160x90: each made once), and the blend reads the refiner's
    small matte, so no frame-sized float matte (nor any level of the matte but the refiner's) is made:
    with selfie-general's 336x192 mask too (refined at 320x180, a whole quarter of the frame)."""
    (frame,) = doctor_frames(doctor_video, 1, size=(1280, 720), skip=250)
    processor = FrameProcessor(Settings(width=1280, height=720, background="blur:20", model=model))
    try:
        segmented = processor.segment(Frame(frame, 0, 0.0), I420)
        made = {k: id(level) for k, level in segmented.pyramid.levels.items()}
        processed = processor.compose(segmented)
        assert processed.pixel_format == I420
        levels = segmented.pyramid.levels
        assert sorted(levels) == [0, 1, 2, 3] and {k: id(levels[k]) for k in made} == made  # none made twice
        assert [levels[k].shape[1] for k in (1, 2, 3)] == [640, 320, 160]
        assert sorted(segmented.matte.levels) == [2, 3] and segmented.matte.levels[2].shape == (180, 320)
    finally:
        processor.close()
