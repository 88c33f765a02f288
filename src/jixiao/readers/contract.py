"""A file of the JSON contract → forms: what ``jixiao import --json`` prints (a list
of forms) or ``jixiao export --to json`` writes (one form), read back as it was
written, so the contract round-trips through the command line.

The object itself is read by :func:`jixiao.contract.json.evaluation_from_dict`
(re-exported here for the callers that read stored JSON).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from jixiao.contract.json import evaluation_from_dict
from jixiao.domain.model import Evaluation, FormSource
from jixiao.readers.base import ReadError

__all__ = ["evaluation_from_dict", "looks_like_json", "read_json"]


def looks_like_json(text: str) -> bool:
    """Whether a text file's content is JSON (a form's text never starts with { or [)."""
    return text.lstrip()[:1] in {"{", "["}


def read_json(text: str, name: str) -> list[Evaluation]:
    """Every form of a contract file; a form without a source gets this file's."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReadError(
            name, f"不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列，{error.msg}"
        ) from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ReadError(name, "JSON 中没有自评表（空列表）")
    forms = []
    for n, item in enumerate(items):
        where = name if len(items) == 1 else f"{name} 第 {n + 1} 张表"
        form = evaluation_from_dict(item, where)
        if form.source is None:
            form = replace(form, source=FormSource(name, n))
        forms.append(form)
    return forms
