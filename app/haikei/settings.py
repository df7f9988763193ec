"""The one value object every knob lives in, and the preset table.

The GUI, the CLI and the config file all produce a :class:`Settings` and hand it to the engine;
nothing else carries tuning state. Presets are rows of :data:`PRESETS` applied on top of it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields, replace
from typing import Any

from haikei.errors import SettingsError

UPSAMPLERS = ("bilinear", "guided")

#: Quality / Balanced / Speed. Each row sets only refinement knobs; the model, background, source
#: and output stay the user's choice.
PRESETS: dict[str, dict[str, Any]] = {
    "quality": {
        "upsample": "guided",
        "guide_scale": 0.5,
        "mask_low": 0.35,
        "mask_high": 0.55,
        "smoothing": 0.9,
        "feather": 0.0,
        "light_wrap": 0.3,
        "decontaminate": 1.0,
    },
    "balanced": {
        "upsample": "guided",
        "guide_scale": 0.25,
        "mask_low": 0.35,
        "mask_high": 0.55,
        "smoothing": 0.9,
        "feather": 0.0,
        "light_wrap": 0.0,
        "decontaminate": 0.0,
    },
    "speed": {
        "upsample": "bilinear",
        "guide_scale": 0.25,
        "mask_low": 0.35,
        "mask_high": 0.55,
        "smoothing": 0.85,
        "feather": 0.0,
        "light_wrap": 0.0,
        "decontaminate": 0.0,
    },
}
CUSTOM = "custom"


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline needs to know. Immutable: change it with :meth:`replace`."""

    source: str = "0"
    model: str = "selfie-landscape"
    background: str = "blur"
    output: str = "vcam"
    width: int = 1280
    height: int = 720
    fps: int = 30
    mirror: bool = False
    threads: int = 1
    #: "auto" uses a GPU execution provider when onnxruntime offers one, "cpu" never does.
    accelerator: str = "auto"
    preset: str = "balanced"
    # Refinement knobs, normally set by the preset.
    upsample: str = PRESETS["balanced"]["upsample"]
    #: Resolution of the guided filter, as a fraction of the frame size.
    guide_scale: float = PRESETS["balanced"]["guide_scale"]
    #: Mask values below ``mask_low`` become background, above ``mask_high`` person; smooth between.
    mask_low: float = PRESETS["balanced"]["mask_low"]
    mask_high: float = PRESETS["balanced"]["mask_high"]
    #: Weight of the previous mask in the motion-aware temporal average (0 = off); moving parts of
    #: the picture pass through unaveraged.
    smoothing: float = PRESETS["balanced"]["smoothing"]
    #: Edge softening, in pixels of the model's mask.
    feather: float = PRESETS["balanced"]["feather"]
    #: Release the camera and stop inference while no app reads the virtual camera.
    idle_when_unwatched: bool = True
    #: Reuse the last model mask while no block of the model's input moved this many levels (0-255)
    #: since that inference (a still scene); 0 runs the model on every frame.
    mask_reuse: float = 2.0
    #: How much of the new background's light spills over the person's edge (0 = off, 1 = fully).
    light_wrap: float = PRESETS["balanced"]["light_wrap"]
    #: How much of the real room's colour is taken out of the person's soft edge before an image,
    #: video or colour background is blended in (0 = off, 1 = fully); see haikei.decontaminate.
    decontaminate: float = PRESETS["balanced"]["decontaminate"]

    def __post_init__(self) -> None:
        _validate(self)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; touching a preset knob directly makes the preset "custom"."""
        if "preset" in changes and changes["preset"] != CUSTOM:
            row = preset_values(changes["preset"])
            if any(key in changes and changes[key] != value for key, value in row.items()):
                changes["preset"] = CUSTOM  # the preset's row, but with knobs of the caller's own
            changes = {**row, **changes}
        elif PRESET_KNOBS & changes.keys():
            changes.setdefault("preset", CUSTOM)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Build from a mapping (a config file); unknown keys are an error, not silently dropped.
        A named preset fills the knobs the mapping leaves out (``{"preset": "quality"}`` is enough;
        so does a file saved before a knob existed)."""
        return cls().replace(**checked_fields(cls, data, "setting"))


def checked_fields(cls: type, data: dict[str, Any], what: str) -> dict[str, Any]:
    """``data`` checked against the dataclass ``cls``: known names, each of its field's type (a whole
    number is taken for a float). Raises :class:`SettingsError` naming the first problem."""
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:
        raise SettingsError(f"unknown {what}(s): {', '.join(unknown)}")
    defaults = cls()
    values = {}
    for key, value in data.items():
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise SettingsError(f"{what} {key!r} must be {expected.__name__}, not {value!r}")
        values[key] = value
    return values


PRESET_KNOBS = frozenset(PRESETS["balanced"])


def preset_values(name: str) -> dict[str, Any]:
    try:
        return dict(PRESETS[name])
    except KeyError:
        raise SettingsError(f"unknown preset {name!r}", f"choose one of {', '.join(PRESETS)} or {CUSTOM}") from None


def _validate(s: Settings) -> None:
    if s.preset != CUSTOM and s.preset not in PRESETS:
        preset_values(s.preset)
    if not (16 <= s.width <= 7680 and 16 <= s.height <= 4320) or s.width % 2 or s.height % 2:
        raise SettingsError(f"unsupported size {s.width}x{s.height}", "use even numbers such as 1280x720")
    if not 1 <= s.fps <= 120:
        raise SettingsError(f"unsupported frame rate {s.fps}", "use 1 to 120 fps")
    if not 1 <= s.threads <= 64:
        raise SettingsError(f"unsupported thread count {s.threads}", "use 1 to 64")
    if s.accelerator not in ("auto", "cpu"):
        raise SettingsError(f"unknown accelerator {s.accelerator!r}", "use auto or cpu")
    if s.upsample not in UPSAMPLERS:
        raise SettingsError(f"unknown upsampler {s.upsample!r}", f"use {' or '.join(UPSAMPLERS)}")
    if not 0.0 <= s.mask_low < s.mask_high <= 1.0:
        raise SettingsError(f"mask thresholds must satisfy 0 <= low < high <= 1, got {s.mask_low}..{s.mask_high}")
    if not 0.0 <= s.smoothing < 1.0:
        raise SettingsError(f"smoothing must be in [0, 1), got {s.smoothing}")
    if not 0.0 <= s.feather <= 20.0:
        raise SettingsError(f"feather must be 0 to 20 px, got {s.feather}")
    if not 0.0 <= s.mask_reuse <= 50.0:
        raise SettingsError(f"mask_reuse must be 0 to 50 levels, got {s.mask_reuse}")
    if not 0.0 <= s.light_wrap <= 1.0:
        raise SettingsError(f"light_wrap must be 0 to 1, got {s.light_wrap}")
    if not 0.0 <= s.decontaminate <= 1.0:
        raise SettingsError(f"decontaminate must be 0 to 1, got {s.decontaminate}")
    if not 0.05 <= s.guide_scale <= 1.0:
        raise SettingsError(f"guide_scale must be 0.05 to 1, got {s.guide_scale}")


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` → ``(1280, 720)``."""
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise SettingsError(f"bad size {text!r}", "write it as WIDTHxHEIGHT, e.g. 1280x720") from None
    return w, h
