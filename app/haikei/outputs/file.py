"""The video file output (PyAV: H.264 or VP9, with the input's sound).

A video file never replaces what was there unless it is complete: it is written beside the target
under a unique hidden name (:class:`haikei.safefiles.PendingFile`), then closed, fsynced, read back
(every frame and every track there) and only then renamed over the target (:meth:`FileSink.commit`).
Anything else (an error, a signal, a full disk) removes it and the target is as it was.
"""

from __future__ import annotations

import errno
import os
import stat
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from haikei.errors import OutputError
from haikei.frames import BGR, I420
from haikei.frames.files import MEDIA, OUTPUT_SUFFIXES, FileFormat, Timeline
from haikei.outputs.base import Sink
from haikei.safefiles import PendingFile

#: Re-encoded sound: Opus only takes 48 kHz; AAC keeps the input's rate.
AUDIO_RATES = {"libopus": 48000}
AUDIO_BIT_RATES = {1: 128_000, 2: 160_000}  # by channels
# Said in the stream: frames are BT.601, limited range (OpenCV's BGR<->I420 and swscale's default), so
# that players do not assume BT.709 for HD sizes and shift the colours.
SMPTE170M, TV_RANGE = 6, 1
#: What encoding, muxing or writing raises.
WRITE_ERRORS = (av.FFmpegError, OSError)


def file_format(path: Path) -> FileFormat:
    """How a file of this name is written, or the :class:`OutputError` listing the types that are."""
    media = MEDIA.get(path.suffix.lower())
    if media is None or media.output is None:
        raise OutputError(
            f"unsupported output file type {path.suffix or path.name!r}", f"use one of {', '.join(OUTPUT_SUFFIXES)}"
        )
    return media.output


def check_target(path: Path, overwrite: bool, inputs: tuple[Path, ...] = ()) -> Path:
    """Refuse, before anything is written, an output that would lose a file; the path to write.

    A symbolic link is followed (the file it points to is replaced, the link stays, as FFmpeg does);
    an output that is one of ``inputs`` (the same path, a hard or symbolic link to it) is refused,
    and so is an existing file without ``overwrite``, or anything that is not a regular file (a
    device node is never renamed over)."""
    file_format(path)
    real = Path(os.path.realpath(path))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot use output {path} ({exc.strerror})") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"output {path} is a folder", "give a file name, e.g. out.mp4")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"output {path} is not a regular file", "write to a file, e.g. out.mp4")
        for source in inputs:
            with_source = _identity(source)
            if with_source == (info.st_dev, info.st_ino):
                raise OutputError(f"output {path} is the input video", "write to another file")
        if not overwrite:
            raise OutputError(f"output {path} already exists", "add --overwrite (-y) to replace it")
    folder = real.parent
    if not folder.is_dir():
        raise OutputError(f"output folder {path.parent} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):  # also catches a read-only mount, even for root
        raise OutputError(f"output folder {path.parent} is not writable")
    return real


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def write_error(exc: BaseException, path: Path) -> OutputError:
    """A failed write in the user's words: a full disk and a used-up quota say so."""
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC:
        return OutputError(f"the disk of {path.parent} is full", "free some space or write elsewhere")
    if code == errno.EDQUOT:
        return OutputError(f"your disk quota for {path.parent} is used up", "free some space or write elsewhere")
    why = getattr(exc, "strerror", None) or str(exc)
    return OutputError(f"cannot write {path} ({why})")


class FileSink(Sink):
    """A video file that appears, complete, when :meth:`commit` (or :meth:`close`) succeeds.

    ``timeline``: the input's clock and sound (``haikei process``): frames keep their times and the
    audio is copied or re-encoded beside them. Without it (a live recording) frames are timed by
    their order at ``fps``. Takes I420 (the pipeline composes in it) where the size allows.
    """

    def __init__(
        self,
        path: Path,
        size: tuple[int, int],
        fps: float,
        *,
        timeline: Timeline | None = None,
        overwrite: bool = False,
        inputs: tuple[Path, ...] = (),
    ):
        self.path = path
        self.format = file_format(path)
        target = check_target(path, overwrite, inputs)
        self.size = size
        odd = size[0] % 2 or size[1] % 2
        #: The size written: odd sides repeat their last column or row where the codec needs even ones.
        self.coded_size = (size[0] + size[0] % 2, size[1] + size[1] % 2) if self.format.even_sides else size
        self.pixel_format = BGR if odd else I420
        rate = Fraction(fps).limit_denominator(1001) if timeline is None else timeline.rate
        self.timeline = timeline or Timeline(Fraction(1) / rate, rate)
        self.description = f"file {path}"
        self.frames = 0
        #: The write error that broke the file (a recording goes on; its close then reports it).
        self.failed: OutputError | None = None
        self._end = 0  # the end of the last frame written, in the time base
        self._tracks: list[AudioTrack] = []
        self._pending = PendingFile(target)
        self.container = None
        try:
            self._open()
        except WRITE_ERRORS as exc:
            self.abort()
            raise write_error(exc, path) from None
        except BaseException:
            self.abort()
            raise

    @classmethod
    def from_spec(cls, arg: str, size: tuple[int, int], fps: float, overwrite: bool = False) -> FileSink:
        return cls(Path(arg).expanduser(), size, fps, overwrite=overwrite)

    def _open(self) -> None:
        fmt, timeline = self.format, self.timeline
        # the format is named: the temporary file's name has no video suffix
        self.container = av.open(str(self._pending.path), "w", format=fmt.muxer, options=dict(fmt.muxer_options))
        stream = self.container.add_stream(fmt.video_codec, rate=timeline.rate)
        context = stream.codec_context
        context.width, context.height = self.coded_size
        context.pix_fmt = "yuv420p"
        context.time_base = stream.time_base = timeline.time_base
        context.colorspace = context.color_primaries = context.color_trc = SMPTE170M
        context.color_range = TV_RANGE
        context.options = dict(fmt.video_options)
        self.video = stream
        self._tracks = [AudioTrack(self.container, stream, fmt, timeline.origin) for stream in timeline.audio]

    @property
    def contents(self) -> str:
        """What was written, for the user: "H.264 + AAC (aac copied)"."""
        sound = ", ".join(track.description for track in self._tracks) or "no sound"
        return f"{self.format.description.split(' + ')[0]}, {sound}"

    def send(self, frame: np.ndarray, timestamp: float | None = None, duration: float | None = None) -> None:
        """Encode ``frame`` (BGR, or I420 when :attr:`pixel_format` is I420), shown at ``timestamp``
        for ``duration`` (s; by default the next slot at the frame rate)."""
        if self.failed is not None:
            return  # reported once, when it happened
        time_base = self.timeline.time_base
        pts = self._end if timestamp is None else round(Fraction(timestamp) / time_base)
        length = (
            round(Fraction(duration) / time_base) if duration else max(1, round(1 / (self.timeline.rate * time_base)))
        )
        picture = self._picture(frame)
        try:
            for packet in self.video.encode(self._video_frame(picture, pts, length)):
                self.container.mux(packet)
            self.frames += 1
            self._end = pts + length
            self._mux_audio(until=pts * time_base)
        except WRITE_ERRORS as exc:
            self.failed = write_error(exc, self.path)
            raise self.failed from None

    def _picture(self, frame: np.ndarray) -> np.ndarray:
        w, h = self.size
        expected = (h * 3 // 2, w) if frame.ndim == 2 else (h, w, 3)
        if frame.shape != expected:  # PyAV would scale it silently
            raise ValueError(f"a frame of shape {frame.shape} for a {w}x{h} file output")
        if frame.ndim == 3 and self.coded_size != self.size:
            dw, dh = self.coded_size[0] - w, self.coded_size[1] - h
            return cv2.copyMakeBorder(frame, 0, dh, 0, dw, cv2.BORDER_REPLICATE)
        return frame

    def _video_frame(self, picture: np.ndarray, pts: int, length: int) -> av.VideoFrame:
        video = av.VideoFrame.from_ndarray(picture, format="yuv420p" if picture.ndim == 2 else "bgr24")
        video.pts, video.duration, video.time_base = pts, length, self.timeline.time_base
        video.colorspace, video.color_range = SMPTE170M, TV_RANGE
        return video

    def _mux_audio(self, until: Fraction | None, end: Fraction | None = None) -> None:
        """Queued audio packets up to ``until`` (s from the start; ``None``: all), dropping those that
        start at or after ``end``: the sound is cut with the picture (``--frames``)."""
        pending = self.timeline.pending_audio
        while pending:
            packet = pending[0]
            at = (packet.pts if packet.pts is not None else packet.dts) * packet.time_base - self.timeline.origin
            if until is not None and at > until:
                return
            pending.popleft()
            for track in self._tracks:
                if packet.stream is track.input and (end is None or at < end):
                    track.add(packet)

    def commit(self) -> None:
        """Finish the file and put it in place of the target. Raises :class:`OutputError` (the target
        untouched) when it cannot be written or read back complete."""
        try:
            for packet in self.video.encode(None):
                self.container.mux(packet)
            end = self._end * self.timeline.time_base
            self._mux_audio(until=None, end=end)
            for track in self._tracks:
                track.flush()
            container, self.container = self.container, None
            container.close()  # the trailer; faststart moves the index to the front here (and may fill the disk)
            self._check_written()
            self._pending.commit()
        except WRITE_ERRORS as exc:
            self.abort()
            raise write_error(exc, self.path) from None
        except BaseException:
            self.abort()
            raise

    @property
    def committed(self) -> bool:
        """The file is complete and in place of the target."""
        return self._pending.committed

    def _check_written(self) -> None:
        """Read the file back: one video stream holding every frame, and every audio track."""
        with av.open(str(self._pending.path)) as written:
            video = written.streams.video
            if len(video) != 1 or len(written.streams.audio) != len(self._tracks):
                raise OutputError(f"cannot write {self.path} (the written file lacks a track)")
            count = sum(1 for packet in written.demux(video[0]) if packet.size)
        if count != self.frames:
            raise OutputError(f"cannot write {self.path} (the written file holds {count} of {self.frames} frames)")

    def abort(self) -> None:
        """Stop writing and remove the temporary file; the target is untouched. Safe to call twice."""
        container, self.container = self.container, None
        if container is not None:
            try:
                container.close()
            except Exception:  # noqa: BLE001 - the file is being thrown away; its write error was reported
                pass
        self._pending.discard()

    def close(self) -> None:
        """A recording ends: commit what was recorded (nothing recorded: nothing written)."""
        if self.container is None:
            return
        if self.failed is not None:
            self.abort()
            raise OutputError(f"{self.failed.message} after {self.frames} frames; nothing was written", self.failed.fix)
        if self.frames:
            self.commit()
        else:
            self.abort()

    def __enter__(self) -> FileSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.abort()  # after a commit there is nothing left to remove


class AudioTrack:
    """One input audio stream in the output: its packets copied, where the container takes its codec,
    or decoded and re-encoded (Opus for WebM, AAC for MP4), timed from the same start as the video."""

    def __init__(
        self, container: av.container.OutputContainer, source: av.audio.AudioStream, fmt: FileFormat, origin: Fraction
    ):
        self.container = container
        self.input = source
        self.origin = origin
        codec = source.codec_context.codec.canonical_name  # "mp3", not its decoder's name "mp3float"
        allowed = container.supported_codecs if fmt.audio_copy is None else fmt.audio_copy
        self.copy = codec in allowed
        if self.copy:
            self.output = container.add_stream_from_template(source)
            self.description = f"{codec} copied"
        else:
            rate = AUDIO_RATES.get(fmt.audio_codec, source.codec_context.sample_rate)
            self.output = container.add_stream(fmt.audio_codec, rate=rate)
            context = self.output.codec_context
            layout = source.codec_context.layout
            context.layout = layout if layout.nb_channels <= 2 else "stereo"
            context.bit_rate = AUDIO_BIT_RATES[context.layout.nb_channels]
            self.resampler = av.AudioResampler(context.codec.audio_formats[0].name, context.layout, rate)
            self.next_pts: int | None = None
            self.description = f"{codec} as {context.codec.canonical_name}"
        self.output.metadata.update(source.metadata)

    def add(self, packet: av.Packet) -> None:
        if not self.copy:
            for frame in packet.decode():
                self._encode(frame)
            return
        shift = round(self.origin / packet.time_base)
        if packet.pts is not None:
            packet.pts -= shift
        if packet.dts is not None:
            packet.dts -= shift
        packet.stream = self.output
        self.container.mux(packet)

    def _encode(self, frame: av.AudioFrame | None) -> None:
        rate = self.output.codec_context.sample_rate
        if frame is not None and self.next_pts is None:  # the first sample's time keeps a late or early start
            start = frame.pts * frame.time_base - self.origin if frame.pts is not None else 0
            self.next_pts = round(start * rate)
        for resampled in self.resampler.resample(frame):
            resampled.pts, resampled.time_base = self.next_pts, Fraction(1, rate)
            self.next_pts += resampled.samples
            for packet in self.output.encode(resampled):
                self.container.mux(packet)

    def flush(self) -> None:
        if self.copy:
            return
        for frame in self.input.codec_context.decode(None):
            self._encode(frame)
        self._encode(None)
        for packet in self.output.encode(None):
            self.container.mux(packet)
