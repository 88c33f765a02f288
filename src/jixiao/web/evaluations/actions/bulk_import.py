"""批量导入: many files (or a zip of them) uploaded at once, read in a background task
with the CLI's batch reader, each form filed under its project — found by the form's
own 项目名称 and 实施单位 with the upload's matching function
(:func:`jixiao.web.evaluations.actions.forms.mismatches`), never by a guess — and a
report of every file: filed, refused, duplicate or not matched, each with its reason.

Each form is created in its own transaction (the pages stay responsive on SQLite), so a
cancel or a dead worker leaves what was filed filed; run again, a form already filed
with the same content is a duplicate, never a second form. Each file a form is filed
from is kept with it, as an upload's is (:mod:`jixiao.web.sources`, at most
:data:`~jixiao.web.evaluations.uploads.MAX_UPLOAD` bytes, ``source_keep`` on the trail)."""

from __future__ import annotations

import io
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from jixiao.contract.json import evaluation_dict
from jixiao.domain import model as domain
from jixiao.domain.normalize import squash
from jixiao.domain.workflow import State
from jixiao.services.batch import read_batch
from jixiao.web.evaluations.actions import access, forms
from jixiao.web.evaluations.actions.errors import NotFound, ServiceError
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.evaluations.uploads import MAX_UPLOAD, UPLOAD_TYPES
from jixiao.web.orgs.models import Role
from jixiao.web.sources import keep
from jixiao.web.tasks import queue
from jixiao.web.tasks.models import Task, Upload
from jixiao.web.tasks.registry import Context, task

TASK = "forms.import_bulk"


def max_files() -> int:
    """Files in one bulk import, a zip's members counted (``JIXIAO_BULK_FILES``)."""
    return int(getattr(settings, "JIXIAO_BULK_FILES", 2000))


def max_bytes() -> int:
    """Bytes of one bulk import, a zip's members as unpacked (``JIXIAO_BULK_BYTES``)."""
    return int(getattr(settings, "JIXIAO_BULK_BYTES", 200 * 1024 * 1024))


def read_workers() -> int:
    """Processes a bulk import reads its files in (``JIXIAO_IMPORT_WORKERS``, as the CLI's
    ``--workers``); the filing itself is one form after another."""
    return max(1, int(getattr(settings, "JIXIAO_IMPORT_WORKERS", 1)))


def start(*, user: User, files: list[tuple[str, bytes]]) -> Task:
    """Check the files (types, sizes, counts; a zip unpacked within the limits), keep
    them with a new task and queue it. Who may: a bureau admin, or a unit's filler
    (its own projects): those who may create forms."""
    access.require_role(user, {Role.ADMIN, Role.FILLER}, _("批量导入"))
    unpacked = _unpack(files)
    if not unpacked:
        raise ServiceError(_("没有可导入的文件"))
    with transaction.atomic():  # no worker sees the task before its files
        made = queue.enqueue(TASK, {}, by=user)
        Upload.objects.bulk_create(
            Upload(task=made, number=n, name=name, content=content)
            for n, (name, content) in enumerate(unpacked)
        )
    return made


def _unpack(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files to read: each upload as it is, a zip's members instead of the zip (one
    level: a zip in a zip is refused), within the limits; a zip bomb (members claiming
    more than the limit) is refused before anything is unpacked."""
    out: list[tuple[str, bytes]] = []
    total = 0
    for name, content in files:
        plain = Path(name).name
        if plain.lower().endswith(".zip"):
            members = _zip_members(plain, content, max_bytes() - total)
        else:
            members = [(plain, content)]
        for member, data in members:
            if not member.lower().endswith(UPLOAD_TYPES):
                raise ServiceError(
                    _("%(name)s：不是可读取的文件类型（可用：%(types)s）")
                    % {"name": member, "types": "、".join(UPLOAD_TYPES)}
                )
            if len(data) > MAX_UPLOAD:
                raise ServiceError(
                    _("%(name)s 超过 %(mb)s MB")
                    % {"name": member, "mb": MAX_UPLOAD // 1024 // 1024}
                )
            total += len(data)
            out.append((member, data))
        if len(out) > max_files():
            raise ServiceError(_("一次最多导入 %(n)s 个文件") % {"n": max_files()})
        if total > max_bytes():
            raise ServiceError(_("一次最多导入 %(mb)s MB") % {"mb": max_bytes() // 1024 // 1024})
    return out


def _zip_members(name: str, content: bytes, room: int) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError) as error:
        raise ServiceError(
            _("%(name)s：不是有效的 zip 文件（%(why)s）") % {"name": name, "why": error}
        ) from None
    if len(infos) > max_files():
        raise ServiceError(
            _("%(name)s 含 %(n)s 个文件，超过上限") % {"name": name, "n": len(infos)}
        )
    claimed = sum(i.file_size for i in infos)
    if claimed > room:
        raise ServiceError(
            _("%(name)s 解压后有 %(mb)s MB，超过上限")
            % {"name": name, "mb": claimed // 1024 // 1024}
        )
    members = []
    for info in infos:
        plain = Path(info.filename.replace("\\", "/")).name  # no folders, no ../
        if plain.lower().endswith(".zip"):
            raise ServiceError(
                _("%(name)s 里又有 zip 文件 %(member)s：请解开后上传")
                % {"name": name, "member": plain}
            )
        if not plain or plain.startswith("."):
            continue
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)  # a member longer than it claims is a bomb
        if len(data) > info.file_size:
            raise ServiceError(
                _("%(name)s 中的 %(member)s 与其声明的大小不符") % {"name": name, "member": plain}
            )
        members.append((plain, data))
    return members


def own(user: User, pk: int) -> Task:
    """A background task the user started (another's is not found: its existence does not
    leak): the page, the API and cancel see tasks only so."""
    try:
        return Task.objects.get(pk=pk, created_by=user)
    except Task.DoesNotExist:
        raise NotFound(_("后台任务 %(pk)s 不存在或无权查看") % {"pk": pk}) from None


# --- the task ---------------------------------------------------------------------------

Said = dict[str, str]  # a report row's reason in Chinese ("reason") and English ("reason_en")


def said(words: Callable[[], str]) -> Said:
    """A reason in both languages: the report is written once, by a worker, and read on
    pages in either."""
    with translation.override("zh-hans"):
        chinese = words()
    with translation.override("en"):
        english = words()
    return {"reason": chinese, "reason_en": english}


def _key(text: str | None) -> str:
    return squash(unicodedata.normalize("NFKC", text or "")).casefold()


class _Projects:
    """The projects the importing user may file forms under, by printed name."""

    def __init__(self, user: User) -> None:
        self.by_name: dict[str, list[Project]] = defaultdict(list)
        self.by_unit: dict[str, list[Project]] = defaultdict(list)  # 部门整体支出 records
        place = access.membership(user)
        chosen = access.visible_projects(user).select_related("unit")
        if place.role_enum is Role.FILLER:
            chosen = chosen.filter(unit_id=place.organisation_id)
        for project in chosen:
            if project.is_department:
                self.by_unit[_key(project.unit.name)].append(project)
            else:
                self.by_name[_key(project.name)].append(project)

    def of(self, form: domain.Evaluation) -> tuple[Project | None, Said]:
        """The one project the form is, or None and why not (in both languages)."""
        name, department = form.project.name, form.project.department
        if name:
            candidates = self.by_name.get(_key(name), [])

            def wanted() -> str:
                return _("项目名称「%(name)s」") % {"name": name}
        elif department:
            candidates = self.by_unit.get(_key(department), [])

            def wanted() -> str:
                return _("单位「%(name)s」的部门整体支出") % {"name": department}
        else:
            return None, said(lambda: _("表上没有项目名称，无法确定归属"))
        fitting = [p for p in candidates if not forms.mismatches(p, form)]
        if len(fitting) == 1:
            return fitting[0], {}
        if not candidates:
            return None, said(
                lambda: _("没有%(wanted)s的项目（或无权导入）") % {"wanted": wanted()}
            )
        if not fitting:
            units = sorted({p.unit.name for p in candidates})
            return None, said(
                lambda: (
                    _("%(wanted)s的项目属于 %(units)s，与表上的实施单位「%(unit)s」不符")
                    % {
                        "wanted": wanted(),
                        "units": _("、").join(units),
                        "unit": form.project.unit or "",
                    }
                )
            )
        codes = [p.code for p in fitting]
        return None, said(
            lambda: (
                _("%(wanted)s对应多个项目：%(codes)s")
                % {"wanted": wanted(), "codes": _("、").join(codes)}
            )
        )


@task(TASK, max_attempts=3, timeout=6 * 3600)
def import_bulk(context: Context) -> dict[str, Any]:
    made = Task.objects.select_related("created_by").get(pk=context.task_id)
    user = made.created_by
    assert user is not None, "a bulk import is started by a user"
    uploads = list(made.uploads.order_by("number"))
    projects = _Projects(user)
    report: dict[str, list[dict[str, Any]]] = {
        "filed": [],
        "duplicate": [],
        "unmatched": [],
        "refused": [],
    }
    with tempfile.TemporaryDirectory(prefix="jixiao-import-") as folder:
        paths = []
        for upload in uploads:  # each in its own folder: two files may share a name
            path = Path(folder) / str(upload.number) / upload.name
            path.parent.mkdir()
            path.write_bytes(bytes(upload.content))
            paths.append(path)
        names = {str(p): u.name for p, u in zip(paths, uploads)}
        contents = {str(p): u for p, u in zip(paths, uploads)}
        for done, result in enumerate(read_batch(paths, workers=read_workers()), 1):
            if context.cancelled():
                report["cancelled"] = [{"at": done - 1}]
                break
            name = names[result.path]
            if result.duplicate_of:
                report["duplicate"].append({"file": name, **_same_as(names[result.duplicate_of])})
            elif result.error:
                report["refused"].append({"file": name, "reason": result.error})
            for n, form in enumerate(result.forms):
                content = bytes(contents[result.path].content)
                _file_one(user, projects, name, n, form, report, content)
            context.progress(done, len(paths), name)
    counts = {key: len(rows) for key, rows in report.items()}
    return {"counts": counts, **report}


def _file_one(
    user: User,
    projects: _Projects,
    name: str,
    index: int,
    form: domain.Evaluation,
    report: dict[str, list[dict[str, Any]]],
    content: bytes = b"",
) -> None:
    where = {"file": name, "form": index + 1}
    if form.year is None:
        report["refused"].append({**where, **said(lambda: _("自评表缺少年度，无法保存"))})
        return
    project, why = projects.of(form)
    if project is None:
        report["unmatched"].append({**where, **why})
        return
    existing = (
        Evaluation.objects.filter(project=project, year=form.year)
        .exclude(state=State.DELETED.value)  # a deleted draft leaves the year free
        .first()
    )
    if existing is not None:
        same = existing.data == _contract(form, name, index)
        reason = said(lambda: _("已导入（内容相同）")) if same else _exists(project, form.year)
        report["duplicate"].append({**where, "project": project.code, **reason})
        return
    if content and len(content) <= MAX_UPLOAD:
        keep.pending(name, content)  # kept with the form created from it
    try:
        made = forms.create(
            user=user,
            project=project,
            form=_sourced(form, name, index),
            note=_("批量导入：%(file)s") % {"file": name},
        )
    except ServiceError as error:
        report["refused"].append({**where, "project": project.code, "reason": str(error)})
        return
    except IntegrityError:  # another import filed the project's year in the meantime
        report["duplicate"].append(
            {**where, "project": project.code, **_exists(project, form.year)}
        )
        return
    finally:
        keep.forget()  # what no form took (a refusal) is not kept for the next one
    report["filed"].append({**where, "project": project.code, "evaluation": made.pk})


def _same_as(other: str) -> Said:
    return said(lambda: _("与 %(other)s 内容相同") % {"other": other})


def _exists(project: Project, year: int) -> Said:
    return said(
        lambda: (
            _("项目 %(code)s 的 %(year)s 年度自评表已存在") % {"code": project.code, "year": year}
        )
    )


def _sourced(form: domain.Evaluation, name: str, index: int) -> domain.Evaluation:
    """The form as filed: its source the uploaded file's name, not the temporary copy."""
    return replace(form, source=domain.FormSource(name, index))


def _contract(form: domain.Evaluation, name: str, index: int) -> dict:
    return evaluation_dict(_sourced(form, name, index))
