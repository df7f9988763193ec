"""One frame through the stages: segment (→ mask) then compose (→ output image). No threads, no Qt.

:class:`FrameProcessor` is what ``haikei process`` loops over (:meth:`FrameProcessor.process`) and
what the threaded :class:`haikei.engine.Engine` runs in two halves on two worker threads:
:meth:`FrameProcessor.segment` (model + refinement) and :meth:`FrameProcessor.compose`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from haikei.backgrounds import Background, parse_background
from haikei.catalog import DEFAULT_MODEL, Catalog, load_catalog
from haikei.compose import Compositor
from haikei.decontaminate import decontaminate
from haikei.engines import Segmenter, open_segmenter
from haikei.errors import HaikeiError, ModelError
from haikei.lightwrap import light_wrap
from haikei.pyramid import Pyramid
from haikei.refine import MaskRefiner
from haikei.reuse import MaskReuse
from haikei.settings import Settings
from haikei.sources import Frame
from haikei.stats import stage_clock

#: Settings whose change means loading another model.
MODEL_KEYS = ("model", "threads", "accelerator")


@dataclass
class Segmented:
    """A frame after the model and refinement: the (mirrored) image and its alpha matte."""

    frame: Frame
    image: np.ndarray
    #: The alpha matte (float32, frame-sized), or ``None`` when the effect is off.
    alpha: np.ndarray | None
    timings_ms: dict[str, float]
    #: ``image``'s halvings made so far, for the compositing stage to reuse.
    pyramid: Pyramid | None = None


@dataclass
class Processed:
    image: np.ndarray
    #: The alpha matte (float32, frame-sized), or ``None`` when the effect is off.
    alpha: np.ndarray | None
    timings_ms: dict[str, float]


class FrameProcessor:
    """Owns the model, the background and the refiner's history.

    :meth:`segment` and :meth:`apply` must come from one thread, :meth:`compose` may run on
    another (a background swap waits for the compose in progress).
    """

    def __init__(self, settings: Settings, catalog: Catalog | None = None, fall_back: bool = False):
        """With ``fall_back``, a model that cannot be loaded (missing, tampered with) is replaced by
        the default model; the refusal is kept in :attr:`warnings` for the caller to show."""
        self.catalog = catalog if catalog is not None else load_catalog()
        self.refiner = MaskRefiner()
        self.reuse = MaskReuse()
        self.compositor = Compositor()
        self._background_lock = threading.Lock()
        self.warnings: list[HaikeiError] = []
        try:
            self.segmenter: Segmenter = self._open_model(settings)
        except ModelError as exc:
            if not fall_back or settings.model == DEFAULT_MODEL:
                raise
            settings = settings.replace(model=DEFAULT_MODEL)
            self.segmenter = self._open_model(settings)
            self.warnings.append(ModelError(f"{exc.message}; using {DEFAULT_MODEL} instead", exc.fix))
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
                self.reuse.reset()
        if settings.background != old.background:
            try:
                background = parse_background(settings.background)
            except HaikeiError as exc:
                errors.append(exc)
                settings = settings.replace(background=old.background)
            else:
                with self._background_lock:
                    self.background.close()
                    self.background = background
        self.settings = settings
        return errors

    def segment(self, frame: Frame) -> Segmented:
        """Mirror, run the model (or reuse its last mask for a still scene) and refine the mask."""
        settings = self.settings
        image = cv2.flip(frame.image, 1) if settings.mirror else frame.image
        if not self.background.replaces:
            return Segmented(frame, image, None, {})
        t0 = stage_clock()
        pyramid = Pyramid(image)
        model_input = self.segmenter.resize_input(pyramid)
        mask = self.reuse.lookup(model_input, settings.mask_reuse)
        t1 = t2 = stage_clock()
        if mask is None:
            prepared = self.segmenter.prepare(model_input)
            t1 = stage_clock()
            mask = self.segmenter.infer(prepared)
            self.reuse.store(model_input, mask)
            t2 = stage_clock()
        order = cv2.COLOR_RGB2GRAY if self.segmenter.manifest.channel_order == "RGB" else cv2.COLOR_BGR2GRAY
        alpha = self.refiner(mask, pyramid, settings, grey=cv2.cvtColor(model_input, order))
        t3 = stage_clock()
        timings = {"preprocess": (t1 - t0) * 1e3, "inference": (t2 - t1) * 1e3, "refine": (t3 - t2) * 1e3}
        return Segmented(frame, image, alpha, timings, pyramid)

    def compose(self, segmented: Segmented) -> Processed:
        """Blend the person over the background (frames with the effect off pass through)."""
        timings = dict(segmented.timings_ms)
        if segmented.alpha is None:
            return Processed(segmented.image, None, timings)
        started = stage_clock()
        with self._background_lock:
            behind = self.background.render(segmented.image, segmented.frame.timestamp, segmented.alpha,
                                            segmented.pyramid)
            output = self.compositor(segmented.image, behind, segmented.alpha)
            if self.settings.decontaminate > 0 and not self.background.made_from_frame:
                output = decontaminate(output, segmented.image, segmented.alpha, self.settings.decontaminate)
            if self.settings.light_wrap > 0:
                output = light_wrap(output, behind, segmented.alpha, self.settings.light_wrap, self.compositor)
        timings["compose"] = (stage_clock() - started) * 1e3
        return Processed(output, segmented.alpha, timings)

    def process(self, frame: Frame) -> Processed:
        return self.compose(self.segment(frame))

    def close(self) -> None:
        self.segmenter.close()
        self.background.close()
