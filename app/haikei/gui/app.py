"""``haikei gui``: wires the window, the tray and the engine controller together, and persists
settings (``settings.json``) and window state (``gui.json``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QLocale, QRect, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QColorDialog, QFileDialog

from haikei import desktop
from haikei.capture import camera_device
from haikei.compose.backgrounds import BackgroundSpec
from haikei.config import load_settings
from haikei.errors import (
    BackgroundError,
    HaikeiError,
    ModelError,
    OutputError,
    SettingsError,
    SettingsNotSaved,
    SourceError,
)
from haikei.frames.files import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from haikei.gui import platform
from haikei.gui.controller import EngineController
from haikei.gui.effects_panel import EffectToggles
from haikei.gui.gallery import entry_key, gallery_entries, spec_for_file
from haikei.gui.i18n import install_translator, tr
from haikei.gui.main_window import MainWindow, preset_labels, source_label
from haikei.gui.models import model_choice, model_choices
from haikei.gui.state import load_gui_state, save_gui_state
from haikei.gui.stop_signals import quit_on_stop_signals
from haikei.gui.tray import Tray, app_icon
from haikei.measure import autopreset
from haikei.outputs.base import Sink
from haikei.segment.catalog import Catalog, load_catalog
from haikei.segment.registry import missing_library
from haikei.settings import CUSTOM, PRESETS, Settings

STATUS_MS = 500
#: Devices are looked for again every this many status ticks (a module loaded meanwhile).
DEVICE_TICKS = 10
#: The first window: this size, or less to fit the screen (a share of it).
FIRST_SIZE, SCREEN_SHARE = (1280, 800), 0.92
APP_ID = desktop.APP_ID
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def background_kind(spec: str) -> str:
    """``none``, ``blur``, ``color``, ``image`` or ``video`` ("" for a spec that does not parse)."""
    try:
        return BackgroundSpec.parse(spec).kind
    except BackgroundError:
        return ""


def camera_items() -> list[tuple[str, str]]:
    from haikei.devices import list_devices

    cameras = [d for d in list_devices() if d.kind == "camera" and not d.problem]
    names = [d.name for d in cameras]
    return [(d.name if names.count(d.name) == 1 else f"{d.name} ({d.id})", d.id) for d in cameras]


def virtual_camera_items() -> list[tuple[str, str]]:
    """The v4l2loopback devices (Linux), as (label, device)."""
    if not sys.platform.startswith("linux"):
        return []
    from haikei.devices import linux_devices

    return [(f"{d.name} ({d.id})", d.id) for d in linux_devices() if d.kind == "virtual-camera"]


def not_saved_text(error: SettingsError) -> str:
    """The banner for settings that cannot be saved, in the UI language (the file and the system's
    reason as they are)."""
    if not isinstance(error, SettingsNotSaved):
        return str(error)
    text = (
        tr("Your settings cannot be saved: %1 cannot be read (%2), so Haikei does not write over it.")
        if error.unreadable
        else tr("Your settings cannot be saved: %1 cannot be written (%2).")
    )
    return (
        text.replace("%1", str(error.path)).replace("%2", error.why)
        + " "
        + tr("Haikei runs on; changes you make last until you quit.")
    )


class HaikeiGui:
    """The running app. ``overrides`` (from the command line) apply to this run and are not saved."""

    def __init__(
        self,
        overrides: dict | None = None,
        *,
        catalog: Catalog | None = None,
        sink: Sink | None = None,
        persist: bool = True,
        use_system_tray: bool = True,
        on_quit: Callable[[], None] = QApplication.quit,
    ):
        first_start = autopreset.first_start()
        saved, warnings = load_settings()
        self.state, state_warnings = load_gui_state()
        self.persist = persist
        self._told_not_saved = False
        self.on_quit = on_quit
        overrides = overrides or {}
        self.catalog = catalog or load_catalog()
        self.controller = EngineController(
            saved.replace(**overrides),
            catalog=self.catalog,
            sink=sink,
            saved=saved,
            overrides=overrides,
            persist=persist,
        )
        self.controller.auto_preset_on_start = (
            persist
            and first_start
            and autopreset.wants_auto_preset(self.controller.settings, asked=False, preset_given="preset" in overrides)
        )
        self._adopt_background(self.controller.settings.background)
        self.window = MainWindow(self.controller)
        self.window.setWindowIcon(app_icon())
        self.tray = Tray(use_system_tray=use_system_tray)
        self.effect_toggles = EffectToggles(self.tray, self.controller)
        self.entries = gallery_entries(self.state.user_backgrounds, self.state.background_names)
        for warning in warnings + state_warnings:
            self.window.show_warning(warning)
        self._ticks = 0
        self._wire()
        self._restore_window()
        self._rebuild_gallery()
        self._fill_pickers()
        self.refresh(self.controller.settings)
        self._status_timer = QTimer(interval=STATUS_MS, timeout=self.refresh_status)
        self._status_timer.start()
        self.refresh_status()

    # -- setup -----------------------------------------------------------------------------
    def _adopt_background(self, text: str) -> None:
        """A blur strength or colour given on the command line (or saved) is what the gallery shows."""
        try:
            spec = BackgroundSpec.parse(text)
        except BackgroundError:
            return
        if spec.kind == "blur" and spec.strength is not None:
            self.state.blur = min(100, round(spec.strength))
        elif spec.kind == "color":
            self.state.colour = spec.color

    def _wire(self) -> None:
        w, c, t = self.window, self.controller, self.tray
        c.settings_changed.connect(self.refresh)
        c.problem.connect(self._show_problem)
        c.save_failed.connect(self._not_saved)
        c.paused_changed.connect(lambda _: self.refresh(c.settings))
        c.preset_chosen.connect(self._announce_preset)
        w.visibility_changed.connect(c.set_local_viewer)
        w.gallery.chosen.connect(self.choose_background)
        w.gallery.files_dropped.connect(self.add_backgrounds)
        w.gallery.renamed.connect(self.rename_background)
        w.add_button.clicked.connect(self._add_from_dialog)
        w.rename_button.clicked.connect(w.gallery.rename_current)
        w.remove_button.clicked.connect(self._remove_current)
        w.colour_button.clicked.connect(self._pick_colour)
        w.blur_slider.valueChanged.connect(self.set_blur)
        w.soften_slider.valueChanged.connect(lambda v: c.change(soften=v / 100))
        w.effect_button.clicked.connect(lambda: self.set_effect(not c.effect_on))
        w.pause_button.clicked.connect(lambda: c.set_paused(not c.paused))
        w.source_box.activated.connect(self._source_picked)
        w.output_panel.output_chosen.connect(self.choose_output)
        w.model_box.activated.connect(self._model_picked)
        w.preset_box.activated.connect(lambda i: c.change(preset=w.preset_box.itemData(i)))
        w.reset_button.clicked.connect(self.reset_preset)
        for mode, button in w.view_buttons.items():
            button.clicked.connect(lambda _, m=mode: self._set_view(m))
        w.stats_box.toggled.connect(self._set_stats)
        w.tray_box.toggled.connect(self._set_hide_to_tray)
        w.autostart_box.toggled.connect(self.set_autostart)
        w.close_requested.connect(self._window_closed)
        t.effect_toggled.connect(self.set_effect)
        t.background_chosen.connect(self.choose_background)
        t.pause_toggled.connect(c.set_paused)
        t.window_toggled.connect(self.toggle_window)
        t.quit_requested.connect(self.quit)

    def _restore_window(self) -> None:
        s, w = self.state, self.window
        if not (s.geometry and w.restoreGeometry(QByteArray.fromHex(s.geometry.encode()))):
            fit_to_screen(w)
        w.view_buttons[s.preview_mode].setChecked(True)
        w.preview.set_mode(s.preview_mode)
        w.stats_box.setChecked(s.show_stats)
        w.preview.set_show_stats(s.show_stats)
        w.tray_box.setChecked(s.hide_to_tray)
        w.tray_box.setEnabled(self.tray.available)
        if not self.tray.available:
            w.tray_box.setToolTip(tr("No system tray was found: closing the window quits Haikei."))
        w.autostart_box.setVisible(desktop.autostart_supported())
        w.autostart_box.blockSignals(True)
        w.autostart_box.setChecked(desktop.autostart_supported() and desktop.autostart_enabled())
        w.autostart_box.blockSignals(False)
        w.show_advanced(s.advanced_open)
        w.advanced_toggle.toggled.connect(self._set_advanced_open)
        w.blur_slider.blockSignals(True)
        w.blur_slider.setValue(s.blur)
        w.blur_value.setText(str(s.blur))
        w.blur_slider.blockSignals(False)

    def _fill_pickers(self) -> None:
        w, settings = self.window, self.controller.settings
        self._fill_sources(settings.source)
        w.output_panel.set_devices(virtual_camera_items())
        w.model_box.clear()
        more_started = False
        for choice in model_choices(self.catalog):
            if choice.more and not more_started:
                more_started = True
                w.model_box.insertSeparator(w.model_box.count())
                w.model_box.addItem(tr("Other engines and your own models"))
                header = w.model_box.model().item(w.model_box.count() - 1)
                header.setEnabled(False)
                font = header.font()
                font.setItalic(True)
                header.setFont(font)
            label = choice.label if not choice.unavailable else tr("%1 (unavailable)").replace("%1", choice.label)
            w.model_box.addItem(label, choice.name)
            index = w.model_box.count() - 1
            w.model_box.setItemData(index, choice.tooltip, TOOLTIP)
            if choice.unavailable:
                w.model_box.model().item(index).setEnabled(False)
        for problem in self.catalog.problems:
            w.show_warning(problem)

    def _fill_sources(self, current: str) -> None:
        cameras = camera_items()
        if current.isdigit():  # camera N given by number: it is /dev/videoN, listed by name
            cameras = [(label, current if id_ == f"/dev/video{current}" else id_) for label, id_ in cameras]
        self.window.set_source_items(cameras, current, source_label(current, cameras))

    def _rebuild_gallery(self) -> None:
        self.entries = gallery_entries(self.state.user_backgrounds, self.state.background_names)
        self.window.gallery.set_entries(self.entries, self.state.colour)
        self.tray.set_backgrounds(self.entries)
        self.refresh(self.controller.settings)

    # -- state → widgets -------------------------------------------------------------------
    def refresh(self, settings: Settings) -> None:
        w, key = self.window, entry_key(settings.background)
        w.gallery.select_key(key)
        w.model_box.setCurrentIndex(w.model_box.findData(settings.model))
        w.model_box.setToolTip(w.model_box.itemData(w.model_box.currentIndex(), TOOLTIP) or "")
        w.preset_box.setCurrentIndex(w.preset_box.findData(settings.preset))
        if settings.preset in PRESETS:
            self.state.last_preset = settings.preset
        w.reset_button.setEnabled(settings.preset == CUSTOM)
        w.reset_button.setToolTip(
            tr("Set every edge setting back to the %1 preset.").replace("%1", preset_labels()[self.state.last_preset])
        )
        kind = background_kind(settings.background)
        w.advanced.show_settings(settings, kind)
        for widget in (w.blur_label, w.blur_slider, w.blur_value):
            widget.setEnabled(kind == "blur")
        for widget in (w.soften_label, w.soften_slider, w.soften_value):
            widget.setEnabled(kind in ("image", "video"))
        w.soften_slider.blockSignals(True)
        w.soften_slider.setValue(round(settings.soften * 100))
        w.soften_value.setText(str(round(settings.soften * 100)))
        w.soften_slider.blockSignals(False)
        current = w.gallery.current_entry()
        mine = current is not None and current.user
        w.remove_button.setEnabled(mine)
        w.rename_button.setEnabled(mine)
        w.show_toggles(self.controller.effect_on, self.controller.paused)
        self._refresh_tray()

    def _refresh_tray(self) -> None:
        c = self.controller
        key = entry_key(c.settings.background)
        label = next((e.label for e in self.entries if e.spec == key), c.settings.background)
        state = tr("camera paused") if c.paused else (label if c.effect_on else tr("effect off"))
        self.tray.show_state(
            effect_on=c.effect_on,
            background_key=key,
            paused=c.paused,
            window_visible=self.window.isVisible(),
            tooltip=f"Haikei — {state}\n{self.window.output_panel.headline_words}",
        )

    def refresh_status(self) -> None:
        w, c = self.window, self.controller
        self._ticks += 1
        if self._ticks % DEVICE_TICKS == 0:
            w.output_panel.set_devices(virtual_camera_items())
        w.output_panel.show_state(c.output_state())
        problem = c.source_problem()
        w.show_source_problem(self._source_words(problem) if problem else "")
        if c.engine is None and c.start_error is not None:
            w.preview.message = (
                tr("No picture: see Camera on the right.")
                if isinstance(c.start_error, SourceError)
                else str(c.start_error)
            )
            w.preview.update()
        self._refresh_tray()

    def picture(self) -> QPixmap:
        """The window as it shows now, its status words up to date and laid out: a layout change is
        queued until the event loop runs, and a grab before that cuts text that just grew longer."""
        self.refresh_status()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.window.preview.repaint()
        return self.window.grab()

    def _source_words(self, problem: str) -> str:
        if camera_device(self.controller.settings.source) is not None:
            return tr(
                "This camera cannot be opened. Check that it is plugged in and that no other app is using it; "
                "Haikei keeps trying."
            )
        return tr("This file cannot be played: %1").replace("%1", problem)

    def _show_problem(self, error: HaikeiError) -> None:
        if isinstance(error, (OutputError, SourceError)):
            return  # shown in words beside the output and the source, with what to do
        if isinstance(error, ModelError) and self.controller.model_refused in self.catalog.models:
            refused = self.catalog.models[self.controller.model_refused]
            missing = missing_library(refused.engine)
            why = (
                tr("It needs %1, which is not installed.").replace("%1", missing)
                if missing
                else tr("Its file is missing or was changed.")
            )
            used = self.catalog.models.get(self.controller.settings.model)
            text = (
                tr("The model “%1” cannot run here. %2 Haikei uses “%3” instead.")
                .replace("%1", model_choice(refused).label)
                .replace("%2", why)
                .replace("%3", model_choice(used).label if used else self.controller.settings.model)
            )
            self.window.show_warning(text)
            return
        if isinstance(error, BackgroundError):
            self.window.show_warning(tr("This background cannot be used: %1").replace("%1", error.message))
            return
        self.window.show_warning(str(error))

    def _announce_preset(self, preset: str, before: str, costs: dict) -> None:
        """The first-start bench chose ``preset``: say which and why, and offer to go back."""
        labels = preset_labels()
        fps = str(self.controller.settings.fps)
        if preset == "quality":
            why = tr("it keeps up with %1 pictures a second even with the finest edge.")
        elif preset == "balanced":
            why = tr("the Quality preset would be too heavy for it at %1 pictures a second.")
        else:
            why = tr("the other presets would be too heavy for it at %1 pictures a second.")
        text = (
            tr("Haikei measured this computer and chose the %1 preset: %2")
            .replace("%1", labels[preset])
            .replace("%2", why.replace("%1", fps))
        )
        if preset == before:
            self.window.show_notice(text)
            return
        self.window.show_notice(
            text,
            tr("Use %1 instead").replace("%1", labels[before]),
            lambda: self.controller.change(preset=before) and self.controller.save(),
        )

    # -- user actions ----------------------------------------------------------------------
    def choose_background(self, key: str) -> None:
        """Pick a gallery entry: ``none``, ``blur`` (at the slider's strength), ``color`` or a file spec."""
        spec = {"blur": self._blur_spec(), "color": str(BackgroundSpec("color", color=self.state.colour))}.get(key, key)
        if spec != "none":
            self.state.effect_background = spec
        self.controller.change(background=spec)
        self.save_state()

    def _blur_spec(self) -> str:
        return str(BackgroundSpec("blur", strength=self.state.blur))

    def choose_output(self, spec: str) -> None:
        self.controller.change(output=spec)
        self.refresh_status()

    def _model_picked(self, index: int) -> None:
        name = self.window.model_box.itemData(index)
        if name:
            self.controller.change(model=name)

    def reset_preset(self) -> None:
        self.controller.change(preset=self.state.last_preset)

    def set_effect(self, on: bool) -> None:
        current = self.controller.settings.background
        if not on and current != "none":
            self.state.effect_background = current
        self.controller.set_effect(on, self.state.effect_background)
        self.refresh(self.controller.settings)
        self.save_state()

    def set_blur(self, strength: int) -> None:
        self.state.blur = strength
        if entry_key(self.controller.settings.background) == "blur":
            self.choose_background("blur")

    def set_autostart(self, enabled: bool) -> None:
        try:
            desktop.set_autostart(enabled)
        except HaikeiError as exc:
            self.window.show_warning(str(exc))
        box = self.window.autostart_box
        box.blockSignals(True)
        box.setChecked(desktop.autostart_enabled())
        box.blockSignals(False)

    def add_backgrounds(self, files: list[Path]) -> None:
        added = None
        for path in files:
            spec = spec_for_file(Path(path).expanduser().resolve())
            if spec and spec not in self.state.user_backgrounds:
                self.state.user_backgrounds.append(spec)
            added = spec or added
        self._rebuild_gallery()
        if added:
            self.choose_background(added)

    def rename_background(self, spec: str, name: str) -> None:
        if spec in self.state.user_backgrounds:
            self.state.background_names[spec] = name
            self.save_state()
            self._rebuild_gallery()

    def remove_background(self, spec: str) -> None:
        if spec in self.state.user_backgrounds:
            self.state.user_backgrounds.remove(spec)
            self.state.background_names.pop(spec, None)
            if self.state.effect_background == spec:
                self.state.effect_background = self._blur_spec()
            if self.controller.settings.background == spec:
                self.choose_background("blur")
            self._rebuild_gallery()
            self.save_state()

    def _add_from_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES))
        files, _ = QFileDialog.getOpenFileNames(
            self.window, tr("Add backgrounds"), str(Path.home()), f"{tr('Pictures and videos')} ({patterns})"
        )
        if files:
            self.add_backgrounds([Path(f) for f in files])

    def _remove_current(self) -> None:
        entry = self.window.gallery.current_entry()
        if entry is not None and entry.user:
            self.remove_background(entry.spec)

    def _pick_colour(self) -> None:
        from PySide6.QtGui import QColor

        colour = QColorDialog.getColor(QColor(self.state.colour), self.window, tr("Background colour"))
        if colour.isValid():
            self.set_colour(colour.name())

    def set_colour(self, colour: str) -> None:
        self.state.colour = colour
        self._rebuild_gallery()
        self.choose_background("color")

    def _source_picked(self, index: int) -> None:
        spec = self.window.source_box.itemData(index)
        if spec is None:
            path, _ = QFileDialog.getOpenFileName(self.window, tr("Choose a video file"), str(Path.home()))
            if not path:
                self._fill_sources(self.controller.settings.source)
                return
            spec = path
        self.controller.change(source=spec)
        self._fill_sources(spec)

    def _set_view(self, mode: str) -> None:
        self.state.preview_mode = mode
        self.window.preview.set_mode(mode)
        self.save_state()

    def _set_stats(self, show: bool) -> None:
        self.state.show_stats = show
        self.window.preview.set_show_stats(show)
        self.save_state()

    def _set_advanced_open(self, shown: bool) -> None:
        self.state.advanced_open = shown
        self.save_state()

    def _set_hide_to_tray(self, hide: bool) -> None:
        self.state.hide_to_tray = hide
        self.save_state()

    def toggle_window(self) -> None:
        if self.window.isVisible():
            self._keep_geometry()
            self.window.hide()
        else:
            self.window.show()
            self.window.raise_()
            self.window.activateWindow()
        self._refresh_tray()

    def _window_closed(self) -> None:
        """Hide to the tray when there is one (and the user wants it); otherwise quit cleanly."""
        if self.tray.available and self.state.hide_to_tray:
            self._keep_geometry()
            self.window.hide()
            self.save_state()
            self._refresh_tray()
        else:
            self.quit()

    def _keep_geometry(self) -> None:
        if self.window.isVisible():
            self.state.geometry = bytes(self.window.saveGeometry().toHex()).decode()

    # -- lifecycle -------------------------------------------------------------------------
    def show(self, in_tray: bool = False) -> None:
        """Start, with the window shown, or only the tray icon (``in_tray``, where there is a tray)."""
        if not (in_tray and self.tray.available):
            self.window.show()
        self._refresh_tray()
        self.controller.start()

    def save_state(self) -> None:
        if self.persist:
            try:
                save_gui_state(self.state)
            except SettingsError as exc:
                self._not_saved(exc)

    def _not_saved(self, error: SettingsError) -> None:
        """Said once (the banner stays): a read-only or full config folder must not nag, nor stop Quit."""
        if not self._told_not_saved:
            self._told_not_saved = True
            self.window.show_warning(not_saved_text(error))

    def shutdown(self) -> None:
        """Save everything and release camera, model and output."""
        self._status_timer.stop()
        self.window.gallery.stop_thumbnails()
        self._keep_geometry()
        self.save_state()
        self.controller.save()
        self.controller.stop()
        if self.tray.icon is not None:
            self.tray.icon.hide()
        self.window.hide()

    def quit(self) -> None:
        self.shutdown()
        self.on_quit()


def fit_to_screen(window: MainWindow, size: tuple[int, int] = FIRST_SIZE) -> None:
    """Size a first window to ``size``, or to :data:`SCREEN_SHARE` of the screen where that is smaller, centred."""
    screen = window.screen() or QApplication.primaryScreen()
    area = screen.availableGeometry() if screen is not None else QRect(0, 0, *size)
    width = min(size[0], round(area.width() * SCREEN_SHARE))
    height = min(size[1], round(area.height() * SCREEN_SHARE))
    window.resize(max(width, window.minimumSizeHint().width()), max(height, window.minimumSizeHint().height()))
    window.move(area.x() + (area.width() - window.width()) // 2, area.y() + (area.height() - window.height()) // 2)


def start_app() -> tuple[QApplication, list[str]]:
    """The Qt application, named for the desktop, in the system's language where a font can show it
    (else in English, with the install line as a warning)."""
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Haikei")
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)
    language = QLocale.system().name().split("_")[0]
    problem = platform.font_problem(language) if language in platform.FONT_PACKAGES else None
    if problem is not None:
        return app, [f"No font for the system's language is installed, so Haikei speaks English: {problem[1]}"]
    install_translator(app)
    return app, []


def run_gui(
    overrides: dict[str, Any],
    *,
    screenshot: Path | None = None,
    frames: int | None = None,
    catalog: Catalog | None = None,
    in_tray: bool = False,
    window_size: tuple[int, int] | None = None,
) -> int:
    """Start the window with ``overrides`` (settings for this run only, on top of the saved ones); with
    ``screenshot`` grab it after ``frames`` frames and exit (with ``frames`` alone: exit after them).
    ``in_tray``: start with only the tray icon (the window where there is no tray); ``window_size``:
    the window's size (w, h) for this run."""
    app, warnings = start_app()
    made: list[HaikeiGui] = []  # the window, once made; then whether it is quitting

    def quit_once() -> None:
        if len(made) == 1:
            made.append(made[0])
            made[0].quit()

    # from here on a stop signal quits as Quit does (gui/stop_signals.py), also one during start-up
    with quit_on_stop_signals(quit_once) as received:
        gui = HaikeiGui(overrides, catalog=catalog, persist=screenshot is None)
        made.append(gui)
        if received:
            QTimer.singleShot(0, quit_once)
        for warning in warnings:
            gui.window.show_warning(warning)
        if window_size is not None:
            gui.window.resize(*window_size)
        gui.show(in_tray=in_tray and screenshot is None)
        result = {"code": 0}
        if screenshot or frames:

            def check() -> None:
                if gui.controller.frames_out < (frames or 1) or gui.window.preview.painted == 0:
                    return
                if screenshot:
                    if not gui.picture().save(str(screenshot)):
                        print(f"haikei: error: cannot write screenshot {screenshot}", file=sys.stderr)
                        result["code"] = 2
                gui.quit()

            def failed(error: HaikeiError | None) -> None:
                if error is not None:
                    print(f"haikei: error: {error}", file=sys.stderr)
                    result["code"] = 2
                    gui.quit()

            gui.controller.started.connect(failed)
            poll = QTimer(interval=100, timeout=check)
            poll.start()
        app.exec()
    return 128 + received[0] if received else result["code"]
