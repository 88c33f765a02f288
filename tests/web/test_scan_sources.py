"""The file a form was imported from is kept with it (in the database, with its
event on the trail), and its pages are drawn as PNG with the boxes of the values a
scan's cells gave (GET /forms/<pk>/source/<page>.png?field=…), for whoever may see
the form and nobody else. One scan is read by OCR (about ten seconds)."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client

from jixiao.web.evaluations.models import Evaluation, Event
from jixiao.web.orgs.models import ApiToken
from jixiao.web.sources.models import SourceFile

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parents[1] / "fixtures"
SCAN = FILES / "scans" / "sample-national.jpg"
PDF = FILES / "files" / "sample-national.pdf"


def bearer(tree, name: str) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(tree.users[name])}"}


def imported(tree, path: Path) -> dict:
    with path.open("rb") as upload:
        answer = Client().post(
            "/api/projects/A1-001/evaluations",
            {"file": upload, "confirm": "true"},
            headers=bearer(tree, "filler_a1"),
        )
    assert answer.status_code == 200, answer.content
    return answer.json()


def signed_in(tree, name: str) -> Client:
    client = Client()
    client.force_login(tree.users[name])
    return client


def red_inside(png: bytes, box, dpi: int = 100) -> int:
    """Places along the top and the left of ``box`` (points) in the PNG with a red
    outline just outside it."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    x0, top, x1, bottom = (round(v * dpi / 72) for v in box)

    def red(x: int, y: int) -> bool:
        r, g, b = image.getpixel((x, y))
        return r > 180 and g < 80 and b < 80

    across = sum(any(red(x, y) for y in range(top - 5, top + 1)) for x in range(x0, x1))
    down = sum(any(red(x, y) for x in range(x0 - 5, x0 + 1)) for y in range(top, bottom))
    return across + down


def test_an_uploaded_pdf_is_kept_with_its_form_on_the_trail(tree, project_a1):
    made = imported(tree, PDF)
    kept = SourceFile.objects.get(evaluation_id=made["id"])
    assert kept.name == "sample-national.pdf" and bytes(kept.content) == PDF.read_bytes()
    assert kept.sha256 == hashlib.sha256(PDF.read_bytes()).hexdigest()
    [event] = Event.objects.filter(action="source_keep")
    assert event.subject == f"sourcefile#{kept.pk}"
    assert event.diff[0]["new"]["sha256"] == kept.sha256
    # its page drawn for every account that sees the form, 404 for every other (the matrix)
    from tests.web.test_permission_matrix import ROLES, SEES_THE_FORM

    for name in ROLES:
        page = signed_in(tree, name).get(f"/forms/{made['id']}/source/1.png")
        if name in SEES_THE_FORM:
            assert page.status_code == 200 and page["Content-Type"] == "image/png", name
            assert page.content.startswith(b"\x89PNG")
        else:
            assert page.status_code == 404, name
    assert signed_in(tree, "filler_a1").get(f"/forms/{made['id']}/source/9.png").status_code == 404
    assert Client().get(f"/forms/{made['id']}/source/1.png").status_code == 302  # sign in


def test_a_refused_upload_keeps_nothing_for_the_next_form(tree, project_a1, forms):
    from jixiao.web.evaluations import actions

    imported(tree, PDF)  # 2023: the year is taken now
    with PDF.open("rb") as upload:
        again = Client().post(
            "/api/projects/A1-001/evaluations",
            {"file": upload, "confirm": "true"},
            headers=bearer(tree, "filler_a1"),
        )
    assert again.status_code == 409
    other = actions.forms.create(
        user=tree.users["filler_a1"], project=project_a1, form=replace(forms[0], year=2024)
    )
    assert not SourceFile.objects.filter(evaluation=other).exists()
    assert SourceFile.objects.count() == 1


scan_engines = pytest.importorskip("jixiao.readers.scan_engines", reason="no ocr extra")


@pytest.mark.skipif(not scan_engines.available("rapidocr"), reason="no ocr extra")
def test_a_scans_values_keep_their_boxes_drawn_on_its_page(tree, project_a1):
    made = imported(tree, SCAN)
    source = made["form"]["sources"]["funding.executed"]
    assert source["page"] == 1 and len(source["box"]) == 4
    client = signed_in(tree, "filler_a1")
    url = f"/forms/{made['id']}/source/1.png"
    plain = client.get(url)
    boxed = client.get(url, {"field": ["funding.executed", "no.such.field"]})
    assert plain.status_code == boxed.status_code == 200
    assert red_inside(boxed.content, source["box"]) > 0.8 * red_edge(source["box"])
    assert red_inside(plain.content, source["box"]) < 0.2 * red_edge(source["box"])
    # the form page shows the page with its findings' fields boxed
    stored = Evaluation.objects.get(pk=made["id"])
    boxed_findings = sorted(
        {
            f["field"]
            for f in stored.findings
            if (stored.data["sources"].get(f["field"]) or {}).get("box")
        }
    )
    assert boxed_findings, "the scan's form has findings on fields read from the page"
    form_page = client.get(f"/forms/{made['id']}/").content.decode()
    assert "原件上的审核意见" in form_page
    shown = re.search(r'src="(/forms/\d+/source/1\.png\?[^"]+)"', form_page).group(1)
    assert client.get(shown.replace("&amp;", "&")).status_code == 200
    assert all(f"field={quote(f)}" in shown.replace("&amp;", "&") for f in boxed_findings[:50])


def red_edge(box, dpi: int = 100) -> int:
    x0, top, x1, bottom = (round(v * dpi / 72) for v in box)
    return (x1 - x0) + (bottom - top)


def test_the_pages_upload_keeps_the_file_too(tree, project_a1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.web.evaluations.models import Evaluation

    client = signed_in(tree, "filler_a1")
    upload = SimpleUploadedFile(PDF.name, PDF.read_bytes())
    answer = client.post(
        "/forms/new/",
        {"project": "A1-001", "file": upload, "form_number": "1", "confirm_project": "1"},
    )
    ev = Evaluation.objects.get(project=project_a1)
    assert answer["Location"] == f"/forms/{ev.pk}/"
    assert bytes(ev.source_file.content) == PDF.read_bytes()


def test_a_text_pdfs_values_keep_their_boxes_drawn_on_its_page(tree, project_a1):
    """A PDF with a text layer gives each value its page and box too: the box is
    drawn on the kept original's page as a scan's is."""
    made = imported(tree, PDF)
    sources = made["form"]["sources"]
    assert all(s.get("page") and len(s.get("box") or ()) == 4 for s in sources.values())
    source = sources["funding.executed"]
    client = signed_in(tree, "filler_a1")
    url = f"/forms/{made['id']}/source/{source['page']}.png"
    plain = client.get(url)
    boxed = client.get(url, {"field": "funding.executed"})
    assert plain.status_code == boxed.status_code == 200
    assert red_inside(boxed.content, source["box"]) > 0.8 * red_edge(source["box"])
    assert red_inside(plain.content, source["box"]) < 0.2 * red_edge(source["box"])
