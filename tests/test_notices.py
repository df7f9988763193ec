"""The third-party notices stay true to what the bundle redistributes (packaging/notices.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTICES = REPO / "packaging" / "notices.py"


def test_notices_match_the_installed_runtime_distributions():
    result = subprocess.run([sys.executable, str(NOTICES), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_collect_gives_each_component_its_licence_texts(tmp_path):
    subprocess.run([sys.executable, str(NOTICES), "--collect", str(tmp_path / "n")], check=True)
    licences = tmp_path / "n" / "licenses"
    for name, text in [
        ("pyside6-essentials", "GNU LESSER GENERAL PUBLIC LICENSE"),
        ("onnxruntime", "MIT License"),
        ("opencv-contrib-python", "FFmpeg"),
        ("pyvirtualcam", "GNU GENERAL PUBLIC LICENSE"),
        ("av", "GNU GENERAL PUBLIC LICENSE"),
        ("models", "Apache License"),
        ("python", "PYTHON SOFTWARE FOUNDATION"),
    ]:
        assert any(text in p.read_text(errors="replace") for p in (licences / name).iterdir()), name
    notices = (tmp_path / "n" / "THIRD-PARTY-NOTICES.md").read_text()
    assert notices == (REPO / "packaging" / "THIRD-PARTY-NOTICES.md").read_text()
