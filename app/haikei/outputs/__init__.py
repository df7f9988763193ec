"""Outputs, in a registry keyed by the ``--output`` spec: ``vcam[:DEVICE]``, ``pipewire[:NAME]``,
``none``, or else a video file path.

The registry names each backend's class as ``"module:Class"`` and imports it only when that output is
opened: a missing optional library (pyvirtualcam, or libpipewire for the PipeWire camera) disables that output alone,
with its own message. Every sink keeps the contract of :class:`haikei.outputs.base.Sink`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from haikei.errors import OutputError

if TYPE_CHECKING:  # the registry imports no output code until an output is opened
    from haikei.outputs.base import Sink

#: ``--output`` kind → the sink class that opens it.
SINKS: dict[str, str] = {
    "vcam": "haikei.outputs.vcam:VirtualCameraSink",
    "pipewire": "haikei.outputs.pipewire:PipeWireCameraSink",
    "none": "haikei.outputs.null:NullSink",
}
#: Any other spec is a path: the video file output.
FILE_SINK = "haikei.outputs.file:FileSink"


def output_kind(spec: str) -> str:
    """The registry key a spec names (``vcam:/dev/video4`` → ``vcam``), or ``"file"`` for a path."""
    kind = spec.partition(":")[0]
    return kind if kind in SINKS else "file"


def sink_class(kind: str) -> type[Sink]:
    """The sink class for an output kind (a key of :data:`SINKS`, or ``"file"``), imported now."""
    module, _, name = (SINKS.get(kind) or FILE_SINK).partition(":")
    return getattr(importlib.import_module(module), name)


def open_sink(spec: str, size: tuple[int, int], fps: float, vcam_format: str | None = None) -> Sink:
    """``none`` | ``vcam`` | ``vcam:DEVICE`` | ``pipewire`` | ``pipewire:NAME`` | a file path;
    ``vcam_format``: a v4l2loopback camera's pixel format (``Settings.vcam_format``)."""
    kind = output_kind(spec)
    options = {"v4l2_format": vcam_format} if kind == "vcam" and vcam_format else {}
    try:
        return sink_class(kind).from_spec(spec if kind == "file" else spec.partition(":")[2], size, fps, **options)
    except ImportError as exc:  # the backend's library is missing: only this output is unavailable
        missing = exc.name or str(exc)
        raise OutputError(
            f"the {kind} output cannot be used: {missing} is not installed", f"pip install {missing}"
        ) from None
