"""Rolling per-stage timings and frame rate, cheap enough to record on every frame."""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

STAGES = ("capture", "preprocess", "inference", "refine", "compose", "output", "total")
#: The effects' own timings (issue #18), when they are on: framing and light on the segment thread
#: (light's tone of the output inside compose's time is counted here instead), the face tracker,
#: touch-up and a style in the output thread.
EFFECT_STAGES = ("framing", "light", "face", "touch_up", "style")

_clock = time.perf_counter


def stage_clock() -> float:
    """Seconds, on the clock stage timings are read with: the wall clock, or under
    :func:`use_cpu_clock` the calling thread's CPU time."""
    return _clock()


def use_cpu_clock(enabled: bool) -> None:
    """Time stages by thread CPU time: what each stage costs without the time other processes held
    the CPU (``haikei bench --cpu-time``, for shared machines). Exact while OpenCV and onnxruntime
    run single-threaded in the calling thread, as the engine sets them up; decoding threads aside."""
    global _clock
    _clock = time.thread_time if enabled else time.perf_counter


class PipelineStats:
    def __init__(self, window: int = 300):
        self._lock = threading.Lock()
        self._stages: dict[str, deque[float]] = {
            name: deque(maxlen=window) for name in (*STAGES, *EFFECT_STAGES, "latency")
        }
        self._output_times: deque[float] = deque(maxlen=window)
        self.frames = 0

    def record(self, timings_ms: dict[str, float], output_time: float | None = None) -> None:
        with self._lock:
            for name, ms in timings_ms.items():
                self._stages[name].append(ms)
            self._output_times.append(time.monotonic() if output_time is None else output_time)
            self.frames += 1

    def fps(self) -> float:
        """Output frames per second over the last two seconds (or the window, if shorter)."""
        with self._lock:
            times = list(self._output_times)
        if len(times) < 2:
            return 0.0
        recent = [t for t in times if t >= times[-1] - 2.0]
        if len(recent) < 2:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0]) if recent[-1] > recent[0] else 0.0

    def samples(self) -> dict[str, list[float]]:
        """Every stage's timings in the window, oldest first."""
        with self._lock:
            return {name: list(values) for name, values in self._stages.items()}

    def snapshot(self) -> dict:
        """``{"fps", "frames", "stages": {name: {"mean", "p50", "p95", "p99"}}}`` in ms."""
        with self._lock:
            samples = {name: np.array(values) for name, values in self._stages.items() if values}
            frames = self.frames
        stages = {
            name: {
                "mean": float(values.mean()),
                **{f"p{q}": float(np.percentile(values, q)) for q in (50, 95, 99)},
            }
            for name, values in samples.items()
        }
        return {"fps": self.fps(), "frames": frames, "stages": stages}
