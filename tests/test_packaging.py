"""Haikei installed like real software: the sdist and the wheel carry the models, backgrounds and translations,
and the wheel, installed into a fresh venv outside the checkout, works from another folder."""

from __future__ import annotations

import hashlib
import json
import tarfile
import zipfile
from pathlib import Path

import cv2
import pytest

from support.installed import (
    REPO,
    build_dists,
    copy_project,
    desktop_env,
    fresh_venv,
    project_files,
    run,
    site_packages_of,
)

SHIPPED = {
    folder: sorted(p for p in project_files() if p.parent == REPO / folder and p.name != ".gitkeep")
    for folder in ("models", "backgrounds")
}
TRANSLATIONS = sorted(p for p in project_files() if p.suffix == ".qm")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("dists")
    return build_dists(copy_project(tmp / "src"), tmp / "dist")


@pytest.fixture(scope="module")
def venv_bin(dists, tmp_path_factory) -> Path:
    return fresh_venv(tmp_path_factory.mktemp("installed") / "venv", dists[1])


@pytest.fixture
def elsewhere(tmp_path) -> tuple[Path, dict[str, str]]:
    """An empty working folder and a bare environment with a fresh HOME."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    return cwd, desktop_env(tmp_path / "home")


def test_the_data_folders_are_not_empty():
    assert len(SHIPPED["models"]) >= 8 and len(SHIPPED["backgrounds"]) >= 5 and TRANSLATIONS


def test_wheel_carries_models_backgrounds_and_translations_byte_for_byte(dists):
    with zipfile.ZipFile(dists[1]) as wheel:
        inside = {name: sha256(wheel.read(name)) for name in wheel.namelist()}
    for folder, files in SHIPPED.items():
        for path in files:
            assert inside.get(f"haikei/data/{folder}/{path.name}") == sha256(path.read_bytes()), path
    for path in TRANSLATIONS:
        assert inside.get(path.relative_to(REPO / "app").as_posix()) == sha256(path.read_bytes()), path


def test_sdist_carries_the_data_at_the_repository_layout(dists):
    with tarfile.open(dists[0]) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        inside = {m.name.removeprefix(top + "/") for m in sdist.getmembers() if m.isfile()}
    expected = {p.relative_to(REPO).as_posix() for files in SHIPPED.values() for p in files}
    expected |= {p.relative_to(REPO).as_posix() for p in TRANSLATIONS}
    expected |= {"setup.py", "pyproject.toml", "app/haikei/gui/i18n/haikei_ja.ts"}
    assert expected <= inside, sorted(expected - inside)


def test_installed_haikei_is_the_wheel_not_the_checkout(venv_bin, elsewhere):
    cwd, env = elsewhere
    probe = "import haikei, haikei.paths as p; print(haikei.__file__); print(p.data_root())"
    result = run([venv_bin / "python", "-c", probe], cwd, env)
    assert result.returncode == 0, result.stderr
    module, data_root = (Path(line) for line in result.stdout.split())
    site = site_packages_of(venv_bin)
    assert module.is_relative_to(site) and data_root == site / "haikei" / "data"
    assert not module.is_relative_to(REPO)


def test_installed_models_are_listed_and_verified(venv_bin, elsewhere):
    cwd, env = elsewhere
    result = run([venv_bin / "haikei", "models", "--json"], cwd, env)
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    manifests = [json.loads(p.read_text()) for p in SHIPPED["models"] if p.suffix == ".json"]
    # the face detector's manifest is not a segmentation model's
    manifests = {m["name"] for m in manifests if m.get("kind", "segmentation") == "segmentation"}
    assert {m["name"] for m in listing["models"]} == manifests and listing["problems"] == []
    assert all(m["verified"] for m in listing["models"])
    assert all(Path(m["file"]).is_relative_to(site_packages_of(venv_bin)) for m in listing["models"])


@pytest.mark.parametrize("model", ["selfie-landscape", "selfie-general"])
def test_installed_process_writes_the_frames_asked_for(venv_bin, elsewhere, doctor_video, model):
    cwd, env = elsewhere
    result = run(
        [
            venv_bin / "haikei",
            "process",
            doctor_video,
            "out.mp4",
            "--frames",
            "6",
            "--model",
            model,
            "--background",
            "blur:30",
            "--no-progress",
        ],
        cwd,
        env,
    )
    assert result.returncode == 0, result.stderr
    capture = cv2.VideoCapture(str(cwd / "out.mp4"))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 6
    capture.release()


def test_without_the_tflite_extra_a_tflite_model_is_one_clear_error(venv_bin, elsewhere, doctor_video):
    cwd, env = elsewhere
    (cwd / "out.mp4").write_bytes(b"the user's file")
    result = run(
        [
            venv_bin / "haikei",
            "process",
            doctor_video,
            "out.mp4",
            "--frames",
            "3",
            "--model",
            "selfie-landscape-tflite",
            "--no-progress",
            "--overwrite",
        ],
        cwd,
        env,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "haikei: error: model 'selfie-landscape-tflite' needs mediapipe, which this installation of Haikei leaves "
        "out; choose another model (see `haikei models`), or install mediapipe into Haikei's Python environment: "
        "pip install mediapipe"
    ]
    assert (cwd / "out.mp4").read_bytes() == b"the user's file"


def test_installed_run_sends_frames_headless(venv_bin, elsewhere, doctor_video):
    cwd, env = elsewhere
    result = run(
        [
            venv_bin / "haikei",
            "run",
            "--source",
            doctor_video,
            "--output",
            "none",
            "--frames",
            "5",
            "--no-idle-when-unwatched",
        ],
        cwd,
        env,
    )
    assert result.returncode == 0, result.stderr
    assert "5 frames sent" in result.stderr


def test_installed_wheel_puts_itself_in_the_app_menu(venv_bin, elsewhere):
    cwd, env = elsewhere
    result = run([venv_bin / "python", "-m", "haikei.desktop", "install"], cwd, env)
    assert result.returncode == 0, result.stderr
    entry = Path(env["HOME"]) / ".local" / "share" / "applications" / "io.github.haikei.Haikei.desktop"
    assert str(entry) in result.stdout.splitlines()
    keys = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line)
    assert keys["Exec"] == f"{venv_bin / 'haikei'} gui" and keys["TryExec"] == str(venv_bin / "haikei")
    assert (Path(env["HOME"]) / ".local/share/icons/hicolor/48x48/apps/io.github.haikei.Haikei.png").is_file()


def test_data_dir_variable_points_haikei_at_other_shipped_data(tmp_path, monkeypatch):
    from haikei import paths
    from haikei.segment.catalog import load_catalog

    assert paths.data_root() == REPO  # a checkout (editable install): the repository's own folders
    (tmp_path / "models").mkdir()
    for name in ("selfie-landscape.json", "selfie_segmentation_landscape.onnx"):
        (tmp_path / "models" / name).write_bytes((REPO / "models" / name).read_bytes())
    monkeypatch.setenv("HAIKEI_DATA_DIR", str(tmp_path))
    assert paths.shipped_backgrounds_dir() == tmp_path / "backgrounds"
    catalog = load_catalog([paths.shipped_models_dir()])
    assert list(catalog.models) == ["selfie-landscape"] and catalog.models["selfie-landscape"].verified()
