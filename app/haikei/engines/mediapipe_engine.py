"""mediapipe Tasks ``ImageSegmenter`` engine for .tflite models.

Tasks only accepts float models that carry normalisation metadata, so the manifest's mean/std are
written into an in-memory copy of the model before loading (see :mod:`haikei.engines.tflite_metadata`).
"""

from __future__ import annotations

import numpy as np

from haikei.catalog import ModelManifest
from haikei.engines import Segmenter, decode_output, register_engine
from haikei.errors import ModelError


class MediapipeSegmenter(Segmenter):
    def __init__(self, manifest: ModelManifest, threads: int, accelerator: str):
        super().__init__(manifest)
        try:
            import mediapipe as mp
            from mediapipe.tasks.python import BaseOptions, vision
        except ImportError:  # an optional extra (tflite): the shipped models also come as ONNX
            raise ModelError(
                f"model {manifest.name!r} needs mediapipe, which this installation of Haikei leaves out",
                "choose an ONNX model (see `haikei models`), or install mediapipe into Haikei's Python "
                "environment: pip install 'mediapipe>=0.10.21' (a checkout: make tflite)",
            ) from None

        from haikei.engines.tflite_metadata import with_segmenter_metadata

        self._mp = mp
        data = manifest.read_verified()
        try:
            model = with_segmenter_metadata(data, manifest.mean, manifest.std)
            options = vision.ImageSegmenterOptions(
                base_options=BaseOptions(model_asset_buffer=model),
                output_confidence_masks=True,
                output_category_mask=False,
            )
            self.segmenter = vision.ImageSegmenter.create_from_options(options)
        except Exception as exc:  # mediapipe raises RuntimeError/ValueError with its own text
            raise ModelError(f"model {manifest.name!r}: mediapipe cannot load {manifest.file.name}: {exc}") from None
        if manifest.layout != "NHWC":
            raise ModelError(f"model {manifest.name!r}: .tflite models are NHWC; fix the manifest's layout")

    def prepare(self, model_input: np.ndarray):
        # Tasks takes uint8 and normalises with the metadata; a BGR model simply gets BGR bytes.
        return self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=model_input)

    def infer(self, prepared) -> np.ndarray:
        result = self.segmenter.segment(prepared)
        # numpy_view() aliases mediapipe's buffer, which is reused: copy out now.
        raw = np.stack([m.numpy_view() for m in result.confidence_masks], axis=-1)
        if raw.ndim == 4:  # masks come as HxWx1
            raw = raw[:, :, 0, :]
        return decode_output(raw, self.manifest)

    def close(self) -> None:
        self.segmenter.close()


register_engine("mediapipe")(MediapipeSegmenter)
