"""with_segmenter_metadata makes bare "bring your own" .tflite models loadable by MediaPipe.

Uses the third-party models in shared/models (never part of the project); skipped without
them. Each model's confidence masks from MediaPipe's ImageSegmenter are compared with the
sibling .onnx run through onnxruntime on the same normalised input. Measured max abs
differences (raw logits up to ~28): Meet full 4.9e-5, Meet lite 5.7e-5, BodyPix 5.2e-5,
DeepLabV3 7.5e-5, so ATOL = 1e-3 leaves >10x margin.

MediaPipe resizes the raw output tensor to the image size. The portrait is fed at the
model's input size, so Meet and DeepLab masks are the raw tensor; BodyPix's 33x33 output
is upsampled to 257x257 bilinearly with half-pixel centres, which cv2.INTER_LINEAR
reproduces (5e-5; INTER_AREA / INTER_CUBIC would differ by 3.5 / 1.2), so the onnx
output is resized that way before comparing.
"""

from __future__ import annotations

import numpy as np
import pytest

from support.data import SHARED

MODELS = SHARED / "models"
PORTRAIT = SHARED / "data" / "portraits" / "doctor-5871743_640.jpg"

if not MODELS.is_dir() or not PORTRAIT.is_file():
    pytest.skip("shared/models or the portrait is missing", allow_module_level=True)

cv2 = pytest.importorskip("cv2")
mp = pytest.importorskip("mediapipe")
ort = pytest.importorskip("onnxruntime")

from mediapipe.tasks.python import BaseOptions, vision  # noqa: E402

from haikei.segment.tflite_metadata import with_segmenter_metadata  # noqa: E402

ATOL = 1e-3


def _softmax(x: np.ndarray, channel: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True))[..., channel]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x[..., 0]))


# name, mean, std, (height, width), onnx is NCHW, number of masks, person probability
CASES = [
    ("meet_segm_full_v679", 0.0, 255.0, (144, 256), False, 2, lambda x: _softmax(x, 1)),
    ("meet_segm_lite_v681", 0.0, 255.0, (96, 160), False, 2, lambda x: _softmax(x, 1)),
    ("bodypix_float_050_8", 127.5, 127.5, (257, 257), True, 1, _sigmoid),
    ("deeplabv3_257_mv_gpu", 127.5, 127.5, (257, 257), True, 21, lambda x: _softmax(x, 15)),
]

# (x, y) as fractions of the portrait: face and chest of the doctor; two top corners.
PERSON_POINTS = [(0.55, 0.30), (0.55, 0.75)]
BACKGROUND_POINTS = [(0.03, 0.05), (0.97, 0.05)]


def _create(model: bytes) -> vision.ImageSegmenter:
    return vision.ImageSegmenter.create_from_options(
        vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_buffer=model),
            output_confidence_masks=True,
            output_category_mask=False,
        )
    )


def _portrait(height: int, width: int) -> np.ndarray:
    bgr = cv2.imread(str(PORTRAIT))
    rgb = cv2.cvtColor(cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(rgb)


def _onnx(name: str, rgb: np.ndarray, mean: float, std: float, nchw: bool) -> np.ndarray:
    x = ((rgb.astype(np.float32) - mean) / std)[None]
    if nchw:
        x = x.transpose(0, 3, 1, 2)
    session = ort.InferenceSession(str(MODELS / f"{name}.onnx"), providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {session.get_inputs()[0].name: np.ascontiguousarray(x)})
    return (y.transpose(0, 2, 3, 1) if nchw else y)[0]  # HWC


@pytest.mark.parametrize("name, mean, std, size, nchw, n_masks, person", CASES, ids=[c[0] for c in CASES])
def test_segmenter_accepts_model_and_matches_onnx(name, mean, std, size, nchw, n_masks, person):
    bare = (MODELS / f"{name}.tflite").read_bytes()
    with pytest.raises(Exception, match="NormalizationOptions"):
        _create(bare).close()

    height, width = size
    rgb = _portrait(height, width)
    segmenter = _create(with_segmenter_metadata(bare, [mean], [std]))
    try:
        result = segmenter.segment(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
        assert result.category_mask is None
        # Copy before close(): the views point into MediaPipe-owned memory.
        masks = [m.numpy_view().copy().reshape(height, width) for m in result.confidence_masks]
    finally:
        segmenter.close()
    assert len(masks) == n_masks
    got = np.stack(masks, axis=-1)

    expected = _onnx(name, rgb, mean, std, nchw)
    if expected.shape[:2] != (height, width):  # BodyPix: 33x33, upsampled by MediaPipe
        expected = cv2.resize(expected, (width, height), interpolation=cv2.INTER_LINEAR).reshape(height, width, -1)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=ATOL)

    # activation NONE: raw logits come back, not probabilities
    assert got.min() < 0 and got.max() > 1
    prob = person(got)
    for fx, fy in PERSON_POINTS:
        assert prob[int(fy * height), int(fx * width)] > 0.5, (fx, fy)
    for fx, fy in BACKGROUND_POINTS:
        assert prob[int(fy * height), int(fx * width)] < 0.5, (fx, fy)


def test_existing_metadata_is_replaced_and_other_entries_kept():
    from mediapipe.tasks.metadata import metadata_schema_py_generated as md_schema
    from mediapipe.tasks.metadata import schema_py_generated as schema

    bare = (MODELS / "bodypix_float_050_8.tflite").read_bytes()  # has a min_runtime_version entry
    once = with_segmenter_metadata(bare, [0.0], [255.0])
    twice = with_segmenter_metadata(once, [127.5, 127.5, 127.5], [127.5, 127.5, 127.5])
    model = schema.Model.GetRootAsModel(twice, 0)
    assert schema.Model.ModelBufferHasIdentifier(twice, 0)
    names = [model.Metadata(i).Name() for i in range(model.MetadataLength())]
    assert names == [b"min_runtime_version", b"TFLITE_METADATA"]
    assert model.BuffersLength() == schema.Model.GetRootAsModel(once, 0).BuffersLength()
    metadata = model.Buffers(model.Metadata(1).Buffer()).DataAsNumpy().tobytes()
    assert metadata[4:8] == b"M001"
    tensor = md_schema.ModelMetadata.GetRootAsModelMetadata(metadata, 0).SubgraphMetadata(0).InputTensorMetadata(0)
    norm = md_schema.NormalizationOptions()
    options = tensor.ProcessUnits(0).Options()
    norm.Init(options.Bytes, options.Pos)
    assert list(norm.MeanAsNumpy()) == [127.5] * 3 and list(norm.StdAsNumpy()) == [127.5] * 3
    _create(twice).close()


def test_rejects_bad_arguments():
    bare = (MODELS / "meet_segm_lite_v681.tflite").read_bytes()
    with pytest.raises(ValueError):
        with_segmenter_metadata(bare, [0.0, 0.0], [255.0, 255.0])
    with pytest.raises(ValueError):
        with_segmenter_metadata(bare, [0.0], [0.0])
    with pytest.raises(ValueError):
        with_segmenter_metadata(b"not a model", [0.0], [255.0])
