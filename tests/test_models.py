"""Shipped and bring-your-own models: quality on real photos, manifests, sha256 verification."""

from __future__ import annotations

import dataclasses
import json
import shutil

import cv2
import numpy as np
import pytest

from haikei import cli
from haikei.errors import ModelError
from haikei.measure.quality import iou
from haikei.segment import open_segmenter
from haikei.segment.catalog import load_catalog, parse_manifest
from support.byo_models import BYO_MODELS, write_byo_models
from support.data import SHARED, need_shared, read_ground_truth, webcam_like_pairs

SHIPPED = ("selfie-general", "selfie-landscape", "selfie-general-tflite", "selfie-landscape-tflite")


def mean_iou(segmenter, pairs) -> float:
    scores = []
    for image_path, mask_path in pairs:
        image = cv2.imread(str(image_path))
        mask = cv2.resize(segmenter(image), (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
        assert mask.dtype == np.float32 and 0.0 <= mask.min() and mask.max() <= 1.0
        scores.append(iou(mask > 0.5, read_ground_truth(mask_path, image)))
    return float(np.mean(scores))


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_model_reaches_085_miou_on_webcam_like_photos(name):
    pairs = webcam_like_pairs()
    assert len(pairs) > 100
    segmenter = open_segmenter(load_catalog().get(name))
    try:
        assert mean_iou(segmenter, pairs) >= 0.85
    finally:
        segmenter.close()


def test_onnx_and_tflite_versions_give_the_same_masks():
    catalog = load_catalog()
    image = cv2.imread(str(need_shared(SHARED / "data" / "portraits" / "doctor-5871743_640.jpg")))
    image = image[:, : image.shape[0]]  # square: the keep_aspect ONNX then gets 256x256, as the .tflite
    for name in ("selfie-general", "selfie-landscape"):
        onnx, tflite = open_segmenter(catalog.get(name)), open_segmenter(catalog.get(f"{name}-tflite"))
        try:
            assert np.abs(onnx(image) - tflite(image)).max() < 1e-3
        finally:
            onnx.close()
            tflite.close()


@pytest.fixture(scope="module")
def byo_dir(tmp_path_factory):
    return write_byo_models(need_shared(SHARED / "models"), tmp_path_factory.mktemp("user-models"))


def test_models_command_lists_byo_models_as_verified(byo_dir, capsys):
    assert cli.main(["models", "--json", "--models-dir", str(byo_dir)]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)["models"]}
    assert set(SHIPPED) | set(BYO_MODELS) <= listed.keys()
    assert all(row["verified"] for row in listed.values())
    assert listed["deeplabv3"]["input_size"] == "257x257" and listed["sinet"]["engine"] == "onnxruntime"


@pytest.mark.parametrize("name", sorted(BYO_MODELS))
def test_byo_model_gives_sane_masks(byo_dir, name):
    segmenter = open_segmenter(load_catalog([byo_dir]).get(name))
    try:
        score = mean_iou(segmenter, webcam_like_pairs(limit=30))
    finally:
        segmenter.close()
    # Raw quality differs a lot between these models (SINet is a portrait model); all must be usable.
    assert score >= (0.60 if name == "sinet" else 0.75), score


def test_user_models_folder_is_scanned(private_home):
    folder = private_home / "data" / "haikei" / "models"
    folder.mkdir(parents=True)
    for path in (load_catalog().get("selfie-landscape").file, load_catalog().get("selfie-landscape").manifest_path):
        shutil.copy(path, folder / path.name)
    manifest = json.loads((folder / "selfie-landscape.json").read_text())
    manifest["name"] = "my-model"
    (folder / "selfie-landscape.json").write_text(json.dumps(manifest))
    assert "my-model" in load_catalog().models


def _copy_shipped(tmp_path, name="selfie-landscape"):
    shipped = load_catalog().get(name)
    shutil.copy(shipped.file, tmp_path / shipped.file.name)
    manifest = json.loads(shipped.manifest_path.read_text())
    manifest["name"] = "copy"
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(manifest))
    return path, tmp_path / shipped.file.name


def test_tampered_model_is_refused(tmp_path):
    manifest_path, model_path = _copy_shipped(tmp_path)
    data = bytearray(model_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="fails its sha256 check"):
        open_segmenter(parse_manifest(manifest_path))


def test_missing_model_file_is_a_clear_error(tmp_path):
    manifest_path, model_path = _copy_shipped(tmp_path)
    model_path.unlink()
    with pytest.raises(ModelError, match="cannot read .*selfie_segmentation_landscape.onnx"):
        open_segmenter(parse_manifest(manifest_path))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m.pop("sha256"), "missing field 'sha256'"),
        (lambda m: m.update(engine="tensorflow"), "engine must be one of"),
        (lambda m: m["input"].update(layout="HWC"), "input.layout must be one of"),
        (lambda m: m["output"].update(kind="argmax"), "output.kind must be one of"),
        (lambda m: m["input"]["normalization"].update(std=[1, 0, 1]), "std must be above 0"),
        (lambda m: m.update(sha256="abc"), "sha256 must be 64 hex digits"),
        (lambda m: m["input"].update(keep_aspect="yes", stride=16), "input.keep_aspect must be true or false"),
        (lambda m: m["input"].update(keep_aspect=True), "input.keep_aspect needs input.stride"),
        (lambda m: m["input"].update(stride=16), "input.stride only applies with input.keep_aspect: true"),
        (lambda m: m["input"].update(keep_aspect=True, stride=0), "input.stride must be a whole number"),
        (lambda m: m["input"].update(keep_aspect=True, stride=2.5), "input.stride must be a whole number"),
        (
            lambda m: (m.update(engine="mediapipe"), m["input"].update(keep_aspect=True, stride=16)),
            "input.keep_aspect needs engine onnxruntime",
        ),
    ],
)
def test_broken_manifest_is_reported_and_others_still_load(tmp_path, edit, message):
    manifest_path, _ = _copy_shipped(tmp_path)
    manifest = json.loads(manifest_path.read_text())
    edit(manifest)
    manifest_path.write_text(json.dumps(manifest))
    (tmp_path / "garbage.json").write_text("{not json")
    catalog = load_catalog([tmp_path])
    assert "copy" not in catalog.models
    assert any(message in problem for problem in catalog.problems), catalog.problems
    assert any("garbage.json is not readable JSON" in problem for problem in catalog.problems)


def test_wrong_output_channel_is_a_clear_error(tmp_path):
    manifest_path, _ = _copy_shipped(tmp_path)
    manifest = json.loads(manifest_path.read_text())
    manifest["output"]["channel"] = 3
    manifest_path.write_text(json.dumps(manifest))
    segmenter = open_segmenter(parse_manifest(manifest_path))
    with pytest.raises(ModelError, match="output has 1 channel"):
        segmenter(np.zeros((720, 1280, 3), np.uint8))


def test_gpu_execution_provider_is_preferred_when_present():
    from haikei.segment.onnx import choose_providers

    available = ["AzureExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert choose_providers(available, "auto") == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert choose_providers(available, "cpu") == ["CPUExecutionProvider"]
    assert choose_providers(["CPUExecutionProvider"], "auto") == ["CPUExecutionProvider"]
    assert open_segmenter(load_catalog().get("selfie-landscape")).providers == ["CPUExecutionProvider"]


def test_keep_aspect_input_follows_the_frame():
    """selfie-general (keep_aspect, stride 16) sees a 16:9 frame as 16:9, about 256x256 pixels in all."""
    manifest = load_catalog().get("selfie-general")
    assert manifest.keep_aspect and manifest.stride == 16
    assert manifest.input_size_for((1280, 720)) == (336, 192)
    assert manifest.input_size_for((480, 640)) == (224, 288)
    assert manifest.input_size_for((640, 640)) == (256, 256)
    assert manifest.input_size_for((4000, 10)) == (5120, 16)  # at least one stride per side
    assert dataclasses.replace(manifest, keep_aspect=False).input_size_for((1280, 720)) == (256, 256)
    segmenter = open_segmenter(manifest)
    try:
        for frame_size in ((1280, 720), (640, 480), (1280, 720)):
            frame = np.zeros((frame_size[1], frame_size[0], 3), np.uint8)
            w, h = manifest.input_size_for(frame_size)
            assert segmenter.resize_input(frame).shape == (h, w, 3)
            assert segmenter(frame).shape == (h, w)
    finally:
        segmenter.close()


def test_keep_aspect_on_a_fixed_size_model_is_refused(tmp_path):
    manifest_path, _ = _copy_shipped(tmp_path)  # selfie-landscape: a fixed 256x144 graph
    manifest = json.loads(manifest_path.read_text())
    manifest["input"].update(keep_aspect=True, stride=16)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="keep_aspect, but the model's input is fixed at 256x144"):
        open_segmenter(parse_manifest(manifest_path))


def test_keep_aspect_does_not_lose_quality_against_squashing():
    """Landscape photos (what webcams give): the frame at its own shape is at least as good as squashed."""
    pairs = [(i, m) for i, m in webcam_like_pairs() if _is_landscape(i)][:12]
    manifest = load_catalog().get("selfie-general")
    scores = {}
    for keep_aspect in (True, False):
        segmenter = open_segmenter(dataclasses.replace(manifest, keep_aspect=keep_aspect))
        try:
            scores[keep_aspect] = mean_iou(segmenter, pairs)
        finally:
            segmenter.close()
    assert scores[True] >= scores[False] - 0.005, scores


def _is_landscape(image_path) -> bool:
    height, width = cv2.imread(str(image_path)).shape[:2]
    return width > height
