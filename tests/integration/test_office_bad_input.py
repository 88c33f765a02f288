"""Files the PDF, xlsx and docx readers cannot read: each gets a one-line reason
in the batch's rejects, and the batch goes on."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from jixiao import templates
from jixiao.readers import ReadError, read_path, sniff
from jixiao.readers import pdf as pdf_reader
from jixiao.readers import xlsx as xlsx_reader
from jixiao.readers.text import read_text
from jixiao.samples import paths as sample_paths
from jixiao.services.batch import read_batch
from jixiao.writers import Format, write_form


@pytest.fixture(scope="module")
def sample_form():
    path = next(p for p in sample_paths() if p.name == "national-2023-tab.txt")
    return read_text(path.read_text(encoding="utf-8"), str(path))[0]


@pytest.fixture(scope="module")
def written(sample_form, tmp_path_factory):
    """The sample form as xlsx, PDF and docx: fmt → path."""
    folder = tmp_path_factory.mktemp("written")
    out = {}
    for fmt in (Format.XLSX, Format.PDF, Format.DOCX):
        out[fmt.value] = folder / f"sample.{fmt.value}"
        write_form(sample_form, templates.load(sample_form.template), fmt, out[fmt.value])
    return out


def reason(path: Path) -> str:
    with pytest.raises(ReadError) as caught:
        read_path(path)
    assert caught.value.file == str(path)
    assert "\n" not in caught.value.reason
    return caught.value.reason


def test_each_format_is_read_by_its_content(written):
    assert [sniff(written[f].read_bytes()) for f in ("pdf", "xlsx", "docx")] == [
        "pdf",
        "xlsx",
        "docx",
    ]
    for path in written.values():
        assert read_path(path)[0].project.name == "示例区政务数据共享平台运维（2023）"


def test_a_file_whose_extension_lies_is_read_by_its_content(written, tmp_path):
    lying = tmp_path / "form.xlsx"
    lying.write_bytes(written["pdf"].read_bytes())
    assert read_path(lying)[0].project.name == "示例区政务数据共享平台运维（2023）"


def test_an_extension_promising_a_format_the_content_is_not(tmp_path):
    fake = tmp_path / "form.pdf"
    fake.write_text("项目名称\t某项目", encoding="utf-8")
    assert "扩展名为 .pdf，但内容不是 PDF" in reason(fake)


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "docx"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_a_truncated_file_is_refused_with_a_reason(written, tmp_path, fmt, keep):
    data = written[fmt].read_bytes()
    cut = tmp_path / f"cut.{fmt}"
    cut.write_bytes(data[: int(len(data) * keep)])
    text = reason(cut)
    assert "损坏" in text or "不完整" in text or "没有" in text


def test_an_encrypted_pdf_says_it_needs_its_password(written, tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(written["pdf"]).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    assert "已加密" in reason(locked) and "密码" in reason(locked)


def test_a_pdf_without_text_is_called_a_scan(tmp_path):
    from weasyprint import HTML

    scan = tmp_path / "scan.pdf"
    HTML(string='<div style="width:300px;height:200px;background:#888"></div>').write_pdf(scan)
    assert "扫描件" in reason(scan) and "OCR" in reason(scan)


def test_an_old_office_or_encrypted_office_file_is_named_as_such(tmp_path):
    old = tmp_path / "form.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert ".xlsx" in reason(old) and "密码" in reason(old)


def test_a_zip_that_is_not_an_office_file(tmp_path):
    archive = tmp_path / "forms.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "项目名称")
    assert "zip 压缩包" in reason(archive)


def _bomb(inflated: int) -> bytes:
    """A tiny xlsx-looking zip whose one part inflates to ``inflated`` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = bytes(1 << 20)
            for _ in range(inflated >> 20):
                part.write(block)
    return buffer.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    # The cap is lowered for the test so the bomb stays small to build; the
    # check is the same sum of declared sizes.
    monkeypatch.setattr(xlsx_reader, "MAX_UNCOMPRESSED", 8 * 1024 * 1024)
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(_bomb(16 * 1024 * 1024))
    assert bomb.stat().st_size < 64 * 1024
    assert "压缩炸弹" in reason(bomb)


def test_too_many_pages_is_refused_with_a_reason(written, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 0)
    assert "拆分" in reason(written["pdf"])


def test_a_batch_of_bad_files_rejects_each_with_one_line_and_reads_the_good(written, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.pdf").write_bytes(written["pdf"].read_bytes())
    (folder / "good.docx").write_bytes(written["docx"].read_bytes())
    (folder / "cut.xlsx").write_bytes(written["xlsx"].read_bytes()[:2000])
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "noise.docx").write_bytes(bytes(range(256)) * 8)
    (folder / "gbk.txt").write_bytes(
        next(p for p in sample_paths() if p.name == "national-2023-tab.txt")
        .read_text(encoding="utf-8")
        .encode("gb18030")
    )
    results = {Path(r.path).name: r for r in read_batch(sorted(folder.iterdir()), workers=2)}
    assert {n for n, r in results.items() if not r.rejected} == {"good.pdf", "good.docx", "gbk.txt"}
    for name in ("cut.xlsx", "empty.pdf", "noise.docx"):
        assert results[name].error and "\n" not in results[name].error, name
        assert "读取时出错" not in results[name].error, "a reader's own reason, not a crash"


def test_a_500_page_pdf_is_refused_at_once_with_a_reason(written, tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    page = PdfReader(written["pdf"]).pages[0]
    for _ in range(500):
        writer.add_page(page)  # the same page 500 times: a small file
    long = tmp_path / "archive.pdf"
    with long.open("wb") as handle:
        writer.write(handle)
    assert "500 页" in reason(long) and "拆分" in reason(long)


def test_cjk_radicals_printed_in_a_pdf_read_as_the_characters_they_stand_for(sample_form, tmp_path):
    from dataclasses import replace

    odd = replace(
        sample_form, project=replace(sample_form.project, name="\u2ed3期\u2ed4诊\u2ea0生服务")
    )
    path = tmp_path / "radicals.pdf"
    write_form(odd, templates.load(odd.template), Format.PDF, path)
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        assert "\u2ed3" in pdf.pages[0].extract_text(), "the PDF itself prints the radical"
    assert read_path(path)[0].project.name == "长期门诊民生服务"
