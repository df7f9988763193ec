"""JPEG frames, as MJPG cameras and files send them: decoding one to the BGR picture the stages take,
and encoding a picture the way a webcam does (for the bench's camera stand-in and the tests).

Decoding is libjpeg-turbo's, through simplejpeg (linked into its wheel): the same pixels as OpenCV's
``imdecode`` (the same libjpeg-turbo, its default accurate IDCT and smooth chroma upsampling), about
10 % less CPU, without OpenCV's wrapping. A frame is decoded once: a DCT-scaled decode still pays
the entropy decoding, most of the cost, so a second, small decode for the model would cost more than
halving the full one. The one decode is DCT-scaled only where the output needs no more than half the
picture on both sides (:func:`dct_factor`): then the IDCT and colour work of pixels the output would
drop anyway are saved.
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


def dct_factor(picture: tuple[int, int], output: tuple[int, int]) -> int:
    """The largest of libjpeg-turbo's fast DCT scales (1/8, 1/4, 1/2; others are slower than a full
    decode) at which a ``picture`` (w, h) still covers ``output`` (w, h) once cover-fitted, or 1."""
    needed = max(output[0] / picture[0], output[1] / picture[1])
    return next((factor for factor in (8, 4, 2) if needed * factor <= 1), 1)


def decode_jpeg(packet: np.ndarray | bytes, fit: tuple[int, int] | None = None) -> np.ndarray | None:
    """The BGR picture in a JPEG, or ``None`` if it cannot be decoded (a torn frame included: a
    picture grey below the tear would flash on screen and in the mask). With ``fit``, the output
    size (w, h) it is for, the picture comes DCT-scaled by :func:`dct_factor`."""
    data = packet.reshape(-1) if isinstance(packet, np.ndarray) else packet  # OpenCV hands packets as 1xN
    try:
        if fit is not None:
            h, w = simplejpeg.decode_jpeg_header(data)[:2]
            factor = dct_factor((w, h), fit)
            if factor > 1:  # the smallest size libjpeg-turbo makes that is at least this is w / factor
                return simplejpeg.decode_jpeg(
                    data, "BGR", strict=True, min_width=-(-w // factor), min_height=-(-h // factor)
                )
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
