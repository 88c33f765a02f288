"""Scans made from PDFs, as a unit's printed, stamped and scanned form looks:
each page drawn at a scanner's resolution, a red seal pressed over some of its
figures, tilted a little, noised, blurred and JPEG-compressed.

``make_scan(pdf, seed)`` gives the pages as images; ``as_pdf`` / ``as_tiff`` /
``as_jpeg`` make the file a unit would upload. The same seed gives the same scan.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import numpy as np
import pypdfium2
from PIL import Image, ImageDraw, ImageFilter


@dataclass(frozen=True)
class Damage:
    """How a scan differs from its PDF."""

    dpi: int = 200
    tilt: float = 1.0  # degrees, either way
    noise: float = 6.0  # the grey noise's standard deviation
    quality: int = 70  # JPEG
    seals: int = 2
    blur: float = 0.6


def pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [
            document[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(document))
        ]
    finally:
        document.close()


def seal(size: int, rng: random.Random) -> Image.Image:
    """A red round seal (a ring, a star, a ring of strokes for its words) on white."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    red = (rng.randint(200, 235), rng.randint(20, 60), rng.randint(30, 70))
    width = max(3, size // 40)
    draw.ellipse((width, width, size - width, size - width), outline=red, width=width)
    c = size / 2
    star = []
    for k in range(10):
        r = size * (0.14 if k % 2 == 0 else 0.06)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(star, fill=red)
    # the unit's name round the ring: short strokes like characters
    for k in range(16):
        a = math.pi * (0.8 + 1.4 * k / 15)
        r0, r1 = size * 0.30, size * 0.40
        for d in (-0.04, 0.0, 0.04):
            draw.line(
                (
                    c + r0 * math.cos(a + d),
                    c + r0 * math.sin(a + d),
                    c + r1 * math.cos(a + d),
                    c + r1 * math.sin(a + d),
                ),
                fill=red,
                width=max(2, size // 90),
            )
    draw.line(
        (c - size * 0.2, c + size * 0.25, c + size * 0.2, c + size * 0.25), fill=red, width=width
    )
    return image.rotate(rng.uniform(-30, 30), fillcolor="white")


def stamped(page: Image.Image, rng: random.Random, count: int) -> Image.Image:
    """The page with ``count`` seals pressed over it (multiplied: black stays black),
    on its right half where the figures are."""
    if count <= 0:
        return page
    out = np.asarray(page).astype(np.float32)
    w, h = page.size
    for _ in range(count):
        size = int(w * rng.uniform(0.17, 0.22))
        stamp = np.asarray(seal(size, rng)).astype(np.float32) / 255
        x = rng.randint(int(w * 0.35), int(w * 0.85) - size)
        y = rng.randint(int(h * 0.08), int(h * 0.6))
        out[y : y + size, x : x + size] *= stamp
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


def damaged(page: Image.Image, rng: random.Random, damage: Damage) -> Image.Image:
    page = stamped(page, rng, damage.seals)
    angle = rng.choice((-1, 1)) * damage.tilt
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(250, 250, 248))
    if damage.blur:
        page = page.filter(ImageFilter.GaussianBlur(damage.blur))
    array = np.asarray(page).astype(np.float32)
    generator = np.random.default_rng(rng.randint(0, 2**31))
    array += generator.normal(0, damage.noise, array.shape[:2])[..., None]
    specks = generator.random(array.shape[:2]) < 0.0005
    array[specks] = 0
    array *= np.array([0.97, 0.96, 0.93])  # the scanner's paper is not white
    return Image.fromarray(array.clip(0, 255).astype(np.uint8))


def make_scan(pdf: bytes, seed: int, damage: Damage | None = None) -> list[Image.Image]:
    """The PDF's pages as a scanner gives them back (JPEG-compressed, in memory)."""
    damage = damage or Damage()
    rng = random.Random(seed)
    out = []
    for page in pages(pdf, damage.dpi):
        page = damaged(page, rng, damage)
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=damage.quality)
        out.append(Image.open(io.BytesIO(buffer.getvalue())))
    return out


def as_jpeg(images: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def as_png(images: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, "PNG")
    return buffer.getvalue()


def as_tiff(images: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, "TIFF", save_all=True, append_images=images[1:], compression="jpeg")
    return buffer.getvalue()


def as_pdf(images: list[Image.Image], dpi: int = 200) -> bytes:
    """A PDF of the images, without a text layer (as a scanner makes it)."""
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buffer.getvalue()


# --- how well a scan was read ------------------------------------------------------------


def flat(data, prefix: str = "") -> dict[str, object]:
    """A form's JSON as field path → value (its problems and sources left out)."""
    out: dict[str, object] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if not prefix and key in ("sources", "problems", "source"):
                continue
            out.update(flat(value, f"{prefix}.{key}" if prefix else key))
    elif isinstance(data, list) and data and isinstance(data[0], (dict, list)):
        for n, value in enumerate(data):
            out.update(flat(value, f"{prefix}[{n}]"))
    else:
        out[prefix] = data
    return out


@dataclass
class Score:
    """Fields of the forms read right, read wrong with a problem at the field
    (or its row), and read wrong silently."""

    right: int = 0
    flagged: int = 0
    silent: int = 0
    wrong: list[str] | None = None
    kinds: dict[str, list[int]] | None = None
    """Per kind of field (amount, text, …): [right, flagged, silent]."""
    doubted: list[str] | None = None
    """The fields read wrong with a problem, as the silent ones are in ``wrong``."""

    @property
    def total(self) -> int:
        return self.right + self.flagged + self.silent

    def add(self, other: Score) -> None:
        self.right += other.right
        self.flagged += other.flagged
        self.silent += other.silent
        self.wrong = (self.wrong or []) + (other.wrong or [])
        self.doubted = (self.doubted or []) + (other.doubted or [])
        kinds = self.kinds if self.kinds is not None else {}
        for kind, counts in (other.kinds or {}).items():
            mine = kinds.setdefault(kind, [0, 0, 0])
            for n in range(3):
                mine[n] += counts[n]
        self.kinds = kinds

    def by_kind(self) -> str:
        """A line per kind of field: right of total, with a problem, silently."""
        out = []
        for kind, (right, flagged, silent) in sorted((self.kinds or {}).items()):
            total = right + flagged + silent
            out.append(
                f"{kind:>8}: {right}/{total} right ({100 * right / total:.1f}%), "
                f"{flagged} with a problem, {silent} silently"
            )
        return "\n".join(out)

    def __str__(self) -> str:
        share = 100 * self.right / self.total if self.total else 0
        return (
            f"{self.right}/{self.total} fields right ({share:.1f}%), "
            f"{self.flagged} wrong with a problem, {self.silent} wrong silently"
        )


def same(a: object, b: object) -> bool:
    """Whether a field was read right: equal, or a text equal once folded (NFKC:
    a full-width （ for the printed (, as OCR cannot tell them apart) and its
    spaces out (a wrap space)."""
    from jixiao.domain.normalize import fold, squash

    if a == b:
        return True
    return isinstance(a, str) and isinstance(b, str) and squash(fold(a)) == squash(fold(b))


def kind_of(path: str) -> str:
    """The kind of a field's value (amount, text, …) by its path; "parsed" for the
    readers' parsed copies of a text (``…_parsed``), "other" for what no field names."""
    from jixiao.contract import fields

    if "_parsed" in path:
        return "parsed"
    field = fields.field(path)
    return field.kind.value if field is not None else "other"


def scored(read, want) -> Score:
    """How the forms ``read`` from a scan compare with ``want`` (the same forms read
    from their text): each field right, or wrong and flagged, or wrong silently."""
    from jixiao.contract.json import evaluation_dict

    score = Score(wrong=[], kinds={}, doubted=[])
    if len(read) != len(want):
        score.silent = sum(len(flat(evaluation_dict(w))) for w in want)
        score.wrong = [f"{len(read)} forms read, {len(want)} printed"]
        return score
    for got, expected in zip(read, want):
        a, b = flat(evaluation_dict(got)), flat(evaluation_dict(expected))
        flagged = {p.field for p in got.problems}
        for path in sorted(set(a) | set(b)):
            counts = score.kinds.setdefault(kind_of(path), [0, 0, 0])
            said = f"{path}: {b.get(path)!r} read as {a.get(path)!r}"
            if same(a.get(path), b.get(path)):
                score.right += 1
                counts[0] += 1
            elif any(
                path == f or path.startswith((f + ".", f + "[", f + "_parsed")) for f in flagged
            ):
                score.flagged += 1
                counts[1] += 1
                score.doubted.append(said)
            else:
                score.silent += 1
                counts[2] += 1
                score.wrong.append(said)
    return score
