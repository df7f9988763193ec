"""An app reading a PipeWire camera, as its own process (pipewiresrc → appsink):
``python pipewire_consumer.py TARGET COUNT OUT.npz [CAPS]`` saves the I420 frames as received, their
arrival times and the start time (both ``time.monotonic()``, comparable across processes) and the
caps. CAPS narrows what it asks for (``width=640,height=360``), as an app with a fixed mode list."""

import sys
import time

import gi
import numpy as np

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402


def main(target: str, count: int, out: str, caps: str = "") -> int:
    Gst.init(None)
    wanted = ",".join(filter(None, ("video/x-raw,format=I420", caps)))
    pipeline = Gst.parse_launch(
        f"pipewiresrc target-object={target} ! {wanted} ! appsink name=out sync=false max-buffers=300"
    )
    appsink = pipeline.get_by_name("out")
    started = time.monotonic()
    pipeline.set_state(Gst.State.PLAYING)
    frames, arrivals, caps = [], [], ""
    try:
        while len(frames) < count:
            sample = appsink.emit("try-pull-sample", 10 * Gst.SECOND)
            if sample is None:
                print(f"no frame within 10 s after {len(frames)} frames", file=sys.stderr)
                return 1
            arrivals.append(time.monotonic())
            structure = sample.get_caps().get_structure(0)
            width, height = structure.get_value("width"), structure.get_value("height")
            caps = sample.get_caps().to_string()
            buffer = sample.get_buffer()
            ok, info = buffer.map(Gst.MapFlags.READ)
            frames.append(
                np.frombuffer(info.data, np.uint8)[: width * height * 3 // 2].reshape(height * 3 // 2, width).copy()
            )
            buffer.unmap(info)
    finally:
        pipeline.set_state(Gst.State.NULL)
    np.savez(out, frames=np.array(frames), arrivals=np.array(arrivals), started=started, caps=caps)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], *sys.argv[4:]))
