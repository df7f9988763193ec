"""What every segmentation engine is: the :class:`Segmenter` contract, and :func:`decode_output`."""

from __future__ import annotations

from abc import ABC, abstractmethod

import cv2
import numpy as np

from haikei.errors import ModelError
from haikei.frames.pyramid import Pyramid
from haikei.segment.catalog import ModelManifest


class Segmenter(ABC):
    """A model, loaded: a BGR frame in, a float32 person mask in [0, 1] out, at the model's resolution
    (fixed, or following the frame's aspect ratio for a ``keep_aspect`` model: :meth:`input_size_for`).

    The contract, for every engine (a new one is registered in :data:`haikei.segment.ENGINES`):

    - ``__init__(manifest, threads, accelerator)`` loads the model from the manifest's verified bytes
      (:meth:`~haikei.segment.catalog.ModelManifest.read_verified`) with at most ``threads`` threads, on a
      GPU only if ``accelerator`` is ``"auto"`` and one is there; a model it cannot load is a
      :class:`ModelError` naming the model (never another exception). The engine's own library is
      imported by its module, so that a missing one disables that engine alone.
    - The work is two timed steps: :meth:`prepare` (normalise :meth:`resize_input`'s image into what the
      model takes) and :meth:`infer` (run the model, decode its output with :func:`decode_output`).
    - :meth:`close` releases the model; it is called exactly once.
    """

    def __init__(self, manifest: ModelManifest):
        self.manifest = manifest
        self._resized = np.empty((manifest.input_height, manifest.input_width, 3), np.uint8)
        self._frame_size: tuple[int, int] | None = None

    def input_size_for(self, frame_size: tuple[int, int]) -> tuple[int, int]:
        """The model input (w, h) for frames of ``frame_size`` (see
        :meth:`ModelManifest.input_size_for`), worked out once per frame size; the input buffer is
        reallocated only when it changes."""
        if frame_size != self._frame_size:
            self._frame_size = frame_size
            w, h = self.manifest.input_size_for(frame_size)
            if self._resized.shape[:2] != (h, w):
                self._resized = np.empty((h, w, 3), np.uint8)
        return self._resized.shape[1], self._resized.shape[0]

    def resize_input(self, frame: np.ndarray | Pyramid) -> np.ndarray:
        """The frame at model size, in the model's channel order (uint8, reused buffer).

        Given the frame's :class:`Pyramid`, cut from its nearest halving (which later stages reuse).
        """
        pyramid = Pyramid.of(frame)
        pyramid.resized(self.input_size_for(pyramid.size), dst=self._resized)
        if self.manifest.channel_order == "RGB":
            cv2.cvtColor(self._resized, cv2.COLOR_BGR2RGB, dst=self._resized)
        return self._resized

    def preprocess(self, frame: np.ndarray | Pyramid) -> object:
        return self.prepare(self.resize_input(frame))

    @abstractmethod
    def prepare(self, model_input: np.ndarray) -> object:
        """:meth:`resize_input`'s image → what :meth:`infer` takes (normalised tensor, engine image)."""

    @abstractmethod
    def infer(self, prepared: object) -> np.ndarray: ...

    def __call__(self, frame_bgr: np.ndarray) -> np.ndarray:
        return self.infer(self.preprocess(frame_bgr))

    def close(self) -> None:  # noqa: B027 - engines with nothing to release need not override it
        """Release the model."""


def decode_output(raw: np.ndarray, manifest: ModelManifest) -> np.ndarray:
    """Model output as HxWxC (any size) → float32 person probability HxW in [0, 1]."""
    spec = manifest.output
    if spec.channel >= raw.shape[2]:
        raise ModelError(
            f"model {manifest.name!r}: output has {raw.shape[2]} channel(s), manifest asks for channel {spec.channel}"
        )
    if spec.kind == "probability":
        mask = raw[:, :, spec.channel]
    elif spec.kind == "sigmoid":
        mask = 1.0 / (1.0 + np.exp(-raw[:, :, spec.channel]))
    else:  # softmax over the classes, person = class ``channel``
        shifted = np.exp(raw - raw.max(axis=2, keepdims=True))
        mask = shifted[:, :, spec.channel] / shifted.sum(axis=2)
    return np.clip(mask, 0.0, 1.0).astype(np.float32, copy=False)
