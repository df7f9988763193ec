"""One frame through the stages: segment → refine → compose. No threads, no Qt.

:class:`FrameProcessor` is what ``haikei process`` loops over and what the threaded
:class:`haikei.engine.Engine` runs on its worker thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from haikei.backgrounds import Background, parse_background
from haikei.catalog import Catalog, load_catalog
from haikei.compose import composite
from haikei.engines import Segmenter, open_segmenter
from haikei.errors import HaikeiError
from haikei.lightwrap import light_wrap
from haikei.refine import MaskRefiner
from haikei.settings import Settings
from haikei.sources import Frame

#: Settings whose change means loading another model.
MODEL_KEYS = ("model", "threads", "accelerator")


@dataclass
class Processed:
    image: np.ndarray
    #: The alpha matte (float32, frame-sized), or ``None`` when the effect is off.
    alpha: np.ndarray | None
    timings_ms: dict[str, float]


class FrameProcessor:
    """Owns the model, the background and the refiner's history. Use from one thread at a time."""

    def __init__(self, settings: Settings, catalog: Catalog | None = None):
        self.catalog = catalog if catalog is not None else load_catalog()
        self.refiner = MaskRefiner()
        self.segmenter: Segmenter = self._open_model(settings)
        try:
            self.background: Background = parse_background(settings.background)
        except HaikeiError:
            self.segmenter.close()
            raise
        self.settings = settings

    def _open_model(self, settings: Settings) -> Segmenter:
        return open_segmenter(self.catalog.get(settings.model), settings.threads, settings.accelerator)

    def apply(self, settings: Settings) -> list[HaikeiError]:
        """Switch to ``settings``. A model or background that fails to load is reported and the
        previous one kept (and its value kept in :attr:`settings`), so frames keep flowing."""
        errors: list[HaikeiError] = []
        old = self.settings
        if any(getattr(settings, k) != getattr(old, k) for k in MODEL_KEYS):
            try:
                segmenter = self._open_model(settings)
            except HaikeiError as exc:
                errors.append(exc)
                settings = settings.replace(**{k: getattr(old, k) for k in MODEL_KEYS})
            else:
                self.segmenter.close()
                self.segmenter = segmenter
                self.refiner.reset()
        if settings.background != old.background:
            try:
                background = parse_background(settings.background)
            except HaikeiError as exc:
                errors.append(exc)
                settings = settings.replace(background=old.background)
            else:
                self.background.close()
                self.background = background
        self.settings = settings
        return errors

    def process(self, frame: Frame) -> Processed:
        settings = self.settings
        image = cv2.flip(frame.image, 1) if settings.mirror else frame.image
        if not self.background.replaces:
            return Processed(image, None, {})
        t0 = time.perf_counter()
        prepared = self.segmenter.preprocess(image)
        t1 = time.perf_counter()
        mask = self.segmenter.infer(prepared)
        t2 = time.perf_counter()
        alpha = self.refiner(mask, image, settings)
        t3 = time.perf_counter()
        background = self.background.render(image, frame.timestamp, alpha)
        output = composite(image, background, alpha)
        if settings.light_wrap > 0:
            output = light_wrap(output, background, alpha, settings.light_wrap)
        t4 = time.perf_counter()
        timings = {
            "preprocess": (t1 - t0) * 1e3,
            "inference": (t2 - t1) * 1e3,
            "refine": (t3 - t2) * 1e3,
            "compose": (t4 - t3) * 1e3,
        }
        return Processed(output, alpha, timings)

    def close(self) -> None:
        self.segmenter.close()
        self.background.close()
