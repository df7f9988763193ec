"""Measuring Haikei: the bench (:mod:`~haikei.measure.bench`), the automatic preset
(:mod:`~haikei.measure.autopreset`) and segmentation quality (:mod:`~haikei.measure.quality`); every
figure comes from the app's own pipeline and engine, not a re-implementation."""

from __future__ import annotations

import os
import platform


def machine() -> str:
    """The machine figures are measured on, for their record: ``"2 cores, AMD EPYC 7B13, Linux"``."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()}"
