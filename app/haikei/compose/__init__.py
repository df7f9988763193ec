"""Stage 4, compositing: the background (:mod:`~haikei.compose.backgrounds`, :mod:`~haikei.compose.blur`),
the blend (:mod:`~haikei.compose.blend`) and the effects around it (:mod:`~haikei.compose.decontaminate`,
:mod:`~haikei.compose.lightwrap`), put together by :class:`Composer` to the :class:`Plan` made for
each frame.

Effects around the blend live here, one module each, called by :meth:`Composer.compose` in their
order: on the person before the blend (light, touch-up), on the edge after it (decontamination, light
wrap), on the whole picture last (styles). Each has its strength in :class:`~haikei.settings.Settings`
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
from haikei.frames import BGR, I420
from haikei.frames.i420 import to_i420
from haikei.frames.pyramid import Pyramid
from haikei.settings import Settings


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


class Composer:
    """The background and the blend of the person over it, with the effects around the blend.

    :meth:`plan` is for the thread that segments, :meth:`compose` may run on another; :meth:`swap`
    waits for the compose in progress.
    """

    def __init__(self, background: Background):
        self.background = background
        self.compositor = Compositor()
        self._lock = threading.Lock()

    def swap(self, background: Background) -> None:
        """Use ``background`` from the next frame on; the previous one is closed."""
        with self._lock:
            self.background.close()
            self.background = background

    def plan(self, pixel_format: str, size: tuple[int, int], settings: Settings) -> Plan:
        """The :class:`Plan` for a frame of ``size`` (w, h) going to an output taking ``pixel_format``."""
        made_in = I420 if pixel_format == I420 and size[0] % 2 == 0 and size[1] % 2 == 0 else BGR
        cleanup = 0.0 if self.background.made_from_frame else settings.decontaminate
        in_bgr = settings.light_wrap > 0 or cleanup > 0
        return Plan(made_in, BGR if in_bgr else made_in, cleanup, settings.light_wrap)

    def compose(self, frame: Pyramid, matte: Pyramid, timestamp: float, plan: Plan) -> np.ndarray:
        """The person of ``frame`` over the background by the alpha matte (``matte``, its pyramid;
        the frame-sized matte itself is made only when blending in BGR), in ``plan.made_in``."""
        with self._lock:
            background = self.background
            if plan.blend_in == I420:
                behind = background.render_i420(frame, timestamp, matte)
                return self.compositor.i420_over(frame.i420(), behind, matte, in_place=background.renders_anew)
            alpha = matte.image
            image = frame.image
            behind = background.render(frame, timestamp, matte)
            output = self.compositor(image, behind, alpha)
            if plan.decontaminate > 0:
                output = decontaminate(output, image, alpha, plan.decontaminate)
            if plan.light_wrap > 0:
                output = light_wrap(output, behind, matte, plan.light_wrap, self.compositor)
            return to_i420(output) if plan.made_in == I420 else output

    def close(self) -> None:
        self.background.close()
