"""A video source node on libpipewire's ``pw_stream``, through ctypes.

Why not GStreamer's pipewiresink: it connects its stream once, with the one format its upstream
fixed, and never says which format a consumer picked, so a camera made with it has one mode. Here
the stream offers several modes and learns the consumer's pick (``param_changed(Format)``).

Needs only ``libpipewire-0.3.so.0`` (Debian: libpipewire-0.3-0, on every PipeWire system). The
structs below are the library's stable public ABI (``pw_stream_events`` version 2, ``pw_buffer``,
``spa_buffer``, ``spa_data``, ``spa_chunk``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import struct
from collections.abc import Sequence

import numpy as np

from haikei.outputs import spa

DIRECTION_OUTPUT = 1
ANY_ID = 0xFFFFFFFF
FLAG_MAP_BUFFERS, FLAG_DRIVER = 1 << 2, 1 << 3
STATES = {-1: "error", 0: "unconnected", 1: "connecting", 2: "paused", 3: "streaming"}


class SpaChunk(ctypes.Structure):
    _fields_ = [
        ("offset", ctypes.c_uint32),
        ("size", ctypes.c_uint32),
        ("stride", ctypes.c_int32),
        ("flags", ctypes.c_int32),
    ]


class SpaData(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("fd", ctypes.c_int64),
        ("mapoffset", ctypes.c_uint32),
        ("maxsize", ctypes.c_uint32),
        ("data", ctypes.c_void_p),
        ("chunk", ctypes.POINTER(SpaChunk)),
    ]


class SpaBuffer(ctypes.Structure):
    _fields_ = [
        ("n_metas", ctypes.c_uint32),
        ("n_datas", ctypes.c_uint32),
        ("metas", ctypes.c_void_p),
        ("datas", ctypes.POINTER(SpaData)),
    ]


class PwBuffer(ctypes.Structure):
    _fields_ = [("buffer", ctypes.POINTER(SpaBuffer)), ("user_data", ctypes.c_void_p), ("size", ctypes.c_uint64)]


STATE_CHANGED = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_char_p)
PARAM_CHANGED = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p)


class PwStreamEvents(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32)] + [
        (name, ctypes.c_void_p)
        for name in (
            "destroy",
            "state_changed",
            "control_info",
            "io_changed",
            "param_changed",
            "add_buffer",
            "remove_buffer",
            "process",
            "drained",
            "command",
            "trigger_done",
        )
    ]


@functools.cache
def load() -> ctypes.CDLL:
    """libpipewire, initialised once per process; ``OSError`` if it is not installed."""
    lib = ctypes.CDLL(ctypes.util.find_library("pipewire-0.3") or "libpipewire-0.3.so.0")
    p, u32, i32, text = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_char_p
    for name, result, args in (
        ("pw_init", None, [p, p]),
        ("pw_thread_loop_new", p, [text, p]),
        ("pw_thread_loop_get_loop", p, [p]),
        ("pw_thread_loop_start", i32, [p]),
        ("pw_thread_loop_stop", None, [p]),
        ("pw_thread_loop_destroy", None, [p]),
        ("pw_thread_loop_lock", None, [p]),
        ("pw_thread_loop_unlock", None, [p]),
        ("pw_properties_new", p, [p]),
        ("pw_properties_set", i32, [p, text, text]),
        ("pw_stream_new_simple", p, [p, text, p, p, p]),
        ("pw_stream_connect", i32, [p, u32, u32, u32, p, u32]),
        ("pw_stream_update_params", i32, [p, p, u32]),
        ("pw_stream_dequeue_buffer", ctypes.POINTER(PwBuffer), [p]),
        ("pw_stream_queue_buffer", i32, [p, ctypes.POINTER(PwBuffer)]),
        ("pw_stream_trigger_process", i32, [p]),
        ("pw_stream_disconnect", i32, [p]),
        ("pw_stream_destroy", None, [p]),
    ):
        function = getattr(lib, name)
        function.restype, function.argtypes = result, args
    lib.pw_init(None, None)
    return lib


class _Params:
    """POD bytes laid out for a ``const struct spa_pod **`` argument (kept alive with it)."""

    def __init__(self, pods: Sequence[bytes]):
        self._buffers = [ctypes.create_string_buffer(pod, len(pod)) for pod in pods]
        self.array = (ctypes.c_void_p * len(pods))(*(ctypes.addressof(b) for b in self._buffers))
        self.count = len(pods)


class VideoSourceStream:
    """A ``Video/Source`` node that offers ``modes`` (width, height, fps) of raw I420, first one first.

    The consumer's pick arrives on PipeWire's thread and is kept in :attr:`mode` (``None`` while no
    format is negotiated). We drive the graph: each :meth:`write` queues a frame and triggers a cycle.
    """

    def __init__(self, name: str, properties: dict[str, str], modes: Sequence[tuple[int, int, int]]):
        self.lib = lib = load()
        self.mode: tuple[int, int, int] | None = None
        self.state = "unconnected"
        self.error: str | None = None
        # ctypes must keep the callbacks and the events struct alive as long as the stream.
        self._callbacks = (STATE_CHANGED(self._state_changed), PARAM_CHANGED(self._param_changed))
        self._events = PwStreamEvents(version=2)
        self._events.state_changed = ctypes.cast(self._callbacks[0], ctypes.c_void_p).value
        self._events.param_changed = ctypes.cast(self._callbacks[1], ctypes.c_void_p).value
        self._formats = _Params([spa.i420_format(*mode) for mode in modes])
        self._buffer_params: _Params | None = None
        self.loop = lib.pw_thread_loop_new(f"{name}-pipewire".encode(), None)
        props = lib.pw_properties_new(None)
        for key, value in properties.items():
            lib.pw_properties_set(props, key.encode(), value.encode())
        lib.pw_thread_loop_lock(self.loop)
        try:
            # The stream takes ownership of ``props``.
            self.stream = lib.pw_stream_new_simple(
                lib.pw_thread_loop_get_loop(self.loop), name.encode(), props, ctypes.byref(self._events), None
            )
            result = lib.pw_stream_connect(
                self.stream,
                DIRECTION_OUTPUT,
                ANY_ID,
                FLAG_DRIVER | FLAG_MAP_BUFFERS,
                self._formats.array,
                self._formats.count,
            )
        finally:
            lib.pw_thread_loop_unlock(self.loop)
        if result < 0:
            self.close()
            raise OSError(-result, f"pw_stream_connect: {os.strerror(-result)}")
        lib.pw_thread_loop_start(self.loop)

    # -- PipeWire's thread, loop locked ------------------------------------------------------
    def _state_changed(self, _data, _old: int, new: int, error: bytes | None) -> None:
        self.state = STATES.get(new, str(new))
        if new < 0:
            self.error = error.decode(errors="replace") if error else "unknown error"

    def _param_changed(self, _data, param_id: int, param: int | None) -> None:
        if param_id != spa.PARAM_FORMAT:
            return
        if not param:  # the format was cleared: no consumer any more
            self.mode = None
            return
        size = struct.unpack("<I", ctypes.string_at(param, 4))[0]
        mode = spa.video_mode(ctypes.string_at(param, 8 + size))
        if mode is None:
            return
        self._buffer_params = _Params(spa.i420_buffers(mode[0], mode[1]))
        self.lib.pw_stream_update_params(self.stream, self._buffer_params.array, self._buffer_params.count)
        self.mode = mode

    # -- the producer's thread ---------------------------------------------------------------
    def write(self, i420: np.ndarray) -> bool:
        """Queue one I420 frame ((h * 3 / 2, w), contiguous) of the negotiated size; ``False`` when it was
        dropped (no consumer, another size, or no free buffer: the consumer is behind)."""
        height, width = i420.shape[0] * 2 // 3, i420.shape[1]
        lib = self.lib
        lib.pw_thread_loop_lock(self.loop)
        try:
            if self.state != "streaming" or self.mode is None or self.mode[:2] != (width, height):
                return False
            buffer = lib.pw_stream_dequeue_buffer(self.stream)
            if not buffer:
                return False
            data = buffer.contents.buffer.contents.datas[0]
            if data.data and data.maxsize >= i420.nbytes:
                ctypes.memmove(data.data, i420.ctypes.data, i420.nbytes)
                chunk = data.chunk.contents
                chunk.offset, chunk.size, chunk.stride, chunk.flags = 0, i420.nbytes, width, 0
            lib.pw_stream_queue_buffer(self.stream, buffer)
            lib.pw_stream_trigger_process(self.stream)
            return True
        finally:
            lib.pw_thread_loop_unlock(self.loop)

    def close(self) -> None:
        lib = self.lib
        if getattr(self, "stream", None):
            lib.pw_thread_loop_lock(self.loop)
            lib.pw_stream_disconnect(self.stream)
            lib.pw_stream_destroy(self.stream)
            self.stream = None
            lib.pw_thread_loop_unlock(self.loop)
        if self.loop:
            lib.pw_thread_loop_stop(self.loop)
            lib.pw_thread_loop_destroy(self.loop)
            self.loop = None
