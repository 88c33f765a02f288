"""A kept file's page as PNG, with the boxes of the values read from it drawn
(``GET /forms/<pk>/source/<page>.png?field=funding.executed&field=…``).

The boxes are the form's own (``sources.{path}.box`` in its data: points from the
page's top left, as the scan reader found the cell on the page turned straight), so
the page is drawn as the reader saw it: a PDF page by pdfium, an image's frame scaled
to an A4 page, turned straight by the same angle where the ``ocr`` extra is there.
Whoever may see the form may see its pages; others get 404, as for the form."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from jixiao.web.evaluations import actions
from jixiao.web.sources.models import SourceFile

DPI = 100
"""Pixels per inch the page is drawn at (a box's points × DPI / 72)."""
MAX_FIELDS = 50
COLOUR = (220, 0, 0)


def page_image(content: bytes, page: int, dpi: int = DPI):
    """Page ``page`` (from 1) of a kept file as a PIL RGB image at ``dpi``, None
    where the file has no such page (or is not a PDF or an image)."""
    from PIL import Image, ImageSequence

    from jixiao.readers import scan

    if scan.is_image(content):
        Image.MAX_IMAGE_PIXELS = scan.MAX_IMAGE_PIXELS
        with Image.open(io.BytesIO(content)) as image:
            for n, frame in enumerate(ImageSequence.Iterator(image)):
                if n + 1 == page:
                    picture = frame.convert("RGB")
                    factor = scan.PAGE_PIXELS / max(picture.size) * dpi / scan.DPI
                    size = (round(picture.size[0] * factor), round(picture.size[1] * factor))
                    return _straight(picture.resize(size, Image.Resampling.LANCZOS))
        return None
    if not content.startswith(b"%PDF-"):
        return None
    import pypdfium2

    from jixiao.readers.pdfium import _LOCK

    with _LOCK:
        document = pypdfium2.PdfDocument(content)
        try:
            if not 1 <= page <= len(document):
                return None
            drawn = document[page - 1]
            try:
                picture = drawn.render(scale=dpi / 72).to_pil().convert("RGB")
            finally:
                drawn.close()
        finally:
            document.close()
    return _straight(picture) if not _has_text(content, page) else picture


def _has_text(content: bytes, page: int) -> bool:
    """Whether a PDF page has a text layer (read as a PDF: its boxes are the page's own)."""
    import pypdfium2

    from jixiao.readers.pdfium import _LOCK

    with _LOCK:
        document = pypdfium2.PdfDocument(content)
        try:
            text = document[page - 1].get_textpage()
            try:
                return text.count_chars() > 0
            finally:
                text.close()
        finally:
            document.close()


def _straight(picture):
    """The page turned by the angle the scan reader turned it by (its boxes are on
    the straight page); as drawn where the ``ocr`` extra is missing."""
    try:
        import numpy as np

        from jixiao.readers import scan_image
    except ImportError:
        return picture
    angle = scan_image.skew_angle(scan_image.ink(scan_image.unsealed(np.asarray(picture))))
    if abs(angle) < 0.01:
        return picture
    return picture.rotate(angle, resample=3, fillcolor=(255, 255, 255))  # bicubic


def boxes(data: dict, page: int, wanted: list[str]) -> list[tuple[float, float, float, float]]:
    """The boxes (points) of the fields ``wanted`` that were read from ``page``."""
    out = []
    for path in wanted:
        source = (data.get("sources") or {}).get(path) or {}
        box = source.get("box")
        if source.get("page") == page and isinstance(box, list) and len(box) == 4:
            x0, top, x1, bottom = (float(v) for v in box)
            out.append((x0, top, x1, bottom))
    return out


def drawn(picture, found: list[tuple[float, float, float, float]], dpi: int = DPI) -> bytes:
    """The page as PNG with each box outlined."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(picture)
    scale = dpi / 72
    width = max(2, dpi // 40)
    for x0, top, x1, bottom in found:
        draw.rectangle(
            (x0 * scale - width, top * scale - width, x1 * scale + width, bottom * scale + width),
            outline=COLOUR,
            width=width,
        )
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


@login_required
@require_GET
def source_page(request: HttpRequest, pk: int, page: int) -> HttpResponse:
    """Page ``page`` of the file form ``pk`` was imported from, its fields' boxes drawn."""
    try:
        evaluation = actions.access.get(request.user, pk)  # type: ignore[arg-type]
    except actions.errors.NotFound:
        raise Http404 from None
    kept = SourceFile.objects.filter(evaluation=evaluation).first()
    if kept is None:
        raise Http404
    picture = page_image(bytes(kept.content), page)
    if picture is None:
        raise Http404
    wanted = request.GET.getlist("field")[:MAX_FIELDS]
    body = drawn(picture, boxes(evaluation.data, page, wanted))
    return HttpResponse(body, content_type="image/png")
