"""Model files cannot hang or exhaust Haikei: only regular files are read, sizes are checked before
reading or hashing, and a hostile user manifest (Infinity, NaN, deep nesting, a negative channel, a
std that is not above 0) is one problem line naming the file while every other model still loads.

The FIFO cases run a real ``haikei`` subprocess (with a timeout: a hang fails, it does not block)."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haikei.errors import ModelError
from haikei.segment.catalog import MAX_MODEL_BYTES, load_catalog, parse_manifest
from support.media import sha

SHIPPED = ("selfie-general", "selfie-landscape", "selfie-general-tflite", "selfie-landscape-tflite")


@pytest.fixture
def user_models(private_home) -> Path:
    folder = private_home / "data" / "haikei" / "models"
    folder.mkdir(parents=True)
    return folder


def copy_shipped(folder: Path, **edits) -> tuple[Path, dict]:
    """A user copy of the landscape model named "copy", with ``edits`` applied to its manifest."""
    shipped = load_catalog().get("selfie-landscape")
    shutil.copy(shipped.file, folder / shipped.file.name)
    manifest = json.loads(shipped.manifest_path.read_text())
    manifest["name"] = "copy"
    for key, value in edits.items():
        *parents, last = key.split(".")
        node = manifest
        for parent in parents:
            node = node[parent]
        node[last] = value
    path = folder / "copy.json"
    path.write_text(json.dumps(manifest))
    return path, manifest


def haikei(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "haikei", *args], capture_output=True, text=True, timeout=timeout, env=os.environ
    )


def problem_for(path: Path) -> str:
    catalog = load_catalog()
    assert set(SHIPPED) <= set(catalog.models)  # the others still load
    assert "copy" not in catalog.models
    (problem,) = [p for p in catalog.problems if str(path) in p]
    return problem


@pytest.mark.parametrize(
    "text, why",
    [
        ('{"name": "copy", "input": {"width": Infinity}}', "Infinity is not a number Haikei takes"),
        ('{"name": "copy", "input": {"width": NaN}}', "NaN is not a number Haikei takes"),
        ('{"name": "copy", "input": {"width": 1e999}}', "1e999 is not a number Haikei takes"),
        ('{"name": ' + "[" * 100_000, "it is nested too deeply"),
        ('{"name": "copy"' + " " * (300 << 10) + "}", "it is too large (307,216 bytes; at most 262,144)"),
        (b'{"name": "\x80"}', "'utf-8' codec can't decode byte 0x80"),
    ],
    ids=["Infinity", "NaN", "overflow", "deep", "huge", "not-utf8"],
)
def test_a_hostile_manifest_is_one_problem_naming_the_file(user_models, text, why):
    path = user_models / "copy.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    before = sha(path)
    how = "cannot be read" if why.startswith("it is too large") else "is not readable JSON"
    assert problem_for(path).startswith(f"model manifest {path} {how}: {why}")
    assert sha(path) == before


@pytest.mark.parametrize(
    "edits, why",
    [
        ({"output.channel": -1}, "output.channel must be a whole number from 0 to 1023, not -1"),
        ({"output.channel": 10**12}, "output.channel must be a whole number from 0 to 1023"),
        ({"output.channel": 0.5}, "output.channel must be a whole number from 0 to 1023, not 0.5"),
        ({"input.normalization.std": [1, -1, 1]}, "normalization std must be above 0, not [1.0, -1.0, 1.0]"),
        ({"input.normalization.std": 0}, "normalization std must be above 0"),
        ({"input.normalization.std": ["nan", 1, 1]}, "normalization std must be numbers, not 'nan'"),
        ({"input.normalization.mean": [10**400, 0, 0]}, "normalization mean must be numbers, not 1" + "0" * 19 + "…"),
        ({"input.width": 10**400}, "input.width must be a whole number from 8 to 4096"),
        ({"input.height": "256"}, "input.height must be a whole number from 8 to 4096, not '256'"),
        ({"input.width": True}, "input.width must be a whole number from 8 to 4096, not True"),
    ],
    ids=["negative-channel", "huge-channel", "fractional-channel", "negative-std", "zero-std", "nan-std",
         "infinite-mean", "huge-width", "text-height", "bool-width"],
)  # fmt: skip
def test_a_manifest_with_numbers_out_of_range_is_one_problem_naming_the_file(user_models, edits, why):
    path, _ = copy_shipped(user_models, **edits)
    assert problem_for(path).startswith(f"model manifest {path} is invalid: {why}")


def test_a_manifest_that_is_a_fifo_is_a_problem_not_a_hang(user_models):
    copy_shipped(user_models, name="mine")  # a good user model beside it still loads
    fifo = user_models / "fifo.json"
    os.mkfifo(fifo)
    result = haikei("models")  # used to wait forever for a writer
    assert result.returncode == 0
    assert f"haikei: warning: model manifest {fifo} cannot be read: it is not a regular file" in (
        result.stderr.splitlines()
    )
    assert "mine" in result.stdout and all(name in result.stdout for name in SHIPPED)
    doctor = haikei("doctor", "--json")
    checks = json.loads(doctor.stdout)
    assert any(f"model manifest {fifo} cannot be read" in (c.get("detail") or "") for c in checks["checks"])


@pytest.mark.parametrize("kind", ["fifo", "device", "huge", "folder"])
def test_a_model_file_that_is_not_a_small_regular_file_is_refused_before_reading(user_models, kind):
    path, manifest = copy_shipped(user_models)
    model = user_models / "model.onnx"
    if kind == "fifo":
        os.mkfifo(model)
    elif kind == "device":
        model.symlink_to("/dev/zero")  # used to read until MemoryError
    elif kind == "huge":
        with model.open("wb") as handle:  # sparse: takes no disk
            handle.truncate(MAX_MODEL_BYTES + 1)
    else:
        model.mkdir()
    manifest["file"] = model.name
    path.write_text(json.dumps(manifest))
    loaded = parse_manifest(path)
    why = {
        "fifo": "it is not a regular file",
        "device": "it is not a regular file",
        "huge": f"it is too large ({MAX_MODEL_BYTES + 1:,} bytes; at most {MAX_MODEL_BYTES:,})",
        "folder": "it is a folder",
    }[kind]
    with pytest.raises(ModelError, match="cannot read") as caught:
        loaded.read_verified()
    assert str(caught.value).startswith(f"model 'copy': cannot read {model}: {why}")
    assert not loaded.verified()
    if kind == "fifo":  # the commands that hash every model: no hang, the model marked unverified
        result = haikei("models", "--json")
        assert result.returncode == 0
        rows = {row["name"]: row["verified"] for row in json.loads(result.stdout)["models"]}
        assert rows["copy"] is False and all(rows[name] for name in SHIPPED)


@pytest.mark.parametrize("kind", ["fifo", "huge"])
def test_the_face_detectors_file_is_refused_the_same_way(tmp_path, kind):
    """The face detector (touch-up) reads its file through the same checks: a FIFO or an oversized
    file is one problem line, not a hang or a read of a gigabyte."""
    from haikei.segment.faces import FaceModel

    shipped = FaceModel.shipped()
    model = tmp_path / "face.onnx"
    if kind == "fifo":
        os.mkfifo(model)
    else:
        with model.open("wb") as handle:
            handle.truncate(MAX_MODEL_BYTES + 1)
    why = "it is not a regular file" if kind == "fifo" else "it is too large"
    with pytest.raises(ModelError, match=f"face detector: cannot read {model}: {why}"):
        FaceModel(shipped.name, model, shipped.sha256, shipped.size).read_verified()
    assert len(FaceModel(shipped.name, shipped.file, shipped.sha256, shipped.size).read_verified()) > 0


NUMBERS = (
    st.integers(min_value=-(10**30), max_value=10**30)
    | st.integers(min_value=10**300, max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.text(max_size=5)
)
FIELDS = (
    "input.width",
    "input.height",
    "input.normalization.mean.0",
    "input.normalization.std.1",
    "input.normalization.std",
    "output.channel",
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_number_anywhere_loads_a_sane_model_or_is_one_problem(tmp_path, data):
    shipped = load_catalog().get("selfie-landscape")
    manifest = json.loads(shipped.manifest_path.read_text())
    manifest["file"] = str(shipped.file)
    for key in data.draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
        *parents, last = key.split(".")
        node = manifest
        for parent in parents:
            node = node[int(parent)] if isinstance(node, list) else node[parent]
        value = data.draw(NUMBERS)
        if isinstance(node, list):
            node[int(last)] = value
        elif isinstance(node, dict):
            node[last] = value
        # else: a whole list was replaced by a number before: nothing left to put this one in
    path = tmp_path / "any.json"
    path.write_text(json.dumps(manifest))  # NaN and Infinity written as JSON's extensions
    try:
        loaded = parse_manifest(path)
    except ModelError as exc:
        assert str(exc).startswith(f"model manifest {path} ") and "\n" not in str(exc)
        return
    numbers = [*loaded.mean, *loaded.std]
    assert all(math.isfinite(n) for n in numbers) and all(s > 0 for s in loaded.std)
    assert 0 <= loaded.output.channel <= 1023
    assert 8 <= loaded.input_width <= 4096 and 8 <= loaded.input_height <= 4096
