"""Segmentation models: manifests, where to find them, and sha256 verification.

Every model is a file plus a small JSON manifest beside it that says how to feed it and how to read
its output (and, optionally, its measured speed and quality). Shipped models live in the project's
``models/`` folder; users drop their own file and manifest into their models folder (``haikei models``
prints where) or pass ``--models-dir``.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haikei import paths
from haikei.errors import ModelError
from haikei.safefiles import RefusedFile, parse_json, read_file, reason
from haikei.segment.registry import ENGINES

LAYOUTS = ("NHWC", "NCHW")
CHANNEL_ORDERS = ("RGB", "BGR")
OUTPUT_KINDS = ("probability", "sigmoid", "softmax")
#: The model for new users and the one a model that cannot load falls back to: the accurate one
#: (mIoU 0.920 vs 0.907 for selfie-landscape, docs/quality.md) for about half a millisecond more a frame.
DEFAULT_MODEL = "selfie-general"
#: A manifest is about 1 kB; a model file is a few MB (the largest we know of, a few hundred). Larger
#: files, and anything that is not a regular file (a FIFO would hang, ``/dev/zero`` never ends), are
#: refused before they are read.
MAX_MANIFEST_BYTES = 256 << 10
MAX_MODEL_BYTES = 1 << 30
#: The most output channels a manifest may name (a softmax over that many classes is no person mask).
MAX_CHANNEL = 1023
#: A manifest's ``kind``; other kinds in a models folder (the face detector, segment/faces.py) are not offered.
SEGMENTATION = "segmentation"


@dataclass(frozen=True)
class OutputSpec:
    """How to turn the model's output into a person probability.

    ``probability``: channel ``channel`` already holds it. ``sigmoid``: it holds a logit.
    ``softmax``: the channels are class logits; person is class ``channel`` of all of them.
    """

    kind: str
    channel: int = 0


@dataclass(frozen=True)
class Measured:
    """What a model was measured to cost and score (the model picker shows it), and how."""

    #: Preprocess + inference per 1280x720 frame, in ms.
    ms: float
    #: Raw mIoU on the webcam-like test photos.
    miou: float
    #: Where, when and how it was measured.
    how: str = ""


@dataclass(frozen=True)
class ModelManifest:
    name: str
    file: Path
    sha256: str
    engine: str
    input_width: int
    input_height: int
    layout: str
    channel_order: str
    #: The model sees ``(pixel - mean) / std`` with pixels in 0..255, per channel in model order.
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    output: OutputSpec
    license: str
    source: str
    description: str = ""
    #: The model takes any input whose sides are multiples of :attr:`stride` (a fully convolutional
    #: graph with free height and width): it then sees each frame at the frame's own aspect ratio,
    #: with about ``input_width * input_height`` pixels, instead of squashed to that size.
    keep_aspect: bool = False
    stride: int = 1
    #: Speed and quality, where measured (``None``: unknown).
    measured: Measured | None = None
    manifest_path: Path | None = field(default=None, compare=False)

    @property
    def input_size(self) -> tuple[int, int]:
        return self.input_width, self.input_height

    def input_size_for(self, frame_size: tuple[int, int]) -> tuple[int, int]:
        """The model input (w, h) for a frame of ``frame_size`` (w, h): the manifest's size, or with
        :attr:`keep_aspect` the frame's aspect ratio at about as many pixels, each side rounded to a
        multiple of :attr:`stride` (at least one)."""
        if not self.keep_aspect:
            return self.input_size
        scale = math.sqrt(self.input_width * self.input_height / (frame_size[0] * frame_size[1]))
        w, h = (max(1, round(side * scale / self.stride)) * self.stride for side in frame_size)
        return w, h

    def read_verified(self) -> bytes:
        """The model file's bytes, refused unless their sha256 is the manifest's."""
        try:
            data = read_file(self.file, MAX_MODEL_BYTES)
        except (OSError, RefusedFile) as exc:
            why = reason(exc)
            raise ModelError(
                f"model {self.name!r}: cannot read {self.file}: {why}",
                "put the model file back or remove its manifest",
            ) from None
        digest = hashlib.sha256(data).hexdigest()
        if digest != self.sha256:
            raise ModelError(
                f"model {self.name!r}: {self.file.name} fails its sha256 check "
                f"(expected {self.sha256[:12]}…, got {digest[:12]}…); refusing to load a changed file",
                "reinstall Haikei or restore the original file",
            )
        return data

    def verified(self) -> bool:
        try:
            self.read_verified()
        except ModelError:
            return False
        return True


def parse_manifest(path: Path) -> ModelManifest | None:
    """Read and check one manifest (``None`` for a model of another kind than segmentation); every
    problem is a :class:`ModelError` naming the file."""
    try:
        data = read_file(path, MAX_MANIFEST_BYTES)
    except (OSError, RefusedFile) as exc:
        why = reason(exc)
        raise ModelError(f"model manifest {path} cannot be read: {why}") from None
    try:
        raw = parse_json(data)
    except ValueError as exc:
        raise ModelError(f"model manifest {path} is not readable JSON: {exc}") from None
    if isinstance(raw, dict) and raw.get("kind", SEGMENTATION) != SEGMENTATION:
        return None
    try:
        return _manifest_from_json(raw, path)
    except (KeyError, TypeError, ValueError, OverflowError, RecursionError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ModelError(f"model manifest {path} is invalid: {detail}") from None


def _manifest_from_json(raw: dict[str, Any], path: Path) -> ModelManifest:
    if not isinstance(raw, dict):
        raise TypeError("top level must be an object")
    inp, out, norm = raw["input"], raw["output"], raw["input"]["normalization"]
    manifest = ModelManifest(
        name=str(raw["name"]),
        file=path.parent / str(raw["file"]),
        sha256=str(raw["sha256"]).lower(),
        engine=_one_of(raw["engine"], tuple(ENGINES), "engine"),
        input_width=_whole(inp["width"], "input.width", 8, 4096),
        input_height=_whole(inp["height"], "input.height", 8, 4096),
        layout=_one_of(inp["layout"], LAYOUTS, "input.layout"),
        channel_order=_one_of(inp["channel_order"], CHANNEL_ORDERS, "input.channel_order"),
        mean=_triple(norm["mean"], "mean"),
        std=_triple(norm["std"], "std"),
        output=OutputSpec(
            kind=_one_of(out["kind"], OUTPUT_KINDS, "output.kind"),
            channel=_whole(out.get("channel", 0), "output.channel", 0, MAX_CHANNEL),
        ),
        license=str(raw["license"]),
        source=str(raw["source"]),
        description=str(raw.get("description", "")),
        keep_aspect=_keep_aspect(inp.get("keep_aspect", False)),
        stride=_stride(inp),
        measured=_measured(raw.get("measured")),
        manifest_path=path,
    )
    if not manifest.name or "/" in manifest.name:
        raise ValueError(f"bad model name {manifest.name!r}")
    if len(manifest.sha256) != 64:
        raise ValueError("sha256 must be 64 hex digits")
    if not all(s > 0 for s in manifest.std):
        raise ValueError(f"normalization std must be above 0, not {list(manifest.std)}")
    if manifest.keep_aspect and manifest.engine == "mediapipe":
        # Tasks always resizes to the .tflite's one fixed input tensor; it would squash silently.
        raise ValueError(
            "input.keep_aspect needs engine onnxruntime (mediapipe runs a .tflite model at its one fixed input size)"
        )
    return manifest


def _measured(value: Any) -> Measured | None:
    """``measured``: optional; ``{"ms": number, "miou": number, "how": text}``."""
    if value is None:
        return None
    if not isinstance(value, dict) or not {"ms", "miou"} <= value.keys():
        raise ValueError("measured must be an object with ms and miou")
    ms, miou = value["ms"], value["miou"]
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in (ms, miou)) or miou > 1:
        raise ValueError("measured.ms must be a number of ms and measured.miou one from 0 to 1")
    return Measured(float(ms), float(miou), str(value.get("how", "")))


def _keep_aspect(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"input.keep_aspect must be true or false, not {value!r}")
    return value


def _stride(inp: dict[str, Any]) -> int:
    """``input.stride``: required with ``keep_aspect``, meaningless without it."""
    if "stride" not in inp:
        if inp.get("keep_aspect"):
            raise ValueError("input.keep_aspect needs input.stride (the model's sides must be multiples of it)")
        return 1
    if not inp.get("keep_aspect"):
        raise ValueError("input.stride only applies with input.keep_aspect: true")
    stride = inp["stride"]
    if isinstance(stride, bool) or not isinstance(stride, int) or not 1 <= stride <= 1024:
        raise ValueError(f"input.stride must be a whole number from 1 to 1024, not {stride!r}")
    return stride


def _one_of(value: Any, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _whole(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}, not {value!r}")
    return value


def _number(value: Any, what: str) -> float:
    """A finite number (an integer too large for a float is not)."""
    number = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):
            number = float(value)
    if not math.isfinite(number):
        shown = f"{value!r}"[:20] + ("…" if len(f"{value!r}") > 20 else "")
        raise ValueError(f"normalization {what} must be numbers, not {shown}")
    return number


def _triple(value: Any, what: str) -> tuple[float, float, float]:
    values = [_number(v, what) for v in (value if isinstance(value, list) else [value])]
    if len(values) == 1:
        values *= 3
    if len(values) != 3:
        raise ValueError(f"normalization {what} needs 1 or 3 numbers")
    return values[0], values[1], values[2]


@dataclass
class Catalog:
    """All models found, by name, plus the problems met while scanning (never fatal)."""

    models: dict[str, ModelManifest]
    problems: list[str]

    def get(self, name: str) -> ModelManifest:
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(sorted(self.models)) or "none"
            raise ModelError(f"unknown model {name!r}", f"choose one of: {known} (see `haikei models`)") from None


def model_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    """Shipped models first, then the user's folder, then any ``--models-dir``."""
    return [paths.shipped_models_dir(), paths.user_models_dir(), *extra]


def load_catalog(dirs: Iterable[Path] | None = None) -> Catalog:
    models: dict[str, ModelManifest] = {}
    problems: list[str] = []
    for folder in model_dirs() if dirs is None else dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                manifest = parse_manifest(path)
            except ModelError as exc:
                problems.append(str(exc))
                continue
            if manifest is None:
                continue
            if manifest.name in models:
                problems.append(
                    f"model {manifest.name!r} in {path} ignored: "
                    f"the name is taken by {models[manifest.name].manifest_path}"
                )
                continue
            models[manifest.name] = manifest
    return Catalog(models, problems)
