"""The Makefile's PipeWire step: without the system libraries PyGObject's build needs, one line names the packages to
add, once, and pip is not run (no build log on every `make test`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "packaging" / "pipewire-extra.sh"


def fake_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    return venv


def run_step(venv: Path, **env: str) -> subprocess.CompletedProcess:
    stamp = venv / ".installed-pipewire"
    return subprocess.run(
        ["/bin/sh", str(SCRIPT), str(venv), str(stamp), "-e", ".[pipewire]"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_missing_libraries_are_named_in_one_line_once(tmp_path):
    venv = fake_venv(tmp_path)
    no_pc_files = {"PKG_CONFIG_LIBDIR": str(tmp_path / "none"), "PKG_CONFIG_PATH": ""}
    first = run_step(venv, **no_pc_files)
    assert first.returncode == 0 and first.stderr == ""
    assert first.stdout.splitlines() == [
        "make: the PipeWire tests' extra (PyGObject) needs system packages (Debian/Ubuntu: sudo apt install "
        "libgirepository1.0-dev libcairo2-dev); its tests skip until then"
    ]
    again = run_step(venv, **no_pc_files)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""
    assert not (venv / ".installed-pipewire").exists() and not (venv / "pipewire-extra.log").exists()


def test_without_pkg_config_or_compiler_those_are_named(tmp_path):
    venv = fake_venv(tmp_path)
    result = run_step(venv, PATH=str(tmp_path / "empty-bin"))
    assert result.stdout.startswith(
        "make: the PipeWire tests' extra (PyGObject) needs system packages (Debian/Ubuntu: sudo apt install pkg-config"
    )
    assert result.stdout.count("\n") == 1 and " gcc)" in result.stdout
