"""Speed and quality of the models we know, for the model picker.

mIoU: raw masks on the 122 webcam-like test photos (README "Quality and speed", measured by the test
suite). ms: preprocess + inference per 1280x720 frame of the Doctor test video, 1 thread, 2-core
AMD EPYC VM; all models interleaved, 60 rounds, 10th percentile (the VM was shared, so the lower
percentile is the uncontended cost). Models not listed show "unknown".
"""

from __future__ import annotations

from haikei.gui.i18n import tr

#: name → (ms per frame, mIoU)
KNOWN_MODELS: dict[str, tuple[float, float]] = {
    "selfie-landscape": (4.0, 0.906),
    "selfie-landscape-tflite": (5.2, 0.906),
    "selfie-general": (6.1, 0.920),  # fed at the frame's aspect ratio (keep_aspect); ms unchanged (bench)
    "selfie-general-tflite": (8.7, 0.919),
    "meet-full": (6.7, 0.916),
    "meet-full-tflite": (8.4, 0.916),
    "meet-lite": (3.6, 0.886),
    "meet-lite-tflite": (4.4, 0.886),
    "deeplabv3": (36.0, 0.878),
    "deeplabv3-tflite": (51.0, 0.878),
    "bodypix": (17.3, 0.871),
    "bodypix-tflite": (18.5, 0.871),
    "sinet": (33.4, 0.805),
}


def describe_model(name: str) -> str:
    """``"selfie-general — 6 ms · mIoU 0.919"``; unknown figures say so."""
    figures = KNOWN_MODELS.get(name)
    if figures is None:
        return f"{name} — {tr('speed and quality unknown')}"
    ms, miou = figures
    return f"{name} — {ms:.0f} ms · mIoU {miou:.3f}"
