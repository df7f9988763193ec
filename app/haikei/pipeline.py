"""One frame through the stages: segment (framing → light → model → mask → matte) then compose
(→ output picture). No threads, no Qt.

:class:`FrameProcessor` is what ``haikei process`` and ``haikei eval`` loop over
(:meth:`FrameProcessor.process`) and what the threaded :class:`haikei.live.Engine` runs in two halves
on two worker threads: :meth:`FrameProcessor.segment` and :meth:`FrameProcessor.compose`.

The effects (docs/effects.md) that need to know where the person is use the previous frame's matte:
auto-framing points the crop of the next frame, light meters it. With the background effect off
they still need it: the model then runs a few times a second (:data:`PERSON_PERIOD`) for them alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from haikei.compose import Composer, Plan
from haikei.compose.backgrounds import Background, BackgroundSpec
from haikei.compose.light import AutoLight
from haikei.compose.styles import STYLES, StyledBackground
from haikei.errors import HaikeiError, ModelError
from haikei.frames import BGR, I420, Frame
from haikei.frames.i420 import from_i420
from haikei.frames.matte import Matte
from haikei.frames.person import Face, PersonGeometry, measure
from haikei.frames.pyramid import Pyramid
from haikei.framing import AutoFramer, Crop
from haikei.refine import MaskRefiner
from haikei.segment import open_segmenter
from haikei.segment.base import Segmenter
from haikei.segment.catalog import DEFAULT_MODEL, Catalog, load_catalog
from haikei.segment.faces import FaceTracker
from haikei.segment.reuse import MaskReuse
from haikei.settings import MODEL_KEYS, Settings
from haikei.stats import stage_clock

#: With the background effect off, auto-framing and light see the person this often (s).
PERSON_PERIOD = 0.1
#: The person is measured on the matte halved until it is at most this wide (320x180 at 720p: the
#: refiner's own working matte).
PERSON_WIDTH = 400
#: Settings whose change means a new background (a style on the background is part of it).
BACKGROUND_KEYS = ("background", "style", "style_on")


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
    #: Where the person is (in the pixels of a small copy of the frame: its ``size`` says which),
    #: when the matte was made; the detected face, in the frame's pixels, while touch-up is on.
    person: PersonGeometry | None = None
    face: Face | None = None
    #: The part of the camera picture auto-framing made the frame of, ``None`` while it is off.
    crop: Crop | None = None

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
                background = _open_background(settings)
            except HaikeiError as exc:
                default = Settings().background
                if not fall_back_background or settings.background == default:
                    raise
                saved, settings = settings.background, settings.replace(background=default)
                background = _open_background(settings)
                self.warnings.append(
                    type(exc)(
                        f"the saved background {saved!r} (from the settings) cannot be used: "
                        f"{exc.message}; using {default} instead",
                        exc.fix,
                    )
                )
            self.composer = Composer(background)
        except HaikeiError:
            self.segmenter.close()
            raise
        self.settings = settings
        self.framer: AutoFramer | None = None
        self.light: AutoLight | None = None
        self.faces: FaceTracker | None = None
        #: The person as last measured: its geometry, its small matte (light meters with it), when.
        self._person: PersonGeometry | None = None
        self._person_matte: np.ndarray | None = None
        self._person_at: float | None = None
        self.warnings += self._configure_effects(settings, None)

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
        if any(getattr(settings, k) != getattr(old, k) for k in BACKGROUND_KEYS):
            try:
                background = _open_background(settings)
            except HaikeiError as exc:
                errors.append(exc)
                settings = settings.replace(**{k: getattr(old, k) for k in BACKGROUND_KEYS})
            else:
                self.composer.swap(background)
        if settings.soften != old.soften:
            self.composer.background.set_soften(settings.soften)
        errors += self._configure_effects(settings, old)
        self.settings = settings
        return errors

    def _configure_effects(self, settings: Settings, old: Settings | None) -> list[HaikeiError]:
        """Start, change or stop the effects that keep state from frame to frame."""
        if old is None or (settings.framing, settings.framing_zoom, settings.framing_settle) != (
            old.framing,
            old.framing_zoom,
            old.framing_settle,
        ):
            auto = settings.framing == "auto"
            self.framer = AutoFramer(settings.framing_zoom, settings.framing_settle) if auto else None
        if settings.light != "auto":
            self.light = None
        elif self.light is None:
            self.light = AutoLight(settings.light_denoise)
        else:
            self.light.denoise = settings.light_denoise
        if settings.touch_up <= 0:
            self.faces = None
        elif self.faces is None:
            try:
                self.faces = FaceTracker()
            except ModelError as exc:  # touch-up then works from the matte alone
                return [ModelError(f"{exc.message}; touch-up goes on without it (the eyes may be smoothed)", exc.fix)]
        return []

    def segment(self, frame: Frame, pixel_format: str = BGR) -> Segmented:
        """Mirror, frame (the crop auto-framing chose), light, plan the frame's compositing for an
        output taking ``pixel_format``, run the model (or reuse its last mask for a still scene),
        refine the mask and see where the person is.

        When the blend will need the frame in BGR and it is still to be made from a smaller picture,
        it is made here: on the engine's segment thread, alongside the previous frame's compositing."""
        settings = self.settings
        t = frame.timestamp
        timings: dict[str, float] = {}
        picture = cv2.flip(frame.image, 1) if settings.mirror else frame.image
        crop = None
        if self.framer is not None:
            started = stage_clock()
            w, h = frame.output_size
            crop = self.framer.crop((picture.shape[1], picture.shape[0]), w / h, t)
            picture = crop.cut(picture)
            timings["framing"] = (stage_clock() - started) * 1e3
        tone = None
        if self.light is not None:
            started = stage_clock()
            tone = self.light.tone(picture, self._person_matte, self._person, t)
            timings["light"] = (stage_clock() - started) * 1e3
        # a frame cut by auto-framing is scaled back to the size it had (a file's frames carry none)
        pyramid = Pyramid(picture, frame.output_size if crop is not None else frame.size, tone)
        plan = self.composer.plan(pixel_format, pyramid.size, settings)
        composed_with_matte = self.composer.background.replaces or plan.touch_up > 0 or plan.picture_style != "none"
        if not composed_with_matte and not self._person_due(t):
            return Segmented(frame, pyramid, None, timings, plan, crop=crop)
        if composed_with_matte and plan.blend_in == BGR:
            pyramid.halved(0)
        matte = self._matte(pyramid, timings)
        person = self._see_person(matte, crop, t, timings)
        face = None
        if self.faces is not None and plan.touch_up > 0:
            started = stage_clock()
            face = self._track_face(pyramid, person, t)
            timings["face"] = (stage_clock() - started) * 1e3
        return Segmented(frame, pyramid, matte if composed_with_matte else None, timings, plan, person, face, crop)

    def _person_due(self, t: float) -> bool:
        """Whether auto-framing or light needs a new look at the person (the background effect off)."""
        if self.framer is None and self.light is None:
            return False
        return self._person_at is None or not 0 <= t - self._person_at < PERSON_PERIOD

    def _matte(self, pyramid: Pyramid, timings: dict[str, float]) -> Pyramid:
        """The model's mask for the frame (or the last one, reused for a still scene), refined into the matte."""
        settings = self.settings
        t0 = stage_clock()
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
        timings.update(preprocess=(t1 - t0) * 1e3, inference=(t2 - t1) * 1e3, refine=(t3 - t2) * 1e3)
        return matte

    def _see_person(self, matte: Pyramid, crop: Crop | None, t: float, timings: dict[str, float]) -> PersonGeometry:
        """Measure the person on a small level of ``matte`` and tell auto-framing (the frame was cut
        with ``crop``); kept for light to meter the next frame with. The measuring is done for every
        segmented frame, framing or not (touch-up, light and the window use it): only telling the
        operator counts as framing's."""
        w = matte.size[0]
        small = matte.small(max(0, math.ceil(math.log2(max(1.0, w / PERSON_WIDTH)))))
        person = measure(small)
        self._person, self._person_matte, self._person_at = person, small, t
        if self.framer is not None and crop is not None:
            started = stage_clock()
            self.framer.observe(person, crop, t)
            timings["framing"] = timings.get("framing", 0.0) + (stage_clock() - started) * 1e3
        return person

    def _track_face(self, pyramid: Pyramid, person: PersonGeometry, t: float) -> Face | None:
        """The person's face in the frame's pixels, looked for on the frame halved once."""
        half = pyramid.halved(1)
        face = self.faces.track(half, person, t)
        if face is None:
            return None
        return face.scaled(pyramid.size[0] / half.shape[1], pyramid.size[1] / half.shape[0])

    def passthrough(self, frame: Frame, pixel_format: str = BGR) -> Segmented:
        """``frame`` to be sent as it is (a status frame), in ``pixel_format`` where it can be."""
        pyramid = Pyramid(frame.image)
        return Segmented(frame, pyramid, None, {}, self.composer.plan(pixel_format, pyramid.size, self.settings))

    def compose(self, segmented: Segmented) -> Processed:
        """Blend the person over the background (frames with the effect off pass through), as planned
        when the frame was segmented: in the output's format, BGR or I420."""
        timings = dict(segmented.timings_ms)
        pyramid, plan = segmented.pyramid, segmented.plan
        tone = pyramid.tone
        toned_before = tone.spent_ms if tone is not None else 0.0
        if segmented.matte is None:
            output = pyramid.i420() if plan.made_in == I420 else pyramid.image
        else:
            started = stage_clock()
            output = self.composer.compose(
                pyramid,
                segmented.matte,
                segmented.frame.timestamp,
                plan,
                segmented.person,
                segmented.face,
                timings,
            )
            effects = timings.get("touch_up", 0.0) + timings.get("style", 0.0)
            toned = tone.spent_ms - toned_before if tone is not None else 0.0
            timings["compose"] = (stage_clock() - started) * 1e3 - effects - toned
        if tone is not None:  # the light's own work, on whichever thread it ran
            timings["light"] = timings.get("light", 0.0) + tone.spent_ms
        return Processed(output, segmented.matte, timings, plan.made_in)

    def process(self, frame: Frame, pixel_format: str = BGR) -> Processed:
        return self.compose(self.segment(frame, pixel_format))

    def close(self) -> None:
        self.segmenter.close()
        self.composer.close()


def _open_background(settings: Settings) -> Background:
    """The background the settings name, drawn in their style when the style is on the background."""
    background = BackgroundSpec.parse(settings.background).open(settings.soften)
    if settings.style == "none" or settings.style_on != "background":
        return background
    return StyledBackground(background, STYLES[settings.style]())
