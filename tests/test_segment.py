"""Every engine in the registry keeps the Segmenter contract on a real photo; the registry imports an
engine only when a model of it is opened, and a missing library disables that engine alone."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from haikei.errors import ModelError
from haikei.frames.pyramid import Pyramid
from haikei.measure.quality import iou
from haikei.segment import ENGINES, open_segmenter
from haikei.segment.base import Segmenter
from haikei.segment.catalog import load_catalog
from support.data import read_ground_truth, webcam_like_pairs

FRAME = (640, 360)


def shipped_model(engine: str):
    return next(m for m in load_catalog().models.values() if m.engine == engine and m.manifest_path)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_keeps_the_segmenter_contract(engine):
    manifest = shipped_model(engine)
    image_path, mask_path = webcam_like_pairs(limit=1)[0]
    photo = cv2.imread(str(image_path))
    pyramid = Pyramid(photo, FRAME)
    truth = read_ground_truth(mask_path, pyramid.image)
    segmenter = open_segmenter(manifest, 1, "cpu")
    try:
        assert isinstance(segmenter, Segmenter) and segmenter.manifest is manifest
        w, h = manifest.input_size_for(FRAME)
        model_input = segmenter.resize_input(pyramid)
        assert model_input.shape == (h, w, 3) and model_input.dtype == np.uint8
        mask = segmenter.infer(segmenter.prepare(model_input))
        assert mask.shape == (h, w) and mask.dtype == np.float32 and 0.0 <= mask.min() and mask.max() <= 1.0
        alpha = cv2.resize(mask, FRAME, interpolation=cv2.INTER_LINEAR)
        assert iou(alpha > 0.5, truth) > 0.8  # a person, where the photo's is
    finally:
        segmenter.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_model_an_engine_cannot_load_is_a_model_error(engine, tmp_path):
    shipped = shipped_model(engine)
    broken = tmp_path / shipped.file.name
    broken.write_bytes(b"not a model" * 100)
    manifest = dataclasses.replace(shipped, file=broken, sha256=hashlib.sha256(broken.read_bytes()).hexdigest())
    with pytest.raises(ModelError, match=f"model '{shipped.name}': .* cannot load {broken.name}"):
        open_segmenter(manifest, 1, "cpu")


REGISTRY_PROBE = """
import json, sys
for name in sys.argv[1:]:
    sys.modules[name] = None  # as if not installed
import haikei.segment
loaded = sorted(m for m in sys.modules if m.startswith("haikei.segment."))
from haikei.segment.catalog import load_catalog
results = {}
for name in ("selfie-landscape", "selfie-landscape-tflite"):
    try:
        haikei.segment.open_segmenter(load_catalog().get(name)).close()
        results[name] = "opened"
    except Exception as exc:
        results[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"loaded_before_use": loaded, "results": results}))
"""


def probe(*missing: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", REGISTRY_PROBE, *missing], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_registry_imports_no_engine_until_a_model_is_opened():
    assert probe()["loaded_before_use"] == ["haikei.segment.registry"]


def test_a_missing_library_disables_only_its_engine():
    results = probe("mediapipe")["results"]
    assert results["selfie-landscape"] == "opened"
    assert results["selfie-landscape-tflite"] == (
        "ModelError: model 'selfie-landscape-tflite' needs mediapipe, which this installation of Haikei leaves out; "
        "choose another model (see `haikei models`), or install mediapipe into Haikei's Python environment: "
        "pip install mediapipe"
    )
    results = probe("onnxruntime")["results"]
    assert results["selfie-landscape-tflite"] == "opened"
    assert results["selfie-landscape"].startswith("ModelError: model 'selfie-landscape' needs onnxruntime")
