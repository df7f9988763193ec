"""Mask refinement: model mask (low resolution, noisy) → alpha matte (:class:`Matte`).

Smoothing and the guided filter run at a small working resolution (``guide_scale`` of the frame).
The matte at frame size (the small one scaled up and its edge ramp clipped) is made only for a stage
that asks for it: the I420 blend reads the small matte itself (:mod:`haikei.compose.blend`).
"""

from __future__ import annotations

import cv2
import numpy as np

from haikei.frames.matte import Matte
from haikei.frames.pyramid import Pyramid
from haikei.settings import RefineOptions

#: Guided-filter regularisation for a uint8 guide (≈ (0.03 · 255)²): edges that weak are smoothed over.
GUIDED_EPS = 60.0


def working_size(frame_size: tuple[int, int], model_size: tuple[int, int], scale: float) -> tuple[int, int]:
    """The refinement resolution: ``scale`` of the frame, never below the model's own mask; or, up
    to :data:`WHOLE_FACTOR_SLACK` smaller than that, the frame divided by 2, 4 or 8, so that the I420
    blend reads the small matte instead of a frame-sized one (:meth:`~haikei.compose.blend.Compositor.i420_over`):
    selfie-general's 336x192 mask at 720p is refined at 320x180."""
    w = max(model_size[0], round(frame_size[0] * scale))
    h = max(model_size[1], round(frame_size[1] * scale))
    for factor in (8, 4, 2):
        whole_w, whole_h = divmod(frame_size[0], factor), divmod(frame_size[1], factor)
        if whole_w[1] or whole_h[1]:
            continue
        if (1 - WHOLE_FACTOR_SLACK) * w <= whole_w[0] <= w and (1 - WHOLE_FACTOR_SLACK) * h <= whole_h[0] <= h:
            return whole_w[0], whole_h[0]
    return min(w, frame_size[0]), min(h, frame_size[1])


#: How much below the model's mask the refinement may go to divide the frame by a whole factor.
WHOLE_FACTOR_SLACK = 0.1


#: Mask change (0–1) from which a pixel is taken as moving: its new value passes straight through.
MASK_MOTION = 1.0
#: Grey-level change (0–255, at model resolution) from which the picture is taken as moving there.
IMAGE_MOTION = 12.0


def _still(change: np.ndarray, limit: float) -> np.ndarray:
    """1 where nothing changed, falling linearly to 0 at ``limit``."""
    return np.clip(1.0 - change * (1.0 / limit), 0.0, 1.0)


class MaskRefiner:
    """The model's mask → the alpha matte (:meth:`matte`), keeping the motion-aware average's history
    from frame to frame."""

    def __init__(self) -> None:
        self._previous: np.ndarray | None = None
        self._previous_grey: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the temporal history (after a model or source change)."""
        self._previous = None
        self._previous_grey = None

    def smooth(
        self, mask: np.ndarray, amount: float, frame: Pyramid | None = None, grey: np.ndarray | None = None
    ) -> np.ndarray:
        """Motion-aware moving average over frames, at model resolution.

        Each pixel keeps ``amount`` of its previous value, scaled down linearly to nothing as the mask
        there changes by :data:`MASK_MOTION` or the picture (``grey``, or ``frame`` made grey) by
        :data:`IMAGE_MOTION` grey levels: small jitter is averaged away, a real movement passes
        through in the same frame instead of trailing behind.
        """
        mask_size = (mask.shape[1], mask.shape[0])
        if grey is None and frame is not None:
            grey = cv2.cvtColor(frame.resized(mask_size), cv2.COLOR_BGR2GRAY)
        if grey is not None:
            if grey.shape != mask.shape:
                grey = cv2.resize(grey, mask_size, interpolation=cv2.INTER_AREA)
            grey = grey.astype(np.float32)
        previous, previous_grey = self._previous, self._previous_grey
        if amount > 0 and previous is not None and previous.shape == mask.shape:
            keep = _still(cv2.absdiff(mask, previous), MASK_MOTION)
            if grey is not None and previous_grey is not None:
                keep *= _still(cv2.absdiff(grey, previous_grey), IMAGE_MOTION)
            keep *= amount
            mask = mask + keep * (previous - mask)
        self._previous, self._previous_grey = mask, grey
        return mask

    def matte(
        self, mask: np.ndarray, frame: np.ndarray | Pyramid, options: RefineOptions, grey: np.ndarray | None = None
    ) -> Matte:
        """The alpha matte (float32 in [0, 1], frame-sized, 1 = person) as a :class:`Matte`: its small
        level at the working size is the refiner's own (the ramp applied there), so the stages that
        need a small matte (blur weights, light wrap) never read the frame-sized one, made on demand.

        ``grey`` is the frame in grey at about the mask's size when the caller has it already (the
        model input). The guide is cut from the frame's :class:`Pyramid` (pass it rather than the
        bare frame when the model input came from it)."""
        pyramid = Pyramid.of(frame)
        frame_size = pyramid.size
        mask = self.smooth(mask, options.smoothing, pyramid, grey)
        size = working_size(frame_size, (mask.shape[1], mask.shape[0]), options.guide_scale)
        work = cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR)
        if options.upsample == "guided":
            # A grey guide: same mIoU as a colour one on the webcam photos, a third of the time.
            guide = pyramid.grey(size)
            radius = max(2, round(size[0] / mask.shape[1] * 2))
            work = cv2.ximgproc.guidedFilter(guide, work, radius, GUIDED_EPS)
        # Stretch [low, high] to [0, 1]: a crisper edge than the model's soft ramp. The stretch is
        # linear, so it is made before the upsample (at the small size: the same values); the clip
        # comes after it, at frame size: a steep edge clipped at the working size and then upsampled
        # shows its pixel steps as a beaded outline; clipped here it follows the smooth contour.
        scale = 1.0 / (options.mask_high - options.mask_low)
        cv2.addWeighted(work, scale, work, 0.0, -options.mask_low * scale, dst=work)
        return Matte(work, frame_size, options.feather * frame_size[0] / mask.shape[1])
