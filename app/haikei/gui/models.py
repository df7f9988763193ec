"""The model picker's words: each model by a plain name ("Accurate", "Fast"), its speed, accuracy,
engine and file in a tooltip, the shipped ONNX models first and the others (the ``.tflite`` twins, the
user's own) in a group below; a model whose engine's library is missing is listed as unavailable, with why.
"""

from __future__ import annotations

from dataclasses import dataclass

from haikei import paths
from haikei.gui.i18n import tr
from haikei.segment.catalog import DEFAULT_MODEL, Catalog, ModelManifest
from haikei.segment.registry import missing_library

#: The engines' names for people.
ENGINE_NAMES = {"onnxruntime": "ONNX Runtime", "mediapipe": "MediaPipe (TensorFlow Lite)"}


def plain_names() -> dict[str, str]:
    """The shipped models' plain names (their ``.tflite`` twins take the same with the engine added)."""
    return {"selfie-general": tr("Accurate"), "selfie-landscape": tr("Fast")}


@dataclass(frozen=True)
class ModelChoice:
    name: str
    label: str
    tooltip: str
    #: Listed in the group below the recommended models (other engines, the user's own).
    more: bool
    #: Why it cannot be chosen ("" when it can).
    unavailable: str = ""


def accuracy_words(miou: float) -> str:
    if miou >= 0.915:
        return tr("very accurate edges")
    if miou >= 0.9:
        return tr("accurate edges")
    if miou >= 0.87:
        return tr("fair edges")
    return tr("rough edges")


def speed_words(ms: float) -> str:
    if ms <= 4:
        return tr("very light on the computer")
    if ms <= 8:
        return tr("light on the computer")
    if ms <= 16:
        return tr("needs a fast computer")
    return tr("too heavy for most computers")


def model_choice(model: ModelManifest) -> ModelChoice:
    shipped = model.manifest_path is not None and model.manifest_path.parent == paths.shipped_models_dir()
    names = plain_names()
    twin = model.name.removesuffix("-tflite")
    if shipped and model.name in names:
        label = names[model.name]
    elif shipped and twin in names:
        label = tr("%1, TensorFlow Lite").replace("%1", names[twin])
    else:
        label = model.name
    if model.name == DEFAULT_MODEL:
        label = tr("%1 (recommended)").replace("%1", label)
    lines = [label]
    if model.measured is not None:
        m = model.measured
        lines.append(
            tr("Accuracy: %1 (%2 % overlap with hand-drawn outlines on webcam photos)")
            .replace("%1", accuracy_words(m.miou))
            .replace("%2", f"{m.miou * 100:.1f}")
        )
        lines.append(
            tr("Speed: %1 (%2 ms a frame on a 2-core computer)")
            .replace("%1", speed_words(m.ms))
            .replace("%2", f"{m.ms:.1f}")
        )
    else:
        lines.append(tr("Speed and accuracy not measured"))
    lines.append(tr("Engine: %1").replace("%1", ENGINE_NAMES.get(model.engine, model.engine)))
    lines.append(tr("File: %1").replace("%1", model.file.name))
    missing = missing_library(model.engine)
    unavailable = ""
    if missing:
        unavailable = tr("Needs %1, which is not installed").replace("%1", missing)
        lines.append(unavailable)
    more = not shipped or model.engine != "onnxruntime"
    return ModelChoice(model.name, label, "\n".join(lines), more, unavailable)


def model_choices(catalog: Catalog) -> list[ModelChoice]:
    """Every model, recommended first (the default at the top), then the others."""
    choices = [model_choice(m) for m in catalog.models.values()]
    return sorted(choices, key=lambda c: (c.more, c.name != DEFAULT_MODEL, c.label.lower()))
