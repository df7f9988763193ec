#!/bin/sh
# Install the PipeWire extra (PyGObject, built from source, for the tests' GStreamer client of the camera) into VENV when the system has what the build
# needs; otherwise print one line naming the Debian/Ubuntu packages to add, once per venv, and leave the
# PipeWire tests to skip. pip's build log goes to VENV/pipewire-extra.log, never to the terminal.
#   usage: packaging/pipewire-extra.sh VENV STAMP PIP-INSTALL-ARGS...   (the Makefile's PipeWire stamp rule)
set -u
venv=$1 stamp=$2
shift 2
told="$venv/.pipewire-extra-told"
python="$venv/bin/python"

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
if command -v pkg-config >/dev/null 2>&1; then
  pkg-config --exists gobject-introspection-1.0 || missing="$missing libgirepository1.0-dev"
  pkg-config --exists cairo || missing="$missing libcairo2-dev"
fi
include=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
[ -f "$include/Python.h" ] || missing="$missing python3-dev"
command -v "${CC:-cc}" >/dev/null 2>&1 || missing="$missing gcc"

if [ -n "$missing" ]; then
  if [ ! -e "$told" ]; then
    echo "make: the PipeWire tests' extra (PyGObject) needs system packages (Debian/Ubuntu: sudo apt install$missing); its tests skip until then"
    : >"$told"
  fi
  exit 0
fi
if "$python" -m pip install --quiet "$@" >"$venv/pipewire-extra.log" 2>&1; then
  rm -f "$told"
  touch "$stamp"
else
  echo "make: the PipeWire tests' extra (PyGObject) did not build (log: $venv/pipewire-extra.log); its tests skip"
fi
