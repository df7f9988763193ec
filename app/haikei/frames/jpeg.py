"""JPEG frames, as MJPG cameras and files send them: decoding one to the BGR picture the stages take,
and encoding a picture the way a webcam does (for the bench's camera stand-in and the tests).

Decoding is libjpeg-turbo's, through simplejpeg (linked into its wheel): the same pixels as OpenCV's
``imdecode`` (the same libjpeg-turbo, its default accurate IDCT and smooth chroma upsampling), about
10 % less CPU, without OpenCV's wrapping. A frame is decoded once, at full size: a DCT-scaled
decode still pays the entropy decoding, most of the cost, so a second, small decode for the model
would cost more than halving the full one.
"""

from __future__ import annotations

import cv2
import numpy as np
import simplejpeg

#: What a UVC webcam sends in MJPG: 4:2:2 chroma, quality about 85.
WEBCAM_QUALITY = 85


def is_jpeg(packet: np.ndarray) -> bool:
    """Whether ``packet`` (bytes as a uint8 array) starts as a JPEG does (SOI marker)."""
    return packet.size > 4 and packet.dtype == np.uint8 and packet.flat[0] == 0xFF and packet.flat[1] == 0xD8


def decode_jpeg(packet: np.ndarray | bytes) -> np.ndarray | None:
    """The BGR picture in a JPEG, or ``None`` if it cannot be decoded (a torn frame included: a
    picture grey below the tear would flash on screen and in the mask)."""
    data = packet.reshape(-1) if isinstance(packet, np.ndarray) else packet  # OpenCV hands packets as 1xN
    try:
        return simplejpeg.decode_jpeg(data, "BGR", strict=True)
    except ValueError:
        return None


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
