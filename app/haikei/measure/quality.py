"""Measured segmentation quality: ``haikei eval``.

Everything is measured through the real :class:`haikei.pipeline.FrameProcessor` (model, refiner),
so the numbers are those of what the camera shows.

Metrics
-------
* **mIoU**: mean over images of |P ∩ T| / |P ∪ T|, with P = alpha > 0.5 and T the ground truth.
* **Boundary F** (tolerance 3 px): the boundary of a mask is its pixels that touch the other class
  (4-neighbourhood). Precision = share of predicted boundary pixels within 3 px of a true boundary
  pixel, recall = the converse; F = 2PR / (P + R), averaged over images (1 when both masks are empty
  or full, 0 when only one is).
* **Halo**: the mean alpha over the true background within :data:`HALO_REACH` px of the person,
  a soft matte's reach past the outline: how much of the real room would show as a rim around the
  person over a new background (0 = none). Unlike mIoU it counts partial alpha.
* **Flicker index** (video): for each pair of consecutive frames, the mean |α_t − α_{t−1}| over the
  pixels whose grey level changed by less than :data:`STATIC_LEVELS` (image at quarter size, so
  sensor noise averages out); the mean over all pairs. Alpha changes where the picture did not
  change are flicker. Lower is better; 0 = a perfectly steady mask.
* **Lag** (video): how many frames the mask's motion trails the picture's. Series
  ``e_t`` = mean |ΔI| (image motion) and ``m_t`` = mean |Δα| (mask motion); the lag is the shift
  k ∈ [−:data:`MAX_LAG`, :data:`MAX_LAG`] maximising their correlation corr(e_t, m_{t+k}), refined to
  a fraction of a frame by a parabola through the peak. A model that follows the picture has lag ≈ 0;
  an exponential moving average with weight a trails by about a / (1 − a).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from haikei.capture.files import VideoFileSource
from haikei.errors import HaikeiError
from haikei.frames import Frame
from haikei.frames.files import IMAGE_SUFFIXES, load_image
from haikei.pipeline import FrameProcessor
from haikei.segment.catalog import Catalog
from haikei.settings import Settings

BOUNDARY_TOLERANCE = 3
#: Width (px) of the band of true background next to the person where the halo is measured.
HALO_REACH = 12
#: Person share of the frame from which a photo counts as webcam-like.
WEBCAM_SHARE = 0.20
#: Grey-level change (0–255, quarter-size image) below which a pixel counts as static.
STATIC_LEVELS = 2.0
MAX_LAG = 5
#: The background used while evaluating: a flat colour, so compositing costs next to nothing.
EVAL_BACKGROUND = "color:#000000"


def iou(predicted: np.ndarray, truth: np.ndarray) -> float:
    union = np.count_nonzero(predicted | truth)
    return np.count_nonzero(predicted & truth) / union if union else 1.0


def boundary(mask: np.ndarray) -> np.ndarray:
    """Pixels of ``mask`` (bool) with a 4-neighbour outside it; the image border is no boundary."""
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    inner = cv2.erode(mask.astype(np.uint8), cross, borderType=cv2.BORDER_REPLICATE)
    return mask & ~inner.astype(bool)


def boundary_f(predicted: np.ndarray, truth: np.ndarray, tolerance: int = BOUNDARY_TOLERANCE) -> float:
    pb, tb = boundary(predicted), boundary(truth)
    if not pb.any() and not tb.any():
        return 1.0 if predicted.any() == truth.any() else 0.0
    if not pb.any() or not tb.any():
        return 0.0
    precision = _near(pb, tb, tolerance)
    recall = _near(tb, pb, tolerance)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _near(points: np.ndarray, targets: np.ndarray, tolerance: int) -> float:
    """Share of ``points`` within ``tolerance`` px (Euclidean) of a ``targets`` pixel."""
    distance = distance_to(targets)
    return float(np.count_nonzero(distance[points] <= tolerance) / np.count_nonzero(points))


def distance_to(targets: np.ndarray) -> np.ndarray:
    """Each pixel's Euclidean distance (px) to the nearest ``targets`` pixel (bool mask)."""
    return cv2.distanceTransform((~targets).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)


def halo(alpha: np.ndarray, truth: np.ndarray, reach: int = HALO_REACH) -> float:
    """Mean ``alpha`` over the background pixels within ``reach`` px of ``truth`` (0 if there are none)."""
    rim = ~truth & (distance_to(truth) <= reach)
    return float(alpha[rim].mean()) if rim.any() else 0.0


def read_truth(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """A ground-truth mask as bool at the image's size (nearest-neighbour when sizes differ)."""
    mask = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise HaikeiError(f"cannot read mask {path}", "masks must be PNG or JPEG images, person > 127")
    if mask.shape != shape[:2]:
        mask = cv2.resize(mask, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)
    return mask > 127


@dataclass
class Sample:
    image: np.ndarray
    truth: np.ndarray
    name: str


def load_samples(images: Path, masks: Path, subset: str = "all") -> list[Sample]:
    """Image/mask pairs matched by file stem (``3.jpg`` ↔ ``3.png``), sorted naturally."""
    for folder in (images, masks):
        if not folder.is_dir():
            raise HaikeiError(f"folder not found: {folder}")
    mask_files = {p.stem: p for p in masks.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
    paths = [p for p in images.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.stem in mask_files]
    paths.sort(key=lambda p: (len(p.stem), p.stem))
    samples = []
    for path in paths:
        image = load_image(path)
        truth = read_truth(mask_files[path.stem], image.shape)
        if subset == "webcam" and truth.mean() < WEBCAM_SHARE:
            continue
        samples.append(Sample(image, truth, path.stem))
    if not samples:
        raise HaikeiError(
            f"no image with a matching mask in {images} and {masks} (subset {subset})",
            "name each mask like its image: 12.jpg ↔ 12.png",
        )
    return samples


class AlphaMaker:
    """The alpha matte the app would show for a still image, with its cost in ms."""

    def __init__(self, settings: Settings, catalog: Catalog, raw: bool = False):
        self.processor = FrameProcessor(settings.replace(background=EVAL_BACKGROUND), catalog)
        self.raw = raw

    def __call__(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        if self.raw:
            started = time.perf_counter()
            mask = self.processor.segmenter(image)
            alpha = cv2.resize(mask, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
            return alpha, (time.perf_counter() - started) * 1e3
        self.processor.refiner.reset()  # unrelated photos: no temporal history
        processed = self.processor.process(Frame(image, 0, 0.0))
        timings = processed.timings_ms
        return processed.alpha, timings["preprocess"] + timings["inference"] + timings["refine"]

    def close(self) -> None:
        self.processor.close()


def evaluate_images(samples: list[Sample], settings: Settings, catalog: Catalog, raw: bool = False) -> dict:
    maker = AlphaMaker(settings, catalog, raw)
    ious, fs, halos, times = [], [], [], []
    try:
        maker(samples[0].image)  # warm-up: first inference allocates
        for sample in samples:
            alpha, ms = maker(sample.image)
            predicted = alpha > 0.5
            ious.append(iou(predicted, sample.truth))
            fs.append(boundary_f(predicted, sample.truth))
            halos.append(halo(alpha, sample.truth))
            times.append(ms)
    finally:
        maker.close()
    return {
        "miou": float(np.mean(ious)),
        "boundary_f": float(np.mean(fs)),
        "halo": float(np.mean(halos)),
        "images": len(samples),
        "ms_per_image": float(np.mean(times)),
    }


def video_alphas(
    video: Path, settings: Settings, catalog: Catalog, raw: bool = False, frames: int | None = None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Quarter-size grey frames and alpha mattes of ``video``, in order, the refiner's history kept."""
    source = VideoFileSource(video, paced=False, loop=False)
    maker = AlphaMaker(settings, catalog, raw)
    greys, alphas = [], []
    try:
        while frames is None or len(greys) < frames:
            try:
                image = source.read().image
            except HaikeiError:
                break
            if raw:
                alpha, _ = maker(image)
            else:
                alpha = maker.processor.process(Frame(image, len(greys), 0.0)).alpha
            small = (image.shape[1] // 4, image.shape[0] // 4)
            greys.append(
                cv2.resize(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), small, interpolation=cv2.INTER_AREA).astype(
                    np.float32
                )
            )
            alphas.append(cv2.resize(alpha, small, interpolation=cv2.INTER_AREA))
    finally:
        source.close()
        maker.close()
    if len(greys) < 3:
        raise HaikeiError(f"{video} has fewer than 3 frames: no flicker to measure")
    return greys, alphas


def flicker_index(greys: list[np.ndarray], alphas: list[np.ndarray]) -> float:
    values = []
    for t in range(1, len(greys)):
        static = np.abs(greys[t] - greys[t - 1]) < STATIC_LEVELS
        if static.any():
            values.append(float(np.abs(alphas[t] - alphas[t - 1])[static].mean()))
    return float(np.mean(values)) if values else 0.0


def lag_frames(greys: list[np.ndarray], alphas: list[np.ndarray]) -> float:
    image_motion = np.array([np.abs(greys[t] - greys[t - 1]).mean() for t in range(1, len(greys))])
    mask_motion = np.array([np.abs(alphas[t] - alphas[t - 1]).mean() for t in range(1, len(alphas))])
    return motion_lag(image_motion, mask_motion)


def motion_lag(cause: np.ndarray, effect: np.ndarray, max_lag: int = MAX_LAG) -> float:
    """The shift k maximising corr(cause_t, effect_{t+k}), to a fraction of a frame."""
    lags = range(-max_lag, max_lag + 1)
    scores = []
    for k in lags:
        a = cause[max(0, -k) : len(cause) - max(0, k)]
        b = effect[max(0, k) : len(effect) - max(0, -k)]
        scores.append(np.corrcoef(a, b)[0, 1] if a.std() > 0 and b.std() > 0 else 0.0)
    best = int(np.argmax(scores))
    offset = 0.0
    if 0 < best < len(scores) - 1:
        left, middle, right = scores[best - 1], scores[best], scores[best + 1]
        curvature = left - 2 * middle + right
        if curvature < 0:
            offset = 0.5 * (left - right) / curvature
    return float(lags[best] + offset)


def evaluate_video(
    video: Path, settings: Settings, catalog: Catalog, raw: bool = False, frames: int | None = None
) -> dict:
    greys, alphas = video_alphas(video, settings, catalog, raw, frames)
    return {"flicker": flicker_index(greys, alphas), "lag_frames": lag_frames(greys, alphas), "frames": len(greys)}
