"""``haikei doctor``'s camera portal checks, against a real xdg-desktop-portal (with its gtk backend and
permission store) in a private desktop session: a stored "no" and the exact command that clears it, a
missing backend, a missing portal, and a portal that does not see Haikei's camera (IsCameraPresent)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from haikei.cli.doctor import check_camera_portal
from haikei.outputs import portal
from haikei.settings import Settings


def portal_checks() -> dict[str, object]:
    return {check.name: check for check in check_camera_portal(Settings())}


@pytest.fixture
def session(desktop):
    """The desktop session, put back as it started after each test: portal running with its backend,
    the camera allowed to host apps."""
    yield desktop
    desktop.stop_portal()
    desktop.start_portal()
    desktop.set_camera_permission("yes")


def test_gvariant_replies_read_as_python_values():
    assert portal.parse_gvariant("({'': ['no']}, <byte 0x00>)\n") == ({"": ["no"]}, 0)
    assert portal.parse_gvariant("(<uint32 1>,)") == (1,)
    assert portal.parse_gvariant("(<false>,)") == (False,)
    assert portal.parse_gvariant("(['org.freedesktop.DBus'],)") == (["org.freedesktop.DBus"],)
    assert portal.parse_gvariant("(@as [],)") == ([],)


def test_a_ready_portal_and_the_camera_it_does_not_see(session):
    """xdg-desktop-portal 1.16 counts only the cameras that existed when it started: doctor's probe
    camera, published after it, is not seen; once the portal restarts while Haikei's camera exists, it is."""
    from haikei.outputs.pipewire import PipeWireCameraSink

    checks = portal_checks()
    assert checks["camera portal (browsers)"].ok and "runs" in checks["camera portal (browsers)"].detail
    assert checks["camera portal backend"].ok and "gtk.portal" in checks["camera portal backend"].detail
    assert checks["camera permission (browsers)"].ok
    assert "host apps may use cameras (yes)" in checks["camera permission (browsers)"].detail
    unseen = checks["camera portal sees Haikei"]
    version = portal.portal_version()
    if version >= portal.CAMERA_MONITOR_FIXED:
        pytest.skip(f"xdg-desktop-portal {version} sees cameras that appear later")
    assert not unseen.ok and not unseen.required
    assert "counts only the cameras that existed when it started (fixed in 1.18.3)" in unseen.detail
    assert unseen.fix.startswith(
        "restart the portal once Haikei is running: systemctl --user restart xdg-desktop-portal"
    )
    camera = PipeWireCameraSink((320, 240), 30)  # Haikei runs...
    try:
        assert not session.is_camera_present()
        session.stop_portal()  # ...and the portal restarts, as the fix says
        session.start_portal()
        assert session.is_camera_present()
        assert portal_checks()["camera portal sees Haikei"].ok
    finally:
        camera.close()


def test_a_stored_no_is_found_and_the_given_command_clears_it(session):
    session.set_camera_permission("no")
    refused = portal_checks()["camera permission (browsers)"]
    assert not refused.ok and 'stored "no"' in refused.detail
    reset = refused.fix.removeprefix("forget it: ").split(" (or allow it: ")[0]
    assert reset == portal.RESET_CAMERA_COMMAND
    done = subprocess.run(reset, shell=True, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    cleared = portal_checks()["camera permission (browsers)"]
    assert cleared.ok and "nothing stored yet" in cleared.detail
    grant = refused.fix.split(" (or allow it: ")[1].removesuffix(")")
    assert subprocess.run(grant, shell=True, timeout=30).returncode == 0
    assert portal.camera_permission() == ["yes"]


def test_a_portal_without_a_backend_says_which_package_to_install(session, tmp_path, monkeypatch):
    empty = tmp_path / "portals"
    empty.mkdir()
    session.stop_portal()
    session.start_portal(XDG_DESKTOP_PORTAL_DIR=str(empty))
    monkeypatch.setenv("XDG_DESKTOP_PORTAL_DIR", str(empty))  # where doctor looks too
    checks = portal_checks()
    assert checks["camera portal (browsers)"].ok
    backend = checks["camera portal backend"]
    assert not backend.ok and "no portal backend provides the Access dialog" in backend.detail
    assert "sudo apt install xdg-desktop-portal-gtk" in backend.fix
    assert set(checks) == {"camera portal (browsers)", "camera portal backend"}


def test_a_missing_portal_is_told_apart_from_one_this_session_cannot_start(session, tmp_path, monkeypatch):
    session.stop_portal()  # this bus starts no services: as a session whose bus never heard of the portal
    cannot_start = portal_checks()["camera portal (browsers)"]
    assert not cannot_start.ok and "is installed but this session cannot start it" in cannot_start.detail
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path))  # no service file anywhere: not installed
    missing = portal_checks()
    assert list(missing) == ["camera portal (browsers)"]
    assert "xdg-desktop-portal is not installed" in missing["camera portal (browsers)"].detail
    assert "sudo apt install xdg-desktop-portal xdg-desktop-portal-gtk" in missing["camera portal (browsers)"].fix


def test_doctor_prints_the_reset_command_without_failing_the_default_path(session):
    session.set_camera_permission("no")
    result = subprocess.run(
        [sys.executable, "-m", "haikei", "doctor"], capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    lines = result.stdout.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("PROBLEM camera permission (browsers): "))
    assert lines[index + 1] == f"        fix: forget it: {portal.RESET_CAMERA_COMMAND} (or allow it: " + (
        f"{portal.GRANT_CAMERA_COMMAND})"
    )
    assert "camera permission (browsers) *" not in result.stdout  # not needed by `haikei run`
