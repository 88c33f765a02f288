"""``jixiao doctor``: what this machine has of jixiao's optional parts, what each is
for, and the one command that adds a missing one.

Each check is a function returning a :class:`Part`; none changes anything (the
database is opened, never migrated; the data directory is looked at, never made).
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

APT = "sudo apt-get install -y --no-install-recommends"


@dataclass(frozen=True)
class Part:
    """One optional part: present or not, what it affects, how to add it."""

    key: str
    name: str
    present: bool
    detail: str
    affects: str
    fix: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def shipped_fonts() -> Part:
    from jixiao.writers import fonts

    try:
        count = len(fonts.shipped_characters())
        present, detail = (
            count > 8000,
            f"{count} 个字符（{fonts.SERIF.name}、{fonts.SANS_BOLD.name}）",
        )
    except Exception as error:  # a damaged or missing font file: said, never a crash
        present, detail = False, f"无法读取：{error}"
    return Part(
        "fonts.shipped",
        "PDF 字体（jixiao 自带）",
        present,
        detail,
        "导出 PDF（jixiao export --to pdf、网页下载 PDF）",
        "python3 -m pip install --force-reinstall jixiao",
    )


def system_cjk_fonts() -> Part:
    from jixiao.writers import fonts

    present = fonts.system_has("绩") and fonts.system_has("堃")
    return Part(
        "fonts.system",
        "系统中文字体",
        present,
        "fontconfig 中有中文字体" if present else "fontconfig 中没有中文字体",
        "PDF 中自带字体没有的生僻字（缺少时导出会拒绝并指明该字）；LibreOffice 显示导出的 xlsx、docx",
        f"{APT} {fonts.FONT_PACKAGE}",
    )


def pdf_engine() -> Part:
    try:
        import weasyprint

        present, detail = True, f"WeasyPrint {weasyprint.__version__}，Pango 可用"
    except (ImportError, OSError) as error:
        present, detail = False, f"WeasyPrint 无法加载：{error}"
    return Part(
        "pdf.engine",
        "PDF 排版（WeasyPrint、Pango）",
        present,
        detail,
        "导出 PDF",
        f"{APT} libpango-1.0-0 libpangoft2-1.0-0",
    )


def harfbuzz_subset() -> Part:
    present = ctypes.util.find_library("harfbuzz-subset") is not None
    return Part(
        "pdf.subset",
        "字体子集库（HarfBuzz subset）",
        present,
        "libharfbuzz-subset 可用" if present else "没有 libharfbuzz-subset，改用 fontTools",
        "PDF 导出速度（缺少时每份 PDF 慢约 25 倍）",
        f"{APT} libharfbuzz-subset0",
    )


def compiled_core() -> Part:
    from jixiao.domain import scoring
    from jixiao.domain.audit import text

    files = [Path(module.__file__ or "") for module in (scoring, text)]
    present = all(f.suffix in {".so", ".pyd"} for f in files)
    return Part(
        "core.compiled",
        "编译的计分与审核核心（mypyc）",
        present,
        "已编译" if present else "纯 Python（可编辑安装或编译失败时如此）",
        "计分、审核的速度（编译后约快 1.6 倍）；结果相同",
        "python3 -m pip install .（在源码目录，不加 -e；需要 gcc、python3-dev）",
    )


def ocr() -> Part:
    from importlib.util import find_spec

    from jixiao.readers.scan import HOW_TO_ADD

    missing = [
        name
        for name, module in (
            ("rapidocr-onnxruntime", "rapidocr_onnxruntime"),
            ("onnxruntime", "onnxruntime"),
            ("opencv", "cv2"),
            ("numpy", "numpy"),
        )
        if find_spec(module) is None
    ]
    detail = (
        "RapidOCR（PP-OCRv4 中文模型，随包安装）可用"
        + ("" if find_spec("onnx") else "；未装 onnx，识别模型不改写（慢约五分之一）")
        if not missing
        else f"缺少 {'、'.join(missing)}"
    )
    if not missing:
        try:
            import cv2  # noqa: F401  (OpenCV's wheel needs libGL, libglib)
        except ImportError as error:
            missing, detail = ["opencv"], f"OpenCV 无法加载：{error}"
    fix = HOW_TO_ADD.split("：", 1)[1].split("（")[0]
    if missing == ["opencv"] and "lib" in detail:
        fix = f"{APT} libgl1 libglib2.0-0"
    return Part(
        "ocr",
        "文字识别（OCR）",
        not missing,
        detail,
        "导入扫描件：没有文字层的 PDF、JPEG、PNG、TIFF 图片（缺少时拒绝并说明）",
        fix,
    )


def data_directory(data_dir: Path) -> Part:
    name = "数据目录"
    affects = "网页系统（jixiao serve）、备份与恢复"
    if os.environ.get("DATABASE_URL"):
        affects += "；数据库由 DATABASE_URL 指定，目录只存密钥与佐证材料"
    if not data_dir.exists():
        return Part("data.dir", name, False, f"{data_dir} 不存在", affects, "jixiao serve --demo")
    if not data_dir.is_dir():
        return Part("data.dir", name, False, f"{data_dir} 不是目录", affects, "")
    if not os.access(data_dir, os.R_OK | os.W_OK | os.X_OK):
        return Part(
            "data.dir",
            name,
            False,
            f"{data_dir} 当前用户不可读写",
            affects,
            f"chown -R $USER {data_dir}",
        )
    key = data_dir / "secret_key"
    if key.exists() and key.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return Part(
            "data.dir",
            name,
            False,
            f"{key} 其他用户可读（权限 {stat.filemode(key.stat().st_mode)}）",
            affects,
            f"chmod 600 {key}",
        )
    return Part("data.dir", name, True, f"{data_dir.resolve()} 可读写，密钥仅本用户可读", affects)


def database(data_dir: Path) -> Part:
    name = "数据库与迁移"
    affects = "网页系统、jixiao passwd、verify-trail、backup"
    sqlite = data_dir / "jixiao.sqlite3"  # jixiao.web.database.sqlite_in
    if not os.environ.get("DATABASE_URL") and not sqlite.is_file():
        return Part(
            "database", name, False, f"{sqlite} 不存在，尚无数据库", affects, "jixiao serve --demo"
        )
    try:
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        from jixiao.web import setup

        setup(data_dir)
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        vendor = connection.vendor
    except Exception as error:  # unreachable server, bad URL, unreadable file
        return Part("database", name, False, f"无法打开数据库：{error}", affects, "")
    if pending:
        return Part(
            "database",
            name,
            False,
            f"{vendor}：{len(pending)} 个迁移尚未执行",
            affects,
            "jixiao serve（启动时执行迁移）",
        )
    return Part("database", name, True, f"{vendor}：迁移均已执行", affects)


def postgres_client() -> Part:
    tools = ["pg_dump", "psql"]
    missing = [t for t in tools if shutil.which(t) is None]
    return Part(
        "postgresql.client",
        "PostgreSQL 客户端工具",
        not missing,
        "pg_dump、psql 可用" if not missing else f"缺少 {'、'.join(missing)}",
        "PostgreSQL 上的 jixiao backup / restore（SQLite 不需要）",
        f"{APT} postgresql-client",
    )


def poppler() -> Part:
    missing = [t for t in ("pdftotext", "pdffonts") if shutil.which(t) is None]
    return Part(
        "poppler",
        "poppler-utils（pdftotext、pdffonts）",
        not missing,
        "可用" if not missing else f"缺少 {'、'.join(missing)}",
        "测试套件中读回导出 PDF 的测试（缺少时跳过）",
        f"{APT} poppler-utils",
    )


def chromium() -> Part:
    path = "/usr/bin/chromium"
    present = os.access(path, os.X_OK)
    return Part(
        "chromium",
        "Chromium 浏览器",
        present,
        path if present else f"{path} 不存在",
        "测试套件中的浏览器测试（Playwright，缺少时跳过）",
        f"{APT} chromium",
    )


def parts(data_dir: Path) -> list[Part]:
    """Every part, in the order a user reads them: export, speed, web system, tests."""
    checks: list[Callable[[], Part]] = [
        shipped_fonts,
        system_cjk_fonts,
        pdf_engine,
        harfbuzz_subset,
        compiled_core,
        ocr,
        lambda: data_directory(data_dir),
        lambda: database(data_dir),
        postgres_client,
        poppler,
        chromium,
    ]
    return [check() for check in checks]
