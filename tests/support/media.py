"""Video files with sound made for the tests (PyAV), and what a written file holds, measured by decoding it.

The sync clips show a white frame and play a 1 kHz beep at each whole second: an output whose sound
drifts from its picture by a frame shows it. ``doctor_with_sound`` is the Doctor video (its packets
as they are) with a beep track as long as the picture: a real camera clip of 760 frames with audio.
"""

from __future__ import annotations

import hashlib
import struct
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

RATE = 48000
TEMP_MARK = "haikei-partial"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """The temporary files of unfinished writes in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if TEMP_MARK in p.name)


def beeps(seconds: float, rate: int = RATE, start: float = 0.0) -> np.ndarray:
    """Stereo float32 (2, n): quiet noise, and a 60 ms 1 kHz beep at each whole second."""
    t = np.arange(int(seconds * rate)) / rate + start
    sound = 0.01 * np.random.default_rng(0).standard_normal(t.size)
    sound += np.where(t - np.floor(t) < 0.06, 0.6 * np.sin(2 * np.pi * 1000 * t), 0)
    return np.stack([sound, sound]).astype(np.float32)


def _encode_audio(stream, samples: np.ndarray, layout: str, rate: int, first: int) -> list[av.Packet]:
    context = stream.codec_context
    resampler = av.AudioResampler(context.codec.audio_formats[0].name, layout, rate)
    step = context.frame_size or 1024
    packets = []
    for pos in [*range(0, samples.shape[1], step), None]:
        frame = None
        if pos is not None:
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, pos : pos + step]), "fltp", layout)
            frame.sample_rate, frame.pts, frame.time_base = rate, first + pos, Fraction(1, rate)
        for resampled in resampler.resample(frame):
            packets += stream.encode(resampled)
    return packets + stream.encode(None)


def _mux_in_time_order(out, *packet_lists: list[av.Packet]) -> None:
    """Interleaved as a camera or a phone writes them: by decoding time."""
    packets = sorted((p for packets in packet_lists for p in packets), key=lambda p: p.dts * p.time_base)
    for packet in packets:
        out.mux(packet)


def sync_clip(
    path: Path,
    muxer: str,
    vcodec: str = "libx264",
    acodec: str | None = "aac",
    size: tuple[int, int] = (320, 180),
    seconds: float = 2.0,
    vfr: bool = False,
    audio_start: float = 0.0,
    layout: str = "stereo",
    audio_rate: int = RATE,
) -> Path:
    """A clip flashing white at each whole second, with a beep there (from ``audio_start`` on)."""
    out = av.open(str(path), "w", format=muxer)
    video = out.add_stream(vcodec, rate=30)
    video.width, video.height = size
    video.pix_fmt = "yuv420p" if size[0] % 2 == 0 and size[1] % 2 == 0 else "yuv444p"
    time_base = Fraction(1, 90000)
    video.codec_context.time_base = time_base
    if vcodec == "libx264":
        video.codec_context.options = {"preset": "ultrafast", "crf": "18"}
    times, t, i = [], 0.0, 0
    while t < seconds - 1e-9:  # constant 1/30 s, or variable steps of 1/30 and 1/15 s
        times.append(t)
        t = round((t + (1 / 15 if vfr and i % 3 == 1 else 1 / 30)) * 90000) / 90000
        i += 1
    times = sorted(set(times) | {float(s) for s in range(int(seconds))})
    sound = None
    if acodec:
        sound = out.add_stream(acodec, rate=audio_rate)
        sound.codec_context.layout = layout
    pictures = []
    for index, t in enumerate(times):
        picture = np.full((size[1], size[0], 3), 40, np.uint8)
        cv2.putText(picture, str(index), (10, size[1] // 2), cv2.FONT_HERSHEY_SIMPLEX, 1, (200, 200, 200), 2)
        if abs(t - round(t)) < 1e-6:
            picture[:] = 255
        frame = av.VideoFrame.from_ndarray(picture, format="bgr24")
        frame.pts, frame.time_base = round(t * 90000), time_base
        pictures += video.encode(frame)
    pictures += video.encode(None)
    sounds = []
    if sound is not None:
        samples = beeps(seconds - audio_start, audio_rate, start=audio_start)
        samples = samples[:1] if layout == "mono" else samples
        sounds = _encode_audio(sound, samples, layout, audio_rate, round(audio_start * audio_rate))
    _mux_in_time_order(out, pictures, sounds)
    out.close()
    return path


def doctor_with_sound(doctor: Path, path: Path) -> Path:
    """The Doctor video's packets as they are, plus a beep track (AAC) as long as the picture; the
    index first, as the original has it (a cut copy still opens)."""
    options = {"movflags": "+faststart"}
    with av.open(str(doctor)) as source, av.open(str(path), "w", format="mp4", options=options) as out:
        video_in = source.streams.video[0]
        video = out.add_stream_from_template(video_in)
        sound = out.add_stream("aac", rate=RATE)
        sound.codec_context.layout = "stereo"
        pictures = []
        for packet in source.demux(video_in):
            if packet.dts is not None:
                packet.stream = video
                pictures.append(packet)
        sounds = _encode_audio(sound, beeps(float(video_in.duration * video_in.time_base)), "stereo", RATE, 0)
        _mux_in_time_order(out, pictures, sounds)
    return path


def remux(source: Path, path: Path, muxer: str, video_delay: float = 0.0) -> Path:
    """``source``'s packets in another container (the picture ``video_delay`` s after the sound)."""
    with av.open(str(source)) as src, av.open(str(path), "w", format=muxer) as out:
        streams = {s.index: out.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is None:
                continue
            if packet.stream.type == "video" and video_delay:
                shift = round(Fraction(video_delay) / packet.time_base)
                packet.pts += shift
                packet.dts += shift
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
    return path


def rotated(source: Path, path: Path) -> Path:
    """``source`` (an MP4) with a display matrix turning it a quarter, as phones record."""
    data = bytearray(source.read_bytes())
    at = data.find(b"tkhd") + 4 + 4 + 20 + 8 + 8  # version 0: the matrix after the fields before it
    data[at : at + 36] = struct.pack(">9i", 0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30)
    path.write_bytes(bytes(data))
    return path


def streams(path: Path) -> dict[str, dict]:
    """Each stream type's codec and, for the video, its size, pixel format and frame count."""
    with av.open(str(path)) as c:
        found = {}
        for s in c.streams:
            info = {"codec": s.codec_context.codec.canonical_name}
            if s.type == "video":
                cc = s.codec_context
                info.update(size=(cc.width, cc.height), pix_fmt=cc.pix_fmt, frames=s.frames)
            found.setdefault(s.type, info)
        return found


def frame_count(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def sync_report(path: Path) -> dict:
    """Each frame's time, the flashes' times, and (with sound) its start, end and beep offsets (ms)."""
    times, flashes = [], []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            t = float(frame.pts * frame.time_base)
            times.append(t)
            if frame.to_ndarray(format="gray").mean() > 200:
                flashes.append(t)
        report = {"frames": len(times), "times": times, "flashes": flashes, "video_end": times[-1]}
        if not c.streams.audio:
            return report
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler("flt", "mono", rate)
        first, chunks = None, []
        for frame in [*c.decode(stream), None]:
            if first is None and frame is not None:
                first = float(frame.pts * frame.time_base)
            chunks += [r.to_ndarray().reshape(-1) for r in resampler.resample(frame)]
    samples = np.concatenate(chunks)
    onsets, last = [], -1.0
    for i in np.flatnonzero(np.abs(samples) > 0.3):
        t = first + i / rate
        if t - last > 0.5:
            onsets.append(t)
        last = t
    offsets = [(min(onsets, key=lambda b: abs(b - f)) - f) * 1000 for f in flashes] if onsets else []
    report.update(audio_start=first, audio_end=first + samples.size / rate, offsets_ms=offsets)
    return report


def top_atoms(path: Path) -> list[str]:
    """The top-level boxes of an MP4/MOV file, in order."""
    data, pos, atoms = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        atoms.append(kind.decode("latin1"))
        if size < 8:
            break
        pos += size
    return atoms
