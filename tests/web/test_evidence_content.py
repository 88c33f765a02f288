"""Evidence checked by parsing it as what its name says (#21, jixiao.web.evaluations.
evidence_check): real PDF, JPEG, PNG, xlsx and docx files are kept; the samples an attack
test brought, and others like them, are refused through actions.evidence.add, each with its
reason, and nothing is stored or put on the trail."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Event

from . import evidence_samples as samples


def _add(tree, draft, name: str, content: bytes):
    return actions.evidence.add(
        user=tree.users["filler_a1"],
        pk=draft.pk,
        indicator=draft.data["indicators"][0]["name"],
        upload=SimpleUploadedFile(name, content),
    )


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("记录.pdf", lambda: samples.pdf_bytes(pages=2)),
        ("照片.jpg", lambda: samples.image_bytes("JPEG")),
        ("照片.jpeg", lambda: samples.image_bytes("JPEG")),
        ("截图.png", lambda: samples.image_bytes("PNG")),
        ("台账.xlsx", samples.xlsx_bytes),
        ("报告.docx", samples.docx_bytes),
    ],
)
def test_real_files_of_each_type_are_kept(tree, draft, name, make):
    content = make()
    item = _add(tree, draft, name, content)
    assert bytes(item.content) == content


def _mz() -> bytes:
    return b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"


REFUSED = [
    ("an HTML page with %PDF- in a comment", "x.pdf", lambda: samples.HTML_AS_PDF, "pdf"),
    ("a PDF with JavaScript", "a.pdf", lambda: samples.pdf_with("javascript"), "/JavaScript"),
    ("a PDF that launches a program", "a.pdf", lambda: samples.pdf_with("launch"), "/Launch"),
    ("a PDF with no pages", "a.pdf", lambda: b"%PDF-1.4\n%%EOF\n", "pdf"),
    (
        "a real PDF with a page of HTML appended",
        "a.pdf",
        lambda: samples.pdf_bytes() + b"<html><script>alert(1)</script></html>",
        "HTML",
    ),
    ("a zip bomb named .xlsx", "bomb.xlsx", samples.zip_bomb, "压缩炸弹"),
    (
        "a .docx holding an .exe",
        "a.docx",
        lambda: samples.with_part(samples.docx_bytes(), "word/media/setup.exe", _mz()),
        "setup.exe",
    ),
    (
        "a .docx holding a program under an innocent name",
        "a.docx",
        lambda: samples.with_part(samples.docx_bytes(), "word/media/image9.png", _mz()),
        "image9.png",
    ),
    (
        "an .xlsx with a macro project",
        "a.xlsx",
        lambda: samples.with_part(samples.xlsx_bytes(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
        "宏",
    ),
    (
        "a .docx with an HTML part",
        "a.docx",
        lambda: samples.with_part(samples.docx_bytes(), "word/afchunk.htm", b"<p>x</p>"),
        "afchunk.htm",
    ),
    (
        "a .docx with a remote template",
        "a.docx",
        lambda: samples.with_part(
            samples.docx_bytes(),
            "word/_rels/settings.xml.rels",
            b'<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/attachedTemplate" '
            b'Target="http://example.invalid/t.dotm" TargetMode="External"/></Relationships>',
        ),
        "外部",
    ),
    ("a zip with xl/ but no workbook", "a.xlsx", lambda: _zip({"xl/x.xml": b"<x/>"}), "xlsx"),
    ("a PNG named .jpg", "photo.jpg", lambda: samples.image_bytes("PNG"), "jpg"),
    (
        "a PNG signature and nothing behind it",
        "scan.png",
        lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
        "png",
    ),
    ("a JPEG cut in half", "cut.jpg", lambda: samples.image_bytes("JPEG")[:200], "jpg"),
]


def _zip(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        for name, content in parts.items():
            z.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("what", "name", "make", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_or_broken_evidence_is_refused_with_its_reason(
    tree, draft, what, name, make, reason
):
    events = Event.objects.filter(evaluation=draft).count()
    with pytest.raises(actions.errors.ServiceError) as caught:
        _add(tree, draft, name, make())
    assert reason in caught.value.message, caught.value.message
    assert not draft.evidence.exists()
    assert Event.objects.filter(evaluation=draft).count() == events  # nothing on the trail


def test_the_page_shows_the_reason_for_a_pdf_with_javascript(tree, draft):
    from django.test import Client

    client = Client()
    client.force_login(tree.users["filler_a1"])
    answer = client.post(
        f"/forms/{draft.pk}/evidence/",
        {
            "indicator": draft.data["indicators"][0]["name"],
            "file": SimpleUploadedFile("a.pdf", samples.pdf_with("javascript")),
        },
        follow=True,
    )
    assert "/JavaScript" in answer.content.decode() and not draft.evidence.exists()


def test_the_reasons_are_in_english_on_english_pages():
    from django.utils import translation

    from jixiao.web.evaluations.evidence_check import refusal

    with translation.override("en"):
        assert refusal(".pdf", samples.pdf_with("javascript")) == (
            "The PDF holds content that runs (/JavaScript); not uploaded"
        )
        assert refusal(".pdf", b"%PDF-1.4\n%%EOF\n").endswith(": cannot be opened (PDFSyntaxError)")
