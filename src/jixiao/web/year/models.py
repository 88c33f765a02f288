"""The year's objects: the self-evaluation task a bureau issues (任务下达), the notices
that remind a unit (催报), and the results ledger (结果应用). Each is protected on the
trail (:func:`jixiao.web.evaluations.states.protect`, from :mod:`.apps`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.orgs.models import Organisation


class SelfEvaluationTask(models.Model):
    """任务下达: a year's self-evaluation, issued by the bureau: its template, its deadline
    (stored aware; entered and shown in Beijing time), its scope (every unit, some
    departments, some units or some projects), whether it has two review levels, and how
    many days before the deadline the late units are reminded automatically (0: never)."""

    class Scope(models.TextChoices):
        ALL = "all", "全部单位"
        DEPARTMENTS = "departments", "指定主管部门"
        UNITS = "units", "指定单位"
        PROJECTS = "projects", "指定项目"

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    template = models.CharField("模板", max_length=64)
    deadline = models.DateTimeField("截止时间")
    scope = models.CharField("范围", max_length=16, choices=Scope.choices, default=Scope.ALL)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name="范围内的部门或单位"
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="+", verbose_name="范围内的项目"
    )
    two_levels = models.BooleanField("两级审核", default=False)
    remind_days = models.PositiveSmallIntegerField("截止前几天自动催报", default=3)
    note = models.TextField("说明", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="下达人"
    )
    issued_at = models.DateTimeField("下达时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "自评任务"
        ordering = ["-year", "-issued_at"]

    def __str__(self) -> str:
        return f"{self.year} 年度绩效自评任务"


class Notice(models.Model):
    """An in-app notice to an organisation's accounts: a reminder (催报) by hand or by the
    schedule, shown on the to-do page; ``emailed`` how many addresses it was mailed to."""

    class Kind(models.TextChoices):
        MANUAL = "manual", "人工催报"
        AUTO = "auto", "自动催报"

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name="单位"
    )
    task = models.ForeignKey(
        SelfEvaluationTask,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name="自评任务",
    )
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.MANUAL)
    text = models.TextField("内容")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发送人",
    )
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)
    emailed = models.PositiveIntegerField("邮件数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation.name}：{self.text[:30]}"


class LedgerPolicy(models.Model):
    """结果应用: what the bureau proposes for next year's budget by grade for one year:
    ``rules`` 统一等级 → ``{"action": keep | cut | stop, "share": "0.10"}`` (a cut's share)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    rules = models.JSONField("规则")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="设定人"
    )
    set_at = models.DateTimeField("设定时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "结果应用规则"

    def __str__(self) -> str:
        return f"{self.year} 年度结果应用规则"


class LedgerEntry(models.Model):
    """What was done with one form's result (the budget of next year as decided)."""

    evaluation = models.OneToOneField(
        Evaluation, models.PROTECT, related_name="ledger", verbose_name="自评表"
    )
    done = models.CharField("落实情况", max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="登记人"
    )
    set_at = models.DateTimeField("登记时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "结果应用台账"

    def __str__(self) -> str:
        return f"{self.evaluation}：{self.done}"
