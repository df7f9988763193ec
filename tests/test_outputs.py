"""Every output in the registry keeps the Sink contract; the registry imports a backend only when that
output is opened, and a missing optional dependency disables that output alone, with its own message."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import pyvirtualcam

from haikei.errors import OutputError
from haikei.frames import BGR, I420
from haikei.frames.i420 import to_i420
from haikei.outputs import SINKS, open_sink, output_kind
from haikei.outputs.base import ReaderWatcher
from support.pipewire_session import HIDE_LIBPIPEWIRE

SIZE = (64, 48)
OUTPUTS = [*SINKS, "file"]


@pytest.fixture
def spec_for(request, tmp_path, recording_backend):
    """The ``--output`` spec that opens each kind of output here (a real one where it can run)."""

    def spec(kind: str) -> str:
        if kind == "vcam":  # no v4l2loopback here: pyvirtualcam falls through to the recording backend
            recording_backend.native = pyvirtualcam.camera.encode_fourcc("I420")
            return "vcam"
        if kind == "pipewire":
            request.getfixturevalue("pipewire")  # a private PipeWire session (skips where it cannot run)
            return "pipewire:Haikei contract"
        if kind == "file":
            return str(tmp_path / "out.mkv")
        return kind

    return spec


@pytest.mark.parametrize("kind", OUTPUTS)
def test_every_output_keeps_the_sink_contract(kind, spec_for, tmp_path):
    spec = spec_for(kind)
    assert output_kind(spec) == kind
    picture = np.full((SIZE[1], SIZE[0], 3), (40, 120, 200), np.uint8)
    sink = open_sink(spec, SIZE, 30)
    try:
        assert isinstance(sink.description, str) and sink.description
        assert sink.pixel_format in (BGR, I420)
        assert sink.attached() is sink
        watcher = sink.reader_watcher()
        assert watcher is None or isinstance(watcher, ReaderWatcher)
        for _ in range(3):
            sink.send(picture)  # every sink takes BGR
            if sink.pixel_format == I420:
                sink.send(to_i420(picture))  # and its native format, composed in it
    finally:
        sink.close()
    if kind == "file":
        assert (tmp_path / "out.mkv").stat().st_size > 0


REFUSED = {
    "vcam": ("vcam:/dev/video9", "virtual camera device /dev/video9 not found"),
    "pipewire": ("pipewire", "PipeWire is not running"),
    "file": ("{tmp}/missing/out.mkv", "output folder"),
}


@pytest.mark.parametrize("kind", [kind for kind in OUTPUTS if kind in REFUSED])
def test_an_output_that_cannot_open_says_why_and_what_to_do(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("PIPEWIRE_RUNTIME_DIR", str(tmp_path / "no-pipewire"))
    spec, message = REFUSED[kind]
    with pytest.raises(OutputError) as refused:
        open_sink(spec.format(tmp=tmp_path), SIZE, 30)
    assert message in refused.value.message
    if kind != "file":
        assert refused.value.fix


def test_every_output_kind_can_be_refused_or_cannot_fail():
    assert set(OUTPUTS) == set(REFUSED) | {"none"}  # a new output gets its refusal checked above


REGISTRY_PROBE = """
import json, sys
for name in sys.argv[1:]:
    if name == "libpipewire":
        exec(HIDE_LIBPIPEWIRE)
    sys.modules[name] = None  # as if not installed
import haikei.outputs
loaded = sorted(m for m in sys.modules if m.startswith("haikei.outputs."))
results = {}
for spec in ("none", "vcam", "pipewire"):
    try:
        haikei.outputs.open_sink(spec, (64, 48), 30).close()
        results[spec] = "opened"
    except Exception as exc:
        results[spec] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"loaded_before_use": loaded, "results": results}))
"""


def probe(*missing: str) -> dict:
    env = {**os.environ, "PIPEWIRE_RUNTIME_DIR": "/nonexistent"}
    code = f"HIDE_LIBPIPEWIRE = {HIDE_LIBPIPEWIRE!r}\n{REGISTRY_PROBE}"
    result = subprocess.run(
        [sys.executable, "-c", code, *missing], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_registry_imports_no_backend_until_one_is_opened():
    assert probe()["loaded_before_use"] == []


def test_a_missing_dependency_disables_only_its_output():
    without_libpipewire = probe("libpipewire")["results"]
    assert without_libpipewire["none"] == "opened"
    assert without_libpipewire["pipewire"].startswith("OutputError: the PipeWire camera needs libpipewire-0.3, ")
    assert probe("gi")["results"]["pipewire"].startswith("OutputError: PipeWire is not running")  # no PyGObject needed
    without_pyvirtualcam = probe("pyvirtualcam")["results"]
    assert without_pyvirtualcam["none"] == "opened"
    assert without_pyvirtualcam["vcam"] == (
        "OutputError: the vcam output cannot be used: pyvirtualcam is not installed; pip install pyvirtualcam"
    )
