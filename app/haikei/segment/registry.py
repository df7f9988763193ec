"""The segmentation engines a manifest's ``engine`` can name, each as the ``"module:Class"`` that runs
it: imported only when a model of that engine is opened (:func:`haikei.segment.open_segmenter`), so a
missing library (mediapipe, onnxruntime) disables that engine alone."""

ENGINES: dict[str, str] = {
    "onnxruntime": "haikei.segment.onnx:OnnxSegmenter",
    "mediapipe": "haikei.segment.mediapipe:MediapipeSegmenter",
}
