"""JPEG frames, as MJPG cameras and files send them: decoding one to the BGR picture the stages take,
and encoding a picture the way a webcam does (for the bench's camera stand-in and the tests)."""

from __future__ import annotations

import cv2
import numpy as np

#: What a UVC webcam sends in MJPG: 4:2:2 chroma, quality about 85.
WEBCAM_QUALITY = 85


def is_jpeg(packet: np.ndarray) -> bool:
    """Whether ``packet`` (bytes as a uint8 array) starts as a JPEG does (SOI marker)."""
    return packet.size > 4 and packet.dtype == np.uint8 and packet.flat[0] == 0xFF and packet.flat[1] == 0xD8


def decode_jpeg(packet: np.ndarray | bytes) -> np.ndarray | None:
    """The BGR picture in a JPEG, or ``None`` if it cannot be decoded."""
    data = np.frombuffer(packet, np.uint8) if isinstance(packet, bytes) else packet.reshape(-1)
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def encode_jpeg(image: np.ndarray, quality: int = WEBCAM_QUALITY) -> bytes:
    """``image`` (BGR) as a webcam's MJPG frame: baseline JPEG, 4:2:2, by libjpeg-turbo."""
    params = [
        cv2.IMWRITE_JPEG_QUALITY,
        quality,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422,
    ]
    ok, data = cv2.imencode(".jpg", image, params)
    if not ok:
        raise ValueError("cannot encode the picture as JPEG")
    return data.tobytes()
