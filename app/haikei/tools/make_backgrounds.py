"""Generate the shipped backgrounds into ``backgrounds/``: 1920x1080 JPEGs and short seamless video
loops (640x360 VP8 ``.webm`` at 12 fps, written by OpenCV: no other encoder needed; OpenCV picks the
bit rate from the size and frame rate, so these keep each file small).

Deterministic (fixed seeds), made only from numpy and OpenCV drawing, so the project owns every
pixel: ``python -m haikei.tools.make_backgrounds [FOLDER]`` (``make backgrounds``).

A video is a function of the loop's phase (0 to 1) in which everything moves along closed paths
(whole turns of sines and cosines), so the frame after the last is the first again: the loop has no seam.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

W, H = 1920, 1080
JPEG_QUALITY = 90
#: The video loops: their size, frame rate and length (they are scaled to the output, and soft enough for it).
VIDEO_W, VIDEO_H = 640, 360
VIDEO_FPS = 12
LOOP_SECONDS = 8
TAU = 2 * np.pi


def _grid(w: int = W, h: int = H) -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return x / w, y / h


def _mix(a, b, t: np.ndarray) -> np.ndarray:
    """Per-pixel blend of two RGB colours (0..255) by ``t`` in 0..1."""
    a, b = np.array(a, np.float32), np.array(b, np.float32)
    return a + (b - a) * t[..., None]


def _ramp(stops: list[tuple[float, tuple[int, int, int]]], t: np.ndarray) -> np.ndarray:
    """A multi-stop colour gradient along ``t``."""
    positions = np.array([p for p, _ in stops], np.float32)
    colours = np.array([c for _, c in stops], np.float32)
    return np.stack([np.interp(t, positions, colours[:, c]) for c in range(3)], axis=-1).astype(np.float32)


def _vignette(image: np.ndarray, strength: float) -> np.ndarray:
    x, y = _grid()
    d = np.sqrt(((x - 0.5) * 1.2) ** 2 + (y - 0.5) ** 2)
    return image * (1.0 - strength * np.clip(d - 0.2, 0, 1) ** 1.5)[..., None]


def _bokeh(
    image: np.ndarray, rng: np.random.Generator, count: int, palette, radius=(30, 110), region=(0.0, 1.0), blur=9
) -> np.ndarray:
    """Soft out-of-focus lights: filled discs with a brighter rim, blurred, added on top."""
    lights = np.zeros_like(image)
    for _ in range(count):
        r = int(rng.uniform(*radius))
        cx = int(rng.uniform(-0.05, 1.05) * W)
        cy = int(rng.uniform(*region) * H)
        colour = np.array(palette[rng.integers(len(palette))], np.float32) * rng.uniform(0.25, 0.7)
        disc = np.zeros_like(image)
        cv2.circle(disc, (cx, cy), r, colour.tolist(), -1, cv2.LINE_AA)
        cv2.circle(disc, (cx, cy), r, (colour * 0.5).tolist(), max(2, r // 12), cv2.LINE_AA)
        lights += disc
    return image + cv2.GaussianBlur(lights, (0, 0), blur)


def _dither(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A little noise so smooth gradients do not band after JPEG compression."""
    return image + rng.normal(0, 1.2, image.shape).astype(np.float32)


def soft_dawn(rng: np.random.Generator) -> np.ndarray:
    x, y = _grid()
    t = np.clip(0.65 * y + 0.35 * x, 0, 1)
    image = _ramp([(0.0, (252, 214, 196)), (0.45, (236, 186, 200)), (1.0, (152, 150, 210))], t)
    glow = np.exp(-(((x - 0.78) / 0.35) ** 2 + ((y - 0.25) / 0.3) ** 2))
    return _mix((0, 0, 0), (255, 244, 228), glow) * 0.35 + image * (1 - 0.35 * glow[..., None])


def warm_bokeh(rng: np.random.Generator) -> np.ndarray:
    x, y = _grid()
    image = _ramp([(0.0, (46, 28, 24)), (0.6, (78, 44, 30)), (1.0, (32, 20, 18))], y)
    palette = [(255, 190, 110), (255, 150, 80), (255, 220, 160), (240, 120, 90)]
    image = _bokeh(image, rng, 70, palette, (25, 70), (0.05, 0.7), blur=6)
    image = _bokeh(image, rng, 25, palette, (80, 150), (0.0, 0.8), blur=14)
    return _vignette(image, 0.55)


def night_city_bokeh(rng: np.random.Generator) -> np.ndarray:
    x, y = _grid()
    image = _ramp([(0.0, (14, 22, 48)), (0.55, (22, 40, 78)), (1.0, (10, 16, 34))], y)
    palette = [(90, 170, 255), (150, 110, 255), (80, 230, 220), (255, 130, 200), (255, 210, 140)]
    image = _bokeh(image, rng, 90, palette, (20, 60), (0.25, 0.8), blur=5)
    image = _bokeh(image, rng, 20, palette, (70, 140), (0.1, 0.9), blur=12)
    return _vignette(image, 0.5)


def calm_room(rng: np.random.Generator) -> np.ndarray:
    """A quiet room seen from a desk: back wall, floor, a side wall, a window pouring light in."""
    x, y = _grid()
    image = _mix((214, 206, 194), (236, 230, 220), 1 - y)  # back wall, lighter towards the ceiling
    floor_y = 0.78
    floor = _mix((168, 132, 100), (120, 88, 64), np.clip((y - floor_y) / (1 - floor_y), 0, 1))
    image = np.where((y > floor_y)[..., None], floor, image)
    # Left wall in perspective: a trapezoid, darker.
    left = np.zeros((H, W), np.float32)
    cv2.fillPoly(
        left, [np.array([[0, 0], [int(0.16 * W), int(0.12 * H)], [int(0.16 * W), int(floor_y * H)], [0, H]])], 1.0
    )
    image = image * (1 - 0.22 * left[..., None]) + np.array([150, 140, 130], np.float32) * 0.22 * left[..., None]
    # Window on the back wall with a warm light patch falling onto the floor.
    wx0, wx1, wy0, wy1 = int(0.58 * W), int(0.86 * W), int(0.14 * H), int(0.58 * H)
    window = np.zeros((H, W), np.float32)
    cv2.rectangle(window, (wx0, wy0), (wx1, wy1), 1.0, -1)
    frame_mask = np.zeros((H, W), np.float32)
    cv2.rectangle(frame_mask, (wx0, wy0), (wx1, wy1), 1.0, 14)
    cv2.line(frame_mask, ((wx0 + wx1) // 2, wy0), ((wx0 + wx1) // 2, wy1), 1.0, 10)
    cv2.line(frame_mask, (wx0, (wy0 + wy1) // 2), (wx1, (wy0 + wy1) // 2), 1.0, 10)
    sky = _mix((250, 246, 232), (210, 230, 245), np.clip((y - 0.14) / 0.44, 0, 1))
    image = image * (1 - window[..., None]) + sky * window[..., None]
    image = image * (1 - frame_mask[..., None]) + np.array([244, 240, 232], np.float32) * frame_mask[..., None]
    patch = np.zeros((H, W), np.float32)
    cv2.fillPoly(
        patch,
        [
            np.array(
                [
                    [int(0.46 * W), H],
                    [int(0.62 * W), int(floor_y * H)],
                    [int(0.82 * W), int(floor_y * H)],
                    [int(0.84 * W), H],
                ]
            )
        ],
        1.0,
    )
    image += cv2.GaussianBlur(patch, (0, 0), 25)[..., None] * np.array([40, 30, 14], np.float32)
    # A low sideboard and a plant silhouette to give the room depth.
    cv2.rectangle(image, (int(0.2 * W), int(0.62 * H)), (int(0.48 * W), int(floor_y * H)), (120, 96, 76), -1)
    cv2.rectangle(image, (int(0.2 * W), int(0.62 * H)), (int(0.48 * W), int(0.635 * H)), (138, 112, 90), -1)
    cv2.ellipse(image, (int(0.27 * W), int(0.58 * H)), (34, 44), 0, 0, 360, (150, 140, 128), -1, cv2.LINE_AA)
    for _ in range(14):
        angle = rng.uniform(-2.4, -0.7)
        length = rng.uniform(110, 230)
        base = (int(0.27 * W), int(0.55 * H))
        tip = (int(base[0] + np.cos(angle) * length), int(base[1] + np.sin(angle) * length))
        cv2.line(image, base, tip, (72, 104, 70), int(rng.uniform(10, 18)), cv2.LINE_AA)
    cv2.rectangle(image, (int(0.38 * W), int(0.50 * H)), (int(0.44 * W), int(0.62 * H)), (226, 214, 196), -1)
    # Ambient light: brighter towards the window, softened like a shallow depth of field.
    light = np.exp(-(((x - 0.72) / 0.5) ** 2 + ((y - 0.4) / 0.6) ** 2))
    image = image * (0.82 + 0.22 * light[..., None])
    return _vignette(cv2.GaussianBlur(image, (0, 0), 6), 0.35)


def aurora(rng: np.random.Generator) -> np.ndarray:
    x, y = _grid()
    image = _ramp([(0.0, (6, 12, 30)), (0.7, (14, 34, 58)), (1.0, (8, 18, 30))], y)
    for hue, centre, phase in (((60, 220, 160), 0.35, 0.0), ((90, 160, 255), 0.45, 1.7), ((170, 120, 240), 0.28, 3.1)):
        curve = centre + 0.08 * np.sin(x * 5.5 + phase) + 0.04 * np.sin(x * 13 + phase * 2)
        band = np.exp(-(((y - curve) / 0.07) ** 2)) * (0.5 + 0.5 * np.sin(x * 40 + phase) ** 2)
        rays = np.clip((curve - y) / 0.25 + 1, 0, 1) * np.exp(-np.clip(curve - y, 0, None) / 0.18)
        image += np.array(hue, np.float32) * (0.55 * band + 0.25 * rays * (y < curve))[..., None]
    stars = np.zeros((H, W), np.float32)
    for _ in range(400):
        cv2.circle(stars, (int(rng.uniform(0, W)), int(rng.uniform(0, 0.7 * H))), 1, float(rng.uniform(60, 200)), -1)
    image += cv2.GaussianBlur(stars, (0, 0), 0.8)[..., None]
    hills = 0.83 + 0.04 * np.sin(x * 4 + 1) + 0.02 * np.sin(x * 11)
    image = np.where((y > hills)[..., None], np.array([6, 10, 16], np.float32), image)
    return cv2.GaussianBlur(image, (0, 0), 2.5)


def misty_hills(rng: np.random.Generator) -> np.ndarray:
    x, y = _grid()
    image = _ramp([(0.0, (246, 214, 180)), (0.5, (240, 190, 170)), (1.0, (200, 170, 180))], y)
    sun = np.exp(-(((x - 0.3) / 0.08) ** 2 + ((y - 0.38) / 0.14) ** 2))
    image += sun[..., None] * np.array([12, 14, 10], np.float32) * 3
    layers = [((196, 150, 160), 0.52), ((160, 118, 140), 0.62), ((120, 88, 118), 0.72), ((80, 58, 90), 0.84)]
    for i, (colour, base) in enumerate(layers):
        ph = rng.uniform(0, 6.28, 3)
        ridge = (
            base
            + 0.05 * np.sin(x * (3 + i) + ph[0])
            + 0.025 * np.sin(x * (9 + 2 * i) + ph[1])
            + 0.01 * np.sin(x * 31 + ph[2])
        )
        mask = cv2.GaussianBlur((y > ridge).astype(np.float32), (0, 0), 2.0 + (3 - i) * 1.5)
        haze = _mix(colour, image.mean(axis=(0, 1)), np.clip(0.5 - (y - ridge), 0, 1) * 0.3)
        image = image * (1 - mask[..., None]) + haze * mask[..., None]
    return image


def studio_grey(rng: np.random.Generator) -> np.ndarray:
    """A photographer's backdrop: soft light in the middle falling off to the corners."""
    x, y = _grid()
    d = np.sqrt(((x - 0.5) / 0.6) ** 2 + ((y - 0.42) / 0.7) ** 2)
    return _ramp([(0.0, (150, 156, 162)), (0.6, (104, 110, 118)), (1.2, (52, 56, 62))], d)


BACKGROUNDS = {
    "soft-dawn": soft_dawn,
    "warm-bokeh": warm_bokeh,
    "night-city-bokeh": night_city_bokeh,
    "calm-room": calm_room,
    "aurora": aurora,
    "misty-hills": misty_hills,
    "studio-grey": studio_grey,
}


# -- video loops: each returns the frame for a phase of the loop (0 to 1), RGB float ------------------


def drifting_lights(rng: np.random.Generator) -> Callable[[float], np.ndarray]:
    """Warm out-of-focus lights drifting slowly on small closed paths and breathing in brightness."""
    w, h = VIDEO_W, VIDEO_H
    px = w / 960  # sizes below are in pixels of a 960-wide frame
    x, y = _grid(w, h)
    base = _ramp([(0.0, (40, 26, 30)), (0.6, (70, 42, 40)), (1.0, (30, 20, 24))], y)
    vignette = (1.0 - 0.5 * np.clip(np.sqrt(((x - 0.5) * 1.2) ** 2 + (y - 0.5) ** 2) - 0.2, 0, 1) ** 1.5)[..., None]
    palette = np.array([(255, 190, 110), (255, 150, 80), (255, 220, 160), (240, 120, 90), (250, 170, 190)])
    count = 46
    centre = np.stack([rng.uniform(-0.05, 1.05, count) * w, rng.uniform(0.05, 0.95, count) * h], axis=1)
    reach = rng.uniform(15, 60, (count, 2)) * px
    turns = rng.integers(1, 3, count)  # whole turns per loop: every path closes
    start = rng.uniform(0, TAU, (count, 3))
    radius = rng.uniform(14, 60, count) * px
    colour = palette[rng.integers(len(palette), size=count)] * rng.uniform(0.35, 0.8, count)[:, None]

    def frame(phase: float) -> np.ndarray:
        lights = np.zeros((h, w, 3), np.float32)
        angle = TAU * turns * phase
        for i in range(count):
            cx = centre[i, 0] + reach[i, 0] * np.cos(angle[i] + start[i, 0])
            cy = centre[i, 1] + reach[i, 1] * np.sin(angle[i] + start[i, 1])
            glow = colour[i] * (0.75 + 0.25 * np.sin(TAU * phase + start[i, 2]))
            cv2.circle(lights, (round(cx * 4), round(cy * 4)), round(radius[i] * 4), glow.tolist(), -1, cv2.LINE_AA, 2)
        return (base + cv2.GaussianBlur(lights, (0, 0), 6 * px)) * vignette

    return frame


def colour_flow(rng: np.random.Generator) -> Callable[[float], np.ndarray]:
    """Large soft fields of colour flowing into each other, as on a phone's lock screen."""
    w, h = VIDEO_W, VIDEO_H
    x, y = _grid(w, h)
    blobs = (
        ((96, 140, 230), (0.25, 0.3), (0.15, 0.12), 1, 0.0),
        ((150, 110, 220), (0.75, 0.35), (0.12, 0.15), -1, 1.3),
        ((80, 190, 200), (0.4, 0.8), (0.18, 0.1), 1, 2.6),
        ((240, 160, 190), (0.8, 0.8), (0.1, 0.14), -1, 4.0),
    )
    base = _ramp([(0.0, (40, 50, 96)), (1.0, (24, 30, 64))], y)
    small_x, small_y = x[::8, ::8], y[::8, ::8]

    def frame(phase: float) -> np.ndarray:
        field = np.zeros((*small_x.shape, 3), np.float32)
        weight = np.zeros(small_x.shape, np.float32)
        for colour, (cx, cy), (ax, ay), way, start in blobs:
            turn = way * TAU * phase + start
            px, py = cx + ax * np.cos(turn), cy + ay * np.sin(turn)
            blob = np.exp(-(((small_x - px) / 0.32) ** 2 + ((small_y - py) / 0.38) ** 2))
            field += blob[..., None] * np.array(colour, np.float32)
            weight += blob
        small = (
            field / (weight[..., None] + 0.35)
            + cv2.resize(base, small_x.shape[::-1]) * (0.35 / (weight + 0.35))[..., None]
        )
        return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)

    return frame


VIDEOS: dict[str, Callable[[np.random.Generator], Callable[[float], np.ndarray]]] = {
    "drifting-lights": drifting_lights,
    "colour-flow": colour_flow,
}


def video_frames(name: str, count: int | None = None) -> list[np.ndarray]:
    """The loop ``name`` as BGR uint8 frames at phases 0, 1/count, …: the frame after the last is the first."""
    count = count or VIDEO_FPS * LOOP_SECONDS
    rng = np.random.default_rng(abs(hash_name(name)))
    frame = VIDEOS[name](rng)  # no dither: noise that changes every frame is what a video codec pays most for
    return [cv2.cvtColor(np.clip(frame(i / count), 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR) for i in range(count)]


def write_video(path: Path, frames: list[np.ndarray]) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP80"), VIDEO_FPS, (VIDEO_W, VIDEO_H))
    if not writer.isOpened():
        raise SystemExit(f"OpenCV cannot write VP8 here: {path}")
    for frame in frames:
        writer.write(frame)
    writer.release()


def render(name: str) -> np.ndarray:
    """The background ``name`` as a BGR uint8 image."""
    rng = np.random.default_rng(abs(hash_name(name)))
    rgb = _dither(BACKGROUNDS[name](rng), rng)
    return cv2.cvtColor(np.clip(rgb, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


def hash_name(name: str) -> int:
    """A stable seed (Python's ``hash`` of a str changes between runs)."""
    return int.from_bytes(name.encode(), "little") % (2**32)


def main(argv: list[str] | None = None) -> int:
    """``[FOLDER] [NAME…]``: every background (or the ones named) into FOLDER (default: the shipped folder)."""
    args = sys.argv[1:] if argv is None else argv
    from haikei import paths

    folder = Path(args[0]) if args else paths.shipped_backgrounds_dir()
    wanted = set(args[1:]) or {*BACKGROUNDS, *VIDEOS}
    folder.mkdir(parents=True, exist_ok=True)
    for name in BACKGROUNDS:
        if name in wanted:
            path = folder / f"{name}.jpg"
            cv2.imwrite(str(path), render(name), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
            print(f"{path} ({path.stat().st_size // 1024} KiB)")
    for name in VIDEOS:
        if name in wanted:
            path = folder / f"{name}.webm"
            write_video(path, video_frames(name))
            print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
