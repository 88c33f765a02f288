"""An uploaded form file read through the readers, the same way for the API
and the pages, with the same limits (:data:`MAX_UPLOAD`, :data:`UPLOAD_TYPES`).

The types are the readers' own list (:data:`jixiao.readers.SUFFIXES`), so the
upload accepts every format the readers read and no other (scans too: JPEG, PNG,
TIFF and PDFs without text, read by OCR where the ``ocr`` extra is installed). The
file is kept with the form stored from it (:mod:`jixiao.web.sources`)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jixiao.domain import model as domain
from jixiao.readers import SUFFIXES, ReadError, formats_text, read_path
from jixiao.web.evaluations.actions.errors import ServiceError
from jixiao.web.sources import keep

MAX_UPLOAD = 20 * 1024 * 1024
"""Bytes of an uploaded form: the largest published forms are a few MB."""
UPLOAD_TYPES = SUFFIXES
"""The suffixes an upload may have: every one the readers read (a file without
a suffix, which they read as text, is refused here: a browser names a file)."""


def _kinds() -> str:
    """The readable kinds: named in Chinese ("PDF（.pdf）、Excel 工作簿（…）"), or
    by their suffixes alone on pages in another language."""
    if (get_language() or "zh-hans").lower().startswith("zh"):
        return formats_text()
    return ", ".join(UPLOAD_TYPES)


def read_upload(upload: UploadedFile, form_index: int) -> domain.Evaluation:
    """The uploaded file through the readers (which choose by content and name),
    if its size and type are allowed; errors and the form's source name the
    upload, not the temporary copy."""
    assert upload.size is not None  # Django's upload handlers set it
    if upload.size > MAX_UPLOAD:
        raise ServiceError(_("文件超过 %(mb)s MB") % {"mb": MAX_UPLOAD // 1024 // 1024})
    if not (upload.name or "").lower().endswith(UPLOAD_TYPES):
        raise ServiceError(_("只能上传 %(types)s 文件") % {"types": _kinds()})
    name = Path(upload.name or "").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("wb") as copy:
            for chunk in upload.chunks():
                copy.write(chunk)
        try:
            forms = read_path(path)
        except ReadError as error:
            raise ReadError(name, error.reason) from None
        keep.pending(name, path.read_bytes())  # kept with the form stored from it
    if not 0 <= form_index < len(forms):
        raise ReadError(name, f"文件中只有 {len(forms)} 张自评表，没有第 {form_index + 1} 张")
    return replace(forms[form_index], source=domain.FormSource(name, form_index))
