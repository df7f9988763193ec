# `make run` starts the app, `make test` runs the suite; both set up .venv on first use, with the exact
# versions of the lock files in requirements/ (`make lock` regenerates them from pyproject's ranges).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_LOCK := requirements/app.txt
DEV_LOCK := requirements/dev.txt
STAMP := $(VENV)/.installed-app
DEV_STAMP := $(VENV)/.installed-dev
PIPEWIRE_STAMP := $(VENV)/.installed-pipewire
TFLITE_STAMP := $(VENV)/.installed-tflite
BUNDLE_STAMP := $(VENV)/.installed-bundle
LATEST := .venv-latest
COMPILE = $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --upgrade

.PHONY: install run test lock check-latest models translations backgrounds clean pipewire tflite bundle test-bundle \
        install-desktop uninstall-desktop desktop-assets

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(APP_LOCK) | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -c $(APP_LOCK) -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(DEV_LOCK) | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -c $(DEV_LOCK) -e '.[dev]'
	touch $@

run: install
	$(BIN)/haikei gui

# The PipeWire extra builds PyGObject when the system has its libraries (see .ci/run); otherwise one line, once,
# names the packages to add, and those tests skip (the camera itself needs only libpipewire, loaded with ctypes).
$(PIPEWIRE_STAMP): $(DEV_STAMP)
	@sh packaging/pipewire-extra.sh $(VENV) $@ -c $(DEV_LOCK) -e '.[dev,pipewire]'

pipewire: $(STAMP)
	@rm -f $(VENV)/.pipewire-extra-told
	@sh packaging/pipewire-extra.sh $(VENV) $(PIPEWIRE_STAMP) -c $(APP_LOCK) -e '.[pipewire]'

# The mediapipe engine for .tflite models (the shipped models also run as ONNX without it; +~205 MiB).
tflite: $(TFLITE_STAMP)
$(TFLITE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(APP_LOCK) -e '.[tflite]'
	touch $@

test: $(DEV_STAMP) $(PIPEWIRE_STAMP)
	$(BIN)/python -m pytest

# Regenerate the lock files: the newest versions pyproject's ranges allow, resolved for this Python.
lock: $(DEV_STAMP)
	$(COMPILE) --extra pipewire --extra tflite -o $(APP_LOCK) pyproject.toml
	$(COMPILE) --extra dev --extra pipewire --extra bundle -o $(DEV_LOCK) pyproject.toml

# Drift caught by us, not by users: a venv of the newest releases pyproject allows (no lock) runs the
# GUI and paint tests; then each package with a known-break bound is lifted to its newest release and
# the test for that break says whether the bound is still needed.
check-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet -e '.[dev]'
	@$(LATEST)/bin/python -c 'import re, sys, importlib.metadata as m; \
	  norm = lambda n: re.sub(r"[-_.]+", "-", n).lower(); \
	  lock = dict(l.split("==") for l in open("$(DEV_LOCK)").read().split("\n") if "==" in l and not l.startswith("#")); \
	  lock = {norm(k): v.split()[0] for k, v in lock.items()}; \
	  new = sorted(f"{d.name} {lock[norm(d.name)]} -> {d.version}" for d in m.distributions() if norm(d.name) in lock and lock[norm(d.name)] != d.version); \
	  print("newer than the lock:", ", ".join(new) or "nothing")'
	$(LATEST)/bin/python -m pytest -q -p no:cacheprovider tests/test_gui_paint.py tests/test_gui.py
	$(LATEST)/bin/python -m pip install --quiet --upgrade PySide6-Essentials
	@$(LATEST)/bin/python -m pytest -q -p no:cacheprovider tests/test_gui_paint.py \
	  && echo "check-latest: the newest PySide6-Essentials passes the paint test: its bound in pyproject.toml can go" \
	  || echo "check-latest: the newest PySide6-Essentials still fails the paint test: keep its bound in pyproject.toml"

# Regenerate the ONNX models from the shipped .tflite files with the project's own converter
# (general: spatially dynamic, fed at the frame's aspect ratio; landscape: fixed 256x144; the face detector for
# touch-up: fixed 128x128).
models: $(DEV_STAMP)
	$(BIN)/python -m haikei.tools.tflite2onnx models/selfie_segmentation.tflite models/selfie_segmentation.onnx --dynamic
	$(BIN)/python -m haikei.tools.tflite2onnx models/selfie_segmentation_landscape.tflite models/selfie_segmentation_landscape.onnx
	$(BIN)/python -m haikei.tools.tflite2onnx models/face_detection_short_range.tflite models/face_detection_short_range.onnx

# Compile the UI translations (.ts → .qm) with Qt's lrelease, and regenerate the shipped backgrounds.
translations: install
	$(BIN)/pyside6-lrelease app/haikei/gui/i18n/haikei_ja.ts -qm app/haikei/gui/i18n/haikei_ja.qm

backgrounds: install
	$(BIN)/python -m haikei.tools.make_backgrounds backgrounds

# The standalone app (PyInstaller, one folder: dist/haikei/haikei; dist/Haikei.app on macOS), with the licences of
# what it redistributes; `make test-bundle` runs its commands in an empty environment (docs/install.md).
$(BUNDLE_STAMP): $(STAMP) $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet -c $(DEV_LOCK) -e '.[bundle]'
	touch $@

bundle: $(BUNDLE_STAMP)
	$(BIN)/python packaging/notices.py --check
	$(BIN)/python packaging/notices.py --collect build/notices
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/pyinstaller/haikei.spec
	$(BIN)/python packaging/notices.py --system-libs dist/haikei

test-bundle: bundle $(DEV_STAMP)
	HAIKEI_BUNDLE=dist/haikei $(BIN)/python -m pytest -p no:cacheprovider tests/test_bundle.py

# The menu entry, icons and AppStream metadata in ~/.local/share, for this user (`uninstall-desktop` removes them).
install-desktop: install
	$(BIN)/python -m haikei.desktop install

uninstall-desktop: install
	$(BIN)/python -m haikei.desktop uninstall

# Regenerate the icon (SVG + PNGs) and the AppStream screenshots (the app's own --screenshot, on VIDEO).
VIDEO ?= ../shared/data/videos/Doctor-26732.mp4
desktop-assets: install
	$(BIN)/python packaging/make_desktop_assets.py icons
	$(BIN)/python packaging/make_desktop_assets.py screenshots $(VIDEO) $(BIN)/haikei

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache app/*.egg-info build dist
