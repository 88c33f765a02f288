"""Projects, their yearly self-evaluations, the audit trail and the evidence files.

An evaluation stores the whole form as the import contract's JSON
(:func:`jixiao.contract.json.evaluation_dict`), plus indexed copies of the figures
lists are filtered and sorted by (year, state, total, grade).
"""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.db import models

from jixiao.domain.workflow import State
from jixiao.web.orgs.models import Organisation

DEPARTMENT_CODE = "DEPT-{org}"
"""The code of an organisation's own 部门整体支出 record (one per organisation, never reused)."""


class Project(models.Model):
    """项目: followed across years by its stable code even when its name drifts.

    A project of kind ``department`` is not a project but an organisation's own whole-spending
    record (部门整体支出): its forms are 部门整体支出绩效自评表 (templates of kind
    department), ``unit`` is the organisation they evaluate — a 实施单位 or a 主管部门 — one
    such record per organisation, its code :data:`DEPARTMENT_CODE`."""

    class Kind(models.TextChoices):
        PROJECT = "project", "项目支出"
        DEPARTMENT = "department", "部门整体支出"

    code = models.CharField("项目编码", max_length=64, unique=True)
    name = models.CharField("项目名称", max_length=300)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.PROJECT)
    unit = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="projects",
        verbose_name="实施单位（部门整体支出：被评价的单位或主管部门）",
        limit_choices_to={"kind__in": [Organisation.Kind.UNIT, Organisation.Kind.DEPARTMENT]},
    )

    class Meta:
        verbose_name = verbose_name_plural = "项目"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(kind="department"),
                name="one_department_record_per_organisation",
            )
        ]

    @property
    def is_department(self) -> bool:
        """Whether this is an organisation's own 部门整体支出 record."""
        return self.kind == self.Kind.DEPARTMENT

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs) -> None:
        """Saved, and a changed code copied to its forms (:attr:`Evaluation.code`: codes are
        stable, but the Django admin may still change one)."""
        known = not self._state.adding
        moved_from = (
            Project.objects.filter(pk=self.pk).values_list("unit_id", flat=True).first()
            if known
            else None
        )
        super().save(*args, **kwargs)
        if known:
            Evaluation.objects.filter(project=self).exclude(code=self.code).update(code=self.code)
        if moved_from is not None and moved_from != self.unit_id:  # the admin moved it
            FormCount.objects.rebuild(units=[moved_from, self.unit_id])


ATTENTION_FIELDS = [
    "project",
    "year",
    "state",
    "errors",
    "warnings",
    "notices",
    "budget_wan",
    "executed_wan",
    "execution_rate",
    "execution_score",
    "indicator_score",
    "indicator_points",
    "review_total",
    "grade_out_of_band",
    "goals_copied",
]
"""The columns of the index ``evaluation_attention``: a form's project and year, as the permission
filter reaches it (unit → project → form), then every column the attention list's conditions and
the roll-up's sums read, so both are answered from the index without reading the wide rows."""

LIST_FIELDS = ["-year", "code", "id", "project", "state"]
"""The columns of the index ``evaluation_list``: the lists' default order (latest year first,
then by project code, :attr:`Evaluation.code`) and what their scope and state filter read, so
the first page of ``/forms/`` is the index's first entries (a LIMIT, not a sort of every form).
``evaluation_by_code`` is the same led by the code: the lists sorted by 项目编码, either way."""


SUBMITTED_FIELDS = ["submitted_at", "code", "-year", "id", "project", "state"]
"""The columns of the index ``evaluation_submitted``: the lists sorted by 提交时间 (the review
queue's own order, longest waiting first) and what their scope and state filter read."""


class EvaluationManager(models.Manager["Evaluation"]):
    def bulk_create(self, objs, *args, **kwargs):
        """Rows stored in batches (no ``save``) get their copies too."""
        objs = list(objs)
        for ev in objs:
            ev.fill_copies()
        return super().bulk_create(objs, *args, **kwargs)


class Evaluation(models.Model):
    """One project's self-evaluation (自评表) for one year."""

    project = models.ForeignKey(
        Project, models.PROTECT, related_name="evaluations", verbose_name="项目"
    )
    # The project's code (项目编码: stable), copied when the form is stored (fill_copies) so the
    # lists sort by it from their own index (evaluation_list) without a join to the projects.
    code = models.CharField("项目编码", max_length=64, blank=True, default="")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    template = models.CharField("模板", max_length=64)
    state = models.CharField(
        "状态",
        max_length=16,
        choices=[(s.value, s.label) for s in State],
        default=State.DRAFT.value,
        db_index=True,
    )
    version = models.PositiveIntegerField("版本", default=1)
    # Where the form came from: filled in (on the pages or through the API; its computable
    # figures are computed on every save) or imported from a file (its printed figures kept).
    origin = models.CharField(
        "来源",
        max_length=16,
        choices=[("filled", "填写"), ("imported", "导入")],
        default="imported",
    )
    data = models.JSONField("表内容")
    total = models.DecimalField(
        "总分", max_digits=7, decimal_places=2, null=True, blank=True, db_index=True
    )
    grade = models.CharField(
        "等级", max_length=64, null=True, blank=True, db_index=True
    )  # as printed: "良（主管部门核定）"
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # 提交时间: the time of the form's latest submit event, set by the submit step (kept through
    # return, approve and withdraw, as the trail keeps it), so the lists read and sort a column
    # (the index evaluation_submitted), not the trail. A copy of the trail, not in its state.
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # The audit's findings (writers.findings.finding_dict, plus "key" = code@field) as of the last save.
    findings = models.JSONField("审核意见", default=list, blank=True)
    # finding key → the filler's reason for submitting with that error-level finding.
    acknowledgements = models.JSONField("错误说明", default=dict, blank=True)
    # field path (indicators[1].score, funding.score) → the reviewer's 复核 score, as a figure string.
    review_scores = models.JSONField("复核得分", default=dict, blank=True)
    # The approved targets copied at creation (locked), and indicator name → reason for changing one.
    targets = models.JSONField("绩效目标（批复）", default=list, blank=True)
    target_reasons = models.JSONField("目标调整理由", default=dict, blank=True)
    # A filled-in form: indicator name → the reason its 得分 differs from the rule's.
    score_reasons = models.JSONField("得分调整理由", default=dict, blank=True)
    # Roll-up (汇总) copies, filled on every save by jixiao.web.evaluations.rollup.fill: amounts in
    # 万元 whatever unit the form printed, the printed figures, the grade on one scale, findings counted.
    budget_wan = models.DecimalField(
        "全年预算数（万元）", max_digits=18, decimal_places=6, null=True, blank=True, db_index=True
    )
    executed_wan = models.DecimalField(
        "全年执行数（万元）", max_digits=18, decimal_places=6, null=True, blank=True, db_index=True
    )
    execution_rate = models.DecimalField(
        "执行率(%)", max_digits=9, decimal_places=4, null=True, blank=True
    )
    execution_score = models.DecimalField(
        "执行率得分", max_digits=7, decimal_places=2, null=True, blank=True
    )
    indicator_score = models.DecimalField(
        "指标得分", max_digits=7, decimal_places=2, null=True, blank=True
    )
    review_total = models.DecimalField(
        "复核总分", max_digits=7, decimal_places=2, null=True, blank=True
    )
    scale = models.CharField("统一等级", max_length=2, blank=True, db_index=True)
    errors = models.PositiveIntegerField("错误数", default=0)
    warnings = models.PositiveIntegerField("警告数", default=0)
    notices = models.PositiveIntegerField("提示数", default=0)
    # Indicators by their 年度指标值: a figure (定量), words (定性), or none printed (the old template).
    quantitative_indicators = models.PositiveIntegerField("定量指标数", default=0)
    qualitative_indicators = models.PositiveIntegerField("定性指标数", default=0)
    untargeted_indicators = models.PositiveIntegerField("无指标值的指标数", default=0)
    # Attention-list (关注清单) facts, filled with the roll-up copies (rollup.fill_attention).
    indicator_points = models.DecimalField(
        "指标分值合计", max_digits=7, decimal_places=2, null=True, blank=True
    )
    goals_copied = models.BooleanField("实际完成情况照抄预期目标", default=False)
    grade_out_of_band = models.BooleanField("等级与总分档次不符", default=False)
    error_codes = models.CharField("错误代码", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "自评表"
        constraints = [
            models.UniqueConstraint(  # a deleted draft leaves its year free
                fields=["project", "year"],
                condition=~models.Q(state="deleted"),
                name="one_evaluation_per_project_year",
            )
        ]
        indexes = [
            models.Index(fields=ATTENTION_FIELDS, name="evaluation_attention"),
            models.Index(fields=LIST_FIELDS, name="evaluation_list"),
            models.Index(
                fields=["code", "-year", "id", "project", "state"], name="evaluation_by_code"
            ),
            models.Index(fields=SUBMITTED_FIELDS, name="evaluation_submitted"),
        ]
        ordering = ["-year", "project__code"]

    objects = EvaluationManager()

    def __str__(self) -> str:
        return f"{self.project.name}（{self.year} 年度）"

    def fill_copies(self) -> None:
        """The project's code copied into :attr:`code` (the lists' sort key)."""
        if not self.code and self.project_id is not None:
            self.code = self.project.code

    def save(self, *args, **kwargs) -> None:
        self.fill_copies()
        super().save(*args, **kwargs)

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def filled(self) -> bool:
        """Filled in on the pages or through the API (not imported from a file)."""
        return self.origin == FILLED


class FormCountManager(models.Manager["FormCount"]):
    def fresh(self, units=None) -> dict[tuple[int, int, str], int]:
        """``COUNT(*) … GROUP BY unit, year, state`` over the forms (of ``units``, ids): what
        the kept counts should hold."""
        rows = Evaluation.objects.all()
        if units is not None:
            rows = rows.filter(project__unit_id__in=units)
        grouped = (
            rows.order_by()
            .values_list("project__unit_id", "year", "state")
            .annotate(n=models.Count("id"))
        )
        return {(unit, year, state): n for unit, year, state, n in grouped}

    def kept(self) -> dict[tuple[int, int, str], int]:
        """The kept counts, those above zero (a count brought down to 0 keeps its row)."""
        rows = self.filter(forms__gt=0).values_list("unit_id", "year", "state", "forms")
        return {(unit, year, state): n for unit, year, state, n in rows}

    def rebuild(self, units=None) -> int:
        """The counts (of ``units``, ids; else all) counted again from the forms, in one
        transaction: after a bulk load (the synthetic province), a project moved to another
        unit, or by hand (``jixiao recount``). Returns the rows written."""
        from django.db import transaction

        with transaction.atomic():
            stale = self.all() if units is None else self.filter(unit_id__in=units)
            stale.delete()
            made = [
                FormCount(unit_id=unit, year=year, state=state, forms=n)
                for (unit, year, state), n in self.fresh(units).items()
            ]
            self.bulk_create(made, batch_size=2000)
        return len(made)


class FormCount(models.Model):
    """份数: how many forms a unit (the unit of their project) has of a year in a state, kept by
    the actions that create a form or move its state, in their transaction
    (:mod:`jixiao.web.evaluations.actions.counts`), so the lists' 共 N 份 and the 催报 progress
    read a few hundred rows, not every form. Deleted drafts are counted too (state
    ``deleted``: the reads leave them out), so the table is exactly ``COUNT(*) GROUP BY``."""

    unit = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    state = models.CharField("状态", max_length=16)
    # not Positive: a count that drifted (a row changed around the actions) must never refuse a
    # user's write; ``jixiao recount`` puts it right
    forms = models.IntegerField("份数", default=0)

    objects = FormCountManager()

    class Meta:
        verbose_name = verbose_name_plural = "自评表份数"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "state"], name="one_count_per_unit_year_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.state}: {self.forms}"


FILLED, IMPORTED = "filled", "imported"
"""The origins of a form (:attr:`Evaluation.origin`)."""


class ApprovedTargets(models.Model):
    """绩效目标: a project's targets for one year as approved at budget time, indicator
    rows ``{level1, level2, name, target, points}`` (年度指标值 as printed, 分值 a figure string)."""

    project = models.ForeignKey(
        Project, models.PROTECT, related_name="targets", verbose_name="项目"
    )
    year = models.PositiveSmallIntegerField("年度")
    indicators = models.JSONField("指标")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="批复人",
    )
    set_at = models.DateTimeField("批复时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "绩效目标"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"], name="one_target_set_per_project_year"
            )
        ]
        ordering = ["project__code", "-year"]

    def __str__(self) -> str:
        return f"{self.project.name}（{self.year} 年度绩效目标）"


class Event(models.Model):
    """One append-only entry of the audit trail: who did what when, and the field-level diff.

    ``prev_hash`` is unique, so the chain cannot fork even under concurrent writers. From
    epoch 1 (:mod:`jixiao.web.evaluations.actions.trail`) an event names the object it
    changed (``subject``: ``evaluation#12``, ``account#3``, ``targets#5`` …; a form's events
    also keep ``evaluation``) and the hashes of that object's state after it (``state``,
    one a field, ``{}`` when the object was deleted)."""

    evaluation = models.ForeignKey(
        Evaluation,
        models.PROTECT,
        related_name="events",
        verbose_name="自评表",
        null=True,
        blank=True,
    )
    subject = models.CharField("对象", max_length=64, blank=True, db_index=True)
    state = models.JSONField("状态哈希", null=True, blank=True)
    epoch = models.PositiveIntegerField("纪元", default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人账号", max_length=150)
    at = models.DateTimeField("时间")
    action = models.CharField("操作", max_length=16)
    state_from = models.CharField("原状态", max_length=16, blank=True)
    state_to = models.CharField("新状态", max_length=16)
    version = models.PositiveIntegerField("版本")
    diff = models.JSONField("改动", default=list)
    comment = models.TextField("意见", blank=True)
    field_comments = models.JSONField("逐项意见", default=dict, blank=True)  # field path → comment
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "留痕事件"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_name} {self.action} {self.evaluation_id}"

    def content(self) -> dict:
        """What the hash covers (everything but the row id and the hashes; an event of
        epoch 0, from before keys, covers what it covered then)."""
        content = {
            "evaluation": self.evaluation_id,
            "actor": self.actor_name,
            "at": self.at.astimezone(UTC).isoformat(),
            "action": self.action,
            "state_from": self.state_from,
            "state_to": self.state_to,
            "version": self.version,
            "diff": self.diff,
            "comment": self.comment,
            "field_comments": self.field_comments,
        }
        if self.epoch:
            content |= {"epoch": self.epoch, "subject": self.subject, "state": self.state}
        return content


class SpotCheck(models.Model):
    """抽查: a random sample of approved forms a bureau admin draws for re-check. ``seed``
    (from :mod:`secrets`, never a user's) and the rule (rate, strata, the attention list's
    high-risk forms always in) are on the trail, so the draw can be derived again."""

    class Strata(models.TextChoices):
        NONE = "", "不分层"
        DEPARTMENT = "department", "按主管部门"
        AMOUNT = "amount", "按金额"

    year = models.PositiveSmallIntegerField("年度")
    size = models.PositiveIntegerField("抽取数")
    rate = models.DecimalField("抽查比例", max_digits=5, decimal_places=4, null=True, blank=True)
    strata = models.CharField("分层", max_length=16, choices=Strata.choices, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    forced = models.JSONField("必抽（高风险）", default=list, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="抽取人"
    )
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)
    evaluations = models.ManyToManyField(
        Evaluation, related_name="spot_checks", verbose_name="抽中的自评表"
    )

    class Meta:
        verbose_name = verbose_name_plural = "抽查"
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"{self.year} 年度抽查 {self.size} 份"


# 佐证材料: the files that back an indicator's reported result. Stored in the database (not on
# disk), so the backup of the database (``jixiao backup``) carries them as well; each file is
# limited in size and type (MAX_BYTES, TYPES). An evidence file belongs to an indicator by its
# name (三级指标), which survives the rows being reordered. (Until migration 0007 the model was
# pages.Evidence, table pages_evidence.)

MAX_BYTES = 10 * 1024 * 1024
TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class Evidence(models.Model):
    """One evidence file of one indicator of one form."""

    evaluation = models.ForeignKey(
        Evaluation, models.PROTECT, related_name="evidence", verbose_name="自评表"
    )
    indicator = models.CharField("三级指标", max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField("内容")
    uploaded_by = models.CharField("上传人账号", max_length=150)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["indicator", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.name}"
