"""One frame through the stages: segment (model → mask → matte) then compose (→ output picture). No
threads, no Qt.

:class:`FrameProcessor` is what ``haikei process`` and ``haikei eval`` loop over
(:meth:`FrameProcessor.process`) and what the threaded :class:`haikei.live.Engine` runs in two halves
on two worker threads: :meth:`FrameProcessor.segment` and :meth:`FrameProcessor.compose`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from haikei.compose import Composer, Plan
from haikei.compose.backgrounds import BackgroundSpec
from haikei.errors import HaikeiError, ModelError
from haikei.frames import BGR, I420, Frame
from haikei.frames.i420 import from_i420
from haikei.frames.matte import Matte
from haikei.frames.pyramid import Pyramid
from haikei.refine import MaskRefiner
from haikei.segment import open_segmenter
from haikei.segment.base import Segmenter
from haikei.segment.catalog import DEFAULT_MODEL, Catalog, load_catalog
from haikei.segment.reuse import MaskReuse
from haikei.settings import MODEL_KEYS, Settings
from haikei.stats import stage_clock


@dataclass
class Segmented:
    """A frame after the model and refinement: the (mirrored) frame, its alpha matte, and how it is
    to be composed."""

    frame: Frame
    #: The (mirrored) frame and its halvings made so far, for the compositing stage to reuse.
    pyramid: Pyramid
    #: The alpha matte (float32, frame-sized, 1 = person, made on demand) and its halvings, the
    #: refiner's small working matte among them; ``None`` when the effect is off.
    matte: Matte | None
    timings_ms: dict[str, float]
    plan: Plan

    @property
    def alpha(self) -> np.ndarray | None:
        """The frame-sized alpha matte, ``None`` when the effect is off."""
        return self.matte.image if self.matte is not None else None

    @property
    def image(self) -> np.ndarray:
        """The (mirrored) frame in BGR."""
        return self.pyramid.image


@dataclass
class Processed:
    #: The output picture, in ``pixel_format``.
    image: np.ndarray
    #: The alpha matte and its pyramid (:attr:`alpha`), or ``None`` when the effect is off.
    matte: Matte | None
    timings_ms: dict[str, float]
    pixel_format: str = BGR

    @property
    def alpha(self) -> np.ndarray | None:
        """The frame-sized alpha matte (float32, 1 = person; made when first asked for), ``None``
        when the effect is off."""
        return self.matte.image if self.matte is not None else None

    def bgr(self) -> np.ndarray:
        """The output picture in BGR (converted from I420 if need be: for a preview, not per frame)."""
        return from_i420(self.image) if self.pixel_format == I420 else self.image


class FrameProcessor:
    """Owns the model, the background and the refiner's history.

    :meth:`segment` and :meth:`apply` must come from one thread, :meth:`compose` may run on
    another (a background swap waits for the compose in progress).
    """

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog | None = None,
        fall_back: bool = False,
        fall_back_background: bool = False,
    ):
        """With ``fall_back``, a model that cannot be loaded (missing, tampered with) is replaced by
        the default model; with ``fall_back_background``, a background that cannot be opened (its file
        gone) by the default background: both came from the saved settings. The refusal is kept in
        :attr:`warnings` for the caller to show."""
        self.catalog = catalog if catalog is not None else load_catalog()
        self.refiner = MaskRefiner()
        self.reuse = MaskReuse()
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
            try:
                background = BackgroundSpec.parse(settings.background).open()
            except HaikeiError as exc:
                default = Settings().background
                if not fall_back_background or settings.background == default:
                    raise
                background = BackgroundSpec.parse(default).open()
                self.warnings.append(
                    type(exc)(
                        f"the saved background {settings.background!r} (from the settings) cannot be used: "
                        f"{exc.message}; using {default} instead",
                        exc.fix,
                    )
                )
                settings = settings.replace(background=default)
            self.composer = Composer(background)
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
                background = BackgroundSpec.parse(settings.background).open()
            except HaikeiError as exc:
                errors.append(exc)
                settings = settings.replace(background=old.background)
            else:
                self.composer.swap(background)
        self.settings = settings
        return errors

    def segment(self, frame: Frame, pixel_format: str = BGR) -> Segmented:
        """Mirror, plan the frame's compositing for an output taking ``pixel_format``, run the model (or
        reuse its last mask for a still scene) and refine the mask.

        When the blend will need the frame in BGR and it is still to be made from a smaller picture,
        it is made here: on the engine's segment thread, alongside the previous frame's compositing."""
        settings = self.settings
        picture = cv2.flip(frame.image, 1) if settings.mirror else frame.image
        pyramid = Pyramid(picture, frame.size)
        plan = self.composer.plan(pixel_format, pyramid.size, settings)
        if not self.composer.background.replaces:
            return Segmented(frame, pyramid, None, {}, plan)
        t0 = stage_clock()
        if plan.blend_in == BGR:
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
        matte = self.refiner.matte(mask, pyramid, settings.refine, grey=cv2.cvtColor(model_input, order))
        t3 = stage_clock()
        timings = {"preprocess": (t1 - t0) * 1e3, "inference": (t2 - t1) * 1e3, "refine": (t3 - t2) * 1e3}
        return Segmented(frame, pyramid, matte, timings, plan)

    def passthrough(self, frame: Frame, pixel_format: str = BGR) -> Segmented:
        """``frame`` to be sent as it is (a status frame), in ``pixel_format`` where it can be."""
        pyramid = Pyramid(frame.image)
        return Segmented(frame, pyramid, None, {}, self.composer.plan(pixel_format, pyramid.size, self.settings))

    def compose(self, segmented: Segmented) -> Processed:
        """Blend the person over the background (frames with the effect off pass through), as planned
        when the frame was segmented: in the output's format, BGR or I420."""
        timings = dict(segmented.timings_ms)
        pyramid, plan = segmented.pyramid, segmented.plan
        if segmented.matte is None:
            return Processed(pyramid.i420() if plan.made_in == I420 else pyramid.image, None, timings, plan.made_in)
        started = stage_clock()
        output = self.composer.compose(pyramid, segmented.matte, segmented.frame.timestamp, plan)
        timings["compose"] = (stage_clock() - started) * 1e3
        return Processed(output, segmented.matte, timings, plan.made_in)

    def process(self, frame: Frame, pixel_format: str = BGR) -> Processed:
        return self.compose(self.segment(frame, pixel_format))

    def close(self) -> None:
        self.segmenter.close()
        self.composer.close()
