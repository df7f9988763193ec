"""The face detector: MediaPipe's BlazeFace short range (``models/face-detector.json``), run by
onnxruntime, and :class:`FaceTracker`, which runs it a few times a second around the last face.

Touch-up needs it to keep the eyes untouched (the matte alone cannot tell eyelids from skin), and it
finds the head where the matte's top is a raised hand. It is not a segmentation model: the catalog
skips its manifest (``"kind": "face detector"``).

The model: 128x128 RGB in [-1, 1] (the picture letterboxed); 896 anchors (16x16 cells x 2 at stride
8, 8x8 x 6 at stride 16, unit size); each gives a score logit and a box with 6 keypoints as offsets
in input pixels from its anchor's centre. Decoded as MediaPipe's face detection graph does: score
threshold 0.5, weighted non-maximum suppression at IoU 0.3.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from haikei import paths
from haikei.errors import ModelError
from haikei.frames.person import Face, PersonGeometry
from haikei.safefiles import RefusedFile, parse_json, read_file, reason
from haikei.segment.catalog import MAX_MANIFEST_BYTES, MAX_MODEL_BYTES

MANIFEST = "face-detector.json"
KIND = "face detector"
#: Faces scoring below this are none; boxes overlapping this much are one face.
THRESHOLD = 0.5
NMS_IOU = 0.3
#: The tracker runs the detector this often (s), on a square this many face widths around the last
#: face (or, without one, head widths around the matte's head), and forgets a face not seen for LOST_AFTER s.
TRACK_PERIOD = 0.4
FACE_REGION = 2.2
HEAD_REGION = 2.6
LOST_AFTER = 1.0
#: A face found around the head with a lower score than this may be something else (a hand, a
#: patterned shirt, where a matte's head is off): the whole picture is searched as well and the best kept.
SURE_SCORE = 0.75


@dataclass(frozen=True)
class FaceModel:
    """The face detector's manifest: its file, checked by sha256 before it is loaded."""

    name: str
    file: Path
    sha256: str
    size: int

    @classmethod
    def shipped(cls) -> FaceModel:
        path = paths.shipped_models_dir() / MANIFEST
        try:
            raw = parse_json(read_file(path, MAX_MANIFEST_BYTES))
            if raw["kind"] != KIND:
                raise ValueError(f"kind is {raw['kind']!r}, not {KIND!r}")
            return cls(str(raw["name"]), path.parent / raw["file"], str(raw["sha256"]), int(raw["input"]["width"]))
        except (OSError, RefusedFile, ValueError, KeyError, TypeError, RecursionError) as exc:
            why = reason(exc)
            raise ModelError(f"face detector manifest {path} is unusable: {why}", "reinstall Haikei") from None

    def read_verified(self) -> bytes:
        """The model file's bytes (a regular file, at most :data:`MAX_MODEL_BYTES`), refused unless
        their sha256 is the manifest's."""
        try:
            data = read_file(self.file, MAX_MODEL_BYTES)
        except (OSError, RefusedFile) as exc:
            why = reason(exc)
            raise ModelError(f"face detector: cannot read {self.file}: {why}", "reinstall Haikei") from None
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise ModelError(f"face detector: {self.file.name} fails its sha256 check", "reinstall Haikei")
        return data


def _anchors() -> np.ndarray:
    """The 896 anchor centres (x, y in 0–1), in the model's output order."""
    centres = []
    for cells, per_cell in ((16, 2), (8, 6)):
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], -1).reshape(-1, 2)
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


class FaceDetector:
    """Faces in a BGR picture (:meth:`detect`), best first."""

    def __init__(self, model: FaceModel | None = None):
        model = model or FaceModel.shipped()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                model.read_verified(), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - onnxruntime's own errors: the file is not a usable model
            raise ModelError(f"face detector {model.file.name} cannot be loaded: {exc}", "reinstall Haikei") from None
        self.size = model.size
        self.input_name = self.session.get_inputs()[0].name
        self.anchors = _anchors()
        self._square = np.zeros((self.size, self.size, 3), np.uint8)
        self._tensor = np.empty((1, self.size, self.size, 3), np.float32)

    def detect(self, picture: np.ndarray, region: tuple[int, int, int, int] | None = None) -> list[Face]:
        """Faces in ``picture`` (BGR), or in its ``region`` (x, y, w, h), in ``picture``'s pixels."""
        x0, y0 = 0, 0
        if region is not None:
            x0, y0, w, h = region
            picture = picture[y0 : y0 + h, x0 : x0 + w]
        h, w = picture.shape[:2]
        size = self.size
        scale = size / max(w, h)
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        ox, oy = (size - sw) // 2, (size - sh) // 2
        self._square[:] = 0
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        cv2.resize(picture, (sw, sh), dst=self._square[oy : oy + sh, ox : ox + sw], interpolation=interpolation)
        rgb = cv2.cvtColor(self._square, cv2.COLOR_BGR2RGB)
        np.multiply(rgb, 2.0 / 255.0, out=self._tensor[0], casting="unsafe")
        self._tensor -= 1.0
        regressors, logits = self.session.run(["regressors", "classificators"], {self.input_name: self._tensor})
        logits = logits[0, :, 0]
        keep = np.flatnonzero(logits > np.log(THRESHOLD / (1 - THRESHOLD)))
        if keep.size == 0:
            return []
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits[keep], -100, 100)))
        raw = regressors[0, keep] / size
        anchors = self.anchors[keep]
        cx, cy = raw[:, 0] + anchors[:, 0], raw[:, 1] + anchors[:, 1]
        boxes = np.stack([cx - raw[:, 2] / 2, cy - raw[:, 3] / 2, cx + raw[:, 2] / 2, cy + raw[:, 3] / 2], 1)
        keypoints = raw[:, 4:16].reshape(-1, 6, 2) + anchors[:, None, :]
        faces = []
        for box, points, score in _weighted_nms(boxes, keypoints, scores):
            # from the letterboxed square (0–1) to the picture's pixels
            box = (box * size - [ox, oy, ox, oy]) / [sw / w, sh / h, sw / w, sh / h] + [x0, y0, x0, y0]
            points = (points * size - [ox, oy]) / [sw / w, sh / h] + [x0, y0]
            faces.append(Face(tuple(map(float, box)), tuple((float(x), float(y)) for x, y in points), float(score)))
        return faces


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    low, high = np.maximum(box[:2], boxes[:, :2]), np.minimum(box[2:], boxes[:, 2:])
    inter = np.prod(np.clip(high - low, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    return inter / np.maximum(area + areas - inter, 1e-9)


def _weighted_nms(boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray):
    """(box, keypoints, score) per face, best first: each the score-weighted mean of the boxes that overlap it."""
    order = np.argsort(-scores)
    boxes, keypoints, scores = boxes[order], keypoints[order], scores[order]
    alive = np.ones(len(scores), bool)
    for i in range(len(scores)):
        if not alive[i]:
            continue
        group = (_iou(boxes[i], boxes) > NMS_IOU) & alive
        alive &= ~group
        weights = scores[group]
        total = weights.sum()
        yield (
            (boxes[group] * weights[:, None]).sum(0) / total,
            (keypoints[group] * weights[:, None, None]).sum(0) / total,
            scores[i],
        )


class FaceTracker:
    """The person's face, frame to frame: the detector every :data:`TRACK_PERIOD` s on a square
    around the last face (or the matte's head), and in between the last face moved with the head."""

    def __init__(self, detector: FaceDetector | None = None):
        self.detector = detector or FaceDetector()
        self._face: Face | None = None
        self._head: tuple[float, float] | None = None  # the head's (x, top) when the face was found
        self._detected_at: float | None = None
        self._seen_at: float | None = None

    def track(self, picture: np.ndarray, person: PersonGeometry | None, t: float) -> Face | None:
        """The face in ``picture`` (BGR) at time ``t``, ``person`` its geometry (any scale of it), in
        ``picture``'s pixels."""
        h, w = picture.shape[:2]
        head = person.scaled_to((w, h)) if person is not None and person.present else None
        if self._detected_at is None or not 0 <= t - self._detected_at < TRACK_PERIOD:
            self._detect(picture, head, t)
        if self._face is None or self._seen_at is None or t - self._seen_at > LOST_AFTER:
            return None
        if head is None or self._head is None:
            return self._face
        return self._face.scaled(1, 1, head.head_x - self._head[0], head.top - self._head[1])

    def _detect(self, picture: np.ndarray, head: PersonGeometry | None, t: float) -> None:
        self._detected_at = t
        h, w = picture.shape[:2]
        region = None
        if self._face is not None and self._seen_at is not None and t - self._seen_at <= LOST_AFTER:
            (cx, cy), side = self._face.centre, FACE_REGION * self._face.width
        elif head is not None:
            x0, y0, x1, y1 = head.head_box
            (cx, cy), side = ((x0 + x1) / 2, (y0 + y1) / 2), HEAD_REGION * head.head_width
        else:
            side = 0.0
        if side > 0:
            side = min(side, w, h)
            x, y = int(min(max(cx - side / 2, 0), w - side)), int(min(max(cy - side / 2, 0), h - side))
            region = (x, y, int(side), int(side))
        faces = self.detector.detect(picture, region)
        if region is not None and (not faces or faces[0].score < SURE_SCORE):
            # lost around the last place, or unsure there: look everywhere too, keep the best
            faces = sorted(faces + self.detector.detect(picture), key=lambda face: -face.score)
        if faces:
            self._face, self._seen_at = faces[0], t
            self._head = (head.head_x, head.top) if head is not None else None
