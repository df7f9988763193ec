"""The apps that read an output, named as their users know them ("Chromium", "Zoom"), for the window
and the tray ("in use by Chromium")."""

from __future__ import annotations

import os
from pathlib import Path

#: Program names (lower case) → the app's name; any other program is named as it is.
KNOWN_APPS = {
    "chrome": "Google Chrome",
    "google-chrome": "Google Chrome",
    "chromium": "Chromium",
    "chromium-browser": "Chromium",
    "brave": "Brave",
    "msedge": "Microsoft Edge",
    "microsoft-edge": "Microsoft Edge",
    "vivaldi-bin": "Vivaldi",
    "opera": "Opera",
    "firefox": "Firefox",
    "firefox-esr": "Firefox",
    "firefox-bin": "Firefox",
    "zoom": "Zoom",
    "zoom.real": "Zoom",
    "teams": "Microsoft Teams",
    "teams-for-linux": "Teams for Linux",
    "skypeforlinux": "Skype",
    "obs": "OBS Studio",
    "discord": "Discord",
    "slack": "Slack",
    "cheese": "Cheese",
    "snapshot": "Snapshot",
    "vlc": "VLC",
}


def app_name(program: str) -> str:
    """``/usr/lib/chromium/chromium`` → "Chromium"; an unknown program keeps its file name."""
    base = os.path.basename(program.strip())
    return KNOWN_APPS.get(base.lower(), base)


def process_name(pid: int) -> str:
    """The app a process runs: its command's program (``comm`` is cut at 15 characters), or for a
    Python program its script or module."""
    try:
        argv = [arg.decode(errors="replace") for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
    except OSError:
        argv = []
    if not argv or not argv[0]:
        try:
            return app_name(Path(f"/proc/{pid}/comm").read_text())
        except OSError:
            return f"process {pid}"
    if os.path.basename(argv[0]).startswith("python"):
        for index, arg in enumerate(argv[1:], 1):
            if arg == "-m" and index + 1 < len(argv):
                return argv[index + 1]
            if arg == "-c":
                break
            if arg and not arg.startswith("-"):
                return app_name(arg.removesuffix(".py"))
        return "python"
    return app_name(argv[0])


def sorted_names(names) -> tuple[str, ...]:
    """Each name once (an app often has several processes or links), in alphabetical order."""
    return tuple(sorted({n for n in names if n}, key=str.lower))
