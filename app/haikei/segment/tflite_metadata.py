"""Attach the TFLite Support metadata that MediaPipe's ImageSegmenter needs, in memory.

Why this exists: MediaPipe Tasks refuses a bare float .tflite ("Input tensor has type
float32: it requires specifying NormalizationOptions metadata to preprocess input
images"), and the metadata writer shipped with mediapipe 1.2.2
(``mediapipe.tasks.python.metadata.metadata_writers.image_segmenter``) cannot be
imported (``No module named 'mediapipe.tasks.cc'``). Users bring their own segmentation
models (Google Meet, BodyPix, DeepLabV3, ...), so Haikei writes the few metadata tables
Tasks reads itself, with the flatbuffer bindings that mediapipe does ship. This mirrors
``MetadataWriter``/``MetadataPopulator`` for the segmenter case only:

* ``ModelMetadata`` (file identifier ``M001``, ``min_parser_version`` 1.5.0 because of
  custom metadata) with one subgraph holding
  - the input tensor: RGB ``ImageProperties`` and ``NormalizationOptions`` (mean/std,
    one value or one per channel; Tasks feeds ``(pixel - mean) / std``);
  - one tensor metadata per output tensor (GRAYSCALE image, as the writer does);
  - custom metadata ``SEGMENTER_METADATA``: ``ImageSegmenterOptions`` (identifier
    ``V001``) with activation NONE, so Tasks hands back the raw output channels as
    confidence masks and Haikei decodes logits / softmax itself;
* a new model buffer holding that flatbuffer, referenced by a ``Model.metadata`` entry
  named ``TFLITE_METADATA`` (an existing one is replaced; other entries such as
  ``min_runtime_version`` are kept). The model keeps its ``TFL3`` identifier.

Importing mediapipe's generated modules imports the ``mediapipe`` package (~0.7 s); the
callers load ImageSegmenter right after anyway. Anything appended after the flatbuffer
(zipped associated files, as in MediaPipe's own models) is not carried over.
"""

from __future__ import annotations

from collections.abc import Sequence

import flatbuffers
import numpy as np
from mediapipe.tasks.metadata import image_segmenter_metadata_schema_py_generated as _seg_fb
from mediapipe.tasks.metadata import metadata_schema_py_generated as _md_fb
from mediapipe.tasks.metadata import schema_py_generated as _tfl_fb

__all__ = ["with_segmenter_metadata"]

_MODEL_ID = b"TFL3"
_METADATA_FIELD = "TFLITE_METADATA"
_METADATA_ID = b"M001"
_MIN_PARSER_VERSION = "1.5.0"  # schema history: CustomMetadata in SubGraphMetadata is 1.5.0
_SEGMENTER_FIELD = "SEGMENTER_METADATA"
_SEGMENTER_ID = b"V001"
_ACTIVATION_NONE = 0  # image_segmenter_metadata_schema.fbs: enum Activation { NONE, SIGMOID, SOFTMAX }


def with_segmenter_metadata(model: bytes, mean: Sequence[float], std: Sequence[float]) -> bytes:
    """Return a copy of the .tflite flatbuffer ``model`` with ImageSegmenter metadata.

    ``mean``/``std`` describe the input normalisation ``(pixel - mean) / std`` on 0..255
    RGB pixels: one value for all channels or one per channel (e.g. ``[0], [255]`` for
    x/255, ``[127.5], [127.5]`` for -1..1). Raises ValueError on a bad model or bad values.
    """
    mean, std = [float(v) for v in mean], [float(v) for v in std]
    if len(mean) != len(std) or len(mean) not in (1, 3):
        raise ValueError(f"mean and std need 1 or 3 values each, got {len(mean)} and {len(std)}")
    if any(v == 0.0 for v in std):
        raise ValueError("std values must be non-zero")
    buf = bytes(model)
    if len(buf) < 8 or not _tfl_fb.Model.ModelBufferHasIdentifier(buf, 0):
        raise ValueError("not a TFLite flatbuffer (no TFL3 identifier)")
    tfl = _tfl_fb.ModelT.InitFromObj(_tfl_fb.Model.GetRootAsModel(buf, 0))
    if not tfl.subgraphs or len(tfl.subgraphs[0].inputs) != 1:
        raise ValueError("expected a model whose first subgraph has exactly one (image) input")
    if any(b.offset > 1 for b in tfl.buffers or []):
        raise ValueError("models with buffers stored outside the flatbuffer (>2 GB) are not supported")

    metadata = _pack(_model_metadata(tfl.subgraphs[0], mean, std), _METADATA_ID)
    entry = next((m for m in tfl.metadata or [] if m.name == _METADATA_FIELD.encode()), None)
    if entry is None:
        tfl.buffers = tfl.buffers or []
        tfl.buffers.append(_tfl_fb.BufferT())
        entry = _tfl_fb.MetadataT(name=_METADATA_FIELD, buffer=len(tfl.buffers) - 1)
        tfl.metadata = (tfl.metadata or []) + [entry]
    tfl.buffers[entry.buffer] = _tfl_fb.BufferT(data=np.frombuffer(metadata, np.uint8))
    for b in tfl.buffers:  # re-pack weights 16-byte aligned (see _AlignedBufferT)
        b.__class__ = _AlignedBufferT
    return _pack(tfl, _MODEL_ID)


def _model_metadata(subgraph: _tfl_fb.SubGraphT, mean: list[float], std: list[float]) -> _md_fb.ModelMetadataT:
    normalization = _md_fb.ProcessUnitT(
        optionsType=_md_fb.ProcessUnitOptions.NormalizationOptions,
        options=_md_fb.NormalizationOptionsT(mean=mean, std=std),
    )
    image = _md_fb.TensorMetadataT(
        name=_tensor_name(subgraph, subgraph.inputs[0]),
        content=_image_content(_md_fb.ColorSpaceType.RGB),
        processUnits=[normalization],
    )
    masks = [
        _md_fb.TensorMetadataT(name=_tensor_name(subgraph, i), content=_image_content(_md_fb.ColorSpaceType.GRAYSCALE))
        for i in subgraph.outputs
    ]
    options = _pack(_seg_fb.ImageSegmenterOptionsT(activation=_ACTIVATION_NONE), _SEGMENTER_ID)
    custom = _md_fb.CustomMetadataT(name=_SEGMENTER_FIELD, data=np.frombuffer(options, np.uint8))
    graph = _md_fb.SubGraphMetadataT(inputTensorMetadata=[image], outputTensorMetadata=masks, customMetadata=[custom])
    return _md_fb.ModelMetadataT(name="ImageSegmenter", subgraphMetadata=[graph], minParserVersion=_MIN_PARSER_VERSION)


def _image_content(color_space: int) -> _md_fb.ContentT:
    return _md_fb.ContentT(
        contentPropertiesType=_md_fb.ContentProperties.ImageProperties,
        contentProperties=_md_fb.ImagePropertiesT(colorSpace=color_space),
    )


def _tensor_name(subgraph: _tfl_fb.SubGraphT, index: int) -> str:
    return (subgraph.tensors[index].name or b"").decode("utf-8", "replace")


def _pack(table, file_identifier: bytes) -> bytes:
    builder = flatbuffers.Builder(1024)
    builder.Finish(table.Pack(builder), file_identifier)
    return bytes(builder.Output())


class _AlignedBufferT(_tfl_fb.BufferT):
    """BufferT packed with its data 16-byte aligned, as the TFLite converter writes it.

    The schema says ``data:[ubyte] (force_align: 16)`` but the generated Python Pack only
    byte-aligns; TFLite reads weights in place, so keep them aligned.
    """

    def Pack(self, builder: flatbuffers.Builder) -> int:
        data = None
        if self.data is not None:
            raw = np.asarray(self.data, np.uint8).tobytes()
            builder.Prep(16, len(raw))  # pad so the vector payload starts 16-aligned
            data = builder.CreateByteVector(raw)
        _tfl_fb.BufferStart(builder)
        if data is not None:
            _tfl_fb.BufferAddData(builder, data)
        _tfl_fb.BufferAddOffset(builder, self.offset)
        _tfl_fb.BufferAddSize(builder, self.size)
        return _tfl_fb.BufferEnd(builder)
