"""Tests for haikei.tools.tflite2onnx and the committed ONNX models.

Reference for the numerical comparison is MediaPipe Tasks' ``ImageSegmenter``
running the original ``.tflite`` (TFLite + XNNPACK on CPU).

Input normalisation: MediaPipe Tasks does not guess.  For a float32 input it
takes ``NormalizationOptions`` from the model's TFLite metadata; a float model
*without* that metadata is rejected at creation time ("Input tensor has type
float32: it requires specifying NormalizationOptions metadata to preprocess
input images").  Both shipped selfie models carry metadata with mean=0,
std=255, i.e. MediaPipe feeds ``rgb / 255`` in **[0, 1]** (checked by
``test_metadata_normalisation_is_zero_to_one``; feeding [-1, 1] instead gives
mask differences of ~0.9).  So the ONNX side here gets ``rgb / 255``.

To keep MediaPipe's own resampling out of the comparison, every photo is
centre-cropped to the model's aspect ratio and resized (cv2.INTER_AREA) to
exactly the model input size first; both sides then get the same uint8 RGB
pixels (MediaPipe's image-to-tensor step is then an identity resample).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
cv2 = pytest.importorskip("cv2")
pytest.importorskip("mediapipe")

from haikei.tools import tflite2onnx  # noqa: E402
from support.data import REPO, SHARED  # noqa: E402

MODELS = REPO / "models"

#: model stem -> (H, W) of its NHWC input
MODEL_SIZES = {
    "selfie_segmentation": (256, 256),
    "selfie_segmentation_landscape": (144, 256),
}
#: Stems shipped as spatially dynamic graphs (``tflite2onnx --dynamic``), with their stride.
DYNAMIC = {"selfie_segmentation": 16}
TOLERANCE = 1e-3


def _images() -> list[Path]:
    portraits = sorted((SHARED / "data" / "portraits").glob("*.jpg"))
    segmentation = sorted((SHARED / "data" / "segmentation" / "images").glob("*.jpg"))[:3]
    return portraits + segmentation


def _fit(bgr: np.ndarray, h: int, w: int) -> np.ndarray:
    """Centre-crop to the h:w aspect ratio, resize with INTER_AREA, return uint8 RGB."""
    ih, iw = bgr.shape[:2]
    if iw * h > ih * w:  # too wide
        cw = ih * w // h
        x0 = (iw - cw) // 2
        bgr = bgr[:, x0 : x0 + cw]
    else:  # too tall
        ch = iw * h // w
        y0 = (ih - ch) // 2
        bgr = bgr[y0 : y0 + ch]
    out = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(out[:, :, ::-1])


@pytest.mark.parametrize("stem", sorted(MODEL_SIZES))
def test_committed_onnx_is_reproduced(stem, tmp_path):
    committed = MODELS / f"{stem}.onnx"
    out = tmp_path / f"{stem}.onnx"
    tflite2onnx.convert(MODELS / f"{stem}.tflite", out, dynamic=stem in DYNAMIC)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(committed.read_bytes()).hexdigest(), (
        f"{committed.name} is stale: re-run python -m haikei.tools.tflite2onnx"
    )


@pytest.mark.parametrize("stem", sorted(MODEL_SIZES))
def test_onnx_interface_matches_tflite(stem):
    h, w = MODEL_SIZES[stem]
    model = onnx.load(str(MODELS / f"{stem}.onnx"))
    onnx.checker.check_model(model, full_check=True)

    def sig(vi):
        return (
            vi.name,
            vi.type.tensor_type.elem_type,
            [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim],
        )

    if stem in DYNAMIC:
        h, w = tflite2onnx.DYNAMIC_DIMS
    assert [sig(v) for v in model.graph.input] == [("input", onnx.TensorProto.FLOAT, [1, h, w, 3])]
    assert [sig(v) for v in model.graph.output] == [("mask", onnx.TensorProto.FLOAT, [1, h, w, 1])]
    assert tflite2onnx.input_stride(model) == DYNAMIC.get(stem)
    assert {o.domain: o.version for o in model.opset_import} == {"": tflite2onnx.OPSET}


@pytest.mark.parametrize("stem", sorted(MODEL_SIZES))
def test_metadata_normalisation_is_zero_to_one(stem):
    """The TFLite metadata MediaPipe reads says mean=0, std=255 -> input in [0, 1]."""
    from mediapipe.tasks.metadata import metadata_schema_py_generated as M
    from mediapipe.tasks.metadata import schema_py_generated as S

    data = (MODELS / f"{stem}.tflite").read_bytes()
    model = S.Model.GetRootAsModel(data, 0)
    entries = [model.Metadata(i) for i in range(model.MetadataLength())]
    meta = next(e for e in entries if e.Name() == b"TFLITE_METADATA")
    buf = model.Buffers(meta.Buffer()).DataAsNumpy().tobytes()
    md = M.ModelMetadataT.InitFromObj(M.ModelMetadata.GetRootAsModelMetadata(buf, 0))
    units = md.subgraphMetadata[0].inputTensorMetadata[0].processUnits
    norm = [u.options for u in units if u.optionsType == M.ProcessUnitOptions.NormalizationOptions]
    assert len(norm) == 1
    assert list(norm[0].mean) == [0.0] and list(norm[0].std) == [255.0]


@pytest.mark.parametrize("stem", sorted(MODEL_SIZES))
def test_onnx_matches_mediapipe(stem):
    images = _images()
    if not images:
        pytest.skip(f"no test photos under {SHARED / 'data'} (shared data folder missing)")

    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    h, w = MODEL_SIZES[stem]
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(MODELS / f"{stem}.onnx"), so, providers=["CPUExecutionProvider"])
    options = vision.ImageSegmenterOptions(
        base_options=BaseOptions(model_asset_path=str(MODELS / f"{stem}.tflite")),
        output_confidence_masks=True,
        output_category_mask=False,
    )

    diffs = {}
    with vision.ImageSegmenter.create_from_options(options) as segmenter:
        for path in images:
            bgr = cv2.imread(str(path))
            assert bgr is not None, path
            rgb = _fit(bgr, h, w)
            result = segmenter.segment(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
            assert len(result.confidence_masks) == 1
            # Copy now: the view's memory is freed with the result / segmenter.
            ref = np.array(result.confidence_masks[0].numpy_view(), dtype=np.float32, copy=True)
            ref = ref.reshape(h, w)

            x = (rgb.astype(np.float32) / 255.0)[None]  # [0, 1], NHWC, RGB
            (mask,) = sess.run(["mask"], {"input": x})
            assert mask.shape == (1, h, w, 1) and mask.dtype == np.float32
            diffs[path.name] = float(np.abs(mask[0, :, :, 0] - ref).max())
            # Sanity: a real portrait produces a real mask, not a constant.
            assert 0.02 < float((ref > 0.5).mean()) < 0.98, path.name

    worst = max(diffs.values())
    assert worst <= TOLERANCE, f"max abs diff per image: {diffs}"


def test_unsupported_op_is_named(tmp_path):
    """Renaming the custom op must yield a ConversionError that names it."""
    import flatbuffers
    from mediapipe.tasks.metadata import schema_py_generated as S

    data = (MODELS / "selfie_segmentation.tflite").read_bytes()
    model = S.ModelT.InitFromObj(S.Model.GetRootAsModel(data, 0))
    for code in model.operatorCodes:
        if code.customCode == b"Convolution2DTransposeBias":
            code.customCode = b"NotARealOp"
    builder = flatbuffers.Builder(1 << 20)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(bytes(builder.Output()))

    with pytest.raises(tflite2onnx.ConversionError, match=r"CUSTOM:NotARealOp"):
        tflite2onnx.convert(bad, tmp_path / "bad.onnx")
    assert tflite2onnx.main([str(bad), str(tmp_path / "bad2.onnx")]) == 1
    assert not (tmp_path / "bad2.onnx").exists()


def test_dynamic_graph_equals_fixed_and_follows_the_input_size(tmp_path):
    """``--dynamic``: same output as the fixed graph at the TFLite size, and runs at other sizes
    (sides multiples of the stride) with a real mask; its stride is the manifest's."""
    import json

    images = _images()
    if not images:
        pytest.skip(f"no test photos under {SHARED / 'data'} (shared data folder missing)")
    fixed_path = tmp_path / "fixed.onnx"
    tflite2onnx.convert(MODELS / "selfie_segmentation.tflite", fixed_path)
    manifest = json.loads((MODELS / "selfie-general.json").read_text())["input"]
    assert manifest["keep_aspect"] and manifest["stride"] == DYNAMIC["selfie_segmentation"]

    def session(path):
        return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    fixed, dynamic = session(fixed_path), session(MODELS / "selfie_segmentation.onnx")
    bgr = cv2.imread(str(images[0]))
    square = (_fit(bgr, 256, 256).astype(np.float32) / 255.0)[None]
    (want,) = fixed.run(["mask"], {"input": square})
    (got,) = dynamic.run(["mask"], {"input": square})
    assert float(np.abs(got - want).max()) <= 1e-5

    wide = (_fit(bgr, 192, 352).astype(np.float32) / 255.0)[None]
    (mask,) = dynamic.run(["mask"], {"input": wide})
    assert mask.shape == (1, 192, 352, 1)
    assert 0.02 < float((mask > 0.5).mean()) < 0.98
    with pytest.raises(Exception):  # noqa: B017 - onnxruntime fails: 200 is not a multiple of the stride (16)
        dynamic.run(["mask"], {"input": np.zeros((1, 200, 200, 3), np.float32)})


# ---------------------------------------------------------------------- the face detector and its three ops
FACE = "face_detection_short_range"


def _tflite(shapes: dict[str, list[int]], consts: dict[str, np.ndarray], ops: list, inputs, outputs) -> bytes:
    """A small float TFLite model: ``shapes`` names its tensors, ``consts`` gives some of them data,
    ``ops`` are (builtin op name, input names, output names, options or None) in order."""
    import flatbuffers
    from mediapipe.tasks.metadata import schema_py_generated as S

    names = list(shapes)
    model = S.ModelT()
    model.version = 3
    model.buffers = [S.BufferT()]
    subgraph = S.SubGraphT()
    subgraph.tensors = []
    for name in names:
        tensor = S.TensorT()
        tensor.name, tensor.shape = name.encode(), shapes[name]
        tensor.type = S.TensorType.INT32 if name in consts and consts[name].dtype == np.int32 else S.TensorType.FLOAT32
        if name in consts:
            buffer = S.BufferT()
            buffer.data = np.frombuffer(consts[name].tobytes(), np.uint8)
            model.buffers.append(buffer)
            tensor.buffer = len(model.buffers) - 1
        subgraph.tensors.append(tensor)
    codes = sorted({op[0] for op in ops})
    model.operatorCodes = []
    for code_name in codes:
        code = S.OperatorCodeT()
        code.builtinCode = getattr(S.BuiltinOperator, code_name)
        code.deprecatedBuiltinCode = min(code.builtinCode, 127)
        code.version = 1
        model.operatorCodes.append(code)
    subgraph.operators = []
    for code_name, ins, outs, options in ops:
        op = S.OperatorT()
        op.opcodeIndex = codes.index(code_name)
        op.inputs, op.outputs = [names.index(n) for n in ins], [names.index(n) for n in outs]
        if options is not None:
            op.builtinOptionsType = getattr(S.BuiltinOptions, type(options).__name__[:-1])
            op.builtinOptions = options
        subgraph.operators.append(op)
    subgraph.inputs, subgraph.outputs = [names.index(n) for n in inputs], [names.index(n) for n in outputs]
    model.subgraphs = [subgraph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _run_onnx(data: bytes, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    model = tflite2onnx.convert_bytes(data, input_name=None, output_name=None)
    return ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, feeds)


def test_pad_reshape_and_concatenation_keep_tflites_nhwc_meaning():
    """The three ops BlazeFace needs, on NHWC tensors as TFLite means them: PAD of the channels (the
    converter works in NCHW inside), RESHAPE of a 4-D tensor (TFLite reshapes NHWC memory), and
    CONCATENATION along the channels (4-D) and along a 3-D tensor's middle axis."""
    from mediapipe.tasks.metadata import schema_py_generated as S

    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 3, 4, 2)).astype(np.float32)
    y = rng.normal(size=(1, 3, 4, 5)).astype(np.float32)
    channels = S.ConcatenationOptionsT()
    channels.axis = 3
    rows = S.ConcatenationOptionsT()
    rows.axis = 1
    data = _tflite(
        shapes={
            "x": [1, 3, 4, 2],
            "y": [1, 3, 4, 5],
            "pads": [4, 2],
            "padded": [1, 4, 4, 5],
            "shape": [3],
            "cropped": [1, 3, 4, 5],
            "joined": [1, 3, 4, 10],
            "flat": [1, 12, 10],
            "flat_x": [1, 12, 2],
            "stacked": [1, 24, 10],
        },
        consts={"pads": np.array([[0, 0], [1, 0], [0, 0], [0, 3]], np.int32), "shape": np.array([1, 12, 10], np.int32)},
        ops=[
            ("PAD", ["x", "pads"], ["padded"], None),
            ("CONCATENATION", ["y", "y"], ["joined"], channels),
            ("RESHAPE", ["joined", "shape"], ["flat"], None),
            ("CONCATENATION", ["flat", "flat"], ["stacked"], rows),
        ],
        inputs=["x", "y"],
        outputs=["padded", "flat", "stacked"],
    )
    padded, flat, stacked = _run_onnx(data, {"x": x, "y": y})
    want_padded = np.pad(x, [(0, 0), (1, 0), (0, 0), (0, 3)])
    want_flat = np.concatenate([y, y], axis=3).reshape(1, 12, 10)
    assert np.array_equal(padded, want_padded)
    assert np.array_equal(flat, want_flat)
    assert np.array_equal(stacked, np.concatenate([want_flat, want_flat], axis=1))


def test_a_reshape_to_four_dimensions_is_refused_by_name():
    data = _tflite(
        shapes={"x": [1, 12, 2], "shape": [4], "y": [1, 3, 4, 2]},
        consts={"shape": np.array([1, 3, 4, 2], np.int32)},
        ops=[("RESHAPE", ["x", "shape"], ["y"], None)],
        inputs=["x"],
        outputs=["y"],
    )
    with pytest.raises(tflite2onnx.ConversionError, match="RESHAPE to a 4-D tensor"):
        tflite2onnx.convert_bytes(data)


def test_committed_face_detector_is_reproduced(tmp_path):
    out = tmp_path / f"{FACE}.onnx"
    tflite2onnx.convert(MODELS / f"{FACE}.tflite", out)
    assert out.read_bytes() == (MODELS / f"{FACE}.onnx").read_bytes(), f"{FACE}.onnx is stale: run `make models`"
    model = onnx.load(str(out))
    shapes = {
        v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in (*model.graph.input, *model.graph.output)
    }
    assert shapes == {"input": [1, 128, 128, 3], "regressors": [1, 896, 16], "classificators": [1, 896, 1]}


def test_face_detector_finds_mediapipes_own_faces():
    """Our ONNX model and decoding (haikei.segment.faces) against MediaPipe's face detector running the
    .tflite, both given the same 128x128 letterboxed picture (so that MediaPipe's own resampling stays
    out of it): the same faces, keypoints and scores, boxes within MediaPipe's rounding to whole pixels."""
    images = _images()
    if not images:
        pytest.skip(f"no test photos under {SHARED / 'data'} (shared data folder missing)")
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from haikei.segment.faces import FaceDetector

    ours = FaceDetector()
    options = vision.FaceDetectorOptions(base_options=BaseOptions(model_asset_path=str(MODELS / f"{FACE}.tflite")))
    found = 0
    with vision.FaceDetector.create_from_options(options) as theirs:
        for path in images:
            bgr = cv2.imread(str(path))
            h, w = bgr.shape[:2]
            side = max(w, h)
            square = np.zeros((side, side, 3), np.uint8)
            square[(side - h) // 2 :][:h, (side - w) // 2 :][:, :w] = bgr
            square = cv2.resize(square, (128, 128), interpolation=cv2.INTER_AREA)
            rgb = np.ascontiguousarray(cv2.cvtColor(square, cv2.COLOR_BGR2RGB))
            detections = theirs.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)).detections
            faces = ours.detect(square)
            assert len(faces) == len(detections) >= 1, path.name
            for face, detection in zip(faces, detections):
                points = [(p.x * 128, p.y * 128) for p in detection.keypoints]
                assert np.abs(np.subtract(face.keypoints, points)).max() < 0.05, path.name
                box = detection.bounding_box
                theirs_box = (box.origin_x, box.origin_y, box.origin_x + box.width, box.origin_y + box.height)
                assert np.abs(np.subtract(face.box, theirs_box)).max() < 2.0, path.name
                assert abs(face.score - detection.categories[0].score) < 1e-3, path.name
                found += 1
    assert found >= 6
