"""A video file read once, in order, with its sound: what ``haikei process`` reads (PyAV).

Unlike OpenCV's reader it tells the real end of a file from a failure midway: a file cut short, a
damaged packet or index, or a read error raise :class:`SourceError` with the frame counts, where
OpenCV just stops early. It keeps each frame's presentation time (a variable frame rate stays
variable), turns phone videos upright (their rotation is only known from decoded frames), and
queues the audio packets it meets for the file output (:class:`haikei.frames.files.Timeline`).
FFmpeg's own log stays silent (PyAV's default): the one line is ours.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from haikei.errors import MediaError, SourceError
from haikei.frames import Frame
from haikei.frames.files import VIDEO_FIX, Timeline, check_readable_file
from haikei.stats import stage_clock

#: What demuxing or decoding raises for a file that cannot be read on.
READ_ERRORS = (av.FFmpegError, OSError, EOFError, MemoryError)
MAX_RATE = 240


def reason(exc: BaseException) -> str:
    """FFmpeg's or the system's words for what went wrong ("Invalid data found when processing input")."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class VideoReader:
    """The frames of a video file (BGR, upright, in presentation order) and a check that the file
    was read to its end. :attr:`timeline` carries its clock and its audio to the file output."""

    def __init__(self, path: Path):
        try:
            check_readable_file(path, "video")
        except MediaError as exc:
            raise SourceError(exc.message, exc.fix) from None
        self.path = path
        self.name = path.name
        try:
            self.container = av.open(str(path), metadata_errors="ignore")
        except READ_ERRORS as exc:
            raise SourceError(f"cannot decode video {path} ({reason(exc)})", VIDEO_FIX) from None
        if not self.container.streams.video:
            self.container.close()
            raise SourceError(f"{path} has no video stream", "give a video file, not a sound or image file")
        video = self.video = self.container.streams.video[0]
        video.thread_type = "AUTO"
        audio = [s for s in self.container.streams.audio if s.codec_context is not None]
        # FFmpeg's guess first: a remuxed Matroska file can claim an average rate of 30000 fps.
        rates = (video.guessed_rate, video.average_rate, video.base_rate)
        rate = next((Fraction(r) for r in rates if r and 0 < r <= MAX_RATE), Fraction(30))
        starts = [s.start_time * s.time_base for s in (video, *audio) if s.start_time is not None]
        self.timeline = Timeline(video.time_base, rate, audio, origin=min(starts, default=Fraction(0)))
        self.fps = float(rate)
        #: Frames the file says it holds (``None`` for Matroska and WebM, which do not say).
        self.frame_count: int | None = video.frames or None
        #: Frames the decoder repaired (concealed damage) and frames whose time had to be replaced.
        self.concealed = 0
        self.retimed = 0
        self.frames_read = 0
        self._video_end = self._audio_end = Fraction(0)
        self._nominal = max(1, round(1 / (rate * video.time_base)))  # one frame, in time-base units
        self._decoded = self._decode()
        try:
            first = next(self._decoded, None)
        except READ_ERRORS as exc:
            self.close()
            raise SourceError(f"cannot decode video {path} ({reason(exc)})", VIDEO_FIX) from None
        if first is None:
            self.close()
            raise SourceError(f"no frames could be read from {path}", VIDEO_FIX)
        self._first = first
        self.rotation = first.rotation
        self.size = (first.height, first.width) if self.rotation % 180 else (first.width, first.height)

    @property
    def total(self) -> str:
        """The announced frame count for messages ("760", or "?")."""
        return str(self.frame_count) if self.frame_count else "?"

    def _decode(self) -> Iterator[av.VideoFrame]:
        """The video's frames as FFmpeg gives them; the audio packets go to the timeline's queue."""
        pending = self.timeline.pending_audio
        for packet in self.container.demux([self.video, *self.timeline.audio]):
            if packet.stream.type == "audio":
                if packet.size:
                    if packet.pts is not None:
                        end = (packet.pts + packet.duration) * packet.time_base
                        self._audio_end = max(self._audio_end, end)
                    pending.append(packet)
                continue
            if packet.is_corrupt:  # the demuxer's flag, e.g. on the last packet of a cut file
                raise av.InvalidDataError(22, "a damaged packet")
            yield from packet.decode()

    def frames(self) -> Iterator[Frame]:
        """Every frame, then the check that the file ended where it says: a :class:`SourceError`
        (with how far it got) for a file that fails midway or ends early."""
        time_base = self.video.time_base
        start = round(self.timeline.origin / time_base)
        held: tuple[int, av.VideoFrame, float] | None = None  # a frame waits for the next one's time: its duration
        last_pts: int | None = None
        decoded = itertools.chain([self._first], self._decoded)
        try:
            while True:
                started = stage_clock()
                frame = next(decoded, None)
                if frame is None:
                    break
                pts = frame.pts
                if pts is None or (last_pts is not None and pts <= last_pts):  # a damaged index
                    pts = (start - self._nominal if last_pts is None else last_pts) + self._nominal
                    self.retimed += 1
                last_pts = pts
                self.concealed += frame.is_corrupt
                if held is not None:
                    yield self._frame(*held, pts - held[0])
                held = (pts, frame, (stage_clock() - started) * 1e3)
        except READ_ERRORS as exc:
            at = self.frames_read + 1 + (held is not None)
            raise SourceError(f"{self.name} is damaged at frame {at} of {self.total} ({reason(exc)})") from None
        if held is not None:
            duration = held[1].duration or self._nominal
            self._video_end = (held[0] + duration) * time_base
            yield self._frame(*held, duration)
        self._check_complete()

    def _frame(self, pts: int, frame: av.VideoFrame, capture_ms: float, duration: int) -> Frame:
        started = stage_clock()
        image = frame.to_ndarray(format="bgr24")
        if frame.rotation:  # a phone video's display matrix: upright, as players show it
            image = np.ascontiguousarray(np.rot90(image, frame.rotation // 90))
        time_base = self.video.time_base
        timestamp = float(pts * time_base - self.timeline.origin)
        capture_ms += (stage_clock() - started) * 1e3
        result = Frame(image, self.frames_read, timestamp, capture_ms, duration=float(duration * time_base))
        self.frames_read += 1
        return result

    def _check_complete(self) -> None:
        read = self.frames_read
        if self.frame_count and read < self.frame_count:
            raise SourceError(
                f"{self.name} ended after {read} of {self.frame_count} frames (the file is cut short or damaged)"
            )
        # No frame count (Matroska, WebM): the container's duration, where it says one (a recording
        # from a browser does not). A cut file ends every stream early.
        container = self.container
        if not self.frame_count and container.duration:
            end = Fraction(container.start_time or 0, av.time_base) + Fraction(container.duration, av.time_base)
            reached = max(self._video_end, self._audio_end)
            if reached < end - max(Fraction(1, 2), 3 / self.timeline.rate):
                origin = self.timeline.origin
                raise SourceError(
                    f"{self.name} ended at {float(reached - origin):.1f} s of {float(end - origin):.1f} s after "
                    f"{read} frames (the file is cut short or damaged)"
                )

    def close(self) -> None:
        self.container.close()
