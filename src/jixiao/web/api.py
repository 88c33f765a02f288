"""The REST API (django-ninja): OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``.

Thin: every endpoint calls :mod:`jixiao.web.evaluations.actions` (the writes, the permissions
and the workflow) or :mod:`jixiao.web.evaluations.selectors` (the aggregates), and answers its errors with their status and a ``detail`` in
the request's language (``Accept-Language``; Chinese by default).
Authentication: ``Authorization: Bearer <token>`` (from
``POST /api/auth/token``, valid for JIXIAO_API_TOKEN_DAYS days) or the browser
session (with CSRF).
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, NinjaAPI, Query, Schema, Status, UploadedFile
from ninja.security import HttpBearer, SessionAuth

from jixiao import templates
from jixiao.contract.json import evaluation_from_dict, figure
from jixiao.domain.approved_targets import ApprovedTarget
from jixiao.domain.recompute import recompute
from jixiao.domain.workflow import Action, State
from jixiao.readers import ReadError
from jixiao.web import render
from jixiao.web.evaluations import actions, words
from jixiao.web.evaluations.actions import bulk_export, bulk_import
from jixiao.web.evaluations.models import FILLED, Evaluation
from jixiao.web.evaluations.models import TYPES as EVIDENCE_TYPES
from jixiao.web.evaluations.selectors import attention, rollup
from jixiao.web.evaluations.uploads import read_upload
from jixiao.web.orgs.models import ApiToken, Organisation
from jixiao.web.pages.evidence import download
from jixiao.web.requests import ApiRequest
from jixiao.web.tasks import queue
from jixiao.writers import Format, UndrawableText, WriteError, file_names
from jixiao.writers.findings import result_dict
from jixiao.writers.scores import score_dict


class BearerToken(HttpBearer):
    """A bearer token; an account whose password must be changed gets 403 (but from the
    password endpoint, whose ``changing`` auth lets it through)."""

    changing = False

    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
            request.api_token = token  # type: ignore[attr-defined]
            _not_forced(user, self.changing)
        return user


class Session(SessionAuth):
    changing = False

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        if user and user.is_active:
            _not_forced(user, self.changing)
            return user
        return None


def _not_forced(user, changing: bool) -> None:
    from ninja.errors import HttpError

    from jixiao.web import accounts

    if not changing and accounts.must_change(user):
        raise HttpError(403, _("须先修改密码（POST /api/auth/password）"))


class ChangingBearer(BearerToken):
    changing = True


class ChangingSession(Session):
    changing = True


api = NinjaAPI(
    title="jixiao 绩效自评 API",
    version="1",
    description="财政项目支出绩效自评：自评表、审核流程与审计留痕。",
    auth=[BearerToken(), Session()],
    urls_namespace="api",
)


class Error(Schema):
    detail: str


@api.exception_handler(actions.errors.ServiceError)
def _service_error(request, error: actions.errors.ServiceError):
    body: dict[str, Any] = {"detail": error.message}
    if isinstance(error, actions.errors.FieldErrors):  # every field refused, by path
        body["fields"] = error.fields
    if isinstance(error, actions.errors.Mismatched):  # an upload not the project's
        body["mismatches"] = error.mismatches
    return api.create_response(request, body, status=error.status)


@api.exception_handler(ReadError)
def _read_error(request, error: ReadError):
    return api.create_response(request, {"detail": str(error)}, status=422)


@api.exception_handler(ArithmeticError)
def _out_of_range(request, error: ArithmeticError):
    """A form whose figures the scoring rules cannot compute with (say a budget of
    1e-30, whose execution rate overflows): the form's fault, not the server's."""
    return api.create_response(request, {"detail": str(actions.errors.OUT_OF_RANGE)}, status=422)


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime  # JIXIAO_API_TOKEN_DAYS after it was made; ask for a new one then


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: Error, 403: Error},
    summary="用账号口令换取 API 令牌",
)
def issue_token(request: HttpRequest, body: Credentials):
    if "\x00" in body.username or "\x00" in body.password:
        # no account is named so, and PostgreSQL refuses the character in a query (and in
        # the failed login it would record): the wrong credentials they are
        return Status(401, {"detail": _("账号或口令不正确")})
    user = authenticate(request, username=body.username, password=body.password)
    if user is None:
        return Status(401, {"detail": _("账号或口令不正确")})
    from jixiao.web.orgs import totp

    if totp.required(user):  # no second factor over the API: administrators use the pages
        return Status(403, {"detail": _("管理员账号须经双因素验证登录页面，不能换取 API 令牌")})
    token = ApiToken.issue(user)
    made = ApiToken.objects.get(digest=ApiToken.digest_of(token))
    return Status(200, {"token": token, "expires_at": made.expires_at})


AUTH_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


class TokenInfo(Schema):
    id: int
    created_at: datetime
    expires_at: datetime | None
    current: bool  # the token this request was made with


@api.get(
    "/auth/tokens", response={200: list[TokenInfo], **AUTH_ERRORS}, summary="本账号的 API 令牌"
)
def list_tokens(request: ApiRequest):
    current = ApiToken.digest_of(getattr(request, "api_token", "") or "")
    return [
        {
            "id": t.pk,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "current": t.digest == current,
        }
        for t in ApiToken.objects.filter(user=request.auth).order_by("created_at")
    ]


@api.delete("/auth/token", response={204: None, **AUTH_ERRORS}, summary="撤销本次请求所用的令牌")
def revoke_token(request: ApiRequest):
    token = getattr(request, "api_token", None)
    if token is None:
        return Status(
            400, {"detail": _("请用 Bearer 令牌调用；撤销其他令牌用 DELETE /api/auth/tokens/{id}")}
        )
    ApiToken.revoke(ApiToken.objects.filter(digest=ApiToken.digest_of(token)))
    return Status(204, None)


@api.delete(
    "/auth/tokens/{int:token_id}",
    response={204: None, **AUTH_ERRORS},
    summary="撤销本账号的一个令牌",
)
def revoke_one(request: ApiRequest, token_id: int):
    mine = ApiToken.objects.filter(user=request.auth, pk=token_id)
    if not mine.exists():
        return Status(404, {"detail": _("令牌 %(id)s 不存在") % {"id": token_id}})
    ApiToken.revoke(mine)
    return Status(204, None)


class PasswordIn(Schema):
    old_password: str
    new_password: str


@api.post(
    "/auth/password",
    auth=[ChangingBearer(), ChangingSession()],
    response={200: Error, **AUTH_ERRORS},
    summary="修改本人密码（所有 API 令牌随之撤销）",
)
def change_password(request: ApiRequest, body: PasswordIn):
    from jixiao.web import accounts

    try:
        accounts.change_own(request.auth, old=body.old_password, new=body.new_password)
    except accounts.PasswordRefused as refused:
        return Status(422, {"detail": str(refused)})
    return Status(200, {"detail": _("密码已修改；此账号的 API 令牌已全部撤销")})


class EvaluationOut(Schema):
    id: int
    project_code: str
    project_name: str
    unit: str
    year: int
    template: str
    state: State
    state_label: str
    version: int
    total: str | None
    grade: str | None
    actions: list[Action]
    kind: str = Field("project", description="project 项目支出 / department 部门整体支出")


class FindingOut(Schema):
    key: str
    code: str
    severity: str
    field: str
    message: str
    printed: str | None
    expected: str | None
    explanation: str | None
    acknowledged: str | None


class TargetRow(Schema):
    level1: str | None = None
    level2: str | None = None
    name: str
    target: str | None = None
    points: Decimal | None = None


class EvaluationDetail(EvaluationOut):
    form: dict[str, Any]
    findings: list[FindingOut]
    review_scores: dict[str, str]
    targets: list[TargetRow]
    target_reasons: dict[str, str]
    origin: str = Field(
        "imported",
        description="filled 填写（执行率、资金得分、总分、等级每次保存时计算）/ imported 导入（保留表上的数字）",
    )
    score_reasons: dict[str, str] = Field(
        {}, description="填写的表：指标名称 → 得分与规则不同的理由"
    )


class SaveIn(Schema):
    version: int
    form: dict[str, Any]
    target_reasons: dict[str, str] = {}
    score_reasons: dict[str, str] = Field(
        {},
        description="填写的表：定量指标得分与规则得分不同时，按指标名称说明理由（导入的表不用）",
    )


class BlankIn(Schema):
    year: int
    template: str = Field(
        "",
        description="模板 ID；空：该年度该主管部门的模板设置（/manage/templates/），未设置则为系统默认模板",
    )
    unit: str | None = Field(None, description="金额单位：万元 / 元（默认按模板）")


class StepIn(Schema):
    version: int | None = None
    comment: str = ""
    field_comments: dict[str, str] = {}
    acknowledgements: dict[str, str] = {}


class ReviewIn(Schema):
    version: int | None = None
    scores: dict[str, str | None]


class EventOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    state_from: str
    state_to: str
    version: int
    diff: list[dict[str, Any]]
    comment: str
    field_comments: dict[str, str]


def _out(request: ApiRequest, ev: Evaluation) -> dict[str, Any]:
    return {
        "id": ev.pk,
        "project_code": ev.project.code,
        "project_name": ev.project.name,
        "unit": ev.project.unit.name,
        "year": ev.year,
        "template": ev.template,
        "state": ev.state,
        "state_label": ev.state_enum.label,
        "version": ev.version,
        "total": figure(ev.total),
        "grade": ev.grade,
        "actions": actions.workflow.steps_open(request.auth, ev),
        "kind": ev.project.kind,
    }


def _detail(request: ApiRequest, ev: Evaluation) -> dict[str, Any]:
    acks = ev.acknowledgements
    return {
        **_out(request, ev),
        "form": ev.data,
        "findings": [{**f, "acknowledged": acks.get(f["key"])} for f in ev.findings],
        "review_scores": ev.review_scores,
        "targets": ev.targets,
        "target_reasons": ev.target_reasons,
        "origin": ev.origin,
        "score_reasons": ev.score_reasons,
    }


ERRORS = {403: Error, 404: Error, 409: Error, 422: Error}


@api.get("/evaluations", response={200: list[EvaluationOut], 403: Error}, summary="可见的自评表")
def list_evaluations(request: ApiRequest, year: int | None = None, state: State | None = None):
    rows = actions.access.visible(request.auth)
    if year is not None:
        rows = rows.filter(year=year)
    if state is not None:
        rows = rows.filter(state=state.value)
    return [_out(request, ev) for ev in rows]


@api.get("/evaluations/{int:pk}", response={200: EvaluationDetail, **ERRORS}, summary="一张自评表")
def get_evaluation(request: ApiRequest, pk: int):
    return _detail(request, actions.access.get(request.auth, pk))


@api.put(
    "/evaluations/{int:pk}",
    response={200: EvaluationDetail, **ERRORS},
    summary="保存自评表（须带上所编辑的版本号）",
)
def save_evaluation(request: ApiRequest, pk: int, body: SaveIn):
    form = evaluation_from_dict(body.form, f"自评表 {pk}")
    return _detail(
        request,
        actions.forms.save(
            user=request.auth,
            pk=pk,
            version=body.version,
            form=form,
            target_reasons=body.target_reasons,
            score_reasons=body.score_reasons,
        ),
    )


def _step(action: Action):
    def take(request: ApiRequest, pk: int, body: StepIn):
        ev = actions.workflow.step(
            user=request.auth,
            pk=pk,
            action=action,
            version=body.version,
            comment=body.comment,
            field_comments=body.field_comments,
            acknowledgements=body.acknowledgements,
        )
        return _out(request, ev)

    take.__name__ = f"{action.value}_evaluation"
    return take


for _action in Action:
    api.post(
        f"/evaluations/{{int:pk}}/{_action.value}",
        response={200: EvaluationOut, **ERRORS},
        summary=f"{_action.label}自评表",
    )(_step(_action))


@api.get(
    "/evaluations/{int:pk}/trail", response={200: list[EventOut], **ERRORS}, summary="审计留痕"
)
def trail(request: ApiRequest, pk: int):
    ev = actions.access.get(request.auth, pk)
    return [
        {
            "id": e.pk,
            "at": e.at,
            "actor": e.actor_name,
            "action": e.action,
            "state_from": e.state_from,
            "state_to": e.state_to,
            "version": e.version,
            "diff": e.diff,
            "comment": e.comment,
            "field_comments": e.field_comments,
        }
        for e in ev.events.order_by("id")
    ]


@api.put(
    "/evaluations/{int:pk}/review",
    response={200: EvaluationDetail, **ERRORS, 400: Error},
    summary="复核：在自评得分旁录入复核得分",
)
def review_evaluation(request: ApiRequest, pk: int, body: ReviewIn):
    return _detail(
        request,
        actions.review.set_scores(
            user=request.auth, pk=pk, version=body.version, scores=body.scores
        ),
    )


class DecideIn(Schema):
    version: int | None = None
    decision: str = Field(description="save 只保存复核得分 / return 退回 / approve 通过")
    scores: dict[str, str | None] = {}
    comment: str = ""
    field_comments: dict[str, str] = {}


@api.post(
    "/evaluations/{int:pk}/decide",
    response={200: EvaluationDetail, **ERRORS},
    summary="审核：复核得分、意见与决定（保存 / 退回 / 通过）一次提交，全部成功或全部不存",
)
def decide_evaluation(request: ApiRequest, pk: int, body: DecideIn):
    return _detail(
        request,
        actions.review.decide(
            user=request.auth,
            pk=pk,
            version=body.version,
            decision=body.decision,
            scores=body.scores,
            comment=body.comment,
            field_comments=body.field_comments,
        ),
    )


@api.get(
    "/evaluations/{int:pk}/check",
    response={200: dict[str, Any], **ERRORS},
    summary="审核意见（与 jixiao check --json 的一张表相同）",
)
def check_evaluation(request: ApiRequest, pk: int):
    ev = actions.access.get(request.auth, pk)
    form = actions.forms.form_of(ev)
    return result_dict(form, actions.forms.findings(ev, form))


@api.get(
    "/evaluations/{int:pk}/score",
    response={200: dict[str, Any], **ERRORS},
    summary="重算计分（与 jixiao score --json 的一张表相同）",
)
def score_evaluation(request: ApiRequest, pk: int):
    form = actions.forms.form_of(actions.access.get(request.auth, pk))
    return score_dict(form, recompute(form, templates.load(form.template)))


_MEDIA = {
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.JSON: "application/json",
    Format.CSV: "text/csv; charset=utf-8",
}
_FILE = {
    "description": "文件下载",
    "content": {
        m: {"schema": {"type": "string", "format": "binary"}}
        for m in dict.fromkeys(_MEDIA.values())
    },
}


@api.get(
    "/evaluations/{int:pk}/export",
    response=ERRORS,
    openapi_extra={"responses": {"200": _FILE}},
    summary="按官方版式导出（xlsx、pdf、docx，或 json、csv）",
)
def export_evaluation(request: ApiRequest, pk: int, format: Format = Format.XLSX):
    form = actions.forms.form_of(actions.access.get(request.auth, pk))
    name = file_names([form], format)[0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        try:
            # a PDF in a process of its own, bounded in time, stopped if the client leaves
            render.write(form, format, path, gone=request.META.get("waitress.client_disconnected"))
        except render.Busy:
            raise actions.errors.Unavailable(_("正在导出的文件较多，请稍后再试")) from None
        except UndrawableText as error:
            raise actions.errors.Invalid(words.undrawable(error.chars)) from None
        except WriteError as error:
            raise actions.errors.Invalid(
                _("无法导出：%(reason)s") % {"reason": error.reason}
            ) from None
        content = path.read_bytes()
    answer = HttpResponse(content, content_type=_MEDIA[format])
    # An ASCII name for old clients, the project's name (RFC 6266) for the rest.
    answer["Content-Disposition"] = (
        f"attachment; filename=\"evaluation-{pk}.{format.value}\"; filename*=UTF-8''{quote(name)}"
    )
    return answer


class SpotCheckIn(Schema):
    year: int
    size: int | None = Field(None, description="抽取份数（不给 rate 时）")
    rate: Decimal | None = Field(
        None, description="抽查比例（百分数，如 10）：按比例抽取，高风险表必抽（#23）"
    )
    strata: str = Field("", description="分层：'' 不分层、department 按主管部门、amount 按金额")
    high_risk: bool = Field(True, description="关注清单的高风险表（优先级 ≥ 8）必抽")


class SpotCheckOut(Schema):
    id: int
    year: int
    size: int
    drawn_by: str
    drawn_at: datetime
    evaluations: list[int]
    seed: str = Field("", description="随机种子（系统安全随机源产生，记入审计链）")
    rate: str | None = None
    strata: str = ""
    forced: list[int] = Field(default_factory=list, description="必抽的高风险表")


def _spot_check(check) -> dict[str, Any]:
    return {
        "id": check.pk,
        "year": check.year,
        "size": check.size,
        "drawn_by": check.drawn_by.get_username(),
        "drawn_at": check.drawn_at,
        "evaluations": sorted(ev.pk for ev in check.evaluations.all()),
        "seed": check.seed,
        "rate": None if check.rate is None else format(Decimal(check.rate).normalize(), "f"),
        "strata": check.strata,
        "forced": check.forced,
    }


@api.post(
    "/spot-checks",
    response={200: SpotCheckOut, 400: Error, 403: Error},
    summary="抽查：随机抽取已通过的自评表",
)
def draw_spot_check(request: ApiRequest, body: SpotCheckIn):
    if body.rate is not None:
        return _spot_check(
            actions.spot_checks.draw_sample(
                user=request.auth,
                year=body.year,
                rate=body.rate / 100,
                strata=body.strata,
                high_risk_in=body.high_risk,
            )
        )
    if body.size is None:
        raise actions.errors.Invalid(_("请给出抽取份数（size）或抽查比例（rate）"))
    return _spot_check(actions.spot_checks.draw(user=request.auth, year=body.year, size=body.size))


class BulkReviewIn(Schema):
    evaluations: list[int] = Field(description="自评表 id")
    action: str = Field(description="approve 通过 / return 退回")
    comment: str = ""


class BulkRefused(Schema):
    id: int
    reason: str


class BulkReviewOut(Schema):
    done: list[int]
    refused: list[BulkRefused]


@api.post(
    "/reviews/bulk",
    response={200: BulkReviewOut, 400: Error, 403: Error, 422: Error},
    summary="批量审核：一条意见通过或退回多份自评表（每份各自留痕）",
)
def bulk_review(request: ApiRequest, body: BulkReviewIn):
    from jixiao.web.year import actions as year_actions

    if body.action not in (Action.APPROVE.value, Action.RETURN.value):
        raise actions.errors.Invalid(_("批量审核只能通过或退回"))
    outcome = year_actions.bulk_step(
        user=request.auth, pks=body.evaluations, action=Action(body.action), comment=body.comment
    )
    return {
        "done": [ev.pk for ev in outcome.done],
        "refused": [{"id": pk, "reason": why} for pk, why in outcome.refused],
    }


@api.get("/spot-checks", response={200: list[SpotCheckOut], 403: Error}, summary="历次抽查")
def list_spot_checks(request: ApiRequest):
    return [_spot_check(check) for check in actions.spot_checks.listed(request.auth)]


class ProjectIn(Schema):
    code: str
    name: str
    unit: int


class ProjectOut(Schema):
    code: str
    name: str
    unit: int
    unit_name: str
    kind: str = Field(
        "project", description="project 项目 / department 该组织自身的部门整体支出（unit 为该组织）"
    )


def _project(p) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "unit": p.unit_id,
        "unit_name": p.unit.name,
        "kind": p.kind,
    }


@api.get("/projects", response={200: list[ProjectOut], 403: Error}, summary="可见的项目")
def list_projects(request: ApiRequest):
    return [_project(p) for p in actions.access.visible_projects(request.auth)]


@api.post(
    "/projects",
    response={200: ProjectOut, **ERRORS, 400: Error},
    summary="新建项目（编码跨年度不变）",
)
def create_project(request: ApiRequest, body: ProjectIn):
    return _project(
        actions.projects.create(
            user=request.auth, code=body.code, name=body.name, unit_id=body.unit
        )
    )


@api.post(
    "/organisations/{org}/department-record",
    response={200: ProjectOut, **ERRORS},
    summary="该组织（实施单位或主管部门）自身的部门整体支出：首次使用时建立，编码 DEPT-<组织 ID>",
)
def department_record(request: ApiRequest, org: int):
    return _project(actions.projects.department_record(user=request.auth, organisation_id=org))


@api.post(
    "/projects/{code}/evaluations",
    response={200: EvaluationDetail, **ERRORS, 400: Error},
    summary="上传自评表文件，建立该项目的年度自评表（草稿）",
)
def import_evaluation(
    request: ApiRequest,
    code: str,
    file: File[UploadedFile],
    form_index: Form[int] = 0,
    year: Form[int | None] = None,
    confirm: Form[bool] = False,
):
    """A file whose 项目名称, 实施单位 or (with ``year``) 年度 differ from the project's is
    refused (409, ``mismatches``: each field with the file's and the project's value)
    unless ``confirm`` is true; the confirmation is the create event's comment."""
    project = actions.access.project(request.auth, code)
    form = read_upload(file, form_index)
    note = actions.forms.check_project(
        user=request.auth, project=project, form=form, year=year, confirmed=confirm
    )
    return _detail(
        request, actions.forms.create(user=request.auth, project=project, form=form, note=note)
    )


@api.post(
    "/projects/{code}/evaluations/blank",
    response={200: EvaluationDetail, **ERRORS},
    summary="建立该项目某年度的空白自评表（草稿，填写：执行率、资金得分、总分、等级由系统计算）",
)
def blank_evaluation(request: ApiRequest, code: str, body: BlankIn):
    project = actions.access.project(request.auth, code)
    template = body.template
    if not template:  # the year's setting for the project's department and kind
        from jixiao.web.manage import year_templates

        kind = "department" if project.kind == project.Kind.DEPARTMENT else "project"
        template = year_templates.default(body.year, project.unit, kind).template
    form = actions.forms.blank(project, body.year, template, body.unit)
    return _detail(
        request,
        actions.forms.create(user=request.auth, project=project, form=form, origin=FILLED),
    )


class TargetsIn(Schema):
    indicators: list[TargetRow]


class TargetsOut(Schema):
    project_code: str
    year: int
    indicators: list[TargetRow]
    set_by: str | None
    set_at: datetime


def _targets(t) -> dict[str, Any]:
    return {
        "project_code": t.project.code,
        "year": t.year,
        "indicators": t.indicators,
        "set_by": t.set_by.get_username() if t.set_by else None,
        "set_at": t.set_at,
    }


@api.get(
    "/projects/{code}/targets",
    response={200: list[TargetsOut], **ERRORS},
    summary="项目各年度已批复的绩效目标",
)
def list_targets(request: ApiRequest, code: str):
    return [_targets(t) for t in actions.targets.of_project(request.auth, code)]


@api.put(
    "/projects/{code}/targets/{int:year}",
    response={200: TargetsOut, **ERRORS},
    summary="批复绩效目标（此后新建的自评表复制并锁定）",
)
def set_targets(request: ApiRequest, code: str, year: int, body: TargetsIn):
    rows = [ApprovedTarget(**row.dict()) for row in body.indicators]
    return _targets(actions.targets.approve(user=request.auth, code=code, year=year, rows=rows))


class EvidenceOut(Schema):
    id: int
    indicator: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


def _evidence(item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "indicator": item.indicator,
        "name": item.name,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "uploaded_by": item.uploaded_by,
        "uploaded_at": item.uploaded_at,
    }


@api.get(
    "/evaluations/{int:pk}/evidence",
    response={200: list[EvidenceOut], **ERRORS},
    summary="佐证材料清单（各指标）",
)
def list_evidence(request: ApiRequest, pk: int):
    return [_evidence(item) for item in actions.evidence.of_form(request.auth, pk)]


@api.post(
    "/evaluations/{int:pk}/evidence",
    response={200: EvidenceOut, **ERRORS, 400: Error},
    summary="上传一个指标的佐证材料（pdf、jpg、png、xlsx、docx，不超过 10 MB）",
)
def add_evidence(request: ApiRequest, pk: int, file: File[UploadedFile], indicator: Form[str]):
    return _evidence(
        actions.evidence.add(user=request.auth, pk=pk, indicator=indicator, upload=file)
    )


_EVIDENCE_FILE = {
    "description": "佐证材料文件",
    "content": {
        m: {"schema": {"type": "string", "format": "binary"}}
        for m in dict.fromkeys(EVIDENCE_TYPES.values())
    },
}


@api.get(
    "/evaluations/{int:pk}/evidence/{int:item}",
    response=ERRORS,
    openapi_extra={"responses": {"200": _EVIDENCE_FILE}},
    summary="下载一份佐证材料",
)
def evidence_file(request: ApiRequest, pk: int, item: int):
    return download(actions.evidence.one(request.auth, pk, item))


@api.delete(
    "/evaluations/{int:pk}/evidence/{int:item}",
    response={204: None, **ERRORS},
    summary="删除一份佐证材料（草稿或退回状态下，本单位填报人员）",
)
def remove_evidence(request: ApiRequest, pk: int, item: int):
    actions.evidence.remove(user=request.auth, pk=pk, item=item)
    return Status(204, None)


class ReasonOut(Schema):
    code: str
    message: str


class AttentionItem(Schema):
    id: int
    project_code: str
    project_name: str
    unit: str
    department: str
    year: int
    state: State
    priority: int
    budget_wan: str | None
    execution_rate: str | None
    total: str | None
    grade: str | None
    reasons: list[ReasonOut]


class AttentionOut(Schema):
    year: int | None
    count: int
    low_execution: str
    review_gap: str
    items: list[AttentionItem]


class AttentionQuery(Schema):
    year: int | None = Field(None, description="年度（默认：最近一个有自评表的年度）")
    department: int | None = Field(None, description="主管部门 ID（默认：可见的全部）")
    state: State | None = Field(None, description="流程状态（默认：全部）")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


def _department(unit: Organisation) -> str:
    """The 主管部门 over a 实施单位 (every unit has one: Organisation.clean), or the 主管部门
    itself for its own 部门整体支出 form."""
    department = actions.access.department_of(unit)
    assert department is not None
    return department.name


@api.get(
    "/attention",
    response={200: AttentionOut, 403: Error},
    summary="关注清单：应先打开的自评表，优先级高者在前，附原因",
)
def attention_list(request: ApiRequest, query: Query[AttentionQuery]):
    visible = actions.access.visible(request.auth)
    held = rollup.years(visible)
    chosen = query.year if query.year in held else (held[0] if held else None)
    department = query.department
    if department is not None and not 0 < department < 2**31:
        department = -1  # no such department: an empty list, not a database overflow
    flagged = attention.flagged(
        visible, chosen or 0, department, query.state.value if query.state else None
    )
    offset, limit = query.offset, query.limit
    items = [
        {
            "id": e.evaluation.pk,
            "project_code": e.evaluation.project.code,
            "project_name": e.evaluation.project.name,
            "unit": e.evaluation.project.unit.name,
            "department": _department(e.evaluation.project.unit),
            "year": e.evaluation.year,
            "state": e.evaluation.state,
            "priority": e.priority,
            "budget_wan": figure(e.evaluation.budget_wan),
            "execution_rate": figure(e.evaluation.execution_rate),
            "total": figure(e.evaluation.total),
            "grade": e.evaluation.grade,
            "reasons": [{"code": r.code, "message": r.message} for r in e.reasons],
        }
        for e in attention.entries(flagged[offset : offset + limit])
    ]
    limits = attention.thresholds()
    return {
        "year": chosen,
        "count": flagged.count(),
        "low_execution": figure(limits.low_execution),
        "review_gap": figure(limits.review_gap),
        "items": items,
    }


# --- background tasks: the bulk import -------------------------------------------------


class TaskOut(Schema):
    id: int
    name: str
    state: str
    attempts: int
    done: int
    total: int
    note: str
    error: str
    result: Any = None
    created_at: datetime
    finished_at: datetime | None = None


def _task(made) -> dict[str, Any]:
    fields = ("name", "state", "attempts", "done", "total", "note", "error", "result")
    return {
        "id": made.pk,
        **{f: getattr(made, f) for f in fields},
        "created_at": made.created_at,
        "finished_at": made.finished_at,
    }


@api.post(
    "/imports",
    response={202: TaskOut, **ERRORS},
    summary="批量导入：上传多个自评表文件或 zip，后台读取并按表上的项目名称与实施单位归入项目",
)
def import_bulk(request: ApiRequest, files: File[list[UploadedFile]]):
    """Queued as a background task (202): ``GET /api/tasks/{id}`` says its progress and,
    once done, the report (filed, duplicate, unmatched, refused, each with its reason)."""
    made = bulk_import.start(user=request.auth, files=[(f.name or "", f.read()) for f in files])
    return Status(202, _task(made))


@api.get(
    "/tasks/{task_id}", response={200: TaskOut, **ERRORS}, summary="后台任务：状态、进度与结果"
)
def get_task(request: ApiRequest, task_id: int):
    return _task(bulk_import.own(request.auth, task_id))


@api.post(
    "/tasks/{task_id}/cancel",
    response={200: TaskOut, **ERRORS},
    summary="取消后台任务：排队中的不再运行，运行中的在下一个文件前停止（已完成的保留）",
)
def cancel_task(request: ApiRequest, task_id: int):
    made = bulk_import.own(request.auth, task_id)
    queue.cancel(made)
    made.refresh_from_db()
    return _task(made)


class ExportIn(Schema):
    year: int
    format: str = "xlsx"
    department: int | None = None


@api.post(
    "/exports",
    response={202: TaskOut, **ERRORS},
    summary="批量导出：一个年度（可选一个主管部门）的自评表按官方版式打包为 zip，后台生成",
)
def export_bulk(request: ApiRequest, body: ExportIn):
    """Queued as a background task (202); when it is done, ``GET /api/tasks/{id}/download``."""
    made = bulk_export.start(
        user=request.auth, year=body.year, fmt=body.format, department=body.department
    )
    return Status(202, _task(made))


@api.get(
    "/tasks/{task_id}/download",
    response={200: None, **ERRORS},
    summary="下载后台任务生成的文件（仍可查看其中每张自评表时；过期后 409）",
)
def download_task(request: ApiRequest, task_id: int):
    output = bulk_export.download(user=request.auth, pk=task_id)
    response = HttpResponse(bytes(output.content), content_type=output.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(output.name)}"
    return response


# --- the year: 任务下达, 待办, 催报 (jixiao.web.year) ----------------------------------------
# The self-evaluation tasks are ``/api/self-evaluation-tasks``: ``/api/tasks`` are the
# background tasks above.


class TaskProgress(Schema):
    projects: int
    not_started: int
    draft: int
    returned: int
    submitted: int
    checked: int
    approved: int


class SelfEvaluationTaskOut(Schema):
    id: int
    year: int
    template: str
    deadline: datetime
    days_left: int = Field(description="距截止的天数（北京日期；当天 0，过期为负）")
    scope: str = Field(description="all 全部单位 / departments / units / projects")
    organisations: list[int]
    projects: list[str]
    two_levels: bool
    remind_days: int
    note: str
    issued_by: str
    issued_at: datetime
    progress: TaskProgress = Field(description="本账号所在组织可见的进度")


class IssueIn(Schema):
    year: int
    deadline: datetime = Field(description="截止时间；不带时区的按北京时间")
    template: str = Field(
        "",
        description="模板 ID；空：该年度的模板设置（/manage/templates/），未设置则为系统默认模板",
    )
    scope: str = Field("all", description="all / departments / units / projects")
    organisations: list[int] = Field(default_factory=list, description="范围内的部门或单位 ID")
    projects: list[str] = Field(default_factory=list, description="范围内的项目编码")
    two_levels: bool = False
    remind_days: int = Field(3, description="截止前几天自动催报（0 不催报）")
    note: str = ""


class IssuedOut(Schema):
    task: SelfEvaluationTaskOut
    template_source: str = Field(description="模板从何而来：所选模板，或该年度的模板设置")
    drafts: list[int] = Field(description="新建的草稿（自评表 ID）")
    carried: int = Field(description="其中沿用上年自评表的份数")
    by_department: int = Field(description="其中按主管部门本年度模板设置的空白表份数")
    existing: int = Field(description="范围内已有本年度自评表的项目数")


def _self_evaluation_task(request: ApiRequest, t) -> dict[str, Any]:
    from jixiao.web.year import selectors as year_selectors

    place = actions.access.membership(request.auth).organisation
    return {
        "id": t.pk,
        "year": t.year,
        "template": t.template,
        "deadline": t.deadline,
        "days_left": year_selectors.days_left(t),
        "scope": t.scope,
        "organisations": sorted(t.organisations.values_list("pk", flat=True)),
        # only the projects the caller may see: a task's scope names other units' projects
        "projects": sorted(
            t.projects.filter(
                pk__in=actions.access.visible_projects(request.auth).values("pk")
            ).values_list("code", flat=True)
        ),
        "two_levels": t.two_levels,
        "remind_days": t.remind_days,
        "note": t.note,
        "issued_by": t.issued_by.get_username(),
        "issued_at": t.issued_at,
        "progress": year_selectors.progress(t, place),
    }


@api.get(
    "/self-evaluation-tasks",
    response={200: list[SelfEvaluationTaskOut], 403: Error},
    summary="自评任务：已下达的各年度任务及本组织可见的进度",
)
def list_self_evaluation_tasks(request: ApiRequest, year: int | None = None):
    from jixiao.web.year.models import SelfEvaluationTask

    actions.access.membership(request.auth)
    rows = SelfEvaluationTask.objects.select_related("issued_by")
    if year is not None:
        rows = rows.filter(year=year)
    return [_self_evaluation_task(request, t) for t in rows]


@api.post(
    "/self-evaluation-tasks",
    response={200: IssuedOut, **ERRORS},
    summary="任务下达（财政局管理人员）：范围内尚无本年度自评表的项目各得一份草稿",
)
def issue_self_evaluation_task(request: ApiRequest, body: IssueIn):
    """As the page /year/tasks/: a draft for every project in scope without a form of the
    year — last year's carried over, else blank (in its department's template of the year
    where one is set); the task and each draft on the trail."""
    from jixiao.web.year import actions as year_actions

    issued = year_actions.issue(
        user=request.auth,
        year=body.year,
        template=body.template,
        deadline=body.deadline,
        scope_kind=body.scope,
        organisations=body.organisations,
        projects=body.projects,
        two_levels=body.two_levels,
        remind_days=body.remind_days,
        note=body.note,
    )
    return {
        "task": _self_evaluation_task(request, issued.task),
        "template_source": issued.source,
        "drafts": [ev.pk for ev in issued.drafts],
        "carried": issued.carried,
        "by_department": issued.by_department,
        "existing": issued.existing,
    }


@api.get(
    "/self-evaluation-tasks/{task_id}",
    response={200: SelfEvaluationTaskOut, **ERRORS},
    summary="一项自评任务",
)
def get_self_evaluation_task(request: ApiRequest, task_id: int):
    from jixiao.web.year import actions as year_actions

    return _self_evaluation_task(request, year_actions.task_of(request.auth, task_id))


class LateProject(Schema):
    code: str
    name: str
    stage: str = Field(description="not_started 未开始 / draft 草稿 / returned 已退回")


class LateUnit(Schema):
    unit: int
    unit_name: str
    department: str
    projects: list[LateProject]


@api.get(
    "/self-evaluation-tasks/{task_id}/late",
    response={200: list[LateUnit], **ERRORS},
    summary="催报清单：本组织可见的、范围内尚未提交的单位及其项目（管理、审核人员）",
)
def late_units(request: ApiRequest, task_id: int):
    from jixiao.domain.workflow import Role
    from jixiao.web.year import actions as year_actions
    from jixiao.web.year import selectors as year_selectors

    place = actions.access.require_role(request.auth, {Role.ADMIN, Role.REVIEWER}, _("催报清单"))
    task = year_actions.task_of(request.auth, task_id)
    return [
        {
            "unit": row.unit.pk,
            "unit_name": row.unit.name,
            "department": row.unit.parent.name if row.unit.parent else row.unit.name,
            "projects": [{"code": p.code, "name": p.name, "stage": s} for p, s in row.projects],
        }
        for row in year_selectors.late_units(task, place.organisation)
    ]


class RemindIn(Schema):
    units: list[int] = Field(description="要催报的单位 ID（须在本任务的催报清单中）")
    text: str = Field("", description="催报内容；空：按任务与未提交的项目自动生成")


class NoticeOut(Schema):
    id: int
    organisation: int
    organisation_name: str
    task: int | None
    kind: str = Field(description="manual 人工催报 / auto 自动催报")
    text: str
    sent_at: datetime
    emailed: int = Field(description="发出的邮件数（各账号的电子邮箱）")


def _notice(n) -> dict[str, Any]:
    return {
        "id": n.pk,
        "organisation": n.organisation_id,
        "organisation_name": n.organisation.name,
        "task": n.task_id,
        "kind": n.kind,
        "text": n.text,
        "sent_at": n.sent_at,
        "emailed": n.emailed,
    }


@api.post(
    "/self-evaluation-tasks/{task_id}/remind",
    response={200: list[NoticeOut], **ERRORS},
    summary="催报：给选定的未提交单位发通知（并发邮件），各自留痕",
)
def remind_units(request: ApiRequest, task_id: int, body: RemindIn):
    from jixiao.web.year import actions as year_actions

    notices = year_actions.remind(
        user=request.auth, task_id=task_id, units=body.units, text=body.text
    )
    return [_notice(n) for n in notices]


class TodoForm(Schema):
    id: int
    project_code: str
    project_name: str
    unit: str
    year: int
    state: State
    state_label: str
    task: int | None = Field(None, description="所属自评任务")
    days_left: int | None = Field(None, description="距该任务截止的天数")


class TodoWaiting(Schema):
    id: int
    project_code: str
    project_name: str
    unit: str
    year: int
    state: State
    state_label: str
    days_waiting: int | None = Field(None, description="已等待天数")


class TodoTask(Schema):
    id: int
    year: int
    deadline: datetime
    days_left: int
    two_levels: bool


class TodoProgress(Schema):
    task: int
    progress: TaskProgress
    late_units: int


class TodoOut(Schema):
    role: str
    tasks: list[TodoTask]
    to_fill: list[TodoForm] = Field(description="填报人员：待填报（草稿）")
    returned: list[TodoForm] = Field(description="填报人员：已退回待修改")
    notices: list[NoticeOut] = Field(description="填报人员：本单位收到的通知（最近 20 条）")
    waiting: list[TodoWaiting] = Field(description="审核人员：待审核，最久的在前")
    progress: list[TodoProgress] = Field(description="管理人员：各任务的进度与未提交单位数")


def _todo_form(ev: Evaluation) -> dict[str, Any]:
    return {
        "id": ev.pk,
        "project_code": ev.project.code,
        "project_name": ev.project.name,
        "unit": ev.project.unit.name,
        "year": ev.year,
        "state": ev.state,
        "state_label": words.state(ev.state),
    }


@api.get(
    "/todo",
    response={200: TodoOut, 403: Error},
    summary="待办：本账号的待填报、已退回、待审核与任务进度（与 /todo/ 页面相同）",
)
def todo(request: ApiRequest):
    from jixiao.web.year import selectors as year_selectors

    seen = year_selectors.todo(request.auth)
    return {
        "role": seen.role,
        "tasks": [
            {
                "id": t.pk,
                "year": t.year,
                "deadline": t.deadline,
                "days_left": left,
                "two_levels": t.two_levels,
            }
            for t, left in seen.tasks
        ],
        "to_fill": [
            {**_todo_form(ev), "task": t.pk if t else None, "days_left": d}
            for ev, t, d in seen.to_fill
        ],
        "returned": [
            {**_todo_form(ev), "task": t.pk if t else None, "days_left": d}
            for ev, t, d in seen.returned
        ],
        "notices": [_notice(n) for n in seen.notices],
        "waiting": [{**_todo_form(ev), "days_waiting": d} for ev, d in seen.waiting],
        "progress": [{"task": t.pk, "progress": p, "late_units": n} for t, p, n in seen.progress],
    }
