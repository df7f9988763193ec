"""The segmentation engines a manifest's ``engine`` can name, each as the ``"module:Class"`` that runs
it: imported only when a model of that engine is opened (:func:`haikei.segment.open_segmenter`), so a
missing library (mediapipe, onnxruntime) disables that engine alone."""

import importlib.util

ENGINES: dict[str, str] = {
    "onnxruntime": "haikei.segment.onnx:OnnxSegmenter",
    "mediapipe": "haikei.segment.mediapipe:MediapipeSegmenter",
}

#: The library each engine's module imports: without it, that engine's models cannot open.
LIBRARIES: dict[str, str] = {"onnxruntime": "onnxruntime", "mediapipe": "mediapipe"}


def missing_library(engine: str) -> str | None:
    """The library ``engine`` needs that is not installed (found without importing it), or ``None``."""
    library = LIBRARIES.get(engine)
    if library is None:
        return None
    try:
        found = importlib.util.find_spec(library) is not None
    except (ImportError, ValueError):  # a parent package is missing, or the module is blocked (sys.modules[...] = None)
        found = False
    return None if found else library
