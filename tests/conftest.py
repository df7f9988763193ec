"""Fixtures: a private home for config and user models (every test), the Doctor video, pyvirtualcam
with a recording backend, a private PipeWire session. Helpers live in tests/support/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.data import DOCTOR_VIDEO, need_shared
from support.pipewire_session import desktop, pipewire  # noqa: F401 - the private session fixtures

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch):
    """Config and user data go to a fresh folder: tests never read or write the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    return home


@pytest.fixture(scope="session")
def doctor_video() -> Path:
    return need_shared(DOCTOR_VIDEO)


@pytest.fixture
def recording_backend():
    """pyvirtualcam with a backend that records what it is sent (tried after the real ones)."""
    import pyvirtualcam
    from pyvirtualcam.camera import BACKENDS

    from support.vcam import RecordingBackend

    pyvirtualcam.register_backend("recording", RecordingBackend)
    yield RecordingBackend
    BACKENDS.pop("recording", None)
    RecordingBackend.native = None
    RecordingBackend.last = None
