"""批量导出: the forms of a year (of one department, or all one may see) written by a
background task — in the official layout (xlsx, PDF or docx) into one zip, as one
PDF to print (合并 PDF: every form numbering its own pages), as the roll-up workbook
(汇总表), or as the check report (审核报告: every finding of every form, the checks across the batch
included, as ``jixiao check --report`` writes it) — kept with the task until it
expires; downloaded only by who asked for it, and only while they may still see every
form in it."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao import templates
from jixiao.contract.json import evaluation_from_dict
from jixiao.domain.audit import audit_batch
from jixiao.services.batch import write_batch, write_merged
from jixiao.web.evaluations.actions import access
from jixiao.web.evaluations.actions import forms as form_actions
from jixiao.web.evaluations.actions.bulk_import import own, read_workers
from jixiao.web.evaluations.actions.errors import Conflict, Forbidden, Invalid
from jixiao.web.evaluations.models import Evaluation
from jixiao.web.tasks import queue
from jixiao.web.tasks.models import Output, Task
from jixiao.web.tasks.registry import Context, task
from jixiao.writers import Format, file_names
from jixiao.writers.findings import write_report

TASK = "forms.export_bulk"
FORMATS = ("xlsx", "pdf", "docx", "merged", "report", "rollup")
# What each format gives, as the export page names it.
FORMAT_LABELS = {
    "xlsx": gettext_lazy("自评表 xlsx（zip）"),
    "pdf": gettext_lazy("自评表 PDF（zip）"),
    "docx": gettext_lazy("自评表 docx（zip）"),
    "merged": gettext_lazy("合并为一个 PDF（打印用）"),
    "report": gettext_lazy("审核报告 xlsx"),
    "rollup": gettext_lazy("汇总表 xlsx"),
}
REPORT = "report"
ROLLUP = "rollup"
MERGED = "merged"
MAX_FORMS = 5000


def result_days() -> int:
    """Days a task's file is kept (``JIXIAO_RESULT_DAYS``)."""
    return int(getattr(settings, "JIXIAO_RESULT_DAYS", 7))


def start(*, user: User, year: int, fmt: str, department: int | None = None) -> Task:
    """Queue the export of the forms of ``year`` the user may see (of ``department`` if
    given) in ``fmt``."""
    if fmt not in FORMATS:
        raise Invalid(
            _("导出格式只能是 %(known)s：%(fmt)s") % {"known": "、".join(FORMATS), "fmt": fmt}
        )
    chosen = access.visible(user).filter(year=year)
    if department is not None:
        chosen = chosen.filter(access.in_department(department))
    ids = list(chosen.order_by("project__code", "pk").values_list("pk", flat=True)[: MAX_FORMS + 1])
    if not ids:
        raise Invalid(_("%(year)s 年度没有可导出的自评表") % {"year": year})
    if len(ids) > MAX_FORMS:
        raise Invalid(_("一次最多导出 %(n)s 张自评表：请按主管部门分批") % {"n": MAX_FORMS})
    return queue.enqueue(
        TASK, {"ids": ids, "format": fmt, "year": year, "department": department}, by=user
    )


def download(*, user: User, pk: int) -> Output:
    """The file of a finished export: who asked for it, while every form in it is still
    theirs to see (a changed role loses it), before it expires."""
    made = own(user, pk)
    try:
        output = made.output
    except Output.DoesNotExist:
        raise Conflict(_("后台任务 %(pk)s 还没有生成文件") % {"pk": pk}) from None
    if output.expires_at <= timezone.now():
        raise Conflict(_("文件已过期（保留 %(days)s 天）：请重新导出") % {"days": result_days()})
    ids = made.args.get("ids", [])
    if access.visible(user).filter(pk__in=ids).count() != len(ids):
        raise Forbidden(_("其中有您已无权查看的自评表，不能下载"))
    return output


@task(TASK, max_attempts=2, timeout=6 * 3600)
def export_bulk(
    context: Context, ids: list[int], format: str, year: int, department=None
) -> dict[str, Any]:
    if format == ROLLUP:
        return _rollup(context, ids, year, department)
    rows = list(Evaluation.objects.filter(pk__in=ids).order_by("project__code", "pk"))
    forms = [evaluation_from_dict(row.data, f"自评表 {row.pk}") for row in rows]
    if format == REPORT:
        return _check_report(context, rows, forms, year, department)
    if format == MERGED:
        return _merged(context, forms, year, department)
    fmt = Format(format)
    names = file_names(forms, fmt)
    refused = []
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="jixiao-export-") as folder:
        jobs = [(form, str(Path(folder) / name)) for form, name in zip(forms, names)]
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, written in enumerate(write_batch(jobs, fmt, workers=read_workers()), 1):
                name = Path(written.path).name
                if written.error:
                    refused.append({"file": name, "reason": written.error})
                else:
                    archive.write(written.path, name)
                    Path(written.path).unlink()
                context.progress(done, len(jobs), name)
                if context.cancelled():
                    break
    content = buffer.getvalue()
    scope = f"-{department}" if department else ""
    _keep(context, f"自评表-{year}{scope}-{format}.zip", "application/zip", content)
    return {"forms": len(jobs) - len(refused), "refused": refused, "bytes": len(content)}


def _rollup(context: Context, ids: list[int], year: int, department) -> dict[str, Any]:
    """汇总表: the roll-up of those forms as the page's workbook (its columns, 小计 and 合计),
    from the indexed copies (no form's JSON read)."""
    # The page's own columns, labels and workbook: the roll-up's layout lives in one place.
    from jixiao.web.evaluations.selectors import rollup
    from jixiao.web.pages import rollup as page

    chosen = rollup.rows(Evaluation.objects.filter(pk__in=ids), year, department)
    states = page.state_labels()
    lines = [page.cells(line, states) for line in rollup.table(chosen)]
    context.progress(len(ids), len(ids), "")
    name = _("%(year)s 年度自评汇总表") % {"year": year}
    buffer = io.BytesIO()
    page.write_workbook(buffer, name, [str(c) for c in page.COLUMNS], lines)
    content = buffer.getvalue()
    scope = f"-{department}" if department else ""
    _keep(context, f"汇总表-{year}{scope}.xlsx", XLSX, content)
    return {"forms": len(ids), "refused": [], "bytes": len(content)}


def _merged(context: Context, forms, year: int, department) -> dict[str, Any]:
    """合并 PDF: the forms in order as one PDF to print, each numbering its own pages; a
    form that cannot be drawn is left out with its reason, the others printed (no file
    when none can be, or when cancelled: the PDF is joined only at the end)."""
    refused, pages = [], 0
    with tempfile.TemporaryDirectory(prefix="jixiao-merged-") as folder:
        path = Path(folder) / "merged.pdf"
        drawn = write_merged(forms, str(path), workers=read_workers())
        # Not zip(forms, drawn): the file is joined once ``drawn`` is exhausted.
        for done, written in enumerate(drawn, 1):
            form = forms[done - 1]
            if written.error:
                refused.append({"file": form.subject or "", "reason": written.error})
            pages += written.pages
            context.progress(done, len(forms), form.subject or "")
            if context.cancelled():
                break
        del drawn  # closed: a merged PDF left unfinished writes nothing
        content = path.read_bytes() if path.exists() else b""
    if content:
        scope = f"-{department}" if department else ""
        _keep(context, f"自评表-{year}{scope}-合并.pdf", "application/pdf", content)
    printed = len(forms) - len(refused) if content else 0
    return {"forms": printed, "pages": pages, "refused": refused, "bytes": len(content)}


def _check_report(context: Context, rows, forms, year: int, department) -> dict[str, Any]:
    """审核报告: each form's findings as its page shows them (the audit and the changed
    approved targets), with what only the batch shows (跨表), in the CLI's workbook."""
    across = audit_batch(forms, lambda form: templates.load(form.template))
    results = []
    for done, (row, form, more) in enumerate(zip(rows, forms, across), 1):
        results.append((form, form_actions.findings(row, form) + more))
        if done % 50 == 0 or done == len(rows):  # a form takes a millisecond: not each one
            context.progress(done, len(rows), form.project.name)
            if context.cancelled():
                break
    with tempfile.TemporaryDirectory(prefix="jixiao-report-") as folder:
        path = Path(folder) / "report.xlsx"
        write_report(results, path)
        content = path.read_bytes()
    scope = f"-{department}" if department else ""
    _keep(context, f"审核报告-{year}{scope}.xlsx", XLSX, content)
    found = sum(len(f) for _, f in results)
    return {"forms": len(results), "findings": found, "refused": [], "bytes": len(content)}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _keep(context: Context, name: str, content_type: str, content: bytes) -> None:
    """The task's file, kept until it expires (``JIXIAO_RESULT_DAYS``)."""
    Output.objects.update_or_create(
        task_id=context.task_id,
        defaults={
            "name": name,
            "content_type": content_type,
            "content": content,
            "size": len(content),
            "expires_at": timezone.now() + timedelta(days=result_days()),
        },
    )


@task("tasks.sweep", max_attempts=1, timeout=3600)
def sweep(context: Context) -> dict[str, int]:
    """Files of tasks past their time: outputs expired, uploads of tasks finished more
    than ``JIXIAO_RESULT_DAYS`` ago (their reports stay)."""
    from jixiao.web.tasks.models import Upload

    now = timezone.now()
    outputs, _n = Output.objects.filter(expires_at__lte=now).delete()
    uploads, _n = Upload.objects.filter(
        task__finished_at__lte=now - timedelta(days=result_days())
    ).delete()
    return {"outputs": outputs, "uploads": uploads}
