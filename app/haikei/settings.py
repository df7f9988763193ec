"""The one value object every knob lives in, and the preset table.

The GUI, the CLI and the config file all produce a :class:`Settings` and hand it to the engine;
nothing else carries tuning state. Presets are rows of :data:`PRESETS` applied on top of it. Each
field carries its :class:`Knob` (label, help, range, choices): validation, the GUI's Advanced form
and the command line's help all read it there.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields, replace
from typing import Any

from haikei.errors import SettingsError

UPSAMPLERS = ("bilinear", "guided")
ACCELERATORS = ("auto", "cpu")
#: Effects (issue #18): auto-framing and light are off or automatic; a style is drawn on the background or
#: the whole picture.
OFF_AUTO = ("off", "auto")
STYLES = ("none", "painting", "cartoon", "pencil")
STYLE_LAYERS = ("background", "picture")
V4L2_FORMATS = ("yuyv", "i420")

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
        "light_denoise": 1.0,
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
        "light_denoise": 0.5,
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
        "light_denoise": 0.5,
    },
}
CUSTOM = "custom"


@dataclass(frozen=True)
class Knob:
    """What a setting is, for whoever shows or checks it: the GUI's label, the command line's help,
    and the values it takes."""

    label: str
    help: str = ""
    #: The smallest and largest value allowed (numbers).
    range: tuple[float, float] | None = None
    #: The largest value itself is not allowed (``[low, high)``).
    open_high: bool = False
    #: The GUI's step for a number.
    step: float | None = None
    #: The values a text setting takes.
    choices: tuple[str, ...] = ()
    #: What the window calls each of :attr:`choices` (same order; empty: the values themselves).
    choice_labels: tuple[str, ...] = ()
    #: Written after a number: " px", " fps".
    unit: str = ""
    #: What the setting is called in "unsupported …" and "unknown …" messages (else the field name).
    noun: str = ""

    def problem(self, name: str, value: Any) -> SettingsError | None:
        """Why ``value`` is not allowed for the setting ``name``, or ``None``."""
        if self.choices and value not in self.choices:
            return SettingsError(f"unknown {self.noun or name} {value!r}", f"use {' or '.join(self.choices)}")
        if self.range is None:
            return None
        low, high = self.range
        if low <= value < high or (value == high and not self.open_high):
            return None
        if self.noun:
            return SettingsError(f"unsupported {self.noun} {value}", f"use {low:g} to {high:g}{self.unit}")
        if self.open_high:
            return SettingsError(f"{name} must be in [{low:g}, {high:g}), got {value}")
        return SettingsError(f"{name} must be {low:g} to {high:g}{self.unit}, got {value}")

    def spin_range(self) -> tuple[float, float]:
        """The lowest and highest value a spin box may show (a step below an open upper bound)."""
        low, high = self.range
        return low, high - (self.step or 0) if self.open_high else high


def knob(default: Any, **meta: Any) -> Any:
    """A :class:`Settings` field with its :class:`Knob`."""
    return field(default=default, metadata={"knob": Knob(**meta)})


@dataclass(frozen=True)
class RefineOptions:
    """The settings mask refinement reads (:class:`haikei.refine.MaskRefiner`): its slice of :class:`Settings`."""

    upsample: str
    guide_scale: float
    mask_low: float
    mask_high: float
    smoothing: float
    feather: float


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline needs to know. Immutable: change it with :meth:`replace`."""

    source: str = knob(
        "0", label="Source", help="camera index, /dev/videoN, or a video/image file (default: saved setting, else 0)"
    )
    model: str = knob(
        "selfie-general",
        label="Model",
        help="segmentation model (see `haikei models`; default selfie-general, the accurate one)",
    )
    background: str = knob(
        "blur", label="Background", help="blur[:STRENGTH] | image:PATH | video:PATH | color:#RRGGBB | none"
    )
    output: str = knob("vcam", label="Output", help="vcam[:DEVICE] | pipewire[:NAME] | FILE | none (default: vcam)")
    width: int = knob(
        1280,
        label="Resolution",
        help="the size of the picture apps receive, e.g. 1280x720: larger is sharper and costs more",
        range=(16, 7680),
    )
    height: int = knob(
        720,
        label="Resolution",
        help="the size of the picture apps receive, e.g. 1280x720: larger is sharper and costs more",
        range=(16, 4320),
    )
    fps: int = knob(
        30,
        label="Frame rate",
        help="pictures per second sent to apps (meeting apps use up to 30)",
        range=(1, 120),
        unit=" fps",
        noun="frame rate",
    )
    mirror: bool = knob(
        False, label="Mirror the picture", help="flip the picture left to right, as in a mirror (apps get it so too)"
    )
    threads: int = knob(
        1,
        label="Model threads",
        help="processor threads the model may use (default 1: the rest stays free for your meeting app)",
        range=(1, 64),
        noun="thread count",
    )
    #: "auto" uses a GPU execution provider when onnxruntime offers one, "cpu" never does.
    accelerator: str = knob(
        "auto",
        label="Accelerator",
        help="auto uses a graphics card where onnxruntime offers one, cpu never does",
        choices=ACCELERATORS,
        noun="accelerator",
    )
    preset: str = knob(
        "balanced",
        label="Preset",
        help="how the edge around you is refined: quality looks best, speed is lightest",
        choices=(*PRESETS, CUSTOM),
    )
    # Refinement knobs, normally set by the preset.
    upsample: str = knob(
        PRESETS["balanced"]["upsample"],
        label="Edge method",
        help="how the model's small cut-out is enlarged to the picture: guided follows the picture's own "
        "edges (hair, glasses), bilinear is lighter",
        choices=UPSAMPLERS,
        choice_labels=("Simple (lighter)", "Follows hair and edges"),
        noun="upsampler",
    )
    #: Resolution of the guided filter, as a fraction of the frame size.
    guide_scale: float = knob(
        PRESETS["balanced"]["guide_scale"],
        label="Edge detail",
        help="the size the edge is fitted at, as a share of the picture's: higher follows fine hair better "
        "and costs more",
        range=(0.05, 1.0),
        step=0.05,
    )
    #: Mask values below ``mask_low`` become background, above ``mask_high`` person; smooth between.
    mask_low: float = knob(
        PRESETS["balanced"]["mask_low"],
        label="Background below",
        help="where the model is less sure than this that it sees you, the room shows; raise it to cut more "
        "of the room away",
        range=(0.0, 1.0),
        step=0.05,
    )
    mask_high: float = knob(
        PRESETS["balanced"]["mask_high"],
        label="You above",
        help="where the model is surer than this that it sees you, you show fully; lower it to keep more of "
        "your hair and shoulders",
        range=(0.0, 1.0),
        step=0.05,
    )
    #: Weight of the previous mask in the motion-aware temporal average (0 = off); moving parts of
    #: the picture pass through unaveraged.
    smoothing: float = knob(
        PRESETS["balanced"]["smoothing"],
        label="Steadiness",
        help="how much the edge is averaged over time so that it does not flicker; what moves is never "
        "averaged (0 = off)",
        range=(0.0, 1.0),
        open_high=True,
        step=0.05,
    )
    #: Edge softening, in pixels of the model's mask.
    feather: float = knob(
        PRESETS["balanced"]["feather"],
        label="Edge softness",
        help="softens the line between you and the background by this many pixels of the model's cut-out (0 = crisp)",
        range=(0.0, 20.0),
        step=0.5,
        unit=" px",
    )
    #: Release the camera and stop inference while no app reads the virtual camera.
    idle_when_unwatched: bool = knob(
        True,
        label="Rest the camera while no app uses it",
        help="release the camera (its light goes off) and stop the work while no app reads the virtual camera "
        "(default: on)",
    )
    #: Reuse the last model mask while no block of the model's input moved this many levels (0-255)
    #: since that inference (a still scene); 0 runs the model on every frame.
    mask_reuse: float = knob(
        2.0,
        label="Reuse the cut-out while still",
        help="while nothing in the picture moves by more than this many brightness levels, the last cut-out "
        "is reused instead of running the model again (0 = run it on every frame)",
        range=(0.0, 50.0),
        step=0.5,
        unit=" levels",
    )
    #: How much of the new background's light spills over the person's edge (0 = off, 1 = fully).
    light_wrap: float = knob(
        PRESETS["balanced"]["light_wrap"],
        label="Background light on your edges",
        help="lets the new background's light spill over your outline, so that you look lit by it (0 = off)",
        range=(0.0, 1.0),
        step=0.05,
    )
    #: How much of the real room's colour is taken out of the person's soft edge before an image,
    #: video or colour background is blended in (0 = off, 1 = fully); see haikei.compose.decontaminate.
    decontaminate: float = knob(
        PRESETS["balanced"]["decontaminate"],
        label="Remove the room's colour from edges",
        help="takes the real room's colour out of your soft edge before a picture or colour is put behind "
        "you (0 = off)",
        range=(0.0, 1.0),
        step=0.1,
    )

    # Backgrounds (the window's gallery, #17).
    #: An image or video background blurred as if out of focus behind the person (0 = sharp); see
    #: haikei.compose.backgrounds.soften_picture.
    soften: float = knob(
        0.0,
        label="Soften the picture",
        help="blur an image or video background as if it were out of focus behind you, as in a photo "
        "taken with a wide-open lens (0 = sharp, 1 = strongly)",
        range=(0.0, 1.0),
        step=0.05,
    )
    # Effects (issue #18; haikei.framing, haikei.compose.light, .touchup, .styles; docs/effects.md).
    framing: str = knob(
        "off", label="Auto-framing", help="keep you centred and sized in the picture", choices=OFF_AUTO, noun="framing"
    )
    #: The tightest crop auto-framing may take: the whole picture over this.
    framing_zoom: float = knob(
        2.0, label="Auto-framing zoom limit", help="the most auto-framing zooms in", range=(1.0, 4.0), step=0.25
    )
    #: Seconds auto-framing takes for about 95 % of a re-framing.
    framing_settle: float = knob(
        0.7, label="Auto-framing speed (s)", help="seconds to re-frame", range=(0.3, 3.0), step=0.1, unit=" s"
    )
    light: str = knob(
        "off", label="Light", help="brighten and colour-balance a dark picture", choices=OFF_AUTO, noun="light"
    )
    #: Where light lifts a dark picture: how much of its noise is smoothed (chroma from 0, luma above 0.5).
    light_denoise: float = knob(
        PRESETS["balanced"]["light_denoise"],
        label="Low-light noise reduction",
        help="how much of a dim camera's grain is smoothed away while Light is on (0 = off)",
        range=(0.0, 1.0),
        step=0.1,
    )
    touch_up: int = knob(0, label="Touch-up", help="smooth the skin of the face (0 = off)", range=(0, 100))
    style: str = knob(
        "none", label="Style", help="draw the picture as a painting, cartoon or pencil drawing", choices=STYLES
    )
    style_on: str = knob(
        "background", label="Style on", help="the background alone or the whole picture", choices=STYLE_LAYERS
    )

    # The v4l2loopback camera's pixel format (issue #19): YUYV, what webcams offer and Firefox, Zoom and
    # Skype are reported to need; I420 takes 25 % fewer bytes. A v4l2loopback writer cannot see what its
    # readers want, so this is the user's choice.
    vcam_format: str = knob(
        "yuyv",
        label="Virtual camera format",
        help="pixel format of the v4l2loopback camera: yuyv (default: every app takes it) or i420 (fewer bytes)",
        choices=V4L2_FORMATS,
        noun="virtual camera format",
    )

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

    @property
    def refine(self) -> RefineOptions:
        """The mask refiner's slice of the settings."""
        return RefineOptions(
            self.upsample, self.guide_scale, self.mask_low, self.mask_high, self.smoothing, self.feather
        )

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
#: Each setting's :class:`Knob`, in the fields' order.
KNOBS: dict[str, Knob] = {f.name: f.metadata["knob"] for f in fields(Settings)}
#: Settings whose change means reopening the source, the output, or loading another model.
SOURCE_KEYS = ("source", "width", "height", "fps")
OUTPUT_KEYS = ("output", "width", "height", "fps", "vcam_format")
MODEL_KEYS = ("model", "threads", "accelerator")


def preset_values(name: str) -> dict[str, Any]:
    try:
        return dict(PRESETS[name])
    except KeyError:
        raise SettingsError(f"unknown preset {name!r}", f"choose one of {', '.join(PRESETS)} or {CUSTOM}") from None


def _validate(s: Settings) -> None:
    """The rules between settings first (each names the settings involved), then each setting's own."""
    if s.preset != CUSTOM and s.preset not in PRESETS:
        preset_values(s.preset)
    (w_low, w_high), (h_low, h_high) = KNOBS["width"].range, KNOBS["height"].range
    if not (w_low <= s.width <= w_high and h_low <= s.height <= h_high):
        raise SettingsError(
            f"unsupported size {s.width}x{s.height}",
            f"the width goes from {w_low} to {w_high} and the height from {h_low} to {h_high}, e.g. 1280x720",
        )
    if s.width % 2 or s.height % 2:
        even = f"{s.width + s.width % 2}x{s.height + s.height % 2}"
        raise SettingsError(f"unsupported size {s.width}x{s.height} (odd)", f"use even numbers such as {even}")
    if not 0.0 <= s.mask_low < s.mask_high <= 1.0:
        raise SettingsError(f"mask thresholds must satisfy 0 <= low < high <= 1, got {s.mask_low}..{s.mask_high}")
    for name, meta in KNOBS.items():
        problem = meta.problem(name, getattr(s, name))
        if problem is not None:
            raise problem


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` → ``(1280, 720)``."""
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise SettingsError(f"bad size {text!r}", "write it as WIDTHxHEIGHT, e.g. 1280x720") from None
    return w, h
