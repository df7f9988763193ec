"""Settings hammered from other threads while frames flow: no exception, no deadlock, no torn frame."""

from __future__ import annotations

import random
import threading
import time

from haikei.live import Engine
from haikei.outputs.base import Sink
from haikei.settings import Settings

COLOURS = {"color:#ff0000": (0, 0, 255), "color:#0000ff": (255, 0, 0), "color:#00ff00": (0, 255, 0)}


class TearCheckingSink(Sink):
    """Every frame's background corners must show one and the same background colour."""

    def __init__(self):
        self.frames = 0
        self.torn: list[str] = []

    def send(self, frame):
        self.frames += 1
        corners = [frame[5:35, 5:35], frame[5:35, -35:-5]]
        colours = {tuple(int(v) for v in corner.reshape(-1, 3)[0]) for corner in corners}
        uniform = all((corner == corner[0, 0]).all() for corner in corners)
        if len(colours) != 1 or not uniform or colours.pop() not in COLOURS.values():
            self.torn.append(f"frame {self.frames}: corners {[c[0, 0].tolist() for c in corners]}")


def test_settings_hammered_from_two_threads(doctor_video):
    sink = TearCheckingSink()
    errors = []
    engine = Engine(
        Settings(source=str(doctor_video), width=640, height=360, background="color:#ff0000"),
        sink=sink,
        paced=False,
        on_error=errors.append,
    ).start()
    stop = threading.Event()
    failures = []

    def hammer(seed):
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                change = rng.choice(
                    [
                        {"background": rng.choice(list(COLOURS))},
                        {"preset": rng.choice(["quality", "balanced", "speed"])},
                        {"mirror": rng.random() < 0.5},
                        {"smoothing": rng.choice([0.0, 0.3, 0.6])},
                        {"model": rng.choice(["selfie-landscape", "selfie-general"])},
                    ]
                )
                engine.update(**change)
                engine.snapshot()
                time.sleep(rng.random() * 0.002)
        except Exception as exc:  # noqa: BLE001 - any exception here is the failure we look for
            failures.append(repr(exc))

    threads = [threading.Thread(target=hammer, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    # hammer while the engine sends 60 frames (about 4 s on a quiet 2-core machine; longer on a busy one)
    deadline = time.monotonic() + 60
    while sink.frames < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(5)
    frames_during = sink.frames
    time.sleep(0.5)
    assert sink.frames > frames_during, "frames stopped flowing"
    started = time.monotonic()
    engine.stop()
    assert time.monotonic() - started < 1.0
    assert not failures and not errors, (failures, errors)
    assert frames_during >= 60
    assert not sink.torn, sink.torn[:5]
    assert not any(t.is_alive() for t in threads)
