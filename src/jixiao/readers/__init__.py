"""Readers: files people already have → :class:`jixiao.domain.model.Evaluation`.

``read_path`` picks the reader by the file's content and name, and raises
:class:`ReadError` (naming the file and the reason) for input it cannot read.
"""

from __future__ import annotations

from pathlib import Path

from jixiao.domain.model import Evaluation
from jixiao.readers.base import ReadError
from jixiao.readers.text import read_text

__all__ = ["ReadError", "read_path", "decode"]

TEXT_SUFFIXES = {".txt", ".md", ".tsv", ".text", ".markdown", ""}


def decode(data: bytes, file: str) -> str:
    """Text in UTF-8 (with or without BOM) or GB18030, the encodings forms come in."""
    if b"\x00" in data[:4096]:
        raise ReadError(file, "不是文本文件（含二进制内容）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(file, "无法识别文本编码（既非 UTF-8 也非 GB18030）")


def read_path(path: str | Path, template_id: str | None = None) -> list[Evaluation]:
    """Every form in one file."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise ReadError(name, "是文件夹，不是文件")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError(name, "文件不存在") from None
    except OSError as error:
        raise ReadError(name, f"无法打开：{error.strerror or error}") from None
    if not data.strip():
        raise ReadError(name, "空文件")
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise ReadError(name, f"暂不支持 {path.suffix} 文件（目前可读：文本、markdown）")
    return read_text(decode(data, name), name, template_id)
