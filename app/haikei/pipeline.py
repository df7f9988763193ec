"""One frame through the stages: segment (→ mask) then compose (→ output image). No threads, no Qt.

:class:`FrameProcessor` is what ``haikei process`` loops over (:meth:`FrameProcessor.process`) and
what the threaded :class:`haikei.live.Engine` runs in two halves on two worker threads:
:meth:`FrameProcessor.segment` (model + refinement) and :meth:`FrameProcessor.compose`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from haikei.backgrounds import Background, parse_background
from haikei.compose import Compositor
from haikei.decontaminate import decontaminate
from haikei.errors import HaikeiError, ModelError
from haikei.frames import BGR, I420, Frame
from haikei.frames.i420 import from_i420, to_i420
from haikei.frames.pyramid import Pyramid
from haikei.lightwrap import light_wrap
from haikei.refine import MaskRefiner
from haikei.segment import Segmenter, open_segmenter
from haikei.segment.catalog import DEFAULT_MODEL, Catalog, load_catalog
from haikei.segment.reuse import MaskReuse
from haikei.settings import Settings
from haikei.stats import stage_clock

#: Settings whose change means loading another model.
MODEL_KEYS = ("model", "threads", "accelerator")


@dataclass
class Segmented:
    """A frame after the model and refinement: the (mirrored) frame and its alpha matte."""

    frame: Frame
    #: The (mirrored) frame and its halvings made so far, for the compositing stage to reuse.
    pyramid: Pyramid
    #: The alpha matte (float32, frame-sized), or ``None`` when the effect is off.
    alpha: np.ndarray | None
    timings_ms: dict[str, float]
    #: ``alpha``'s pyramid, with the refiner's small working matte as one of its levels.
    matte: Pyramid | None = None

    @property
    def image(self) -> np.ndarray:
        """The (mirrored) frame in BGR."""
        return self.pyramid.image


@dataclass
class Processed:
    #: The output picture, in ``pixel_format``.
    image: np.ndarray
    #: The alpha matte (float32, frame-sized), or ``None`` when the effect is off.
    alpha: np.ndarray | None
    timings_ms: dict[str, float]
    pixel_format: str = BGR

    def bgr(self) -> np.ndarray:
        """The output picture in BGR (converted from I420 if need be: for a preview, not per frame)."""
        return from_i420(self.image) if self.pixel_format == I420 else self.image


def made_in_i420(pixel_format: str, size: tuple[int, int]) -> bool:
    """Whether the output picture is made in I420: for a sink taking it, and a frame with even
    sides (I420 has none other)."""
    return pixel_format == I420 and size[0] % 2 == 0 and size[1] % 2 == 0


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

    def segment(self, frame: Frame, pixel_format: str = BGR) -> Segmented:
        """Mirror, run the model (or reuse its last mask for a still scene) and refine the mask.

        When compositing for ``pixel_format`` will need the frame in BGR and it is still to be made
        from a smaller picture, it is made here: on the engine's segment thread, alongside the
        previous frame's compositing, as the capture thread used to."""
        settings = self.settings
        picture = cv2.flip(frame.image, 1) if settings.mirror else frame.image
        pyramid = Pyramid(picture, frame.size)
        if not self.background.replaces:
            return Segmented(frame, pyramid, None, {})
        t0 = stage_clock()
        if not self._blends_in_i420(pixel_format, pyramid.size, self.background):
            pyramid.halved(0)
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
        matte = self.refiner.matte(mask, pyramid, settings, grey=cv2.cvtColor(model_input, order))
        t3 = stage_clock()
        timings = {"preprocess": (t1 - t0) * 1e3, "inference": (t2 - t1) * 1e3, "refine": (t3 - t2) * 1e3}
        return Segmented(frame, pyramid, matte.image, timings, matte)

    def _blends_in_i420(self, pixel_format: str, size: tuple[int, int], background: Background) -> bool:
        """Whether the blend for ``pixel_format`` runs in I420: the output is made in it
        (:func:`made_in_i420`) and none of the effects that work in BGR (light wrap, edge cleanup)
        is in use."""
        settings = self.settings
        return (
            made_in_i420(pixel_format, size)
            and settings.light_wrap <= 0
            and (settings.decontaminate <= 0 or background.made_from_frame)
        )

    def compose(self, segmented: Segmented, pixel_format: str = BGR) -> Processed:
        """Blend the person over the background (frames with the effect off pass through), in
        ``pixel_format``: BGR, or I420 for a sink that takes it (blended in I420 where the effects
        in use allow, otherwise converted)."""
        timings = dict(segmented.timings_ms)
        pyramid = segmented.pyramid
        i420 = made_in_i420(pixel_format, pyramid.size)
        made_as = I420 if i420 else BGR
        if segmented.alpha is None:
            return Processed(pyramid.i420() if i420 else pyramid.image, None, timings, made_as)
        started = stage_clock()
        settings = self.settings
        matte = segmented.matte if segmented.matte is not None else segmented.alpha
        timestamp = segmented.frame.timestamp
        with self._background_lock:
            background = self.background
            if self._blends_in_i420(pixel_format, pyramid.size, background):
                behind = background.render_i420(pyramid, timestamp, matte)
                output = self.compositor.i420(pyramid.i420(), behind, segmented.alpha)
            else:
                image = pyramid.image
                behind = background.render(pyramid, timestamp, matte)
                output = self.compositor(image, behind, segmented.alpha)
                if settings.decontaminate > 0 and not background.made_from_frame:
                    output = decontaminate(output, image, segmented.alpha, settings.decontaminate)
                if settings.light_wrap > 0:
                    output = light_wrap(output, behind, matte, settings.light_wrap, self.compositor)
                if i420:
                    output = to_i420(output)
        timings["compose"] = (stage_clock() - started) * 1e3
        return Processed(output, segmented.alpha, timings, made_as)

    def process(self, frame: Frame, pixel_format: str = BGR) -> Processed:
        return self.compose(self.segment(frame, pixel_format), pixel_format)

    def close(self) -> None:
        self.segmenter.close()
        self.background.close()
