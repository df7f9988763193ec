"""``haikei gui``: wires the window, the tray and the engine controller together, and persists
settings (``settings.json``) and window state (``gui.json``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtWidgets import QApplication, QColorDialog, QFileDialog

from haikei.compose.backgrounds import BackgroundSpec
from haikei.config import load_settings
from haikei.errors import BackgroundError, HaikeiError, OutputError, SettingsError
from haikei.frames.files import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from haikei.gui.controller import EngineController
from haikei.gui.effects_panel import EffectToggles
from haikei.gui.gallery import entry_key, gallery_entries, spec_for_file
from haikei.gui.i18n import install_translator, tr
from haikei.gui.main_window import MainWindow
from haikei.gui.state import load_gui_state, save_gui_state
from haikei.gui.stop_signals import quit_on_stop_signals
from haikei.gui.tray import Tray, app_icon
from haikei.measure import autopreset
from haikei.outputs.base import Sink
from haikei.segment.catalog import Catalog, ModelManifest, load_catalog
from haikei.settings import Settings

STATUS_MS = 500


def camera_items() -> list[tuple[str, str]]:
    from haikei.devices import list_devices

    return [(f"{d.name} ({d.id})", d.id) for d in list_devices() if d.kind == "camera" and not d.problem]


def describe_model(model: ModelManifest) -> str:
    """``"selfie-general — 3 ms · mIoU 0.920"`` from the figures in its manifest; unknown ones say so."""
    if model.measured is None:
        return f"{model.name} — {tr('speed and quality unknown')}"
    return f"{model.name} — {model.measured.ms:.0f} ms · mIoU {model.measured.miou:.3f}"


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
        self.entries = gallery_entries(self.state.user_backgrounds)
        for warning in warnings + state_warnings:
            self.window.show_warning(warning)
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
        w.visibility_changed.connect(c.set_local_viewer)
        w.gallery.chosen.connect(self.choose_background)
        w.gallery.files_dropped.connect(self.add_backgrounds)
        w.add_button.clicked.connect(self._add_from_dialog)
        w.remove_button.clicked.connect(self._remove_current)
        w.colour_button.clicked.connect(self._pick_colour)
        w.blur_slider.valueChanged.connect(self.set_blur)
        w.effect_button.clicked.connect(self.set_effect)
        w.pause_button.clicked.connect(c.set_paused)
        w.source_box.activated.connect(self._source_picked)
        w.model_box.activated.connect(lambda i: c.change(model=w.model_box.itemData(i)))
        w.preset_box.activated.connect(lambda i: c.change(preset=w.preset_box.itemData(i)))
        for mode, button in w.view_buttons.items():
            button.clicked.connect(lambda _, m=mode: self._set_view(m))
        w.stats_box.toggled.connect(self._set_stats)
        w.tray_box.toggled.connect(self._set_hide_to_tray)
        w.close_requested.connect(self._window_closed)
        t.effect_toggled.connect(self.set_effect)
        t.background_chosen.connect(self.choose_background)
        t.pause_toggled.connect(c.set_paused)
        t.window_toggled.connect(self.toggle_window)
        t.quit_requested.connect(self.quit)

    def _restore_window(self) -> None:
        s, w = self.state, self.window
        if s.geometry:
            w.restoreGeometry(QByteArray.fromHex(s.geometry.encode()))
        w.view_buttons[s.preview_mode].setChecked(True)
        w.preview.set_mode(s.preview_mode)
        w.stats_box.setChecked(s.show_stats)
        w.preview.set_show_stats(s.show_stats)
        w.tray_box.setChecked(s.hide_to_tray)
        w.tray_box.setEnabled(self.tray.available)
        if not self.tray.available:
            w.tray_box.setToolTip(tr("No system tray was found: closing the window quits Haikei."))
        w.show_advanced(s.advanced_open)
        w.advanced_toggle.toggled.connect(self._set_advanced_open)
        w.blur_slider.blockSignals(True)
        w.blur_slider.setValue(s.blur)
        w.blur_value.setText(str(s.blur))
        w.blur_slider.blockSignals(False)

    def _fill_pickers(self) -> None:
        w = self.window
        w.set_source_items(camera_items(), self.controller.settings.source)
        w.model_box.clear()
        for name in self.catalog.models:
            w.model_box.addItem(describe_model(self.catalog.models[name]), name)
        for problem in self.catalog.problems:
            w.show_warning(problem)

    def _rebuild_gallery(self) -> None:
        self.entries = gallery_entries(self.state.user_backgrounds)
        self.window.gallery.set_entries(self.entries, self.state.colour)
        self.tray.set_backgrounds(self.entries)
        self.refresh(self.controller.settings)

    # -- state → widgets -------------------------------------------------------------------
    def refresh(self, settings: Settings) -> None:
        w, key = self.window, entry_key(settings.background)
        w.gallery.select_key(key)
        w.model_box.setCurrentIndex(w.model_box.findData(settings.model))
        w.preset_box.setCurrentIndex(w.preset_box.findData(settings.preset))
        w.advanced.show_settings(settings)
        w.blur_slider.setEnabled(key == "blur")
        current = w.gallery.current_entry()
        w.remove_button.setEnabled(current is not None and current.user)
        w.effect_button.setChecked(self.controller.effect_on)
        w.effect_button.setText(tr("Effect on") if self.controller.effect_on else tr("Effect off"))
        w.pause_button.setChecked(self.controller.paused)
        self._refresh_tray()

    def _refresh_tray(self) -> None:
        c = self.controller
        label = next(
            (e.label for e in self.entries if e.spec == entry_key(c.settings.background)), c.settings.background
        )
        working, output, _ = c.output_status()
        state = tr("paused") if c.paused else (label if c.effect_on else tr("effect off"))
        tooltip = f"Haikei — {state}\n{output if working else tr('virtual camera: %1').replace('%1', output)}"
        self.tray.show_state(
            effect_on=c.effect_on,
            background_key=entry_key(c.settings.background),
            paused=c.paused,
            window_visible=self.window.isVisible(),
            tooltip=tooltip,
        )

    def refresh_status(self) -> None:
        self.window.show_output_status(*self.controller.output_status())
        if self.controller.start_error is not None:
            self.window.preview.message = str(self.controller.start_error)
            self.window.preview.update()
        self._refresh_tray()

    def _show_problem(self, error: HaikeiError) -> None:
        if isinstance(error, OutputError):
            return  # shown, with its fix, in the Virtual camera box
        self.window.statusBar().showMessage(str(error), 15000)

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

    def remove_background(self, spec: str) -> None:
        if spec in self.state.user_backgrounds:
            self.state.user_backgrounds.remove(spec)
            if self.state.effect_background == spec:
                self.state.effect_background = self._blur_spec()
            if self.controller.settings.background == spec:
                self.choose_background("blur")
            self._rebuild_gallery()
            self.save_state()

    def _add_from_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES))
        files, _ = QFileDialog.getOpenFileNames(
            self.window, tr("Add backgrounds"), str(Path.home()), f"{tr('Images and videos')} ({patterns})"
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
            self.state.colour = colour.name()
            self._rebuild_gallery()
            self.choose_background("color")

    def _source_picked(self, index: int) -> None:
        spec = self.window.source_box.itemData(index)
        if spec is None:
            path, _ = QFileDialog.getOpenFileName(self.window, tr("Choose a video file"), str(Path.home()))
            if not path:
                self.window.set_source_items(camera_items(), self.controller.settings.source)
                return
            spec = path
        self.controller.change(source=spec)
        self.window.set_source_items(camera_items(), spec)

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
            self.window.hide()
        else:
            self.window.show()
            self.window.raise_()
            self.window.activateWindow()
        self._refresh_tray()

    def _window_closed(self) -> None:
        """Hide to the tray when there is one (and the user wants it); otherwise quit cleanly."""
        if self.tray.available and self.state.hide_to_tray:
            self.window.hide()
            self._refresh_tray()
        else:
            self.quit()

    # -- lifecycle -------------------------------------------------------------------------
    def show(self) -> None:
        self.window.show()
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
            self.window.show_warning(str(error))

    def shutdown(self) -> None:
        """Save everything and release camera, model and output."""
        self._status_timer.stop()
        self.window.gallery.stop_thumbnails()
        self.state.geometry = bytes(self.window.saveGeometry().toHex()).decode()
        self.save_state()
        self.controller.save()
        self.controller.stop()
        if self.tray.icon is not None:
            self.tray.icon.hide()
        self.window.hide()

    def quit(self) -> None:
        self.shutdown()
        self.on_quit()


def run_gui(
    overrides: dict[str, Any],
    *,
    screenshot: Path | None = None,
    frames: int | None = None,
    catalog: Catalog | None = None,
) -> int:
    """Start the window with ``overrides`` (settings for this run only, on top of the saved ones); with
    ``screenshot`` grab it after ``frames`` frames and exit (with ``frames`` alone: exit after them)."""
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Haikei")
    app.setQuitOnLastWindowClosed(False)
    install_translator(app)
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
        gui.show()
        result = {"code": 0}
        if screenshot or frames:

            def check() -> None:
                if gui.controller.frames_out < (frames or 1) or gui.window.preview.painted == 0:
                    return
                if screenshot:
                    gui.refresh_status()
                    gui.window.preview.repaint()
                    if not gui.window.grab().save(str(screenshot)):
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
