"""User-facing errors: one clear sentence of what went wrong, and what to do about it."""


class HaikeiError(Exception):
    """An error the user can act on. ``fix`` says how, when we know."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}; {self.fix}" if self.fix else self.message


class ModelError(HaikeiError):
    """A model is unknown, missing, tampered with, or its manifest is broken."""


class SourceError(HaikeiError):
    """A camera, video or image cannot be opened or stopped delivering frames."""


class BackgroundError(HaikeiError):
    """A background spec is malformed or its file cannot be used."""


class OutputError(HaikeiError):
    """An output (virtual camera, file) cannot be opened or written."""


class SettingsError(HaikeiError):
    """A setting has a value outside what Haikei supports."""


class SettingsNotSaved(SettingsError):
    """The settings file cannot be saved: ``path`` could not be read (then it is never written over:
    ``unreadable``) or written, for the reason ``why``. The app runs on with the settings it has."""

    def __init__(self, message: str, path: object, why: str, unreadable: bool):
        super().__init__(message)
        self.path, self.why, self.unreadable = path, why, unreadable


class MediaError(HaikeiError):
    """An image or video file is missing, unreadable, corrupt or too large (each stage that reads files
    reports it as its own error: a source's, a background's)."""
