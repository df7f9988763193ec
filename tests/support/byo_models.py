"""Manifests for the third-party models in ../shared/models, as a user would write them."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

SINET_STD = [62.93292 * 255, 62.82138 * 255, 66.355705 * 255]

#: name → (file, engine, (w, h), layout, channel order, mean, std, output kind, channel)
BYO_MODELS = {
    "meet-full-tflite": ("meet_segm_full_v679.tflite", "mediapipe", (256, 144), "NHWC", "RGB", 0, 255, "softmax", 1),
    "meet-full": ("meet_segm_full_v679.onnx", "onnxruntime", (256, 144), "NHWC", "RGB", 0, 255, "softmax", 1),
    "meet-lite-tflite": ("meet_segm_lite_v681.tflite", "mediapipe", (160, 96), "NHWC", "RGB", 0, 255, "softmax", 1),
    "meet-lite": ("meet_segm_lite_v681.onnx", "onnxruntime", (160, 96), "NHWC", "RGB", 0, 255, "softmax", 1),
    "bodypix-tflite": (
        "bodypix_float_050_8.tflite",
        "mediapipe",
        (257, 257),
        "NHWC",
        "RGB",
        127.5,
        127.5,
        "sigmoid",
        0,
    ),
    "bodypix": ("bodypix_float_050_8.onnx", "onnxruntime", (257, 257), "NCHW", "RGB", 127.5, 127.5, "sigmoid", 0),
    "deeplabv3-tflite": (
        "deeplabv3_257_mv_gpu.tflite",
        "mediapipe",
        (257, 257),
        "NHWC",
        "RGB",
        127.5,
        127.5,
        "softmax",
        15,
    ),
    "deeplabv3": ("deeplabv3_257_mv_gpu.onnx", "onnxruntime", (257, 257), "NCHW", "RGB", 127.5, 127.5, "softmax", 15),
    "sinet": (
        "anil_SINet_Softmax.onnx",
        "onnxruntime",
        (320, 320),
        "NCHW",
        "BGR",
        [102.890434, 111.25247, 126.91212],
        SINET_STD,
        "probability",
        1,
    ),
}


#: name → (ms per 1280x720 frame, raw mIoU): measured as the shipped models' figures (see their manifests).
MEASURED = {
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
HOW = "2-core AMD EPYC VM, 2026-11-21, measured as the shipped models (models/selfie-landscape.json)"


def write_byo_models(shared_models: Path, folder: Path) -> Path:
    """Copy each model into ``folder`` with its manifest, the way a user installs one."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (file, engine, (w, h), layout, order, mean, std, kind, channel) in BYO_MODELS.items():
        target = folder / file
        if not target.exists():
            shutil.copyfile(shared_models / file, target)
        manifest = {
            "name": name,
            "file": file,
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
            "engine": engine,
            "input": {
                "width": w,
                "height": h,
                "layout": layout,
                "channel_order": order,
                "normalization": {"mean": mean, "std": std},
            },
            "output": {"kind": kind, "channel": channel},
            "license": "see ../shared/models/README.md",
            "source": "../shared/models",
            "measured": {"ms": MEASURED[name][0], "miou": MEASURED[name][1], "how": HOW},
        }
        (folder / f"{name}.json").write_text(json.dumps(manifest, indent=2))
    return folder
