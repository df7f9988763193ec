# `make run` starts the app, `make test` runs the suite; both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIPEWIRE_STAMP := $(VENV)/.installed-pipewire

.PHONY: install run test models translations backgrounds clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/haikei gui

# The PipeWire extra builds PyGObject (system libraries: see .ci/run); without it those tests skip.
$(PIPEWIRE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,pipewire]' && touch $@ \
	  || echo "make: the PipeWire extra did not install (needs libgirepository1.0-dev libcairo2-dev pkg-config); PipeWire tests will be skipped"

test: install $(PIPEWIRE_STAMP)
	$(BIN)/python -m pytest

# Regenerate the ONNX models from the shipped .tflite files with the project's own converter
# (general: spatially dynamic, fed at the frame's aspect ratio; landscape: fixed 256x144).
models: install
	$(BIN)/python -m haikei.tools.tflite2onnx models/selfie_segmentation.tflite models/selfie_segmentation.onnx --dynamic
	$(BIN)/python -m haikei.tools.tflite2onnx models/selfie_segmentation_landscape.tflite models/selfie_segmentation_landscape.onnx

# Compile the UI translations (.ts → .qm) with Qt's lrelease, and regenerate the shipped backgrounds.
translations: install
	$(BIN)/pyside6-lrelease app/haikei/gui/i18n/haikei_ja.ts -qm app/haikei/gui/i18n/haikei_ja.qm

backgrounds: install
	$(BIN)/python -m haikei.tools.make_backgrounds backgrounds

clean:
	rm -rf $(VENV) .pytest_cache app/*.egg-info
