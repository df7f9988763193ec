"""The Output panel: where the picture goes (the virtual camera and its device, the PipeWire camera on
Linux, or nowhere), what is happening there in words ("Zoom is using the camera"), and, when it does
not work, two sentences, the command that fixes it (to copy, never to read as text) and, on Linux, the
PipeWire camera as the way round a missing kernel module.

:class:`OutputState` is what the controller knows about the output; :func:`describe` turns it into the
panel's words, every one of them translated.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from haikei.errors import OutputError
from haikei.gui.i18n import tr
from haikei.outputs import output_kind

LINUX = sys.platform.startswith("linux")
#: What the panel copies to load a virtual camera on Debian/Ubuntu (the README's and doctor's line).
V4L2LOOPBACK_COMMAND = (
    'sudo apt install v4l2loopback-dkms && sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label="Haikei"'
)
VIDEO_GROUP_COMMAND = "sudo usermod -a -G video $USER"
PIPEWIRE_START_COMMAND = "systemctl --user start pipewire wireplumber"
CHROME_FLAG = "chrome://flags/#enable-webrtc-pipewire-camera"
FIREFOX_PREF = "media.webrtc.camera.allow-pipewire"


#: What the panel copies when PipeWire's client library is missing (Debian/Ubuntu).
PIPEWIRE_INSTALL_COMMAND = "sudo apt install libpipewire-0.3-0"


@dataclass(frozen=True)
class OutputState:
    """What is known about the output now."""

    #: The output spec (``vcam``, ``vcam:/dev/video4``, ``pipewire``, ``none`` or a file).
    spec: str
    #: The engine is still starting (or could not start for another reason than the output).
    starting: bool = False
    #: Frames reach the output.
    working: bool = False
    #: The name apps list it under ("Haikei", "OBS Virtual Camera"), or the file's path.
    camera_name: str = ""
    #: The programs reading it, where the output can tell who (names, as the user knows them).
    readers: tuple[str, ...] = ()
    #: Whether some program reads it (``None``: this output cannot tell).
    watched: bool | None = None
    #: Haikei rests the camera because nobody reads it.
    idle: bool = False
    #: What keeps it from working.
    problem: OutputError | None = None
    #: Why it does not work, in the panel's terms (:func:`problem_kind`).
    problem_kind: str = ""

    @property
    def kind(self) -> str:
        return output_kind(self.spec)


@dataclass(frozen=True)
class Description:
    """The panel's words for an :class:`OutputState`."""

    headline: str
    #: ``ok`` (green), ``wait`` (grey) or ``bad`` (red): see :data:`TONE_MARKS`.
    tone: str
    #: Two sentences: what is wrong and what to do (empty when it works).
    advice: str = ""
    #: The command the "Copy command" button copies ("" = no button).
    command: str = ""
    #: Offer "Use the PipeWire camera instead".
    offer_pipewire: bool = False


#: The sign before a headline of each tone: a dot for working, a warning sign for a problem, none for
#: waiting (a hollow circle there read as a fourth, unchecked radio button right under the choices).
TONE_MARKS = {"ok": "● ", "bad": "⚠ ", "wait": ""}


def problem_kind(spec: str, problem: OutputError) -> str:
    """Why an output does not work, in the terms the panel explains: ``missing`` (no virtual camera
    device), ``busy``, ``permission``, ``pipewire-missing`` (PipeWire's client library),
    ``pipewire-stopped`` (PipeWire not running), or ``other``. The conditions are checked where they can
    be (the devices there are, whether PipeWire answers); the rest is read from the output's message."""
    text = problem.message.lower()
    kind = output_kind(spec)
    if kind == "vcam":
        if "busy" in text:
            return "busy"
        if "permission" in text:
            return "permission"
        if LINUX:
            from haikei.devices import linux_devices

            if not any(d.kind == "virtual-camera" for d in linux_devices()) or "not found" in text:
                return "missing"
        elif "not found" in text:
            return "missing"
        return "other"
    if kind == "pipewire":
        from haikei.outputs import libpipewire
        from haikei.outputs.pipewire import pipewire_running

        try:
            libpipewire.load()
        except OSError:
            return "pipewire-missing"
        return "other" if pipewire_running() else "pipewire-stopped"
    return "other"


def describe(state: OutputState) -> Description:
    """The words for ``state``: a headline, and when it does not work, two sentences and a way out."""
    if state.kind == "none":
        return Description(tr("Nowhere: only this preview shows the picture."), "wait")
    if state.starting:
        return Description(tr("Starting…"), "wait")
    if state.problem is not None:
        return _trouble(state)
    if state.kind == "file":
        return Description(tr("Recording to %1").replace("%1", state.camera_name), "ok")
    name = state.camera_name or "Haikei"
    if state.readers:
        who = tr(", ").join(state.readers)
        verb = tr("%1 is using the camera") if len(state.readers) == 1 else tr("%1 are using the camera")
        return Description(verb.replace("%1", who), "ok")
    if state.watched:
        return Description(tr("An app is using the camera “%1”.").replace("%1", name), "ok")
    choose = tr("Ready: choose “%1” as the camera in your meeting app.").replace("%1", name)
    if state.idle:
        return Description(choose, "ok", tr("No app is using it now, so Haikei rests your camera until one does."))
    return Description(choose, "ok")


def _trouble(state: OutputState) -> Description:
    kind = state.problem_kind
    if kind == "missing":
        if LINUX:
            return Description(
                tr("No virtual camera on this computer yet"),
                "bad",
                tr(
                    "Meeting apps can only see Haikei through a virtual camera, which needs the v4l2loopback "
                    "module. Run the copied command in a terminal once; Haikei connects by itself when the "
                    "camera appears."
                ),
                V4L2LOOPBACK_COMMAND,
                offer_pipewire=True,
            )
        return Description(
            tr("No virtual camera on this computer yet"),
            "bad",
            tr(
                "Meeting apps can only see Haikei through a virtual camera. Install OBS Studio and click "
                "“Start Virtual Camera” in it once; Haikei connects by itself afterwards."
            ),
        )
    if kind == "busy":
        return Description(
            tr("The virtual camera is busy"),
            "bad",
            tr(
                "Another program is already sending video to this virtual camera. Close that program, or "
                "choose another device above."
            ),
            offer_pipewire=LINUX,
        )
    if kind == "permission":
        return Description(
            tr("Haikei may not use the virtual camera"),
            "bad",
            tr(
                "Your user is not allowed to write to the virtual camera. Run the copied command, then log "
                "out and back in."
            ),
            VIDEO_GROUP_COMMAND,
            offer_pipewire=LINUX,
        )
    if kind == "pipewire-missing":
        return Description(
            tr("The PipeWire camera is not installed"),
            "bad",
            tr("The PipeWire camera needs PipeWire's client library. Run the copied command, then start Haikei again."),
            PIPEWIRE_INSTALL_COMMAND,
        )
    if kind == "pipewire-stopped":
        return Description(
            tr("PipeWire is not running"),
            "bad",
            tr(
                "The PipeWire camera needs PipeWire and WirePlumber running. Run the copied command, or use the "
                "virtual camera."
            ),
            PIPEWIRE_START_COMMAND,
        )
    return Description(tr("The output does not work"), "bad", state.problem.message)


class OutputPanel(QWidget):
    """Emits :attr:`output_chosen` with an output spec when the user picks one."""

    output_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.choices = QButtonGroup(self)
        self.vcam_radio = QRadioButton(tr("Virtual camera"))
        self.vcam_radio.setToolTip(
            tr("A camera that meeting apps (Zoom, Meet, Teams, Chime) list beside your real one.")
        )
        self.device_box = QComboBox()
        self.device_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device_box.setMinimumContentsLength(12)
        self.device_box.setToolTip(tr("Which virtual camera device to send to."))
        self.pipewire_radio = QRadioButton(tr("PipeWire camera"))
        self.pipewire_radio.setToolTip(
            tr(
                "A camera published through PipeWire: no kernel module needed. Browsers list it once it is "
                "turned on in them."
            )
        )
        self.none_radio = QRadioButton(tr("Nowhere (preview only)"))
        self.none_radio.setToolTip(tr("No app receives the picture; only this window shows it."))
        self.file_radio = QRadioButton()  # only while the command line writes to a file
        device_row = QHBoxLayout()
        device_row.setContentsMargins(22, 0, 0, 0)
        device_row.addWidget(self.device_box, 1)
        for radio in (self.vcam_radio, self.pipewire_radio, self.none_radio, self.file_radio):
            self.choices.addButton(radio)
        layout.addWidget(self.vcam_radio)
        layout.addLayout(device_row)
        layout.addWidget(self.pipewire_radio)
        layout.addWidget(self.none_radio)
        layout.addWidget(self.file_radio)
        self.pipewire_radio.setVisible(LINUX)
        self.file_radio.hide()

        self.headline = QLabel(wordWrap=True, objectName="outputHeadline")
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice = QLabel(wordWrap=True, objectName="advice")
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.copy_button = QPushButton(tr("Copy command"))
        self.copy_button.setToolTip(tr("Copies the command, to paste into a terminal."))
        self.pipewire_button = QPushButton(tr("Use the PipeWire camera instead"))
        buttons = QVBoxLayout()
        buttons.setSpacing(4)
        for button in (self.copy_button, self.pipewire_button):
            row = QHBoxLayout()
            row.addWidget(button)
            row.addStretch(1)
            buttons.addLayout(row)
        layout.addSpacing(4)
        layout.addWidget(self.headline)
        layout.addWidget(self.advice)
        layout.addLayout(buttons)

        self.browser_toggle = QToolButton(text=tr("Using it in a browser"), checkable=True, objectName="disclosure")
        self.browser_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.browser_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.browser_help = QLabel(wordWrap=True, objectName="advice")
        self.browser_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.browser_help.setText(
            tr(
                "Chrome and Chromium: open the address %1, set “PipeWire Camera support” to Enabled and "
                "restart the browser. Firefox: open about:config and set %2 to true."
            )
            .replace("%1", CHROME_FLAG)
            .replace("%2", FIREFOX_PREF)
        )
        self.copy_flag_button = QPushButton(tr("Copy the Chrome address"))
        self.copy_flag_button.clicked.connect(lambda: self._copy(CHROME_FLAG))
        flag_row = QHBoxLayout()
        flag_row.addWidget(self.copy_flag_button)
        flag_row.addStretch(1)
        self.browser_box = QWidget()
        browser_layout = QVBoxLayout(self.browser_box)
        browser_layout.setContentsMargins(0, 0, 0, 0)
        browser_layout.addWidget(self.browser_help)
        browser_layout.addLayout(flag_row)
        self.browser_box.hide()
        self.browser_toggle.toggled.connect(self._show_browser_help)
        layout.addWidget(self.browser_toggle)
        layout.addWidget(self.browser_box)

        self._command = ""
        self._spec = ""
        #: The headline's words without its sign (for the tray's tooltip).
        self.headline_words = ""
        self.copy_button.clicked.connect(lambda: self._copy(self._command))
        self.pipewire_button.clicked.connect(lambda: self.output_chosen.emit("pipewire"))
        self.vcam_radio.clicked.connect(lambda: self.output_chosen.emit(self.device_box.currentData() or "vcam"))
        self.pipewire_radio.clicked.connect(lambda: self.output_chosen.emit("pipewire"))
        self.none_radio.clicked.connect(lambda: self.output_chosen.emit("none"))
        self.device_box.activated.connect(self._device_picked)

    # -- user actions ----------------------------------------------------------------------
    def _device_picked(self, index: int) -> None:
        self.vcam_radio.setChecked(True)
        self.output_chosen.emit(self.device_box.itemData(index) or "vcam")

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def _show_browser_help(self, shown: bool) -> None:
        self.browser_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.browser_box.setVisible(shown)

    # -- state → widgets -------------------------------------------------------------------
    def set_devices(self, devices: list[tuple[str, str]]) -> None:
        """The virtual camera devices there are, as (label, id); the first entry lets the system pick."""
        current = self.device_box.currentData()
        self.device_box.blockSignals(True)
        self.device_box.clear()
        self.device_box.addItem(tr("The first free one"), "vcam")
        for label, device in devices:
            self.device_box.addItem(label, f"vcam:{device}")
        index = self.device_box.findData(current)
        self.device_box.setCurrentIndex(max(0, index))
        self.device_box.blockSignals(False)
        self.device_box.setVisible(LINUX)

    def show_state(self, state: OutputState) -> None:
        kind = state.kind
        if state.spec != self._spec:
            self._spec = state.spec
            radio = {"vcam": self.vcam_radio, "pipewire": self.pipewire_radio, "none": self.none_radio}.get(kind)
            self.file_radio.setVisible(kind == "file")
            if kind == "file":
                self.file_radio.setText(tr("The file %1").replace("%1", state.spec))
                radio = self.file_radio
            radio.setChecked(True)
            if kind == "vcam":
                if self.device_box.findData(state.spec) < 0:
                    self.device_box.addItem(state.spec.partition(":")[2], state.spec)
                self.device_box.setCurrentIndex(self.device_box.findData(state.spec))
        self.device_box.setEnabled(kind == "vcam")
        words = describe(state)
        self.headline.setProperty("tone", words.tone)
        self.headline_words = words.headline
        self.headline.setText(TONE_MARKS[words.tone] + words.headline)
        self.headline.style().unpolish(self.headline)
        self.headline.style().polish(self.headline)
        self.advice.setText(words.advice)
        self.advice.setVisible(bool(words.advice))
        self._command = words.command
        self.copy_button.setVisible(bool(words.command))
        self.pipewire_button.setVisible(words.offer_pipewire)
        self.browser_toggle.setVisible(kind == "pipewire")
        self.browser_box.setVisible(kind == "pipewire" and self.browser_toggle.isChecked())
