"""Speed and quality of the models we know, for the model picker.

mIoU: raw masks on the 122 webcam-like test photos (README "Quality and speed", measured by the test
suite). ms: preprocess + inference per 1280x720 frame of the Doctor test video, 1 thread, 2-core
AMD EPYC VM, 2026-11-21 (model input cut from the frame pyramid); all models interleaved, 60 rounds,
10th percentile (the VM was shared, so the lower percentile is the uncontended cost). Models not listed show "unknown".
"""

from __future__ import annotations

from haikei.gui.i18n import tr

#: name → (ms per frame, mIoU)
KNOWN_MODELS: dict[str, tuple[float, float]] = {
    "selfie-landscape": (2.5, 0.907),
    "selfie-landscape-tflite": (4.0, 0.907),
    "selfie-general": (3.4, 0.920),  # fed at the frame's aspect ratio (keep_aspect)
    "selfie-general-tflite": (6.9, 0.919),
    "meet-full": (4.8, 0.916),
    "meet-full-tflite": (6.5, 0.916),
    "meet-lite": (2.8, 0.886),
    "meet-lite-tflite": (3.5, 0.886),
    "deeplabv3": (23.8, 0.877),
    "deeplabv3-tflite": (43.2, 0.877),
    "bodypix": (14.8, 0.870),
    "bodypix-tflite": (15.8, 0.871),
    "sinet": (25.3, 0.804),
}


def describe_model(name: str) -> str:
    """``"selfie-general — 6 ms · mIoU 0.919"``; unknown figures say so."""
    figures = KNOWN_MODELS.get(name)
    if figures is None:
        return f"{name} — {tr('speed and quality unknown')}"
    ms, miou = figures
    return f"{name} — {ms:.0f} ms · mIoU {miou:.3f}"
