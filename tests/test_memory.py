"""Freed frame-sized buffers are reused, not faulted in again for every frame."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The quality refiner's work for one 720p frame on the main thread (as in ``haikei process`` and ``eval``),
# repeated; prints the minor page faults per frame.
ROUNDS = """
import resource, sys
import numpy as np
from haikei.live.memory import keep_freed_buffers
from haikei.refine import MaskRefiner
from haikei.settings import Settings
if sys.argv[1] == "keep":
    assert keep_freed_buffers()
rng = np.random.default_rng(0)
frame = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
mask = rng.random((144, 256)).astype(np.float32)
refiner, settings = MaskRefiner(), Settings().replace(preset="quality")
refiner.matte(mask, frame, settings.refine)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(30):
    refiner.matte(mask, frame, settings.refine)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 30)
"""


def faults_per_round(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", ROUNDS, mode],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO / "app"), "PATH": "/usr/bin:/bin"},
    )
    return float(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_frame_buffers_are_kept_for_the_next_frame():
    # By default glibc maps the larger buffers afresh for every frame and unmaps them after.
    kept, default = faults_per_round("keep"), faults_per_round("default")
    assert kept < 10 and default > 5 * kept, (kept, default)
