"""A short soak: thousands of frames through the real engine, memory must not keep growing."""

from soak import growth_after_warmup, soak


def test_memory_is_flat_after_warmup(doctor_video):
    points = soak(doctor_video, (640, 360), frames=2500, seconds=None, paced=False)
    assert points[-1][0] >= 2500
    growth = growth_after_warmup(points)
    assert growth < 0.05, f"RSS grew {growth * 100:.1f} % after warm-up: {points}"
