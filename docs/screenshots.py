"""Make the README's pictures of the window with the app's own ``haikei gui --screenshot``, under Xvfb:
English and Japanese, the Output panel in both states (no virtual camera on this machine: the way out;
the PipeWire camera, published in a private PipeWire session: ready).

    python docs/screenshots.py VIDEO [DISPLAY]     # docs/window-{en,ja}-{missing,ready}.png

Each run has a fresh HOME (default settings, no timing overlay), a 1280x800 window and a Japanese
font for the Japanese ones (``fonts-noto-cjk``). Needs Xvfb, and pipewire + wireplumber + PyGObject for
the ready state.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))

LANGUAGES = {"en": "en_US.UTF-8", "ja": "ja_JP.UTF-8"}
#: state: the output it sends to
STATES = {"missing": "vcam", "ready": "pipewire"}


def shoot(video: Path, display: str, language: str, output: str, png: Path, extra_env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as home:
        config = Path(home) / ".config" / "haikei"
        config.mkdir(parents=True)
        (config / "gui.json").write_text('{"show_stats": false}\n', encoding="utf-8")
        env = {
            **os.environ,
            **extra_env,
            "HOME": home,
            "XDG_CONFIG_HOME": f"{home}/.config",
            "XDG_DATA_HOME": f"{home}/.local/share",
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "LANG": LANGUAGES[language],
            "LANGUAGE": language,
            "LC_ALL": LANGUAGES[language],
        }
        argv = [sys.executable, "-m", "haikei", "gui", "--source", str(video), "--output", output]
        argv += ["--frames", "90", "--window-size", "1280x800", "--screenshot", str(png)]
        subprocess.run(argv, env=env, check=True, timeout=300)
    print(png)


def main(video: Path, display: str = ":93") -> None:
    from support.pipewire_session import PipeWireSession

    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1400x900x24", "-nolisten", "tcp"])
    session = None
    try:
        time.sleep(1.5)
        with tempfile.TemporaryDirectory() as root:
            session = PipeWireSession(Path(root)).start()
            for language in LANGUAGES:
                for state, output in STATES.items():
                    png = DOCS / f"window-{language}-{state}.png"
                    shoot(video, display, language, output, png, session.client_env if state == "ready" else {})
            session.stop()
    finally:
        if session is not None:
            session.stop()
        xvfb.terminate()
        xvfb.wait(10)


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:3])
