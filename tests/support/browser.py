"""A real browser as a test client: headless Chromium opens camera_check.html, served on 127.0.0.1,
which reads the camera through the portal and POSTs what it found (no browser driver needed).

Chromium runs in the test's desktop session (:class:`~support.pipewire_session.PipeWireSession`) with
PipeWire camera support on. ``--use-fake-ui-for-media-stream`` only answers Chromium's own permission
prompt: the camera is the real PipeWire node, reached through the real portal.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from support.pipewire_session import PipeWireSession, die_with_parent

PAGE = Path(__file__).with_name("camera_check.html")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-quic",
    "--password-store=basic",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-ui-for-media-stream",
    "--enable-features=WebRtcPipeWireCamera",
    "--enable-logging=stderr",
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class BrowserCrashed(RuntimeError):
    """Chromium's own code aborted (its log has a FATAL line)."""


class ReportServer:
    """Serves the page on 127.0.0.1 and keeps the report it POSTs."""

    def __init__(self) -> None:
        self.report: dict | None = None
        self.received = threading.Event()
        page = PAGE.read_bytes()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path.split("?")[0] == "/"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page) if found else 0))
                self.end_headers()
                if found:
                    self.wfile.write(page)

            def do_POST(self) -> None:
                server.report = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.received_at = time.monotonic()
                server.received.set()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.received_at = 0.0
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, **query) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/?{urlencode(query)}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def process_group(pgid: int) -> list[int]:
    """The processes in group ``pgid`` (Chromium's renderer, zygote and utility processes)."""
    members = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    members.append(int(entry.name))
            except ProcessLookupError:
                continue
    return members


def stop_browser(browser: subprocess.Popen) -> None:
    """TERM the browser by its PID (KILL after 10 s), then KILL by PID whatever is left of its group."""
    if browser.poll() is None:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
    kill_group(browser.pid)


def kill_group(pgid: int) -> None:
    """KILL, each by its PID, the processes left in group ``pgid`` (every test child leads its own group)."""
    for pid in process_group(pgid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def open_camera_page(session: PipeWireSession, timeout: float = 60.0, **query) -> dict:
    """Run Chromium on the page until it reports; the report, with ``received_at`` (monotonic) added.
    Raises :class:`BrowserCrashed` if Chromium aborts first, ``TimeoutError`` if it never reports."""
    server = ReportServer()
    profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=session.root))
    log_path = session.root / f"chromium-{time.monotonic_ns()}.log"
    with open(log_path, "wb") as log:
        browser = subprocess.Popen(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", server.url(**query)],
            env={**os.environ, **session.client_env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=die_with_parent,
        )
    try:
        deadline = time.monotonic() + timeout
        while not server.received.wait(0.25):
            fatal = [line for line in log_path.read_text(errors="replace").splitlines() if ":FATAL:" in line]
            if fatal:
                raise BrowserCrashed(fatal[0])
            if browser.poll() is not None:
                raise RuntimeError(f"Chromium ended ({browser.returncode}) before the page reported (log: {log_path})")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page reported nothing within {timeout:g} s (log: {log_path})")
        return {**server.report, "received_at": server.received_at}
    finally:
        stop_browser(browser)
        server.close()
        shutil.rmtree(profile, ignore_errors=True)
