"""Stage 2, segmentation: the model catalog (:mod:`~haikei.segment.catalog`), the engines that run the
models (a registry, :data:`ENGINES`, of :class:`~haikei.segment.base.Segmenter` classes), and the
reuse of the last mask while the picture stands still (:mod:`~haikei.segment.reuse`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from haikei.errors import ModelError
from haikei.segment.registry import ENGINES

if TYPE_CHECKING:  # the registry imports no engine code until a model is opened
    from haikei.segment.base import Segmenter
    from haikei.segment.catalog import ModelManifest

__all__ = ["ENGINES", "open_segmenter"]


def open_segmenter(manifest: ModelManifest, threads: int = 1, accelerator: str = "auto") -> Segmenter:
    """Load ``manifest``'s model with its engine (after checking the file's sha256)."""
    target = ENGINES.get(manifest.engine)
    if target is None:
        raise ModelError(f"model {manifest.name!r} needs engine {manifest.engine!r}, which is not available")
    module, _, name = target.partition(":")
    try:
        engine: type[Segmenter] = getattr(importlib.import_module(module), name)
    except ImportError as exc:  # the engine's library is missing: only its models are unavailable
        missing = exc.name or str(exc)
        raise ModelError(
            f"model {manifest.name!r} needs {missing}, which this installation of Haikei leaves out",
            f"choose another model (see `haikei models`), or install {missing} into Haikei's Python environment: "
            f"pip install {missing}",
        ) from None
    return engine(manifest, threads, accelerator)
