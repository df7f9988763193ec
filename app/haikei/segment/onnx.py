"""onnxruntime engine: CPU by default, a GPU execution provider when one is installed."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from haikei.errors import ModelError
from haikei.segment.base import Segmenter, decode_output
from haikei.segment.catalog import ModelManifest

#: Tried in this order when ``accelerator="auto"``; CPU always comes last.
GPU_PROVIDERS = (
    "TensorrtExecutionProvider",
    "CUDAExecutionProvider",
    "ROCMExecutionProvider",
    "DmlExecutionProvider",
    "CoreMLExecutionProvider",
)


def choose_providers(available: list[str], accelerator: str) -> list[str]:
    gpu = [p for p in GPU_PROVIDERS if p in available] if accelerator == "auto" else []
    return [*gpu[:1], "CPUExecutionProvider"]


class OnnxSegmenter(Segmenter):
    def __init__(self, manifest: ModelManifest, threads: int, accelerator: str):
        super().__init__(manifest)
        data = manifest.read_verified()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle pool threads sleep instead of spinning: with threads > 1, spinning burns a core per
        # thread between frames, which a 30 fps camera mostly is.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self.providers = choose_providers(ort.get_available_providers(), accelerator)
        try:
            self.session = ort.InferenceSession(data, sess_options=options, providers=self.providers)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own untyped errors for bad files
            raise ModelError(f"model {manifest.name!r}: onnxruntime cannot load {manifest.file.name}: {exc}") from None
        model_input = self.session.get_inputs()[0]
        self.input_name = model_input.name
        expected = self._tensor_shape()
        if any(isinstance(d, int) and d != e for d, e in zip(model_input.shape, expected)):
            raise ModelError(
                f"model {manifest.name!r}: input shape {model_input.shape} does not match the manifest "
                f"({manifest.layout} {manifest.input_width}x{manifest.input_height})"
            )
        spatial = model_input.shape[1:3] if manifest.layout == "NHWC" else model_input.shape[2:4]
        if manifest.keep_aspect and all(isinstance(d, int) for d in spatial):
            raise ModelError(
                f"model {manifest.name!r}: the manifest says keep_aspect, but the model's input is fixed at "
                f"{spatial[1]}x{spatial[0]}",
                "remove keep_aspect and stride from the manifest, or use a model with free height and width "
                "(python -m haikei.tools.tflite2onnx --dynamic)",
            )
        self._mean = np.array(manifest.mean, np.float32)
        self._inv_std = 1.0 / np.array(manifest.std, np.float32)
        self._allocate((manifest.input_height, manifest.input_width, 3))

    def _allocate(self, shape: tuple[int, ...]) -> None:
        """The float input buffer for a model input of ``shape`` (HxWx3), and the normalisation
        constants tiled over one of its rows: numpy's loops are slow over a last axis of only 3
        channels (256x144: 0.33 ms per frame against 0.06 ms by rows)."""
        self._tensor = np.empty(shape, np.float32)
        self._mean_row = np.tile(self._mean, shape[1])
        self._inv_std_row = np.tile(self._inv_std, shape[1])

    def _tensor_shape(self) -> tuple[int, ...]:
        m = self.manifest
        if m.layout == "NHWC":
            return (1, m.input_height, m.input_width, 3)
        return (1, 3, m.input_height, m.input_width)

    def prepare(self, model_input: np.ndarray) -> np.ndarray:
        if self._tensor.shape != model_input.shape:  # a keep_aspect model's input follows the frame
            self._allocate(model_input.shape)
        rows = self._tensor.reshape(self._tensor.shape[0], -1)
        np.copyto(rows, model_input.reshape(rows.shape), casting="unsafe")  # uint8 → float32
        rows -= self._mean_row
        rows *= self._inv_std_row
        if self.manifest.layout == "NCHW":
            return np.ascontiguousarray(self._tensor.transpose(2, 0, 1))[None]
        return self._tensor[None]

    def infer(self, prepared: np.ndarray) -> np.ndarray:
        (raw,) = self.session.run(None, {self.input_name: prepared})[:1]
        raw = raw[0]
        if self.manifest.layout == "NCHW":
            raw = raw.transpose(1, 2, 0)
        return decode_output(raw, self.manifest)
