"""The few SPA PODs a PipeWire camera exchanges, as bytes: the video formats it offers, the buffers it
wants, and the format a consumer picked.

A POD is an 8-byte header (body size, type) and a body padded to 8 bytes; an object's body is its
(type, id) and then properties (key, flags, value POD). The numbers are PipeWire's stable ABI
(``spa/utils/type.h``, ``spa/param/param.h``, ``format.h``, ``video/raw.h``, ``buffers.h``).
"""

from __future__ import annotations

import struct

# POD types.
ID, INT, RECTANGLE, FRACTION, OBJECT, CHOICE = 3, 4, 10, 11, 15, 19
CHOICE_RANGE, CHOICE_FLAGS = 1, 4
# Object types and the params they are.
OBJECT_FORMAT, OBJECT_BUFFERS, OBJECT_META = 0x40003, 0x40004, 0x40005
PARAM_ENUM_FORMAT, PARAM_FORMAT, PARAM_BUFFERS, PARAM_META = 3, 4, 5, 6
# Format properties and values.
FORMAT_MEDIA_TYPE, FORMAT_MEDIA_SUBTYPE = 1, 2
VIDEO_FORMAT, VIDEO_SIZE, VIDEO_FRAMERATE = 0x20001, 0x20003, 0x20004
MEDIA_TYPE_VIDEO, MEDIA_SUBTYPE_RAW = 2, 1
VIDEO_FORMAT_I420 = 2
# Buffers and meta properties.
BUFFERS_BUFFERS, BUFFERS_BLOCKS, BUFFERS_SIZE, BUFFERS_STRIDE, BUFFERS_DATA_TYPE = 1, 2, 3, 4, 6
DATA_MEM_PTR, DATA_MEM_FD = 1, 2
META_TYPE, META_SIZE = 1, 2
META_HEADER, META_HEADER_SIZE = 1, 32


def _pod(kind: int, body: bytes) -> bytes:
    return struct.pack("<II", len(body), kind) + body + b"\0" * (-len(body) % 8)


def _id(value: int) -> bytes:
    return _pod(ID, struct.pack("<I", value))


def _int(value: int) -> bytes:
    return _pod(INT, struct.pack("<i", value))


def _int_choice(kind: int, *values: int) -> bytes:
    """A choice of ints: a range is (default, min, max), flags one mask."""
    return _pod(CHOICE, struct.pack("<IIII", kind, 0, 4, INT) + struct.pack(f"<{len(values)}i", *values))


def _object(kind: int, param: int, properties: list[tuple[int, bytes]]) -> bytes:
    body = b"".join(struct.pack("<II", key, 0) + value for key, value in properties)
    return _pod(OBJECT, struct.pack("<II", kind, param) + body)


def i420_format(width: int, height: int, fps: int) -> bytes:
    """One offered mode: raw I420 at a fixed size and rate.

    Fixed values, one mode per param: libwebrtc (Chromium, Firefox) makes a camera capability only of
    a param whose size is not a choice.
    """
    return _object(
        OBJECT_FORMAT,
        PARAM_ENUM_FORMAT,
        [
            (FORMAT_MEDIA_TYPE, _id(MEDIA_TYPE_VIDEO)),
            (FORMAT_MEDIA_SUBTYPE, _id(MEDIA_SUBTYPE_RAW)),
            (VIDEO_FORMAT, _id(VIDEO_FORMAT_I420)),
            (VIDEO_SIZE, _pod(RECTANGLE, struct.pack("<II", width, height))),
            (VIDEO_FRAMERATE, _pod(FRACTION, struct.pack("<II", fps, 1))),
        ],
    )


def i420_buffers(width: int, height: int) -> list[bytes]:
    """The buffers an I420 frame of this size needs (2 to 16 of them, memory or memfd), and a header."""
    return [
        _object(
            OBJECT_BUFFERS,
            PARAM_BUFFERS,
            [
                (BUFFERS_BUFFERS, _int_choice(CHOICE_RANGE, 4, 2, 16)),
                (BUFFERS_BLOCKS, _int(1)),
                (BUFFERS_SIZE, _int(width * height * 3 // 2)),
                (BUFFERS_STRIDE, _int(width)),
                (BUFFERS_DATA_TYPE, _int_choice(CHOICE_FLAGS, (1 << DATA_MEM_PTR) | (1 << DATA_MEM_FD))),
            ],
        ),
        _object(OBJECT_META, PARAM_META, [(META_TYPE, _id(META_HEADER)), (META_SIZE, _int(META_HEADER_SIZE))]),
    ]


def object_properties(pod: bytes) -> dict[int, int | tuple[int, int]]:
    """An object POD's Id, Int, Rectangle and Fraction properties (a choice counts as its default)."""
    size, kind = struct.unpack_from("<II", pod)
    if kind != OBJECT:
        raise ValueError(f"not an object POD (type {kind})")
    end, offset, values = 8 + size, 16, {}
    while offset + 16 <= end:
        key, _flags, value_size, value_type = struct.unpack_from("<IIII", pod, offset)
        body = offset + 16
        if value_type == CHOICE:  # choice body: kind, flags, child size, child type, then the values
            value_type = struct.unpack_from("<I", pod, body + 12)[0]
            body += 16
        if value_type in (ID, INT):
            values[key] = struct.unpack_from("<I", pod, body)[0]
        elif value_type in (RECTANGLE, FRACTION):
            values[key] = struct.unpack_from("<II", pod, body)
        offset += 16 + value_size + (-value_size % 8)
    return values


def video_mode(pod: bytes) -> tuple[int, int, int] | None:
    """(width, height, fps) of a raw I420 Format POD; ``None`` for any other format."""
    values = object_properties(pod)
    if values.get(VIDEO_FORMAT) != VIDEO_FORMAT_I420 or VIDEO_SIZE not in values:
        return None
    width, height = values[VIDEO_SIZE]
    num, denom = values.get(VIDEO_FRAMERATE, (0, 1))
    return width, height, round(num / denom) if denom else 0
