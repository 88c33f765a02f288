"""A scanned page's image → its table grid and the text lines of each cell (numpy, OpenCV).

The steps, each a function here so tests and the bench can run them alone:

* :func:`unsealed`: the red seal (盖章) taken out by its colour — a pixel whose hue
  is red and whose saturation is high turns white; a black stroke under the
  seal stays, since the seal's ink over it stays dark;
* :func:`deskewed`: the page turned straight by the angle that makes its rows of
  ink sharpest (a projection profile over −3°…3°, then refined to 0.02°);
* :func:`find_grid`: the ruling lines by morphology (an opening with a long thin
  kernel keeps the lines and drops the characters), their positions clustered
  into a grid; grid places joined where no ruling separates them are one
  merged cell (as :mod:`jixiao.readers.pdfium` does with a PDF's rulings);
* :func:`cell_lines`: a cell's text lines by the horizontal projection of its
  ink, each cut to its ink's width, for the OCR engine; :func:`outside_lines`
  the lines above the table (the form's title and year).

Images are ``numpy`` arrays: RGB ``uint8`` (height, width, 3) or grey (height, width).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

RED_MARGIN = 18
"""A pixel whose red exceeds its green and blue by more than this is seal ink."""
SEAL_SPREAD = 30
"""A seal's red varies about its median by this much (JPEG, the ink's thickness)."""
STROKE_RED = 50
"""A black stroke under the seal keeps at most this much red (its grey is 0 below it)."""
MAX_SKEW = 3.0
"""Degrees a page is searched for tilt either way."""


def unsealed(rgb: np.ndarray) -> np.ndarray:
    """The page as grey with the red seal's ink taken out: where a pixel is
    redder than it is green or blue (the seal's ink, and its pale edges that JPEG
    has washed out), its grey is its red channel — light for the seal, dark where a
    black stroke lies under it, so the stroke stays, edges and all."""
    red = rgb[..., 0].astype(np.int16)
    other = np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    reddish = red - other > RED_MARGIN
    if not reddish.any():
        return grey
    # The seal's own red (its ink over paper) is lighter than any black stroke under it
    # but darker than the paper: stretched so that the seal alone turns white and a
    # stroke under it stays dark (else its ring's remains are ink to the grid and the
    # engine, as grey as a faint character).
    values = red[reddish]
    seal = float(np.median(values)) - SEAL_SPREAD
    dark = min(STROKE_RED, seal - 40)
    stretched = (values - dark) * (255 / max(1.0, seal - dark))
    grey[reddish] = np.clip(stretched, 0, 255).astype(np.uint8)
    return grey


def ink(grey: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0 (Otsu's threshold over a lightly blurred page)."""
    blurred = cv2.medianBlur(grey, 3)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask


def skew_angle(mask: np.ndarray) -> float:
    """Degrees the page's rows of ink are tilted (counter-clockwise positive)."""
    scale = 800 / max(mask.shape)
    small = cv2.resize(mask, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)

    def sharpness(angle: float) -> float:
        h, w = small.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        turned = cv2.warpAffine(small, matrix, (w, h), flags=cv2.INTER_NEAREST)
        profile = turned.sum(axis=1, dtype=np.float64)
        return float((profile**2).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.26, 0.05), key=sharpness)
    best = max(np.arange(best - 0.05, best + 0.051, 0.01), key=sharpness)
    return float(best)


def rotated(grey: np.ndarray, angle: float) -> np.ndarray:
    """The page turned by ``angle`` degrees about its centre, the corners white."""
    if abs(angle) < 0.01:
        return grey
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        grey,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


def deskewed(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """The page turned straight, and the angle it was turned by."""
    angle = skew_angle(ink(grey))
    return rotated(grey, angle), angle


@dataclass(frozen=True, slots=True)
class GridCell:
    """A cell of the grid: its place and size over the grid's rows and columns
    and its box in pixels (left, top, right, bottom: the ruling lines around it)."""

    row: int
    col: int
    rows: int
    cols: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Grid:
    """A page's table: the ruling positions and the cells they make."""

    xs: list[int]
    ys: list[int]
    cells: list[GridCell]
    lines: np.ndarray
    """The ruling lines' pixels (255), to be taken out of the cells before OCR."""

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The mask's 8-connected components: their count (the background's included),
    labels and stats (OpenCV's). Labelled in 16 bits, a third of the time of 32 on a
    page; OpenCV stops where a page has more components than that holds (a page of
    noise), and they are labelled in 32 bits then."""
    try:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(
            mask, connectivity=8, ltype=cv2.CV_16U
        )
    except cv2.error:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return count, labels, stats


def mask_of(labels: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The mask (255 on 0) of the components whose ``keep`` is true."""
    return np.where(keep, 255, 0).astype(np.uint8)[labels]


def _positions(segments: list[tuple[int, int, int]], tolerance: int) -> list[int]:
    """Positions across the segments (each (position, start, end)) clustered:
    one per group within ``tolerance``, the mean weighted by length."""
    out: list[list[float]] = []
    for at, start, end in sorted(segments):
        length = end - start
        if out and at - out[-1][2] <= tolerance:
            group = out[-1]
            group[0] += at * length
            group[1] += length
            group[2] = at
        else:
            out.append([at * length, length, at])
    return [round(total / length) for total, length, _ in out]


def _drawn(
    parts: tuple[np.ndarray, list[tuple[int, int, int]]], kept: list[tuple[int, int, int]]
) -> np.ndarray:
    """The mask with only the segments kept (the components whose extent they are);
    ``parts``: the mask's components' labels and extents (:func:`_components`)."""
    labels, extents = parts
    wanted = set(kept)
    keep = np.zeros(len(extents) + 1, dtype=bool)
    for n, extent in enumerate(extents, start=1):
        keep[n] = extent in wanted
    return mask_of(labels, keep)


def _components(
    mask: np.ndarray, horizontal: bool
) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """The mask's components' labels and their extents (position, start, end)."""
    count, labels, stats = components(mask)
    return labels, _extents(stats, count, horizontal)


def _extents(stats: np.ndarray, count: int, horizontal: bool) -> list[tuple[int, int, int]]:
    out = []
    for x, y, w, h, _area in stats[1:count]:
        if horizontal:
            out.append((int(y + h // 2), int(x), int(x + w)))
        else:
            out.append((int(x + w // 2), int(y), int(y + h)))
    return out


def _meets(vertical: tuple[int, int, int], horizontals: list[tuple[int, int, int]]) -> bool:
    """Whether a vertical segment starts or ends on a horizontal one (a ruling of the
    table does; a tall character's stroke does not)."""
    x, top, bottom = vertical
    return any(
        x0 - 8 <= x <= x1 + 8 and (abs(y - top) <= 10 or abs(y - bottom) <= 10 or top < y < bottom)
        for y, x0, x1 in horizontals
    )


def _ends_on(horizontal: tuple[int, int, int], verticals: list[tuple[int, int, int]]) -> bool:
    """Whether a horizontal segment starts or ends on a vertical one (a ruling does,
    at one end at least where a seal or a speck broke it; a bold stroke does not).
    A ruling runs into the vertical it meets (its ink joins the vertical's, so its end
    lies at or past the vertical's middle); a bold 一 across a narrow cell (一级指标)
    stops short of the border by the cell's padding."""
    y, x0, x1 = horizontal
    return any(
        top - 10 <= y <= bottom + 10 and (x - 12 <= x0 <= x + 3 or x - 3 <= x1 <= x + 12)
        for x, top, bottom in verticals
    )


MAX_RULING = 7.0
"""Pixels: a ruling's mean thickness at most (a 1.5 pt line at 200 dpi is 4)."""


def _thin(mask: np.ndarray, horizontal: bool) -> np.ndarray:
    """The mask without its components thicker on average than :data:`MAX_RULING`."""
    count, labels, stats = components(mask)
    if count <= 1:
        return mask
    length = stats[:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT].astype(float)
    thickness = stats[:, cv2.CC_STAT_AREA] / np.maximum(length, 1)
    keep = thickness <= MAX_RULING
    keep[0] = False
    return mask_of(labels, keep)


def find_grid(grey: np.ndarray) -> Grid | None:
    """The page's table from its ruling lines; None where no table is drawn."""
    mask = ink(grey)
    h, w = mask.shape
    long_x = max(40, w // 40)
    long_y = max(30, h // 70)
    horizontal = cv2.morphologyEx(
        mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_x, 1))
    )
    vertical = cv2.morphologyEx(
        mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_y))
    )
    # A ruling is thin; what is thicker (a seal's ring left grey by JPEG) is no ruling.
    horizontal = _thin(horizontal, True)
    vertical = _thin(vertical, False)
    # Bridge the breaks noise and JPEG leave in a line.
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    h_parts = _components(horizontal, True)
    v_parts = _components(vertical, False)
    h_segments = [s for s in h_parts[1] if s[2] - s[1] >= 2 * long_x]
    v_segments = [s for s in v_parts[1] if s[2] - s[1] >= long_y]
    if not h_segments or not v_segments:
        return None
    # The table: the frame of its longest rulings; marks outside it are no rulings.
    left = (
        min(s[1] for s in h_segments if s[2] - s[1] > w / 3)
        if any(s[2] - s[1] > w / 3 for s in h_segments)
        else None
    )
    if left is None:
        return None
    right = max(s[2] for s in h_segments if s[2] - s[1] > w / 3)
    v_long = [s for s in v_segments if left - 10 <= s[0] <= right + 10 and _meets(s, h_segments)]
    if not v_long:
        return None
    top = min(s[1] for s in v_long)
    bottom = max(s[2] for s in v_long)
    h_in = [
        s
        for s in h_segments
        if top - 10 <= s[0] <= bottom + 10 and s[2] > left and s[1] < right and _ends_on(s, v_long)
    ]
    v_in = [s for s in v_long if s[2] > top and s[1] < bottom]
    # Closed at the top and bottom of its verticals: a cell merged down over a
    # page break has no border there (as pdfium's reading closes a table).
    h_in += [(top, left, right), (bottom, left, right)]
    ys = _positions(h_in, 6)
    xs = _positions(v_in, 6)
    if len(xs) < 2 or len(ys) < 2:
        return None
    # the separators below look at the rulings kept, not at bold strokes
    horizontal = _drawn(h_parts, h_in)
    vertical = _drawn(v_parts, v_in)
    lines = np.bitwise_or(horizontal, vertical)

    def ruled(band: np.ndarray) -> bool:
        """Whether a strip across a border holds a ruling over most of its length."""
        if band.size == 0:
            return False
        return float((band.max(axis=1) > 0).mean()) >= 0.6

    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i in range(rows):
        y0, y1 = ys[i], ys[i + 1]
        inner_y = slice(y0 + (y1 - y0) // 5, y1 - (y1 - y0) // 5 + 1)
        for j in range(cols):
            x0, x1 = xs[j], xs[j + 1]
            if j + 1 < cols:  # the border with the place on the right
                x = xs[j + 1]
                band = vertical[inner_y, max(0, x - 4) : x + 5]
                if not ruled(band):
                    parent[find(i * cols + j)] = find(i * cols + j + 1)
            if i + 1 < rows:  # the border with the place below
                y = ys[i + 1]
                inner_x = slice(x0 + (x1 - x0) // 5, x1 - (x1 - x0) // 5 + 1)
                band = horizontal[max(0, y - 4) : y + 5, inner_x].T
                if not ruled(band):
                    parent[find(i * cols + j)] = find((i + 1) * cols + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(rows):
        for j in range(cols):
            groups.setdefault(find(i * cols + j), []).append((i, j))
    cells = []
    for places in groups.values():
        r0 = min(i for i, _ in places)
        r1 = max(i for i, _ in places)
        c0 = min(j for _, j in places)
        c1 = max(j for _, j in places)
        cells.append(
            GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
        )
    cells.sort(key=lambda c: (c.row, c.col))
    # Rows and columns counted where some cell starts (as pdfplumber and pdfium do).
    row_starts = sorted({c.row for c in cells})
    col_starts = sorted({c.col for c in cells})
    row_at = {r: n for n, r in enumerate(row_starts)}
    col_at = {c: n for n, c in enumerate(col_starts)}

    def count(starts: list[int], first: int, size: int) -> int:
        return sum(1 for s in starts if first <= s < first + size)

    cells = [
        GridCell(
            row_at[c.row],
            col_at[c.col],
            count(row_starts, c.row, c.rows),
            count(col_starts, c.col, c.cols),
            c.box,
        )
        for c in cells
    ]
    return Grid(xs, ys, cells, lines)


MIN_LINE_HEIGHT = 8
"""Pixels: a run of ink rows lower than this is a speck, not a line of text."""


def _runs(profile: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of non-zero entries, joined across gaps up to ``gap``."""
    on = np.flatnonzero(profile > 0)
    if on.size == 0:
        return []
    runs = []
    start = prev = int(on[0])
    for at in on[1:]:
        at = int(at)
        if at - prev > gap + 1:
            runs.append((start, prev + 1))
            start = at
        prev = at
    runs.append((start, prev + 1))
    return runs


def text_lines(
    grey: np.ndarray,
    mask: np.ndarray,
    box: tuple[int, int, int, int],
    rulings: np.ndarray | None = None,
) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """The lines of text inside ``box`` (left, top, right, bottom) of ``mask``
    (ink, rulings taken out): each line's grey image and its box, top to bottom."""
    x0, y0, x1, y1 = box
    region = mask[y0:y1, x0:x1]
    if region.size == 0:
        return []
    # Specks (noise, the seal's remains) are no text: drop tiny components.
    count, labels, stats = components(region)
    keep = np.zeros(count, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= 6
    region = mask_of(labels, keep)
    out = []
    for top, bottom in _runs(region.sum(axis=1), 2):
        if bottom - top < MIN_LINE_HEIGHT:
            continue
        band = region[top:bottom]
        columns = np.flatnonzero(band.sum(axis=0) > 0)
        if columns.size == 0:
            continue
        left, right = int(columns[0]), int(columns[-1]) + 1
        if right - left < 4:
            continue
        pad = 4
        # Half a character's room either side: a faint 。 or 、 at the end is kept.
        side = max(pad, (bottom - top) // 2)
        gx0, gy0 = max(x0, x0 + left - side), max(0, y0 + top - pad)
        gx1, gy1 = min(x1, x0 + right + side), min(grey.shape[0], y0 + bottom + pad)
        piece = grey[gy0:gy1, gx0:gx1].copy()
        if rulings is not None:  # the rulings inside the padding are no text
            piece[rulings[gy0:gy1, gx0:gx1] > 0] = 255
        out.append((piece, (gx0, gy0, gx1, gy1)))
    return out


def cell_lines(
    grey: np.ndarray, grid: Grid
) -> list[list[tuple[np.ndarray, tuple[int, int, int, int]]]]:
    """Each grid cell's text lines (see :func:`text_lines`), in ``grid.cells`` order."""
    mask = ink(grey)
    lines = cv2.dilate(grid.lines, np.ones((3, 3), np.uint8))
    mask[lines > 0] = 0
    out = []
    for cell in grid.cells:
        x0, y0, x1, y1 = cell.box
        inset = 3
        out.append(text_lines(grey, mask, (x0 + inset, y0 + inset, x1 - inset, y1 - inset), lines))
    return out


def outside_lines(
    grey: np.ndarray, grid: Grid
) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """The lines of text above the table (title, year), top to bottom."""
    top = grid.ys[0] - 4
    if top <= 10:
        return []
    mask = ink(grey)
    return text_lines(grey, mask, (0, 0, grey.shape[1], top))
