"""An uploaded form file read through the readers, the same way for the API
and the pages."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from jixiao.domain import model as domain
from jixiao.readers import ReadError, read_path


def read_upload(upload: UploadedFile, form_index: int) -> domain.Evaluation:
    """The uploaded file through the readers (which choose by content and name);
    errors and the form's source name the upload, not the temporary copy."""
    name = Path(upload.name or "upload.txt").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("wb") as copy:
            for chunk in upload.chunks():
                copy.write(chunk)
        try:
            forms = read_path(path)
        except ReadError as error:
            raise ReadError(name, error.reason) from None
    if not 0 <= form_index < len(forms):
        raise ReadError(name, f"文件中只有 {len(forms)} 张自评表，没有第 {form_index} 张（从 0 起数）")
    return replace(forms[form_index], source=domain.FormSource(name, form_index))
