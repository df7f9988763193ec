"""``haikei eval`` metrics and the refinement stages, measured on real photos and the Doctor video."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from haikei.cli import main
from haikei.compose.blur import blur_frame
from haikei.compose.lightwrap import light_wrap
from haikei.frames.pyramid import Pyramid
from haikei.measure import quality as metrics
from haikei.refine import MaskRefiner
from haikei.segment import open_segmenter
from haikei.segment.catalog import load_catalog
from haikei.settings import Settings
from support.data import SEGMENTATION, webcam_like_pairs
from support.stages import composite, refine

#: A fixed sample of the webcam-like photos: every 6th one.
SAMPLE_STEP = 6


def square(size=20, columns=10):
    mask = np.zeros((size, size), bool)
    mask[:, :columns] = True
    return mask


def test_metrics_on_hand_made_masks():
    truth = square(columns=10)  # boundary: column 9 (the image border is no boundary)
    assert metrics.iou(truth, truth) == 1.0 and metrics.boundary_f(truth, truth) == 1.0
    empty = np.zeros_like(truth)
    assert metrics.iou(empty, truth) == 0.0 and metrics.boundary_f(empty, truth) == 0.0
    assert metrics.iou(empty, empty) == 1.0 and metrics.boundary_f(empty, empty) == 1.0
    half = square(columns=5)  # boundary 5 px from the truth's: outside the 3 px tolerance
    assert metrics.iou(half, truth) == 0.5 and metrics.boundary_f(half, truth) == 0.0
    near = square(columns=8)  # boundary 2 px away: within tolerance
    assert metrics.iou(near, truth) == 0.8 and metrics.boundary_f(near, truth) == 1.0
    # Halo: mean alpha over the true background within 12 px of the person (here all of it: columns 10-19).
    assert metrics.halo(truth.astype(np.float32), truth) == 0.0
    assert metrics.halo(np.ones(truth.shape, np.float32), truth) == 1.0
    rim = truth.astype(np.float32)
    rim[:, 10:13] = 0.5  # 3 of the 10 background columns half covered
    assert metrics.halo(rim, truth) == pytest.approx(0.5 * 3 / 10)
    wide = square(size=40)
    far = wide.astype(np.float32)
    far[:, 22:] = 1.0  # 13 px and more from the person: out of reach
    assert metrics.halo(far, wide) == 0.0


def test_masks_of_another_size_are_resized_nearest(tmp_path):
    small = np.zeros((2, 2), np.uint8)
    small[:, 1] = 255
    cv2.imwrite(str(tmp_path / "m.png"), small)
    truth = metrics.read_truth(tmp_path / "m.png", (4, 6, 3))
    assert truth.shape == (4, 6) and truth[:, 3:].all() and not truth[:, :3].any()


def test_flicker_and_lag_on_synthetic_series():
    greys = [np.zeros((4, 4), np.float32)] * 5
    steady = [np.full((4, 4), 0.5, np.float32)] * 5
    jumpy = [np.full((4, 4), i % 2, np.float32) for i in range(5)]
    assert metrics.flicker_index(greys, steady) == 0.0
    assert metrics.flicker_index(greys, jumpy) == 1.0
    cause = np.random.default_rng(1).random(200)
    assert metrics.motion_lag(cause, np.roll(cause, 2)) == pytest.approx(2.0, abs=0.1)
    assert metrics.motion_lag(cause, cause) == pytest.approx(0.0, abs=0.1)


@pytest.fixture(scope="module")
def sample():
    """Every 6th webcam-like photo (~20), with the selfie-landscape model's raw masks."""
    pairs = webcam_like_pairs()[::SAMPLE_STEP]
    segmenter = open_segmenter(load_catalog().get("selfie-landscape"))
    out = []
    for image_path, mask_path in pairs:
        image = cv2.imread(str(image_path))
        out.append((image, metrics.read_truth(mask_path, image.shape), segmenter(image)))
    segmenter.close()
    return out


def scores(sample, settings, halo=False):
    ious, fs, halos = [], [], []
    for image, truth, mask in sample:
        alpha = refine(MaskRefiner(), mask, image, settings)
        ious.append(metrics.iou(alpha > 0.5, truth))
        fs.append(metrics.boundary_f(alpha > 0.5, truth))
        halos.append(metrics.halo(alpha, truth))
    result = float(np.mean(ious)), float(np.mean(fs))
    return (*result, float(np.mean(halos))) if halo else result


def test_real_photos_score_like_the_raw_model(sample):
    raw = metrics.evaluate_images(
        [metrics.Sample(image, truth, "") for image, truth, _ in sample[:6]], Settings(), load_catalog(), raw=True
    )
    assert raw["images"] == 6 and 0.8 < raw["miou"] < 0.99 and 0.4 < raw["boundary_f"] < 0.95


# Each stage switched on against the same settings with it off.
STAGES = {
    "threshold ramp": ({"mask_low": 0.0, "mask_high": 1.0, "feather": 0.0}, {"feather": 0.0}),
    "guided upsampling": ({"upsample": "bilinear"}, {"upsample": "guided"}),
    "soft edge (feather)": ({"feather": 0.0}, {"feather": 0.5}),
}


@pytest.mark.parametrize("stage", STAGES)
def test_each_refinement_stage_keeps_or_improves_quality(sample, stage):
    base = Settings().replace(preset="quality", smoothing=0.0)
    off, on = (base.replace(**changes) for changes in STAGES[stage])
    iou_off, f_off = scores(sample, off)
    iou_on, f_on = scores(sample, on)
    assert iou_on >= iou_off - 0.002 and f_on >= f_off - 0.005, (iou_off, f_off, iou_on, f_on)


def test_quality_preset_beats_the_raw_model(sample):
    raw = [(cv2.resize(m, (i.shape[1], i.shape[0])), t) for i, t, m in sample]
    raw_iou = np.mean([metrics.iou(alpha > 0.5, t) for alpha, t in raw])
    raw_f = np.mean([metrics.boundary_f(alpha > 0.5, t) for alpha, t in raw])
    raw_halo = np.mean([metrics.halo(alpha, t) for alpha, t in raw])
    quality_iou, quality_f, quality_halo = scores(sample, Settings().replace(preset="quality"), halo=True)
    assert quality_iou >= raw_iou and quality_f >= raw_f + 0.005, (raw_iou, raw_f, quality_iou, quality_f)
    assert quality_halo < raw_halo, (raw_halo, quality_halo)


def test_the_presets_edge_shrinks_the_halo(sample):
    """The presets' edge (ramp 0.35..0.55, no feather) leaves less of the room around the person than
    the lower, feathered one they had (0.25..0.55, 0.5 px), for about the same mIoU."""
    quality = Settings().replace(preset="quality", smoothing=0.0)
    iou_now, _, halo_now = scores(sample, quality, halo=True)
    iou_soft, _, halo_soft = scores(sample, quality.replace(mask_low=0.25, mask_high=0.55, feather=0.5), halo=True)
    assert halo_now < halo_soft - 0.004 and iou_now >= iou_soft - 0.002, (halo_now, halo_soft, iou_now, iou_soft)


def test_smoothing_cuts_flicker_on_a_still_stretch_of_the_doctor_video(doctor_video):
    catalog = load_catalog()
    raw = metrics.video_alphas(doctor_video, Settings(), catalog, raw=True, frames=45)
    smoothed = metrics.video_alphas(doctor_video, Settings(), catalog, frames=45)
    assert metrics.flicker_index(*smoothed) < 0.6 * metrics.flicker_index(*raw)


def test_smoothing_follows_a_moving_square_within_a_frame():
    refiner, settings = MaskRefiner(), Settings().replace(preset="quality")
    speed, lags = 12, []
    for t in range(20):
        frame = np.zeros((360, 640, 3), np.uint8)
        x = 40 + speed * t
        frame[120:240, x : x + 120] = 255
        mask = cv2.resize(frame[:, :, 0], (256, 144), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        alpha = refine(refiner, mask, frame, settings)
        columns = np.nonzero((alpha > 0.5).any(axis=0))[0]
        lags.append(((x + 60) - (columns.min() + columns.max() + 1) / 2) / speed)
    assert max(abs(lag) for lag in lags[1:]) <= 1.0, lags


def test_smoothing_averages_jitter_on_a_still_picture():
    refiner, frame = MaskRefiner(), Pyramid(np.full((144, 256, 3), 90, np.uint8))
    rng = np.random.default_rng(0)
    out = [
        refiner.smooth(np.clip(0.5 + rng.normal(0, 0.1, (144, 256)), 0, 1).astype(np.float32), 0.8, frame)
        for _ in range(30)
    ]
    assert np.std(out[-1]) < 0.5 * 0.1
    refiner.reset()
    assert refiner.smooth(np.zeros((4, 4), np.float32), 0.8)[0, 0] == 0.0


def person_on_background(size=(240, 320)):
    h, w = size
    frame = np.zeros((h, w, 3), np.uint8)
    frame[:] = (0, 200, 0)  # green room
    alpha = np.zeros((h, w), np.float32)
    alpha[60:, 110:210] = 1.0
    frame[alpha > 0] = (0, 0, 220)  # a red person
    return frame, alpha


def test_mask_weighted_blur_does_not_bleed_the_person():
    frame, alpha = person_on_background()
    plain = blur_frame(frame, 20)
    weighted = blur_frame(frame, 20, alpha)
    rim = (slice(100, 200), slice(95, 108))  # just left of the person
    assert plain[rim][:, :, 2].mean() > 20  # the plain blur smears red into the room
    assert weighted[rim][:, :, 2].mean() < 5 and weighted[rim][:, :, 1].mean() > 190


def test_light_wrap_tints_only_the_person_rim():
    frame, alpha = person_on_background()
    background = np.full_like(frame, 255)
    plain = composite(frame, background, alpha)
    wrapped = light_wrap(plain, background, alpha, 0.5)
    changed = np.abs(wrapped.astype(int) - plain).max(axis=2) > 8
    assert changed[150, 110] and changed[150, 209]  # the rim gets the background's light
    assert not changed[150, 160] and not changed[150, 20]  # the middle and the room do not
    assert wrapped[150, 110, 1] > plain[150, 110, 1]


def test_eval_command_prints_the_json_result(tmp_path, capsys):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir(), masks.mkdir()
    for image_path, mask_path in webcam_like_pairs(3):
        (images / image_path.name).symlink_to(image_path)
        (masks / mask_path.name).symlink_to(mask_path)
    assert (
        main(
            [
                "eval",
                "--images",
                str(images),
                "--masks",
                str(masks),
                "--subset",
                "webcam",
                "--preset",
                "quality",
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"miou", "boundary_f", "halo", "images", "ms_per_image"} and result["images"] == 3
    assert 0.8 < result["miou"] <= 1.0


def test_eval_command_needs_something_to_measure(capsys):
    assert main(["eval"]) == 2
    assert "--images DIR --masks DIR" in capsys.readouterr().err
    assert main(["eval", "--images", str(SEGMENTATION / "nowhere"), "--masks", str(SEGMENTATION)]) == 2
    assert "folder not found" in capsys.readouterr().err
