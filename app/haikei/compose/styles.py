"""Live styles (``--style painting|cartoon|pencil``): the background, or the whole picture, drawn as an
oil painting, a cartoon or a pencil drawing. Classic image filters, worked on the frame's small
copies (the :class:`~haikei.frames.pyramid.Pyramid`'s halvings, ~640 and ~320 pixels wide) and
scaled up plane by plane in I420, as the blur is: a few milliseconds per frame at 720p.

* painting: colours flattened into patches by a soft Kuwahara filter (each pixel the mean of its
  four quadrants, weighted toward the least varied one: flat patches with their edges kept), a
  little more saturation, and brush strokes: streaks of paint relief laid along the picture's
  contours (a stroke texture per direction, made once per size, picked per pixel by the structure
  tensor's orientation) on a canvas weave;
* cartoon: flat colour (edge-preserving smoothing, luma in a few hard bands, more saturation) and
  ink lines (where the smoothed grey is darker than its neighbourhood: contours, eyes, mouth);
* pencil: graphite on paper: contour strokes (a colour dodge of the grey picture by its blur),
  hatching laid on the darker tones in up to three directions (hatch layers made once per size), the
  grain and fibres of a cream paper.

On the whole picture the person's face keeps more of itself (``keep``): smaller brush, lighter
hatching, no posterised shadows, so that a face stays a pleasant one.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from haikei.compose.backgrounds import Background
from haikei.frames.i420 import i420_planes, resize_i420, to_i420
from haikei.frames.person import Face, PersonGeometry
from haikei.frames.pyramid import Pyramid

#: The detail work is done on the frame halved until about this wide; colour on the next halving.
DETAIL_WIDTH = 640
#: On the whole picture: how much of itself the person keeps, and their face (soft-edged).
PERSON_KEEP = 0.4
FACE_KEEP = 1.0
#: The face's soft ellipse is drawn this many times smaller than the keep map.
KEEP_SHRINK = 4


def detail_level(size: tuple[int, int]) -> int:
    """The pyramid level the styles work their detail on, for a frame of ``size`` (w, h)."""
    return max(0, int(round(math.log2(max(1.0, size[0] / DETAIL_WIDTH)))))


def _levels(frame: Pyramid) -> tuple[int, int]:
    """The pyramid levels of the detail work and of the colour work."""
    detail = detail_level(frame.size)
    return detail, detail + 1


def keep_map(
    size: tuple[int, int],
    frame_size: tuple[int, int],
    matte: np.ndarray,
    person: PersonGeometry | None,
    face: Face | None,
) -> np.ndarray:
    """Where a style on the whole picture keeps more of it (float32 0–1 at ``size``): the person
    somewhat, their face fully (the detected face, else the matte's head), soft-edged; ``matte``
    is the matte at ``size``, ``person`` and ``face`` in the pixels of a frame of ``frame_size``."""
    keep = cv2.multiply(matte, PERSON_KEEP)
    scale = size[0] / frame_size[0]
    if face is not None:
        (x, y), width = face.centre, face.width
        y -= 0.1 * width
    elif person is not None and person.present:
        x0, y0, x1, y1 = person.scaled_to(frame_size).head_box
        (x, y), width = ((x0 + x1) / 2, (y0 + y1) / 2), x1 - x0
    else:
        return keep
    # the soft head drawn at a quarter of the size and scaled up: a Gaussian of ~12 pixels on the
    # full map cost more than the style itself
    scale /= KEEP_SHRINK
    head = np.zeros((-(-size[1] // KEEP_SHRINK), -(-size[0] // KEEP_SHRINK)), np.float32)
    axes = (max(1, int(0.62 * width * scale)), max(1, int(0.85 * width * scale)))
    cv2.ellipse(head, (int(x * scale), int(y * scale)), axes, 0, 0, 360, FACE_KEEP, -1)
    head = cv2.GaussianBlur(head, (0, 0), max(0.5, 0.12 * width * scale))
    return cv2.max(keep, cv2.resize(head, size, interpolation=cv2.INTER_LINEAR))


def _soft_steps(count: int, soft: float = 0.8) -> np.ndarray:
    """A LUT (uint8) that lays 0–255 in ``count`` flat steps, with a narrow soft ramp between them
    (from ``soft`` of a step on) so that gradients do not alias into stairs."""
    levels = np.arange(256, dtype=np.float32)
    band = 255.0 / count
    t = levels / band
    steps = np.floor(t) + _smoothstep(t - np.floor(t), soft, 1.0)
    return np.clip((steps + 0.5) * band, 0, 255).astype(np.uint8)


def _smoothstep(x: np.ndarray, low: float, high: float) -> np.ndarray:
    t = np.clip((x - low) / (high - low), 0, 1)
    return t * t * (3 - 2 * t)


class Style:
    """A look: :meth:`small` makes it at the detail level; :meth:`render` and :meth:`render_i420`
    give it frame-sized (the texture, if any, pressed into the full-size luma)."""

    name = ""

    def __init__(self) -> None:
        self._textures: dict[tuple, np.ndarray] = {}

    def small(self, frame: Pyramid, keep: np.ndarray | None = None) -> np.ndarray:
        """The styled frame (BGR) at the detail level. ``keep``: float32 0–1 at that size, where to
        keep more of the picture (a face), or ``None``."""
        raise NotImplementedError

    def texture(self, size: tuple[int, int]) -> np.ndarray | None:
        """A frame-sized uint8 texture multiplied into the luma (255: no change), or ``None``."""
        return None

    def render(self, frame: Pyramid, keep: np.ndarray | None = None) -> np.ndarray:
        """The styled frame, frame-sized BGR."""
        out = cv2.resize(self.small(frame, keep), frame.size, interpolation=cv2.INTER_LINEAR)
        texture = self.texture(frame.size)
        if texture is not None:
            cv2.multiply(out, cv2.cvtColor(texture, cv2.COLOR_GRAY2BGR), dst=out, scale=1 / 255)
        return out

    def render_i420(self, frame: Pyramid, keep: np.ndarray | None = None) -> np.ndarray:
        """The styled frame, frame-sized I420 (even sides), each plane scaled up from the small result."""
        small = self.small(frame, keep)
        if small.shape[0] % 2 or small.shape[1] % 2:
            small = cv2.resize(small, (small.shape[1] + small.shape[1] % 2, small.shape[0] + small.shape[0] % 2))
        out = resize_i420(to_i420(small), frame.size)
        texture = self.texture(frame.size)
        if texture is not None:
            y = i420_planes(out)[0]
            cv2.multiply(y, texture, dst=y, scale=1 / 255)
        return out

    def _cached(self, key: tuple, make) -> np.ndarray:
        if key not in self._textures:
            self._textures[key] = make()
        return self._textures[key]


def _mix(image: np.ndarray, other: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``image`` · (1 − weight) + ``other`` · weight, in uint8 (``weight`` 0–255, one channel)."""
    if image.ndim == 3:
        weight = cv2.merge([weight] * image.shape[2])
    kept = cv2.multiply(image, cv2.bitwise_not(weight), scale=1 / 255)
    return cv2.add(kept, cv2.multiply(other, weight, scale=1 / 255))


# ------------------------------------------------------------------------------------------ painting
#: Kuwahara radius at the colour level, and the quadrant variance (grey levels²) that halves its say.
KUWAHARA_RADIUS = 4
KUWAHARA_VARIANCE = 20.0
#: Stroke directions, and the strokes' half length and width at the detail level (pixels).
STROKE_DIRECTIONS = 8
STROKE_LENGTH = 9
STROKE_WIDTH = 0.9
#: The palette: the luma tones the patches are laid in.
PAINTING_TONES = 10
#: On the whole picture: how much of the face's own (lightly flattened) picture shows through.
PAINTING_FACE_KEEP = 0.5


class Painting(Style):
    name = "painting"

    def __init__(self, saturation: float = 1.5, relief: float = 0.3):
        """``relief``: the strokes' depth, as a share of the luma (±)."""
        super().__init__()
        self.saturation, self.relief = saturation, relief
        self._tones = _soft_steps(PAINTING_TONES)

    def small(self, frame: Pyramid, keep: np.ndarray | None = None) -> np.ndarray:
        detail_level, colour_level = _levels(frame)
        detail = frame.halved(detail_level)
        size = (detail.shape[1], detail.shape[0])
        patches = cv2.cvtColor(_soft_kuwahara(frame.halved(colour_level), KUWAHARA_RADIUS), cv2.COLOR_BGR2YCrCb)
        y, cr, cb = cv2.split(patches)
        # a painter's palette: a few tones (soft steps), more saturated colour (colour in steps too
        # turned near-greys into pink and lilac patches)
        s = self.saturation
        y = cv2.LUT(y, self._tones)
        cr = cv2.addWeighted(cr, s, cr, 0, 128 * (1 - s))
        cb = cv2.addWeighted(cb, s, cb, 0, 128 * (1 - s))
        y, cr, cb = (cv2.resize(plane, size, interpolation=cv2.INTER_LINEAR) for plane in (y, cr, cb))
        if keep is not None:  # the face: some of its own detail, lightly flattened, and fewer strokes
            face_y, face_cr, face_cb = cv2.split(cv2.cvtColor(cv2.medianBlur(detail, 5), cv2.COLOR_BGR2YCrCb))
            face_cr = cv2.addWeighted(face_cr, s, face_cr, 0, 128 * (1 - s))
            face_cb = cv2.addWeighted(face_cb, s, face_cb, 0, 128 * (1 - s))
            keep8 = cv2.convertScaleAbs(keep, alpha=255 * PAINTING_FACE_KEEP)
            y, cr, cb = _mix(y, face_y, keep8), _mix(cr, face_cr, keep8), _mix(cb, face_cb, keep8)
        strokes = self._strokes(frame.halved(colour_level), size)
        if keep is not None:
            strokes = _mix(strokes, np.full_like(strokes, 128), cv2.convertScaleAbs(keep, alpha=255 * 0.7))
        y = cv2.multiply(y, strokes, scale=1 / 128)  # the paint's relief: a gain, 128 = 1
        return cv2.cvtColor(cv2.merge((y, cr, cb)), cv2.COLOR_YCrCb2BGR)

    def _strokes(self, small: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """Paint relief at ``size``, a gain (uint8, 128 = 1): stroke textures laid along the contours of
        ``small`` (the colour level), each pixel taking the texture of its contour's direction."""
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
        gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
        jxx = cv2.GaussianBlur(gx * gx, (0, 0), 2.5)
        jyy = cv2.GaussianBlur(gy * gy, (0, 0), 2.5)
        jxy = cv2.GaussianBlur(gx * gy, (0, 0), 2.5)
        # the structure tensor's main axis is across the contour; its angle doubled is phase(jxx − jyy, 2 jxy)
        across = cv2.phase(jxx - jyy, 2 * jxy) * (STROKE_DIRECTIONS / (2 * np.pi))
        direction = (np.round(across).astype(np.uint8) + STROKE_DIRECTIONS // 2) % STROKE_DIRECTIONS
        direction = cv2.resize(direction, size, interpolation=cv2.INTER_NEAREST)
        textures = self._cached(("strokes", size), lambda: _stroke_textures(size, self.relief))
        relief = np.empty((size[1], size[0]), np.uint8)
        for index, texture in enumerate(textures):
            cv2.copyTo(texture, cv2.compare(direction, index, cv2.CMP_EQ), relief)
        return relief

    def texture(self, size: tuple[int, int]) -> np.ndarray:
        return self._cached(("canvas", size), lambda: _canvas(size))


def _soft_kuwahara(image: np.ndarray, radius: int) -> np.ndarray:
    """Each pixel the mean of its four (radius+1)² quadrants, weighted by 1 / (1 + var/V)⁴ of their
    grey: flat patches that keep their edges, without the hard filter's square blocks."""
    side = radius + 1
    h, w = image.shape[:2]
    values = cv2.copyMakeBorder(image, radius, radius, radius, radius, cv2.BORDER_REFLECT).astype(np.float32)
    grey = cv2.cvtColor(values, cv2.COLOR_BGR2GRAY)
    # box means over windows anchored at their top-left corner: the four quadrants are then slices
    mean = cv2.boxFilter(values, -1, (side, side), anchor=(0, 0))
    mean_grey = cv2.boxFilter(grey, -1, (side, side), anchor=(0, 0))
    variance = cv2.boxFilter(cv2.multiply(grey, grey), -1, (side, side), anchor=(0, 0))
    variance = cv2.subtract(variance, cv2.multiply(mean_grey, mean_grey))
    total = np.zeros((h, w), np.float32)
    result = np.zeros((h, w, 3), np.float32)
    for dy, dx in ((0, 0), (0, radius), (radius, 0), (radius, radius)):
        spread = variance[dy : dy + h, dx : dx + w] * (1 / KUWAHARA_VARIANCE) + 1.0
        spread = cv2.multiply(spread, spread)
        weight = cv2.divide(1.0, cv2.multiply(spread, spread))
        cv2.add(total, weight, dst=total)
        cv2.add(result, cv2.multiply(mean[dy : dy + h, dx : dx + w], cv2.merge((weight, weight, weight))), dst=result)
    return cv2.convertScaleAbs(cv2.divide(result, cv2.merge((total, total, total))))


def _stroke_textures(size: tuple[int, int], relief: float, seed: int = 11) -> list[np.ndarray]:
    """Per direction, paint relief as a gain (uint8, 128 = 1, ``relief`` at 3 σ): noise smeared into
    strokes along that direction and lit from the top left (an emboss), so that they read as paint."""
    w, h = size
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, (h, w)).astype(np.float32)
    # bristles (fine noise) in dabs of paint (a coarser one)
    base = noise + 0.8 * cv2.resize(rng.normal(0, 1, (h // 6 + 1, w // 6 + 1)).astype(np.float32), (w, h))
    emboss = np.array([[-1, -1, 0], [-1, 0, 1], [0, 1, 1]], np.float32)
    relief_scale = relief
    textures = []
    for direction in range(STROKE_DIRECTIONS):
        theta = direction * np.pi / STROKE_DIRECTIONS
        kernel = np.zeros((2 * STROKE_LENGTH + 1, 2 * STROKE_LENGTH + 1), np.float32)
        end = (STROKE_LENGTH * math.cos(theta), STROKE_LENGTH * math.sin(theta))
        start = (int(round(STROKE_LENGTH - end[0])), int(round(STROKE_LENGTH - end[1])))
        cv2.line(kernel, start, (int(round(STROKE_LENGTH + end[0])), int(round(STROKE_LENGTH + end[1]))), 1.0, 1)
        kernel = cv2.GaussianBlur(kernel, (0, 0), STROKE_WIDTH)
        relief = cv2.filter2D(cv2.filter2D(base, -1, kernel / kernel.sum()), -1, emboss)
        textures.append(cv2.convertScaleAbs(relief, alpha=128 * relief_scale / (3 * float(relief.std())), beta=128))
    return textures


def _canvas(size: tuple[int, int], seed: int = 5) -> np.ndarray:
    """A canvas weave (threads ~6 px apart, their strength varying) with grain, embossed so that it
    reads as relief rather than a screen; uint8 around 247."""
    w, h = size
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)

    def varying() -> np.ndarray:
        return 0.6 + 0.4 * cv2.resize(rng.random((h // 24 + 1, w // 24 + 1)).astype(np.float32), (w, h))

    threads = np.sin(xx * 1.05) * varying() + np.sin(yy * 1.05) * varying()
    relief = cv2.GaussianBlur(threads + rng.normal(0, 0.5, (h, w)).astype(np.float32), (0, 0), 0.8)
    emboss = cv2.filter2D(relief, -1, np.array([[-1, 0, 0], [0, 0, 0], [0, 0, 1]], np.float32))
    return np.clip(247 + 5 * emboss, 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------------------- cartoon
#: Luma bands of the flat colour; ink where the grey is this many levels darker than its 9x9 mean.
CARTOON_BANDS = 5
INK_CONTRAST = 8


class Cartoon(Style):
    name = "cartoon"

    def __init__(self, saturation: float = 1.5):
        super().__init__()
        self.saturation = saturation
        levels = np.arange(256, dtype=np.float32)
        band = 255.0 / CARTOON_BANDS
        # bands with a narrow soft step between them (no stair-step aliasing on gradients)
        steps = np.floor(levels / band) + _smoothstep(levels / band - np.floor(levels / band), 0.8, 1.0)
        self._bands = np.clip((steps + 0.5) * band, 0, 255).astype(np.uint8)
        # the thresholded lines, softened, back to crisp but smooth-edged ink
        self._ink = np.clip((levels - 60) * 2.5, 0, 255).astype(np.uint8)

    def small(self, frame: Pyramid, keep: np.ndarray | None = None) -> np.ndarray:
        detail_level, colour_level = _levels(frame)
        detail = frame.halved(detail_level)
        size = (detail.shape[1], detail.shape[0])
        colour = cv2.bilateralFilter(cv2.medianBlur(frame.halved(colour_level), 5), 5, 40, 5)
        y, cr, cb = cv2.split(cv2.cvtColor(colour, cv2.COLOR_BGR2YCrCb))
        s = self.saturation
        ycc = cv2.merge(
            (
                cv2.LUT(y, self._bands),
                cv2.addWeighted(cr, s, cr, 0, 128 * (1 - s)),
                cv2.addWeighted(cb, s, cb, 0, 128 * (1 - s)),
            )
        )
        flat = cv2.resize(cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR), size, interpolation=cv2.INTER_LINEAR)
        if keep is not None:  # the face: smooth shading rather than posterised shadows
            smooth = cv2.resize(colour, size, interpolation=cv2.INTER_LINEAR)
            flat = _mix(flat, smooth, cv2.convertScaleAbs(keep, alpha=255 * 0.5))
        # ink: darker than the neighbourhood by INK_CONTRAST levels, on a median-smoothed grey
        grey = cv2.medianBlur(cv2.cvtColor(detail, cv2.COLOR_BGR2GRAY), 5)
        lines = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 9, INK_CONTRAST)
        lines = cv2.LUT(cv2.GaussianBlur(lines, (0, 0), 0.7), self._ink)
        return cv2.multiply(flat, cv2.cvtColor(lines, cv2.COLOR_GRAY2BGR), scale=1 / 255)


# -------------------------------------------------------------------------------------------- pencil
#: Hatching directions (degrees) and the darkness (0–1) from which each layer comes in.
HATCHES = ((35.0, 0.30), (-55.0, 0.52), (80.0, 0.74))
#: How dark a full hatching stroke is (0–1).
HATCH_DEPTH = 0.55
#: The cream of the paper, BGR (the graphite's white).
PAPER = (226, 240, 246)


class Pencil(Style):
    name = "pencil"

    def __init__(self) -> None:
        super().__init__()
        levels = np.arange(256, dtype=np.float32)
        # contour strokes darkened (a gamma), and per hatch layer its strength by the tone's darkness
        self._tone = np.clip(255 * (levels / 255) ** 2.0, 0, 255).astype(np.uint8)
        self._hatch = [
            cv2.convertScaleAbs(_smoothstep(1 - levels / 255, start, start + 0.22), alpha=255 * HATCH_DEPTH)
            for _, start in HATCHES
        ]

    def small(self, frame: Pyramid, keep: np.ndarray | None = None) -> np.ndarray:
        detail_level, colour_level = _levels(frame)
        grey = cv2.cvtColor(frame.halved(detail_level), cv2.COLOR_BGR2GRAY)
        size = (grey.shape[1], grey.shape[0])
        quarter = cv2.cvtColor(frame.halved(colour_level), cv2.COLOR_BGR2GRAY)
        blur = cv2.resize(cv2.GaussianBlur(quarter, (0, 0), 2.5), size, interpolation=cv2.INTER_LINEAR)
        # contour strokes: a colour dodge (the grey over its blur; a floor keeps the darks grey), darkened
        graphite = cv2.LUT(cv2.divide(grey, cv2.add(blur, 8), scale=248), self._tone)
        # hatching on the tones (the blur): the darker, the more layers
        tone = cv2.resize(cv2.GaussianBlur(quarter, (0, 0), 4.0), size, interpolation=cv2.INTER_LINEAR)
        if keep is not None:  # lighter on the face
            tone = _mix(tone, np.full_like(tone, 255), cv2.convertScaleAbs(keep, alpha=255 * 0.6))
        layers = self._cached(("hatches", size), lambda: _hatch_layers(size))
        for layer, strength in zip(layers, self._hatch):
            shade = cv2.multiply(layer, cv2.LUT(tone, strength), scale=1 / 255)
            graphite = cv2.multiply(graphite, cv2.bitwise_not(shade), scale=1 / 255)
        return cv2.merge([cv2.convertScaleAbs(graphite, alpha=c / 255) for c in PAPER])

    def texture(self, size: tuple[int, int]) -> np.ndarray:
        return self._cached(("paper", size), lambda: _paper(size))


def _hatch_layers(size: tuple[int, int], seed: int = 3) -> list[np.ndarray]:
    """Per hatching direction, strokes (uint8, 255 = graphite): parallel lines ~4.5 px apart, each of
    its own length, weight and slant, as a hand draws them."""
    w, h = size
    rng = np.random.default_rng(seed)
    layers = []
    diagonal = int(math.hypot(w, h)) + 8
    for angle, _ in HATCHES:
        canvas = np.zeros((diagonal, diagonal), np.uint8)
        y = 0.0
        while y < diagonal:
            x = rng.uniform(-0.2, 0.3) * diagonal
            while x < diagonal:
                length = rng.uniform(0.05, 0.2) * diagonal
                end = (int(x + length), int(y + rng.uniform(-1.2, 1.2)))
                cv2.line(canvas, (int(x), int(y)), end, int(rng.uniform(115, 255)), 1, cv2.LINE_AA)
                x += length + rng.uniform(2, 14)
            y += rng.uniform(3.5, 5.5)
        rotation = cv2.getRotationMatrix2D((diagonal / 2, diagonal / 2), angle, 1.0)
        rotation[:, 2] -= ((diagonal - w) / 2, (diagonal - h) / 2)
        layers.append(cv2.warpAffine(canvas, rotation, (w, h), flags=cv2.INTER_LINEAR))
    return layers


def _paper(size: tuple[int, int], seed: int = 7) -> np.ndarray:
    """Paper grain and fibres (uint8 around 246), made procedurally: nothing shipped."""
    w, h = size
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, (h, w)).astype(np.float32)
    fine = cv2.GaussianBlur(noise, (0, 0), 0.7)
    coarse = cv2.GaussianBlur(rng.normal(0, 1, (h // 4, w // 4)).astype(np.float32), (0, 0), 2.0)
    coarse = cv2.resize(coarse, (w, h))
    fibres = cv2.GaussianBlur(noise, (0, 0), sigmaX=6.0, sigmaY=0.6)
    texture = 246 + 5 * fine / fine.std() + 2 * fibres / fibres.std() + 3 * coarse / coarse.std()
    return np.clip(texture, 0, 255).astype(np.uint8)


#: The styles by name (``--style``), in the order the window lists them.
STYLES: dict[str, type[Style]] = {style.name: style for style in (Painting, Cartoon, Pencil)}


class StyledBackground(Background):
    """``background`` drawn in ``style``: the room itself (for blur and none: the style takes the
    blur's place, made from the frame like it), or the image or video, styled once per new picture."""

    def __init__(self, background: Background, style: Style):
        self.background, self.style = background, style
        self.made_from_frame = background.made_from_frame or not background.replaces
        self._styled_from: np.ndarray | None = None
        self._styled: dict[str, np.ndarray] = {}

    def _source(self, frame: Pyramid, timestamp: float, alpha) -> Pyramid | None:
        """The pyramid to style, or ``None`` when the last one's style still holds."""
        if self.made_from_frame:
            return frame
        rendered = self.background.render(frame, timestamp, alpha)
        if rendered is self._styled_from:
            return None
        self._styled_from, self._styled = rendered, {}
        return Pyramid(rendered)

    def render(self, frame, timestamp, alpha=None) -> np.ndarray:
        frame = Pyramid.of(frame)
        source = self._source(frame, timestamp, alpha)
        if source is None and "bgr" in self._styled:
            return self._styled["bgr"]
        styled = self.style.render(source or Pyramid(self._styled_from))
        if not self.made_from_frame:
            self._styled["bgr"] = styled
        return styled

    def render_i420(self, frame, timestamp, alpha=None) -> np.ndarray:
        frame = Pyramid.of(frame)
        source = self._source(frame, timestamp, alpha)
        if source is None and "i420" in self._styled:
            return self._styled["i420"]
        styled = self.style.render_i420(source or Pyramid(self._styled_from))
        if not self.made_from_frame:
            self._styled["i420"] = styled
        return styled

    def close(self) -> None:
        self.background.close()
