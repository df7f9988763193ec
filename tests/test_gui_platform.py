"""A fresh system: the README's apt line provides every library the window loads (checked on Debian
with dpkg and apt), and where Qt cannot open a window the user gets one line that names the cause,
from ``haikei gui`` and from ``haikei doctor``, with or without a display, before Qt is loaded."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from haikei.gui import platform

needs_debian = pytest.mark.skipif(not (shutil.which("dpkg") and shutil.which("apt-cache") and shutil.which("ldd")),
                                  reason="dpkg, apt-cache and ldd answer which packages provide a library (Debian)")


def readme_apt_line() -> list[str]:
    """The packages of the README's "needs" apt line for the window."""
    text = (REPO / "README.md").read_text()
    line = next(line for line in text.splitlines() if "libxcb-icccm4" in line and "apt install" in line)
    return re.sub(r".*apt install", "", line).strip(" `").split()


def loaded_libraries() -> set[Path]:
    """The system libraries (outside the wheels) that Qt's X11 plugin, Qt, OpenCV and onnxruntime load."""
    import cv2
    import onnxruntime
    import PySide6

    qt = Path(PySide6.__file__).parent
    binaries = [platform.platform_plugin("xcb"), *qt.glob("QtWidgets*.so"), *qt.glob("Qt/plugins/xcbglintegrations/*.so"),
                *Path(cv2.__file__).parent.glob("cv2*.so"), *Path(onnxruntime.__file__).parent.glob("capi/*.so")]
    found = set()
    for binary in binaries:
        listing = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
        assert "not found" not in listing, listing
        found |= {Path(path) for path in re.findall(r"=> (/\S+)", listing) if "site-packages" not in path}
    return found


def providing_package(library: Path) -> str:
    for candidate in (library.resolve(), library, Path("/usr") / library.relative_to("/")):
        query = subprocess.run(["dpkg", "-S", str(candidate)], capture_output=True, text=True)
        if query.returncode == 0:
            return query.stdout.split(":")[0]
    raise AssertionError(f"no package provides {library}")


@needs_debian
def test_the_readme_apt_line_provides_every_library_the_window_loads():
    assert readme_apt_line() == platform.APT_PACKAGES.split()  # the README says what the code advises
    closure = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                              "--no-breaks", "--no-replaces", "--no-enhances", *readme_apt_line()],
                             capture_output=True, text=True, check=True).stdout
    installed_by_the_line = {line.strip() for line in closure.splitlines() if not line.startswith(" ")}
    needed = {providing_package(library): library.name for library in loaded_libraries()}
    missing = {package: library for package, library in needed.items() if package not in installed_by_the_line}
    assert not missing, f"the README's apt line does not install {missing}"
    for library, package in platform.PACKAGES.items():  # the fix names the right package for each library
        if library in {lib.name for lib in loaded_libraries()}:
            assert needed.get(package) is not None, (library, package)


def plugin_missing_a_library(folder: Path) -> Path:
    """A PySide6 folder whose X11 platform plugin links a library the loader cannot find (built, then removed)."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc builds the stand-in plugin")
    platforms = folder / "PySide6" / "Qt" / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (folder / "PySide6" / "__init__.py").write_text("")
    source = folder / "empty.c"
    source.write_text("int haikei_probe(void) { return 0; }\n")
    absent = folder / "libhaikei-absent.so.1"
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libhaikei-absent.so.1", "-o", str(absent), str(source)], check=True)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(platforms / "libqxcb.so"), str(source), "-Wl,--no-as-needed", str(absent)],
                   check=True)
    absent.unlink()
    return folder


def run_haikei(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "haikei", *args], capture_output=True, text=True, env=env, timeout=120)


def environment(pythonpath: Path | None = None, **values: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), str(REPO / "app")])
    return {**env, **values}


def test_the_missing_library_is_named_in_one_line(tmp_path):
    fake_qt = plugin_missing_a_library(tmp_path)
    run = run_haikei("gui", env=environment(fake_qt, DISPLAY=":99"))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert "libhaikei-absent.so.1 is missing" in run.stderr and "haikei doctor" in run.stderr, run.stderr


def test_doctor_names_the_missing_library_with_or_without_a_display(tmp_path):
    fake_qt = plugin_missing_a_library(tmp_path)
    for env in (environment(fake_qt, DISPLAY=":99"), environment(fake_qt)):
        run = run_haikei("doctor", "--json", env=env)
        qt = next(c for c in json.loads(run.stdout)["checks"] if c["name"] == "Qt platform plugin")
        assert not qt["ok"] and "libhaikei-absent.so.1 is missing" in qt["detail"], qt
        assert "apt-file search libhaikei-absent.so.1" in qt["fix"], qt


def test_a_known_library_is_fixed_by_its_package():
    fix = platform.install_fix("libxcb-icccm.so.4")
    assert fix.startswith("sudo apt install libxcb-icccm4 ") and platform.APT_PACKAGES in fix


def test_no_display_is_one_line_not_a_qt_abort():
    run = run_haikei("gui", env=environment())
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "no display" in run.stderr and "haikei doctor" in run.stderr, run.stderr


def test_opencv_no_longer_points_qt_at_its_own_plugins():
    import cv2  # noqa: F401  (its import sets the variables)

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM_PLUGIN_PATH", str(Path(cv2.__file__).parent / "qt" / "plugins"))
    env["QT_QPA_FONTDIR"] = str(Path(cv2.__file__).parent / "qt" / "fonts")
    platform.clean_environment(env)
    assert "QT_QPA_PLATFORM_PLUGIN_PATH" not in env and "QT_QPA_FONTDIR" not in env
    mine = {"QT_QPA_PLATFORM_PLUGIN_PATH": "/opt/my-qt/plugins"}
    platform.clean_environment(mine)
    assert mine == {"QT_QPA_PLATFORM_PLUGIN_PATH": "/opt/my-qt/plugins"}  # a user's own setting stays
