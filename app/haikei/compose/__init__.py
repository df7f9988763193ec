"""Stage 4, compositing: the background (:mod:`~haikei.compose.backgrounds`, :mod:`~haikei.compose.blur`),
the blend (:mod:`~haikei.compose.blend`) and the effects around it (:mod:`~haikei.compose.decontaminate`,
:mod:`~haikei.compose.lightwrap`), put together by :class:`Composer` to the :class:`Plan` made for
each frame.

Effects around the blend live here, one module each, called by :meth:`Composer.compose` in their
order: light (:mod:`~haikei.compose.light`, a tone every copy of the frame gets from its pyramid, the
model input included), touch-up on the person (:mod:`~haikei.compose.touchup`), the edge effects
after the blend (decontamination, light wrap), a style (:mod:`~haikei.compose.styles`) drawn on the
background or on the whole picture last. Each has its strength in :class:`~haikei.settings.Settings`
and in :class:`Plan`; one that works in BGR also makes :meth:`Composer.plan` blend in BGR while it is on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from haikei.compose.backgrounds import Background
from haikei.compose.blend import Compositor
from haikei.compose.decontaminate import decontaminate
from haikei.compose.lightwrap import light_wrap
from haikei.compose.styles import STYLES, Style, StyledBackground, detail_level, keep_map
from haikei.compose.touchup import TouchUp
from haikei.frames import BGR, I420
from haikei.frames.i420 import to_i420
from haikei.frames.matte import Matte
from haikei.frames.person import Face, PersonGeometry
from haikei.frames.pyramid import Pyramid
from haikei.settings import Settings
from haikei.stats import stage_clock


@dataclass(frozen=True)
class Plan:
    """How one frame is composed, decided once, when it is segmented: the segment thread then makes
    the frame in BGR ahead (when the blend needs it), and compositing follows the same decision."""

    #: The format the output picture is made in: I420 for an output taking it (even sides only), else BGR.
    made_in: str
    #: The format the blend runs in: BGR while an effect that works in BGR is on.
    blend_in: str
    #: Edge colour cleanup, 0 when off (and for a background made from the frame, which needs none).
    decontaminate: float = 0.0
    #: Light wrap strength, 0 when off.
    light_wrap: float = 0.0
    #: Touch-up amount (0–100), 0 when off.
    touch_up: float = 0.0
    #: The style the whole picture is drawn in, ``"none"`` for none (a style on the background is
    #: the background's own: :class:`~haikei.compose.styles.StyledBackground`).
    picture_style: str = "none"


class Composer:
    """The background and the blend of the person over it, with the effects around the blend.

    :meth:`plan` is for the thread that segments, :meth:`compose` may run on another; :meth:`swap`
    waits for the compose in progress.
    """

    def __init__(self, background: Background):
        self.background = background
        self.compositor = Compositor()
        self.touch_up = TouchUp()
        self._styles: dict[str, Style] = {}
        self._lock = threading.Lock()

    def swap(self, background: Background) -> None:
        """Use ``background`` from the next frame on; the previous one is closed."""
        with self._lock:
            self.background.close()
            self.background = background

    def plan(self, pixel_format: str, size: tuple[int, int], settings: Settings) -> Plan:
        """The :class:`Plan` for a frame of ``size`` (w, h) going to an output taking ``pixel_format``."""
        made_in = I420 if pixel_format == I420 and size[0] % 2 == 0 and size[1] % 2 == 0 else BGR
        picture_style = settings.style if settings.style_on == "picture" else "none"
        styled = picture_style != "none"  # the edge effects would not show through a style
        cleanup = 0.0 if self.background.made_from_frame or styled else settings.decontaminate
        wrap = 0.0 if styled else settings.light_wrap
        in_bgr = wrap > 0 or cleanup > 0
        return Plan(made_in, BGR if in_bgr else made_in, cleanup, wrap, float(settings.touch_up), picture_style)

    def compose(
        self,
        frame: Pyramid,
        matte: Pyramid | None,
        timestamp: float,
        plan: Plan,
        person: PersonGeometry | None = None,
        face: Face | None = None,
        timings: dict[str, float] | None = None,
    ) -> np.ndarray:
        """The person of ``frame`` over the background by the alpha matte (``matte``, its pyramid;
        the frame-sized matte itself is made only when blending in BGR), in ``plan.made_in``, with
        the plan's effects (``person`` and ``face`` where the person is, in frame pixels, for touch-up
        and styles; their timings added to ``timings``). Without a matte (the background effect off)
        the frame itself, with the effects that need none."""
        timings = {} if timings is None else timings
        with self._lock:
            if plan.picture_style != "none":
                started = stage_clock()
                output = self._styled_picture(frame, matte, timestamp, plan, person, face)
                timings["style"] = (stage_clock() - started) * 1e3
                return output
            background = self.background
            if matte is None or not background.replaces:
                output = frame.i420() if plan.made_in == I420 else frame.image.copy()
                self._touch_up(output, plan.made_in, frame, matte, person, face, plan.touch_up, timestamp, timings)
                return output
            started = stage_clock()
            in_i420 = plan.blend_in == I420
            behind = (background.render_i420 if in_i420 else background.render)(frame, timestamp, matte)
            if isinstance(background, StyledBackground):
                timings["style"] = (stage_clock() - started) * 1e3
            if in_i420:
                # the frame shows only where the matte is above 0: toned (light) only there
                shown = matte.extent() if isinstance(matte, Matte) else None
                output = self.compositor.i420_over(frame.i420(shown), behind, matte, in_place=background.renders_anew)
                self._touch_up(output, I420, frame, matte, person, face, plan.touch_up, timestamp, timings)
                return output
            alpha = matte.image
            image = frame.image
            output = self.compositor(image, behind, alpha)
            self._touch_up(output, BGR, frame, matte, person, face, plan.touch_up, timestamp, timings)
            if plan.decontaminate > 0:
                output = decontaminate(output, image, alpha, plan.decontaminate)
            if plan.light_wrap > 0:
                output = light_wrap(output, behind, matte, plan.light_wrap, self.compositor)
            return to_i420(output) if plan.made_in == I420 else output

    def _touch_up(self, output, made_in, frame, matte, person, face, amount, timestamp, timings) -> None:
        if amount <= 0 or matte is None:
            return
        started = stage_clock()
        self.touch_up.apply(output, made_in, frame, matte, person, face, amount, timestamp)
        timings["touch_up"] = (stage_clock() - started) * 1e3

    def _styled_picture(
        self,
        frame: Pyramid,
        matte: Pyramid | None,
        timestamp: float,
        plan: Plan,
        person: PersonGeometry | None,
        face: Face | None,
    ) -> np.ndarray:
        """The whole picture in the plan's style: composed at the style's detail size only (the
        style keeps nothing finer), the person's face kept more of (:func:`keep_map`)."""
        style = self._style(plan.picture_style)
        small = frame.halved(detail_level(frame.size))
        size = (small.shape[1], small.shape[0])
        picture, keep = small, None
        if matte is not None:
            small_matte = matte.resized(size)
            keep = keep_map(size, frame.size, small_matte, person, face)
            if self.background.replaces:
                behind = self.background.render(Pyramid(small), timestamp, small_matte)
                picture = self.compositor(small, behind, small_matte)
        # the small composite as the picture the frame is made from (Pyramid scales it up)
        composite = Pyramid(picture, frame.size)
        return style.render_i420(composite, keep) if plan.made_in == I420 else style.render(composite, keep)

    def _style(self, name: str) -> Style:
        if name not in self._styles:
            self._styles[name] = STYLES[name]()
        return self._styles[name]

    def close(self) -> None:
        self.background.close()
