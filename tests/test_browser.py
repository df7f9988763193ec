"""A real browser picks Haikei's PipeWire camera: ``haikei run --output pipewire`` on the Doctor video
with a green background, headless Chromium (PipeWire camera support on) in a private desktop session
whose portal already allows host apps the camera. A page on 127.0.0.1 opens the camera with
getUserMedia and reports the label, size, resize mode, frame rate and the colour it draws."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from haikei.outputs.pipewire import PipeWireReaderWatcher
from support.browser import BrowserCrashed, chromium, kill_group, open_camera_page
from support.pipewire_session import die_with_parent, stop_process

GREEN = (0, 255, 0)
SIZES = ((640, 360), (1280, 720))  # the second is Haikei's configured size, the first another native mode
#: The frame rate the issue asks a browser to get, when Haikei sends 30.
WANTED_FPS = 25
#: Of what Haikei sent, the share the browser must receive: the camera path loses (almost) nothing.
DELIVERED_SHARE = 0.85
#: Below this the camera stalls, however busy the machine. Haikei's own rate is what a busy machine
#: lowers: its engine has sent 12-13 fps at 1280x720 beside a browser, niced on 2 shared cores at a load
#: average of 9-11 (and the load there reaches 17); the share above is what tests the camera path.
FLOOR_FPS = 5


class Producer:
    """``haikei run --output pipewire --stats``, whose once-a-second frame rates are kept with the time
    they were printed."""

    def __init__(self, argv: list[str]):
        self.process = subprocess.Popen(
            argv,
            env=os.environ.copy(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=die_with_parent,
        )
        self.rates: list[tuple[float, float]] = []  # (monotonic time, fps over the 2 s before it)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)
            found = re.match(r"fps=([\d.]+) ", line)
            if found:
                self.rates.append((time.monotonic(), float(found.group(1))))

    def sent_fps(self, until: float) -> float:
        """What Haikei sent over the 2 s before ``until``: its first rate printed after then (each covers the
        2 s before it, printed once a second, so at least 1 s of the two)."""
        return next((fps for at, fps in self.rates if until <= at), 0.0)

    def alive(self) -> bool:
        """True while Haikei runs; its output in the error if it ended."""
        if self.process.poll() is not None:
            self._reader.join(5)
            raise AssertionError(f"haikei run ended ({self.process.returncode}):\n" + "".join(self.lines))
        return True

    @staticmethod
    def has_node(desktop) -> bool:
        return any((n.get("props") or {}).get("node.name") == "haikei" for n in desktop.nodes())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
        stop_process(self.process)
        self._reader.join(5)
        kill_group(self.process.pid)  # anything Haikei started (its pw-dump) that outlived it


def read_once_more_after_a_crash(desktop, **query) -> dict:
    """Chromium 156's own capture code sometimes aborts (an RTC_CHECK on a race in
    video_capture_pipewire.cc), or fails to start its capture (NotReadableError) once in a while on a
    busy machine: one more browser, once PipeWire has dropped the first one's link (a browser linking
    earlier would get the mode the first one picked). A camera that fails twice fails the test."""
    try:
        report = open_camera_page(desktop, **query)
        if "error" not in report:
            return report
        failure = report["error"]
    except BrowserCrashed as crash:
        failure = str(crash)
    desktop.wait(lambda: not desktop.links_from("haikei"), "the first browser's link to go", 10)
    return {**open_camera_page(desktop, **query), "failed_before": failure}


@pytest.mark.skipif(
    chromium() is None and not os.environ.get("HAIKEI_REQUIRE_PIPEWIRE"),
    reason="chromium is not installed (apt install chromium)",
)
def test_chromium_picks_the_haikei_camera_in_its_native_sizes(desktop, doctor_video, record_property):
    """Per requested size, a fresh Chromium (a capture restart inside one Chromium is where its crash
    hits most): the camera is listed as "Haikei", opens in the size asked natively (resize mode
    "none": Haikei made the frames at that size), shows the green background, at the frame rate Haikei
    sends.

    The frame rate: a browser must get ≥ 25 fps whenever Haikei sends 30 (what an unloaded CI machine
    does). Haikei's own rate depends on the CPU it gets, and on a shared 2-core machine running a
    browser beside it the engine has made 15-31 fps while the camera path delivered every frame it
    was given; a fixed 25 fps would then fail on the engine's speed, which `haikei bench` measures,
    not on the camera. So the browser's rate is compared with Haikei's own (``--stats``, over the same
    seconds): it must receive ≥ 85 % of it, ≥ 25 fps when that is ≥ 25/0.85, and never < 5 fps; and
    the mode it opened must be the 30 fps one (a 15 fps pick would halve the rate by design).
    """
    assert chromium(), "chromium is not installed (apt install chromium)"
    producer = Producer(
        [
            sys.executable,
            "-m",
            "haikei",
            "run",
            "--output",
            "pipewire",
            "--source",
            str(doctor_video),
            "--background",
            "color:#00ff00",
            "--size",
            "1280x720",
            "--stats",
        ]
    )
    readers = PipeWireReaderWatcher("haikei", pid=producer.process.pid)
    seen: set[tuple[str, ...]] = set()
    reports = []
    try:
        desktop.wait(lambda: producer.alive() and producer.has_node(desktop), "Haikei's node", 60)
        readers.start(lambda: seen.add(readers.readers))
        for width, height in SIZES:
            report = read_once_more_after_a_crash(desktop, width=width, height=height, expect="00ff00")
            assert "error" not in report, report
            reports.append(report)
            # The next browser gets its own mode only once this one's link is gone.
            desktop.wait(lambda: not desktop.links_from("haikei"), "the browser's link to go", 10)
        producer.alive()
        for report in reports:
            desktop.wait(
                lambda: producer.alive() and producer.rates and producer.rates[-1][0] > report["received_at"],  # noqa: B023
                "Haikei's frame rate",
                5,
            )
            report["sent_fps"] = producer.sent_fps(report["received_at"])
    finally:
        readers.stop()
        producer.stop()
    record_property("browser", [{k: r[k] for k in ("width", "fps", "sent_fps", "attempts")} for r in reports])
    print(
        "\n"
        + "\n".join(
            f"Chromium {r['width']}x{r['height']} at {r['frameRate']} fps: received {r['fps']:.1f} fps, "
            f"Haikei sent {r['sent_fps']:.1f}; attempts {r['attempts']}, colour after {r['colourAfter']:.2f} s"
            for r in reports
        )
    )
    for (width, height), report in zip(SIZES, reports):
        assert report["label"] == "Haikei"
        assert (report["width"], report["height"], report["resizeMode"]) == (width, height, "none"), report
        assert report["frameRate"] == 30, report
        assert np.abs(np.array(report["corner"]) - GREEN).max() <= 40, report
        assert report["fps"] >= FLOOR_FPS, report
        assert report["fps"] >= min(WANTED_FPS, DELIVERED_SHARE * report["sent_fps"]), report
    assert ("Chromium",) in seen  # who is watching: the browser, by name
    assert producer.process.returncode == 0, "".join(producer.lines)
